// After a failed submit, focus moves to the form's error summary ([data-error-summary]), so a
// keyboard or screen reader user hears what went wrong and starts from there: on page load
// (a form posted without htmx comes back with its errors) and after an htmx swap.
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  } else {
    focusErrorSummary(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    // The target of an outerHTML swap is detached: look in the document.
    focusErrorSummary(target && target.isConnected ? target : document);
  });
})();
