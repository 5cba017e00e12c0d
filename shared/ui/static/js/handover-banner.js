// IN-6: fetch the handover banner fragment into its slot at the top of intake pages.
(function () {
  var slot = document.getElementById("handover-banner");
  if (!slot) return;
  fetch(slot.dataset.src, {headers: {accept: "text/html"}, credentials: "same-origin"})
    .then(function (response) { return response.status === 200 ? response.text() : ""; })
    .then(function (html) { slot.innerHTML = html; });
})();
