// No-show reports: the rate per hotel, agent or client as bars, from #no-show-data.
(() => {
  const canvas = document.getElementById("no-show-chart");
  const source = document.getElementById("no-show-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{label: data.texts.series, data: data.rates,
                                             backgroundColor: "#0b5cad", maxBarThickness: 40}]},
    options: {maintainAspectRatio: false, animation: false,
              scales: {y: {beginAtZero: true, suggestedMax: 10, title: {display: true, text: "%"}}}},
  });
})();
