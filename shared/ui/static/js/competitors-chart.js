// Competitors' prices (contracts): nights cheaper and dearer per hotel, from #comparison-data.
(() => {
  const canvas = document.getElementById("comparison-chart");
  const source = document.getElementById("comparison-data");
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {label: data.cheaper_label || "We are cheaper (nights)", data: data.cheaper, backgroundColor: "#1b6e3a"},
        {label: data.dearer_label || "We are dearer (nights)", data: data.dearer, backgroundColor: "#b3261e"}
      ]
    },
    options: {maintainAspectRatio: false, animation: false}
  });
})();
