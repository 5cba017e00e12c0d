// IN-9: "Add 5 rooms" on a rooming list adds five blank rows, numbered on.
(() => {
  document.querySelectorAll("[data-add-rows]").forEach((button) => {
    if (button.dataset.bound) return;
    button.dataset.bound = "true";
    const body = button.closest("fieldset").querySelector("[data-rooming-rows]");
    // Row labels in the person's language (issue 15): "{n}" stands for the room's number.
    const planLabel = body.dataset.planLabel || "Room {n} rate plan";
    const guestsLabel = body.dataset.guestsLabel || "Room {n} guests";
    button.addEventListener("click", () => {
      for (let i = 0; i < 5; i++) {
        const last = body.rows[body.rows.length - 1];
        const row = last.cloneNode(true);
        const n = body.rows.length + 1;
        row.cells[0].textContent = n;
        const select = row.querySelector("select"), input = row.querySelector("input");
        select.name = `plan_${n}`; select.value = ""; select.setAttribute("aria-label", planLabel.replace("{n}", n));
        input.name = `guests_${n}`; input.value = ""; input.setAttribute("aria-label", guestsLabel.replace("{n}", n));
        body.append(row);
      }
    });
  });
})();
