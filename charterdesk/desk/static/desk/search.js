/* The live search keeps the address bar, the box and the results in step.
   - typing replaces the current history entry (hx-replace-url, i.e. history.replaceState): the
     address always says what the box says, and Back does not walk through every keystroke;
   - submitting (Enter, "Show", a changed filter) adds an entry (hx-push-url: history.pushState),
     unless the address already says it;
   - one request at a time, the last one queued (hx-sync "queue last"): a word typed while the
     previous search is on its way is searched after it, never dropped (htmx's default drops
     it, which left the first word in the address and the results);
   - Back/Forward (popstate, htmx's history restore) and a page shown again from the browser's
     cache (pageshow) put the address's words back into the box and fetch their results when the
     box said something else.
   Without this file the form is a plain GET form and the server renders box and results. */
(function () {
  "use strict";

  function form() { return document.querySelector("form[role='search'][hx-target='#results']"); }

  function take() {
    var f = form();
    if (f && f.getAttribute("hx-sync") !== "this:queue last") { f.setAttribute("hx-sync", "this:queue last"); }
  }

  function here() { return window.location.pathname + window.location.search; }

  function wouldBe(detail) {
    var params = new URLSearchParams();
    var source = detail.parameters;
    if (source && typeof source.forEach === "function") {
      source.forEach(function (value, key) { if (typeof value === "string") { params.append(key, value); } });
    } else if (source) {
      Object.keys(source).forEach(function (key) { params.append(key, source[key]); });
    }
    var query = params.toString();
    return detail.path + (query ? "?" + query : "");
  }

  document.addEventListener("htmx:configRequest", function (e) {
    var f = form();
    if (!f || e.detail.elt !== f) { return; }
    var trigger = e.detail.triggeringEvent;
    if (trigger && trigger.type === "change" && trigger.target && trigger.target.type === "search") {
      /* The box losing focus (a click on a result) is no new search: typing searched already,
         and a late answer would put the inbox's address on the page one went to. */
      e.preventDefault();
      return;
    }
    var typing = trigger && (trigger.type === "input" || trigger.type === "keyup");
    if (typing || wouldBe(e.detail) === here()) {
      f.removeAttribute("hx-push-url"); /* htmx reads hx-push-url first, even "false" */
      f.setAttribute("hx-replace-url", "true");
    } else {
      f.setAttribute("hx-push-url", "true");
      f.removeAttribute("hx-replace-url");
    }
  });

  /* An answer that arrives after one left the inbox writes no history. */
  document.addEventListener("htmx:beforeHistoryUpdate", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.matches && elt.matches("form[role='search']") && !document.body.contains(elt)) {
      e.detail.history.type = "";
    }
  });

  function boxFromUrl() {
    /* The search box always says what the address says; a filter only when the address names it
       (a select's default stays when the address is bare). */
    var f = form();
    if (!f) { return false; }
    var params = new URLSearchParams(window.location.search);
    var changed = false;
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.type === "submit" || el.type === "hidden" || el.type === "checkbox") { return; }
      var wanted = params.get(el.name);
      if (el.type !== "search" && wanted === null) { return; }
      wanted = wanted === null ? "" : wanted;
      if (el.value !== wanted) { el.value = wanted; changed = true; }
      if (el.tagName === "INPUT") { el.setAttribute("value", wanted); }
    });
    return changed;
  }

  function refresh() {
    var f = form();
    if (!f || !window.htmx) { return; }
    window.htmx.ajax("GET", here(), { source: "#results", target: "#results", headers: { "HX-Target": "results" } });
  }

  /* Before htmx keeps a copy of the page for Back, the box's typed text goes into the copy. */
  document.addEventListener("htmx:beforeHistorySave", function () {
    var f = form();
    if (!f) { return; }
    Array.prototype.forEach.call(f.querySelectorAll("input[type='search'], input[type='text']"), function (el) {
      el.setAttribute("value", el.value);
    });
  });

  function restore() {
    take();
    if (boxFromUrl()) { refresh(); }
  }
  document.addEventListener("htmx:historyRestore", restore);
  window.addEventListener("popstate", function (e) {
    if (!(e.state && e.state.htmx)) { restore(); } /* htmx's own entries: htmx:historyRestore */
  });
  window.addEventListener("pageshow", function (e) {
    take();
    if (boxFromUrl() && e.persisted) { refresh(); }
  });
  document.addEventListener("DOMContentLoaded", take);
  document.addEventListener("htmx:load", take);
})();
