// Import job page (contracts): polls the job's status once a second until it finishes;
// the page itself never reloads.
(function () {
  var box = document.getElementById("import-job");
  if (!box) return;
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  var line = document.getElementById("import-summary");
  var report = document.getElementById("import-report");
  // The page gives these in the person's language (issue 15); English if it does not.
  var fileLabel = box.dataset.fileLabel || "file";
  var lostText = box.dataset.lostText || "Lost touch with the server; trying again.";

  function cell(row, text, numeric) {
    var td = row.insertCell();
    td.textContent = text;
    if (numeric) { td.className = "num"; }
  }

  function finish(job) {
    var failed = job.state === "refused" || job.state === "failed";
    line.className = failed ? "error" : "notice";
    line.setAttribute("role", failed ? "alert" : "status");
    var body = report.tBodies[0];
    body.textContent = "";
    job.report.forEach(function (e) {
      var row = body.insertRow();
      cell(row, e.row ? String(e.row) : fileLabel, true);
      cell(row, e.field);
      cell(row, e.message);
    });
    report.hidden = job.report.length === 0;
  }

  function show(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    percent.textContent = job.progress + "%";
    line.textContent = job.summary;
    if (job.finished) { finish(job); }
  }

  function poll() {
    fetch(box.dataset.statusUrl, {headers: {accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (!job.finished) { setTimeout(poll, 1000); }
      })
      .catch(function () {
        line.textContent = lostText;
        setTimeout(poll, 3000);
      });
  }

  if (box.dataset.finished !== "true") { setTimeout(poll, 1000); }
})();
