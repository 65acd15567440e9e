// A button marked data-print prints the page (no inline onclick: the CSP forbids inline script).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
