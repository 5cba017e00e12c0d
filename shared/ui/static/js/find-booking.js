// The booking search box on every intake page (issue 15): Alt+F puts the cursor in it, with
// what it holds selected, from anywhere on the page (also from inside another field).
(() => {
  const box = document.getElementById("find-booking-q");
  if (!box) return;
  document.addEventListener("keydown", (event) => {
    const f = event.code === "KeyF" || event.key === "f" || event.key === "F";
    if (!f || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();  // the browser's own Alt+F (its menu) is not what the desk wants here
    box.focus();
    box.select();
  });
})();
