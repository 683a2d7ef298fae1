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
  // A suggestion's "Fill in" (prefill.py): put its numbers in the row's empty fields, never over typed ones.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-prefill]");
    if (!button) return;
    var row = button.closest("tr[data-row]");
    ["numerator", "denominator", "value", "source_note"].forEach(function (part) {
      var given = button.getAttribute("data-" + part);
      var input = row.querySelector('input[name="' + row.dataset.row + "|" + part + '"]');
      if (given && input && !input.value.trim()) input.value = given;
    });
    update(row);
    button.disabled = true;
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr[data-row]").forEach(update);
  });
})();
