// The caller panel (IN-8, IN-10): asks GET /api/callers as the agent types.
(() => {
  const panel = document.getElementById("caller-panel");
  if (!panel) return;
  const scope = panel.closest("form") || document;
  const field = (name) => scope.querySelector(`[name="${name}"]`);
  const inputs = { phone: field("booker_phone"), card: field("member_card"), guests: field("guest_names") };
  const part = (name) => panel.querySelector(`[data-caller="${name}"]`);
  let timer = null, asked = "", sequence = 0;
  // The panel's texts in the person's language (issue 15); "{name}" and the like filled here.
  const texts = Object.assign({
    notMember: "Not a member (no card on file for this phone or card).",
    member: "Member {name} · card {card_no} · {level}",
    frequent: "{guest_name} ({stays} stays)",
    vip: "Frequent guest of this hotel: {frequent}. Added to the special requests when you place the booking: “{vip_request}”",
    failed: "Caller lookup failed; try again.",
  }, Object.fromEntries(Object.entries({
    notMember: panel.dataset.textNotMember, member: panel.dataset.textMember,
    frequent: panel.dataset.textFrequent, vip: panel.dataset.textVip, failed: panel.dataset.textFailed,
  }).filter(([, v]) => v)));
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, key) => key in values ? String(values[key]) : all);

  function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.append(td); }

  function show(body) {
    part("status").textContent = body.members.length ? "" : texts.notMember;
    part("status").hidden = body.members.length > 0;
    const prompts = part("prompts");
    prompts.replaceChildren(...body.prompts.map((text) => {
      const p = document.createElement("p"); p.className = "error"; p.textContent = text; return p;
    }));
    const member = part("member");
    member.hidden = !body.members.length;
    member.textContent = body.members.map((m) => fill(texts.member, m)).join("; ");
    const vip = part("vip");
    const frequent = body.frequent_guests.map((g) => fill(texts.frequent, g)).join(", ");
    vip.hidden = !body.vip_request;
    vip.textContent = body.vip_request
      ? fill(texts.vip, {frequent: frequent, vip_request: body.vip_request})
      : "";
    const recent = part("recent");
    recent.hidden = !body.recent_bookings.length;
    recent.tBodies[0].replaceChildren(...body.recent_bookings.map((b) => {
      const row = document.createElement("tr");
      // Each booking opens its page (issue 15), in a new tab: the form being typed stays.
      const ref = document.createElement("a");
      ref.href = `${panel.dataset.bookingUrl || "bookings/"}${encodeURIComponent(b.booking_ref)}`;
      ref.target = "_blank";
      ref.textContent = b.booking_ref;
      const first = document.createElement("td");
      first.append(ref);
      row.append(first);
      [b.hotel_name, `${b.check_in} → ${b.check_out}`, b.guest_names.join(", "), b.status]
        .forEach((text) => cell(row, text));
      return row;
    }));
  }

  async function load() {
    const params = new URLSearchParams();
    const phone = inputs.phone ? inputs.phone.value.trim() : "";
    const card = inputs.card ? inputs.card.value.trim() : "";
    if (phone) params.set("phone", phone);
    if (card) params.set("card", card);
    if (!phone && !card) return;
    if (panel.dataset.hotel) params.set("hotel_id", panel.dataset.hotel);
    if (inputs.guests && inputs.guests.value.trim()) params.set("guests", inputs.guests.value);
    const query = params.toString();
    if (query === asked) return;
    asked = query;
    const mine = ++sequence;  // an older answer arriving late must not overwrite a newer one
    try {
      const response = await fetch(`${panel.dataset.url}?${query}`, {
        headers: { accept: "application/json" }, credentials: "same-origin",
      });
      const body = await response.json();
      if (mine !== sequence) return;
      if (!response.ok) { part("status").hidden = false; part("status").textContent = body.detail; return; }
      show(body);
    } catch (error) {
      if (mine === sequence) { part("status").hidden = false; part("status").textContent = texts.failed; asked = ""; }
    }
  }

  function later() { clearTimeout(timer); timer = setTimeout(load, 350); }
  Object.values(inputs).forEach((input) => {
    if (!input) return;
    input.addEventListener("input", later);
    input.addEventListener("change", load);
  });
  load();  // a form shown again after a refusal already holds the caller
})();
