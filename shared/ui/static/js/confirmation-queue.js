// Confirmation queue: deadlines and the unsent count move with time: reload each minute,
// unless the desk is typing in the filter form.
setTimeout(function reload() {
  const filter = document.getElementById("queue-filter");
  if (filter && filter.contains(document.activeElement)) {
    setTimeout(reload, 60000);
  } else {
    location.reload();
  }
}, 60000);
