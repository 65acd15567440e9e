// The main menu on a narrow screen: a disclosure button (aria-expanded, aria-controls) that
// shows and hides the nav. Without JavaScript the button stays hidden and the nav stays open,
// so every page is still reachable; responsive.css shows the button only on a narrow screen.
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-toggle]");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-collapsed", !open);
  }

  document.documentElement.classList.add("has-menu-toggle");
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives focus back to its button.
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true"
        && button.offsetParent !== null) {
      setOpen(false);
      button.focus();
    }
  });
})();
