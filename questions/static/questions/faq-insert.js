// Puts an FAQ answer (its text and a link to it) into the reply a Bits handler is writing.
// The reply is the text area last used on the page, else the answer to the bank (the
// "Svar banken" / "Gi banken svaret" actions), else the timeline's message field.
(function () {
  "use strict";
  var lastUsed = null;

  document.addEventListener("focusin", function (event) {
    if (event.target instanceof HTMLTextAreaElement) {
      lastUsed = event.target;
    }
  });

  function target() {
    if (lastUsed && document.body.contains(lastUsed)) {
      return lastUsed;
    }
    return document.querySelector("#text-answer, #text-relay, #id_body");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-faq-insert-text]");
    if (!button) {
      return;
    }
    var textarea = target();
    if (!textarea) {
      return;
    }
    var results = button.closest("[data-more-label]");
    var more = results ? results.getAttribute("data-more-label") : "";
    var insert = button.getAttribute("data-faq-insert-text") + "\n\n" + more + " " +
      button.getAttribute("data-faq-insert-url");
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var gap = before && !/\n\n$/.test(before) ? "\n\n" : "";
    textarea.value = before + gap + insert + after;
    var caret = (before + gap + insert).length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
