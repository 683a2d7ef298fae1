// Draws the dashboard charts from the JSON each page embeds (json_script); ECharts is vendored.
(function () {
  var COLORS = { achieved: "#1e7b34", on_track: "#4c9a2a", needs_acceleration: "#c98a00", at_risk: "#c0392b",
                 not_achieved: "#7b1010", insufficient_data: "#9aa5b1" };
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" } }, option));
    window.addEventListener("resize", function () { c.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var status = data("status-data");
    if (status) chart("status-chart", {
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 110, right: 20, top: 10, bottom: 40 },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: status.categories, inverse: true },
      series: status.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: COLORS[s.status] } }; })
    });
    var series = data("series-data");
    if (series) {
      var lines = [{ name: series.labels.value, type: "line", data: series.values, connectNulls: true, symbolSize: 8 }];
      if (series.projection.some(function (v) { return v !== null; }))  // none on the catalogue's page
        lines.push({ name: series.labels.projection, type: "line", data: series.projection, lineStyle: { type: "dashed" }, symbol: "none" });
      var planTargets = series.plan_targets || [];
      if (planTargets.length) {
        // A series across plans: each plan's target (in force each year) in its own years, one named line per plan.
        var colors = ["#7a5195", "#b4232a", "#ef5675", "#ffa600"];
        planTargets.forEach(function (t, i) {
          var c = colors[(i + colors.length - planTargets.length) % colors.length];
          // Step only where a revision changes it: a step line would run on into the next plan's first year.
          var levels = t.data.filter(function (v) { return v !== null; });
          var revised = levels.some(function (v) { return v !== levels[0]; });
          lines.push({ name: t.name, type: "line", step: revised ? "end" : false, data: t.data, lineStyle: { type: "dotted", width: 2, color: c }, itemStyle: { color: c }, symbol: "none" });
        });
      } else {
        // The target in force each year when given (it steps where a revision takes effect), else one level.
        var targets = series.targets || series.years.map(function () { return series.target; });
        if (targets.some(function (t) { return t !== null && t !== undefined; })) lines.push({ name: series.labels.target, type: "line", step: series.targets ? "end" : false, data: targets, lineStyle: { type: "dotted", color: "#b4232a" }, symbol: "none" });
      }
      chart("series-chart", { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 50, right: 20, top: 20, bottom: planTargets.length ? 90 : 40 },
        xAxis: { type: "category", data: series.years }, yAxis: { type: "value", scale: true }, series: lines });
      if (series.streets.length) chart("streets-chart", { tooltip: { trigger: "axis" }, grid: { left: 90, right: 20, top: 10, bottom: 20 },
        xAxis: { type: "value", scale: true }, yAxis: { type: "category", data: series.streets, inverse: true },
        series: [{ type: "bar", data: series.street_values, markLine: series.district_value === null ? undefined : { symbol: "none", data: [{ xAxis: series.district_value, name: series.labels.district }], label: { formatter: series.labels.district } } }] });
    }
    var street = data("street-data");
    if (street) chart("street-chart", { tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 60, right: 20, top: 10, bottom: 40 },
      xAxis: { type: "category", data: street.indicators, axisLabel: { rotate: 60 } }, yAxis: { type: "value", scale: true },
      series: [{ name: street.labels.street, type: "bar", data: street.street }, { name: street.labels.district, type: "bar", data: street.district }] });
  });
})();
