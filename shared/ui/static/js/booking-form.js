// The booking form (intake, IN-1): Ctrl+Enter places the booking from any field, the guest
// names textarea included (Enter there starts the next name). Runs on the form's own page and
// when the search page puts the form under its results.
(function () {
  var forms = document.querySelectorAll("form.booking");
  var form = forms[forms.length - 1];
  if (!form || form.dataset.keys) return;
  form.dataset.keys = "on";  // once, however often the script is put in
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      event.preventDefault();
      if (form.querySelector("button[type=submit]")) form.requestSubmit();
    }
  });
  var guests = form.elements.guest_names;
  if (guests && document.activeElement === document.body && !document.getElementById("search-form")) {
    guests.focus();
    guests.setSelectionRange(guests.value.length, guests.value.length);
  }
})();
