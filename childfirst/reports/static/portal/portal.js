// Draws the portal's charts from the JSON each page embeds (json_script); every chart has its figures
// in a table beside it, so the page reads the same without JavaScript. ECharts is vendored.
(function () {
  var COLORS = { achieved: "#1e7b34", on_track: "#4c9a2a", needs_acceleration: "#c98a00", at_risk: "#c0392b",
                 not_achieved: "#7b1010", insufficient_data: "#9aa5b1" };
  var charts = [];
  function draw(el, option) {
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false, aria: { enabled: false },
      textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" } }, option));
    charts.push(c);
  }
  var KINDS = {
    status: function (d) {
      return { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 110, right: 20, top: 10, bottom: 75 },
        xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: d.categories, inverse: true },
        series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: COLORS[s.status] } }; }) };
    },
    series: function (d) {
      var lines = [{ name: d.labels.value, type: "line", data: d.values, connectNulls: true, symbolSize: 7, itemStyle: { color: "#0b5cad" } }];
      var colors = ["#7a5195", "#b4232a", "#ef5675"], many = d.plan_targets && d.plan_targets.length;
      if (many) d.plan_targets.forEach(function (t, i) {  // a series across plans: each plan's target in its own years
        var c = colors[(i + colors.length - d.plan_targets.length) % colors.length];
        lines.push({ name: t.name, type: "line", data: t.data, lineStyle: { type: "dashed", color: c }, itemStyle: { color: c }, symbol: "none" });
      });
      else if (d.target !== null) lines.push({ name: d.labels.target, type: "line", data: d.years.map(function () { return d.target; }),
        lineStyle: { type: "dashed", color: "#b4232a" }, itemStyle: { color: "#b4232a" }, symbol: "none" });
      return { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 50, right: 20, top: 15, bottom: many ? 90 : 40 },
        xAxis: { type: "category", data: d.years }, yAxis: { type: "value", scale: true }, series: lines };
    },
    streets: function (d) {
      return { tooltip: { trigger: "axis" }, grid: { left: 90, right: 30, top: 24, bottom: 20 },
        xAxis: { type: "value", scale: true }, yAxis: { type: "category", data: d.streets, inverse: true },
        series: [{ name: d.labels.value, type: "bar", data: d.values, itemStyle: { color: "#0b5cad" },
          markLine: d.district === null ? undefined : { symbol: "none", lineStyle: { color: "#b4232a" },
            data: [{ xAxis: d.district, name: d.labels.district }], label: { formatter: d.labels.district, position: "start" } } }] };
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      var kind = KINDS[el.getAttribute("data-chart")];
      if (source && kind) draw(el, kind(JSON.parse(source.textContent)));
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
