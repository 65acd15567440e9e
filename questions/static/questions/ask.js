// The suggestions under "Still et spørsmål" look only at the start of what is typed (the
// server reads at most 300 characters), so a long question is cut before it is sent: the
// whole text in a GET would overrun the server's limit on the length of a request line.
(function () {
  "use strict";
  var LIMIT = 300;

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-suggest")) {
      return;
    }
    var parameters = event.detail.parameters;
    ["title", "text"].forEach(function (name) {
      var value = parameters.get(name);
      if (typeof value === "string" && value.length > LIMIT) {
        parameters.set(name, value.slice(0, LIMIT));
      }
    });
  });
})();
