// Agents' record (intake): average handle time per agent and day against SL-2, from
// #handle-time-data. Every day of the period is on the axis (issue 15); each agent is a series.
(() => {
  const canvas = document.getElementById("handle-time-chart");
  const source = document.getElementById("handle-time-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  const limit = data.limit;
  // Labels in the person's language (issue 15), English when the page gives none.
  const texts = Object.assign(
    {limit: "5 minutes", series: "Average handle time (minutes)", axis: "minutes"}, data.texts || {});
  const palette = ["#0b5cad", "#2e8540", "#8a4baf", "#c05a00", "#00838f", "#6d4c41", "#ad1457", "#546e7a"];
  const toMinutes = (s) => s === null ? null : s / 60;
  // SL-2's 5 minutes as a dashed line across the whole chart (one day or many).
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
  const datasets = data.agents.map((agent, n) => {
    const minutes = agent.average_seconds.map(toMinutes);
    const colour = palette[n % palette.length];
    return {label: agent.name, data: minutes, maxBarThickness: 40, borderWidth: 2,
            backgroundColor: colour,
            // A day over 5 minutes keeps the agent's colour, outlined in red.
            borderColor: minutes.map((m) => m !== null && m > limit ? "#b3261e" : colour)};
  });
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets},
    options: {maintainAspectRatio: false, animation: false,
              plugins: {title: {display: true, text: texts.series}},
              scales: {y: {beginAtZero: true, suggestedMax: limit * 1.25, title: {display: true, text: texts.axis}}}},
    plugins: [limitLine]
  });
})();
