/* The composer's draft, kept on the server as one types (charterdesk/desk/drafts.py).
   A debounced fetch POST (with the form's CSRF token) to the textarea's data-draft URL; the page
   renders a saved draft into the textarea, so it comes back after a reload or on another
   computer; sending the reply deletes it on the server.  Without this file nothing is saved,
   and everything else works. */
(function () {
  "use strict";
  var DELAY = 700;
  var timer = null;
  var lastSent = null;

  function area() { return document.querySelector("#composer textarea[data-draft]"); }

  function say(key) {
    var state = document.getElementById("draft-state");
    if (state) { state.textContent = key ? (state.getAttribute("data-" + key) || "") : ""; }
  }

  function save() {
    timer = null;
    var field = area();
    if (!field) { return; }
    var form = field.form;
    var token = form && form.querySelector("input[name='csrfmiddlewaretoken']");
    if (!token || field.value === lastSent) { return; }
    var body = new URLSearchParams();
    body.set("kind", "reply");
    body.set("body", field.value);
    var text = field.value;
    fetch(field.getAttribute("data-draft"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      lastSent = text;
      say(text.trim() ? "saved" : "");
    }).catch(function () { say("failed"); });
  }

  function later() {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  document.addEventListener("input", function (e) { if (e.target === area()) { later(); } });
  /* The page came with the saved draft: nothing to save until it changes.  A template inserted
     (htmx swaps the composer) changes the text: saved like typing. */
  function settle() {
    var field = area();
    if (!field) { lastSent = null; return; }
    if (lastSent === null) { lastSent = field.value; } else if (field.value !== lastSent) { later(); }
  }
  document.addEventListener("DOMContentLoaded", settle);
  document.addEventListener("htmx:afterSettle", settle);
  /* Sending: nothing more is saved for this text (the server deletes the draft with the send). */
  document.addEventListener("submit", function (e) {
    var field = area();
    var step = e.submitter && e.submitter.getAttribute("value");
    if (field && e.target === field.form && (!step || step === "send")) {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      lastSent = field.value;
    }
  }, true);
})();
