/* The inbox's live updates and "choose all" (the page works without this file: plain links, forms).
   - Every data-interval seconds (15) the open inbox asks inbox/live/ whether its view changed,
     sending the version it shows (If-None-Match); the server answers 304 with no body when
     nothing changed, else the new results, which replace the list — unless the employee is
     choosing cases or typing in the list, when a button offers the new list instead.
   - Polling stops while the tab is hidden and asks at once when it is shown again.
   - "Choose all on this page" ticks every row's box (without JavaScript the server takes the
     whole page when it is ticked). */
(function () {
  "use strict";
  if (window.charterdeskInbox) { return; }
  window.charterdeskInbox = true;
  var timer = null;
  var waiting = null; // new results held back while the employee is busy in the list

  function live() { return document.getElementById("live"); }
  function results() { return document.getElementById("results"); }
  function text(key) {
    var t = document.getElementById("live-texts");
    var el = t && t.content.querySelector("[data-key='" + key + "']");
    return el ? el.textContent : "";
  }
  function say(message) {
    var status = document.getElementById("live-status");
    if (status) { status.textContent = message; }
  }
  function busy() {
    var box = results();
    if (!box) { return false; }
    if (box.querySelector("input[type='checkbox']:checked")) { return true; }
    var active = document.activeElement;
    return !!(active && box.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }
  function swap(html) {
    var box = results();
    if (!box) { return; }
    box.innerHTML = html;
    if (window.htmx) { window.htmx.process(box); }
    waiting = null;
    say(text("updated"));
  }
  function offer(html) {
    waiting = html;
    var status = document.getElementById("live-status");
    if (!status || status.querySelector("button")) { return; }
    status.textContent = text("changed") + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = text("show");
    button.addEventListener("click", function () { if (waiting !== null) { swap(waiting); } });
    status.appendChild(button);
  }
  function schedule() {
    clearTimeout(timer);
    var el = live();
    if (!el) { timer = setTimeout(schedule, 5000); return; }
    var seconds = parseInt(el.getAttribute("data-interval"), 10) || 15;
    timer = setTimeout(poll, seconds * 1000);
  }
  function poll() {
    var el = live();
    if (!el || document.hidden) { schedule(); return; }
    var headers = { "X-Requested-With": "fetch" };
    var version = el.getAttribute("data-version");
    if (version) { headers["If-None-Match"] = version; }
    fetch(el.getAttribute("data-live-url"), { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.status === 200 ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        if (busy()) { offer(html); } else { swap(html); }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(schedule);
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { clearTimeout(timer); poll(); } });
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.id === "pick-all") {
      var boxes = document.querySelectorAll("#bulk input[name='case']");
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = t.checked; }
    } else if (t && t.name === "case" && !t.checked) {
      var all = document.getElementById("pick-all");
      if (all) { all.checked = false; }
    }
  });
  schedule();
})();
