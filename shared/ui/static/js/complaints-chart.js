// Complaints summary (CS-3): complaints per category as bars, minor and major stacked,
// from #complaints-data.
(() => {
  const canvas = document.getElementById("complaints-chart");
  const source = document.getElementById("complaints-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  const colours = ["#0b5cad", "#c0392b"];
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels,
           datasets: data.series.map((s, i) => ({label: s.label, data: s.data,
                                                 backgroundColor: colours[i % 2], maxBarThickness: 40}))},
    options: {maintainAspectRatio: false, animation: false,
              scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}},
  });
})();
