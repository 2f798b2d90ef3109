// Redoc's sidebar hard-codes its maker's logo from cdn.redoc.ly. The docs load nothing
// from outside, and a blocked image is a Content-Security-Policy violation: swap the
// address for an empty image before the browser asks for it, whichever way the page sets
// it (attribute or property). Loaded before Redoc's bundle.
(function () {
  var EMPTY = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  function local(value) {
    return String(value).indexOf("https://cdn.redoc.ly/") === 0 ? EMPTY : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this.tagName === "IMG" && String(name).toLowerCase() === "src") value = local(value);
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, local(value)); },
  });
})();
