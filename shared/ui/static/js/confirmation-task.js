// Confirmation task page (issue 15): the task's state follows the server without a reload
// (sending → sent → confirmed / full), and Alt + a button's data-shortcut letter presses it
// (Alt+A accepts the confirmation number found in the hotel's reply, CF-4). Without this
// script the page works as before: a reload shows the news, the buttons are plain buttons.
(function () {
  // One submit per form: a shortcut the browser's accesskey already pressed, or a double
  // click, must not send the hotel's answer twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
    } else {
      form.dataset.submitted = "true";
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = (event.key || "").toLowerCase();
    var button = document.querySelector('[data-shortcut="' + key + '"]');
    if (!button || !button.form) return;
    event.preventDefault();
    if (button.form.dataset.submitted !== "true") button.click();
  });

  var box = document.getElementById("task-live");
  if (!box) return;
  var words = JSON.parse(box.dataset.stateWords || "{}");
  var lost = document.getElementById("task-live-lost");
  var EVERY = 2000;

  // The desk is typing here: replacing the section now would throw the text away.
  function typing() {
    var field = document.activeElement;
    return field && box.contains(field) && field.matches("input:not([type=hidden]), textarea, select")
      && field.value !== field.defaultValue;
  }

  function showState(state) {
    var tag = document.getElementById("task-state");
    if (tag) {
      tag.textContent = words[state] || state;
      tag.dataset.state = state;
    }
  }

  function refresh(version) {
    return fetch(box.dataset.pageUrl, {headers: {accept: "text/html"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("task-live");
        if (!fresh || typing()) return;
        box.innerHTML = fresh.innerHTML;
        lost = document.getElementById("task-live-lost");
        // The version the fresh page was drawn at, which may be newer than the one polled.
        box.dataset.version = fresh.dataset.version || version;
      });
  }

  function poll() {
    if (document.hidden) { setTimeout(poll, EVERY); return; }
    fetch(box.dataset.liveUrl, {headers: {accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (task) {
        if (lost) lost.hidden = true;
        showState(task.state);
        if (task.version !== box.dataset.version && !typing()) return refresh(task.version);
      })
      .then(function () { setTimeout(poll, EVERY); })
      .catch(function () {
        if (lost) { lost.textContent = box.dataset.lostText; lost.hidden = false; }
        setTimeout(poll, EVERY * 3);
      });
  }

  setTimeout(poll, EVERY);
})();
