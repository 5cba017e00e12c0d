// Booking desk search (intake). The search without a reload (IN-2): fetch the server-rendered
// results, swap them in and keep the address bar on the shareable page URL. Anything unexpected
// (an expired login, a server error) falls back to loading the plain page, which is what the
// form does anyway.
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  var results = document.getElementById("results");
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim()) params.append(key, String(value).trim());
    });
    return params.toString();
  }

  // A refused search names its field: mark it and put the cursor there, as the full page does.
  function markInvalid(error) {
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
    var field = error && form.elements[error.dataset.field];
    if (field && field.focus) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function load(search) {
    var ticket = ++latest;
    var page = form.action + "?" + search;
    results.setAttribute("aria-busy", "true");
    fetch(form.dataset.results + "?" + search, {
      headers: {accept: "text/html"}, credentials: "same-origin"
    }).then(function (response) {
      if (response.redirected || (response.status !== 200 && response.status !== 422)) {
        window.location.assign(page);
        return null;
      }
      return response.text();
    }).then(function (html) {
      if (html === null || ticket !== latest) return;  // a newer search has started
      results.innerHTML = html;
      history.replaceState(null, "", page);
      results.setAttribute("aria-busy", "false");
      numberOffers();
      markInvalid(results.querySelector(".error[data-field]"));
      // Offers to pick: the cursor leaves the fields so 1-9 pick one (Alt+letter and "/"
      // still reach any field).
      if (picks.length && !results.querySelector(".error[data-field]")) {
        results.focus({preventScroll: true});
      }
    }).catch(function () { window.location.assign(page); });
  }

  // Issue 15, a call in few keys: the first nine Book links carry 1-9; the key opens that one.
  var picks = [];
  function numberOffers() {
    picks = Array.prototype.slice.call(results.querySelectorAll("a.book"), 0, 9);
    picks.forEach(function (link, i) {
      var badge = document.createElement("kbd");
      badge.className = "pick";
      badge.textContent = String(i + 1);
      link.before(badge, " ");  // beside the link: its name stays "Book"
      link.setAttribute("aria-keyshortcuts", String(i + 1));
    });
  }
  results.tabIndex = -1;
  numberOffers();

  // The nights, kept in step with the dates (the caller says "two nights", not a date).
  var nights = document.getElementById("nights");
  var checkIn = form.elements.check_in, checkOut = form.elements.check_out;
  function day(value) {
    var d = new Date(value + "T00:00:00Z");
    return isNaN(d.getTime()) ? null : d;
  }
  function nightsFromDates() {
    var a = day(checkIn.value), b = day(checkOut.value);
    nights.value = a && b && b > a ? String(Math.round((b - a) / 864e5)) : "";
  }
  function checkOutFromNights() {
    var a = day(checkIn.value), n = parseInt(nights.value, 10);
    if (!a || !(n >= 1 && n <= Number(nights.max))) return;
    a.setUTCDate(a.getUTCDate() + n);
    checkOut.value = a.toISOString().slice(0, 10);
  }
  if (nights) {
    document.getElementById("nights-field").hidden = false;
    nightsFromDates();
    nights.addEventListener("input", checkOutFromNights);
    checkIn.addEventListener("input", checkOutFromNights);  // the same stay, moved
    checkOut.addEventListener("input", nightsFromDates);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(query());
  });
  // IN-1: the booking form opens under the results without a page load, carrying the caller
  // typed above; the search stays on screen. A refused fetch falls back to the plain link.
  var callerForm = document.getElementById("caller-form");
  // The caller lookup is never submitted: Enter there must not leave the page.
  if (callerForm) {
    callerForm.addEventListener("submit", function (event) { event.preventDefault(); });
  }
  var bookingArea = document.getElementById("booking-area");
  function openBooking(link) {
    var url = new URL(link.href);
    ["booker_phone", "member_card"].forEach(function (name) {
      var value = callerForm.elements[name].value.trim();
      if (value) url.searchParams.set(name, value);
    });
    fetch(url, {headers: {accept: "text/html"}, credentials: "same-origin"}).then(function (response) {
      if (response.redirected || !response.ok) { window.location.assign(url); return null; }
      return response.text();
    }).then(function (html) {
      if (html === null) return;
      var main = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      callerForm.remove();  // the form below has its own caller panel, prefilled
      bookingArea.replaceChildren.apply(bookingArea, Array.from(main.childNodes));
      // Scripts put in with the fragment do not run by themselves: run them once, in order.
      // They are all files under /static (the Content-Security-Policy allows no inline script).
      bookingArea.querySelectorAll("script[src]").forEach(function (old) {
        var script = document.createElement("script");
        script.src = old.src;
        script.async = false;
        old.replaceWith(script);
      });
      var first = bookingArea.querySelector("textarea[name=guest_names]");
      if (first) {
        first.scrollIntoView({block: "center"});
        first.focus();
        // After the guest already filled in (the member): the agent adds the next one.
        first.setSelectionRange(first.value.length, first.value.length);
      }
    }).catch(function () { window.location.assign(url); });
  }
  results.addEventListener("click", function (event) {
    var book = event.target.closest("a.book");
    if (book && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      openBooking(book);
      return;
    }
    var link = event.target.closest("a[data-page-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var search = new URL(link.href).searchParams;
    // A close match or a district changes a field: the form shows what is searched.
    ["city", "district"].forEach(function (name) {
      if (search.has(name)) form.elements[name].value = search.get(name);
    });
    load(search.toString());
  });
  // Alt + the letter beside a label, the same in every browser (the accesskey attribute alone
  // is Alt+Shift in Firefox), and "/" back to City when not typing in a field.
  var keyed = {};
  document.querySelectorAll("#search-form [accesskey], #caller-form [accesskey]").forEach(function (field) {
    keyed[field.accessKey.toLowerCase()] = field;
  });
  function jump(field, event) {
    event.preventDefault();
    field.focus();
    if (field.select) field.select();
  }
  document.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    var typing = event.target.closest && event.target.closest("input, select, textarea");
    if (event.altKey && !event.ctrlKey && !event.metaKey && keyed[key]) {
      jump(keyed[key], event);
    } else if (/^[1-9]$/.test(event.key) && !typing && !event.altKey && !event.ctrlKey &&
               !event.metaKey && picks[Number(event.key) - 1] && bookingArea.isConnected &&
               !bookingArea.childElementCount) {
      event.preventDefault();
      openBooking(picks[Number(event.key) - 1]);
    } else if (event.key === "/" && !event.target.closest("input, select, textarea")) {
      jump(form.elements.city, event);
    }
  });
})();
