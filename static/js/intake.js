// Choosing a procedure loads its documents; typing filters the list without a round trip.
(function () {
  var select = document.getElementById("thu_tuc"), q = document.getElementById("q");
  if (!select) return;
  select.addEventListener("change", function () { document.getElementById("picker").submit(); });
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase(); }
  q.addEventListener("input", function () {
    var needle = fold(q.value);
    Array.prototype.forEach.call(select.options, function (o) { o.hidden = needle && fold(o.text).indexOf(needle) < 0; });
  });
})();
