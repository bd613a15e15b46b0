/* The composer's keyboard and care for typed text (everything also works without this file).
   - the template is inserted where the cursor is (the cursor position goes with the form);
   - Ctrl+Enter (⌘+Enter) in the reply sends it; "?" outside a text field shows the shortcuts;
   - leaving the page with unsent text in the reply asks first. */
(function () {
  "use strict";
  var sending = false;

  function reply() { return document.querySelector("#composer textarea[name='reply-body']"); }

  function rememberCursor() {
    var area = reply();
    var field = document.querySelector("#composer input[name='cursor']");
    if (area && field) { field.value = String(area.selectionStart || 0); }
  }

  document.addEventListener("keyup", function (e) { if (e.target === reply()) { rememberCursor(); } });
  document.addEventListener("click", function (e) { if (e.target === reply()) { rememberCursor(); } });
  document.addEventListener("submit", function () { sending = true; }, true);
  document.addEventListener("htmx:beforeRequest", function () { rememberCursor(); });

  document.addEventListener("keydown", function (e) {
    var area = reply();
    if (area && e.target === area && e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var send = document.querySelector("#composer button[name='step'][value='send']");
      if (send) { e.preventDefault(); send.click(); }
      return;
    }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "");
    if (e.key === "?" && !typing) {
      var help = document.getElementById("shortcuts");
      if (help && typeof help.showModal === "function") { e.preventDefault(); help.showModal(); }
    }
  });

  window.addEventListener("beforeunload", function (e) {
    var area = reply();
    if (!sending && area && area.value.trim() && area.value !== area.defaultValue) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
})();
