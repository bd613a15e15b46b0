/* The live search keeps the address bar, the box and the results in step.
   - typing replaces the current history entry (history.replaceState): the address always says
     what the box says, and Back does not walk through every keystroke;
   - submitting (Enter, "Show", a changed filter) adds an entry (history.pushState);
   - Back/Forward (popstate, htmx's history restore) and a page shown again from the browser's
     cache (pageshow) put the address's words back into the box and fetch the results for them.
   Without this file the form is a plain GET form and the server renders box and results. */
(function () {
  "use strict";
  var mode = {};

  function form() { return document.querySelector("form[role='search'][hx-target='#results']"); }

  function take() {
    /* htmx would push every keystroke; this file writes the history instead. */
    var f = form();
    if (f && f.getAttribute("hx-push-url") !== "false") { f.setAttribute("hx-push-url", "false"); }
  }

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
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      source: f, target: "#results", headers: { "HX-Target": "results" }
    });
  }

  function urlOf(detail) {
    var path = detail.pathInfo && (detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    if (!path && detail.xhr && detail.xhr.responseURL) {
      var u = new URL(detail.xhr.responseURL);
      path = u.pathname + u.search;
    }
    return path;
  }

  document.addEventListener("htmx:configRequest", function (e) {
    var f = form();
    if (!f || e.detail.elt !== f) { return; }
    var trigger = e.detail.triggeringEvent;
    mode[e.detail.path] = trigger && (trigger.type === "input" || trigger.type === "keyup") ? "replace" : "push";
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var f = form();
    if (!f || e.detail.elt !== f || !e.detail.successful) { return; }
    var path = urlOf(e.detail);
    if (!path) { return; }
    var how = mode[e.detail.requestConfig && e.detail.requestConfig.path] || "push";
    var here = window.location.pathname + window.location.search;
    var state = { htmx: true };
    if (how === "replace" || path === here) {
      window.history.replaceState(state, "", path);
    } else {
      window.history.pushState(state, "", path);
    }
    mode = {};
  });

  /* Before htmx keeps a copy of the page for Back, the box's typed text goes into the copy. */
  document.addEventListener("htmx:beforeHistorySave", function () {
    var f = form();
    if (!f) { return; }
    Array.prototype.forEach.call(f.querySelectorAll("input[type='search'], input[type='text']"), function (el) {
      el.setAttribute("value", el.value);
    });
  });

  /* Back/Forward within the desk: htmx restores a copy (or asks the server); the box then says
     what the address says, and results that do not belong to it are fetched again. */
  document.addEventListener("htmx:historyRestore", function () {
    take();
    if (boxFromUrl()) { refresh(); }
  });
  window.addEventListener("popstate", function (e) {
    if (e.state && e.state.htmx) { return; } /* htmx:historyRestore handles it */
    take();
    if (boxFromUrl()) { refresh(); }
  });
  window.addEventListener("pageshow", function (e) {
    take();
    if (boxFromUrl() && e.persisted) { refresh(); }
  });
  document.addEventListener("DOMContentLoaded", take);
  document.addEventListener("htmx:load", take);
})();
