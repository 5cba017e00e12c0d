// Agents' record (intake): average handle time per agent against SL-2, from #handle-time-data.
(() => {
  const canvas = document.getElementById("handle-time-chart");
  const source = document.getElementById("handle-time-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  const limit = data.limit;
  // Labels in the person's language (issue 15), English when the page gives none.
  const texts = Object.assign(
    {limit: "5 minutes", series: "Average handle time (minutes)", axis: "minutes"}, data.texts || {});
  const minutes = data.average_seconds.map((s) => s === null ? null : s / 60);
  // SL-2's 5 minutes as a dashed line across the whole chart (one agent or many).
  const limitLine = {
    id: "limitLine",
    afterDatasetsDraw(chart) {
      const {ctx, chartArea: {left, right}, scales: {y}} = chart;
      const at = y.getPixelForValue(limit);
      ctx.save();
      ctx.strokeStyle = "#a15c00"; ctx.setLineDash([6, 4]); ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(left, at); ctx.lineTo(right, at); ctx.stroke();
      ctx.fillStyle = "#a15c00"; ctx.textAlign = "right"; ctx.fillText(texts.limit, right, at - 5);
      ctx.restore();
    }
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{label: texts.series, data: minutes, maxBarThickness: 80,
                  backgroundColor: minutes.map((m) => m !== null && m > limit ? "#b3261e" : "#0b5cad")}]
    },
    options: {maintainAspectRatio: false, animation: false,
              scales: {y: {beginAtZero: true, suggestedMax: limit * 1.25, title: {display: true, text: texts.axis}}}},
    plugins: [limitLine]
  });
})();
