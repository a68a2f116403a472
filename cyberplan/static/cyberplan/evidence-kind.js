// Evidence forms: show only the fields of the chosen kind of evidence.
// Each kind-specific field carries data-evidence-kinds="kind ..."; the server ignores the other kinds'
// fields anyway, so without this script every field stays shown and the form still works.
(function () {
  "use strict";

  function update(form, select) {
    var kind = select.value;
    form.querySelectorAll("[data-evidence-kinds]").forEach(function (input) {
      var wrapper = input.closest(".field") || input.parentElement;
      var kinds = input.getAttribute("data-evidence-kinds").split(" ");
      var shown = kinds.indexOf(kind) !== -1;
      wrapper.hidden = !shown;
      input.disabled = !shown;
    });
  }

  function setUp(form) {
    var select = form.querySelector("select[name='kind']");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      update(form, select);
    });
    update(form, select);
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-evidence-kinds]")) {
        setUp(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
