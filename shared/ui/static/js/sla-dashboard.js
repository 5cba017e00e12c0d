// SLA dashboard (metrics): refresh the live part every 5 s; without JS a reload shows the same.
(() => {
  const box = document.getElementById("today");
  if (!box) return;
  setInterval(async () => {
    try {
      const response = await fetch(box.dataset.src, {headers: {Accept: "text/html"}});
      if (response.redirected) { location.reload(); return; }  // logged out: the login page
      if (response.ok) box.innerHTML = await response.text();
    } catch (error) { /* the next tick tries again */ }
  }, 5000);
})();
