// Shows a rate's value as numerator and denominator are typed (the server computes the stored value).
(function () {
  function update(row) {
    var num = row.querySelector("input[data-part=numerator]");
    var den = row.querySelector("input[data-part=denominator]");
    var out = row.querySelector("output");
    if (!num || !den || !out) return;
    var clean = function (s) { return s.normalize("NFKC").replace(/[\s,]/g, ""); };
    var n = parseFloat(clean(num.value)), d = parseFloat(clean(den.value));
    var scale = parseFloat(row.closest("[data-scale]").dataset.scale);
    out.textContent = (isFinite(n) && isFinite(d) && d > 0) ? (Math.round(n / d * scale * 100) / 100).toString() : "";
  }
  document.addEventListener("input", function (event) {
    var row = event.target.closest("tr[data-row]");
    if (row) update(row);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr[data-row]").forEach(update);
  });
})();
