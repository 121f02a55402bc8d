/* The dashboard's funnel chart: one bar per stage, drawn from the JSON the page embeds. */
(function () {
  "use strict";
  var source = document.getElementById("funnel-data");
  var canvas = document.getElementById("funnel-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colour = function (label) {
    if (label === "Won") { return "#28a745"; }
    if (label === "Lost") { return "#adb5bd"; }
    return "#007bff";
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Deals", data: data.counts, backgroundColor: data.labels.map(colour) }]
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            afterLabel: function (item) { return "Value: " + data.values[item.dataIndex]; }
          }
        }
      },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
}());
