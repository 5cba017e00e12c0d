// Staffing (metrics, SL-1): agents needed by Erlang C against agents on duty per half hour,
// with the calls behind them, from #staffing-chart-data.
(() => {
  const canvas = document.getElementById("staffing-chart");
  const source = document.getElementById("staffing-chart-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  const texts = Object.assign({needed: "Agents needed", on_duty: "Agents on duty", calls: "Calls",
    agents: "agents"}, data.texts || {});
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {type: "line", label: texts.needed, yAxisID: "agents", borderColor: "#b3261e", backgroundColor: "#b3261e",
         stepped: "middle", pointRadius: 0, order: 0, data: data.needed},
        {type: "line", label: texts.on_duty, yAxisID: "agents", borderColor: "#0b5cad", backgroundColor: "#0b5cad",
         stepped: "middle", pointRadius: 0, order: 1, data: data.on_duty.map((v) => Math.round(v * 10) / 10)},
        {label: texts.calls, yAxisID: "calls", backgroundColor: "#c9d8ea", order: 2, data: data.calls},
      ]
    },
    options: {maintainAspectRatio: false, animation: false,
              scales: {agents: {position: "left", beginAtZero: true, title: {display: true, text: texts.agents}},
                       calls: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}, title: {display: true, text: texts.calls}}}}
  });
})();
