// IN-9: "Add 5 rooms" on a rooming list adds five blank rows, numbered on.
(() => {
  document.querySelectorAll("[data-add-rows]").forEach((button) => {
    if (button.dataset.bound) return;
    button.dataset.bound = "true";
    const body = button.closest("fieldset").querySelector("[data-rooming-rows]");
    button.addEventListener("click", () => {
      for (let i = 0; i < 5; i++) {
        const last = body.rows[body.rows.length - 1];
        const row = last.cloneNode(true);
        const n = body.rows.length + 1;
        row.cells[0].textContent = n;
        const select = row.querySelector("select"), input = row.querySelector("input");
        select.name = `plan_${n}`; select.value = ""; select.setAttribute("aria-label", `Room ${n} rate plan`);
        input.name = `guests_${n}`; input.value = ""; input.setAttribute("aria-label", `Room ${n} guests`);
        body.append(row);
      }
    });
  });
})();
