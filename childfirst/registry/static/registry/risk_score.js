// The running score of the risk checklist while items are ticked. The server scores the
// submitted items again; this only shows the director where the assessment stands.
(function () {
  "use strict";
  var out = document.getElementById("risk-score");
  if (!out) return;
  var boxes = document.querySelectorAll("input[data-weight]");
  var medium = Number(out.dataset.medium), high = Number(out.dataset.high);
  function update() {
    var score = 0, critical = false;
    boxes.forEach(function (box) {
      if (box.checked) {
        score += Number(box.dataset.weight);
        critical = critical || box.dataset.critical === "1";
      }
    });
    var level = critical || score >= high ? "high" : score >= medium ? "medium" : "low";
    out.querySelector("[data-score]").textContent = score;
    var tag = out.querySelector("[data-level]");
    tag.className = "risk risk-" + level;
    tag.textContent = out.dataset["label" + level.charAt(0).toUpperCase() + level.slice(1)];
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
