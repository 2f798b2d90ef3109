// Type-to-filter for long lists (issue 14: 146 agencies in one dropdown). Any <select
// data-filter> gets a search box above it; typing hides the options (and empty groups)
// whose text does not contain the words typed, diacritics ignored ("phuong hoan kiem"
// finds "Phường Hoàn Kiếm"). The texts come from data- attributes (translated by the
// page); no inline script, so the Content-Security-Policy holds. Without JavaScript the
// grouped list works as it is.
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  }
  function setup(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.getAttribute("data-filter-placeholder") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "select-filter-status small muted";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (o) { return fold(o.text); });
    function apply() {
      var words = fold(box.value).split(/\s+/).filter(Boolean), first = null, shown = 0;
      options.forEach(function (o, i) {
        var match = !o.value || words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        o.hidden = !match;
        if (match && o.value) { shown += 1; if (!first) first = o; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      var chosen = select.options[select.selectedIndex];
      if (words.length && first && (!chosen || chosen.hidden || !chosen.value)) first.selected = true;
      status.textContent = words.length && !shown ? select.getAttribute("data-filter-empty") || "" : "";
    }
    box.addEventListener("input", apply);
    // Enter in the box must not submit the form before a choice is seen.
    box.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); select.focus(); } });
  }
  function init() { Array.prototype.forEach.call(document.querySelectorAll("select[data-filter]"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
