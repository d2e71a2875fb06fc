// Funnel figures page: draws the charts from the json_script block (no inline script: strict CSP).
(function () {
  function draw() {
    var source = document.getElementById("funnel-data");
    if (!source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    function chart(name, option) {
      var el = document.querySelector('[data-chart="' + name + '"]');
      if (!el) { return; }
      var c = window.echarts.init(el);
      c.setOption(option);
      window.addEventListener("resize", function () { c.resize(); });
    }
    function funnel(values, seriesName) {
      return {
        tooltip: {trigger: "item", formatter: "{b}: {c}"},
        series: [{name: seriesName, type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "10%",
          label: {show: true, position: "inside", formatter: "{b}\n{c}"},
          data: d.labels.map(function (label, i) { return {name: label, value: values[i]}; })}]
      };
    }
    chart("funnel-count", funnel(d.reached, d.names.count));
    chart("funnel-amount", funnel(d.reached_amount, d.names.amount));
    chart("conversion", {
      tooltip: {trigger: "axis"}, grid: {left: 40, right: 20, bottom: 60},
      xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0, rotate: 20}},
      yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      series: [{name: d.names.conversion, type: "bar",
        data: d.conversion.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; })}]
    });
    chart("days", {
      tooltip: {trigger: "axis"}, grid: {left: 40, right: 20, bottom: 60},
      xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0, rotate: 20}},
      yAxis: {type: "value"},
      series: [{name: d.names.days, type: "bar", data: d.days}]
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
