// SLA history (metrics): service level per interval against the target, from #sl-chart-data.
(() => {
  const canvas = document.getElementById("sl-chart");
  const source = document.getElementById("sl-chart-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  const percent = (v) => v === null ? null : Math.round(v * 1000) / 10;
  const target = data.target;
  // Labels in the person's language (issue 15), English when the page gives none.
  const texts = Object.assign({target: `target ${target}%`, service_level_of_offered:
    "Service level of offered (%)", offered: "Offered calls", calls: "calls"}, data.texts || {});
  // The target as a dashed line across the whole chart (one interval or many).
  const targetLine = {
    id: "targetLine",
    afterDatasetsDraw(chart) {
      const {ctx, chartArea: {left, right}, scales: {pct}} = chart;
      const at = pct.getPixelForValue(target);
      ctx.save();
      ctx.strokeStyle = "#a15c00"; ctx.setLineDash([6, 4]); ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(left, at); ctx.lineTo(right, at); ctx.stroke();
      ctx.fillStyle = "#a15c00"; ctx.textAlign = "right"; ctx.fillText(texts.target, right, at - 5);
      ctx.restore();
    }
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {type: "line", label: texts.service_level_of_offered, yAxisID: "pct", borderColor: "#0b5cad", order: 0, pointRadius: 4, backgroundColor: "#0b5cad",
         data: data.service_level_of_offered.map(percent)},
        {label: texts.offered, order: 1, yAxisID: "calls", backgroundColor: "#c9d8ea", maxBarThickness: 60,
         data: data.offered},
      ]
    },
    options: {maintainAspectRatio: false, animation: false,
              scales: {pct: {position: "left", min: 0, max: 100, title: {display: true, text: "%"}},
                       calls: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}, title: {display: true, text: texts.calls}}}},
    plugins: [targetLine]
  });
})();
