// The report page without round trips. Everything here only enhances: without it the page
// shows every field and "Use this response" fills the form on the server.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // The edit text and the board list show only while their box is ticked.
  function followBoxes(form) {
    var parts = form.querySelectorAll("[data-shown-by]");
    parts.forEach(function (part) {
      var box = form.querySelector('input[name="actions"][value="' + part.dataset.shownBy + '"]');
      if (!box) {
        return;
      }
      var sync = function () { part.hidden = !box.checked; };
      box.addEventListener("change", sync);
      sync();
    });
  }

  function setValue(field, value) {
    if (field && value !== undefined && value !== null && value !== "") {
      field.value = value;
    }
  }

  // Choosing a saved response fills the message, and a macro's actions and reason, at once.
  function fillOnChoice(form) {
    var data = document.getElementById("canned-fills");
    var select = form.querySelector('select[name="canned"]');
    if (!data || !select) {
      return;
    }
    var fills = JSON.parse(data.textContent);
    form.querySelectorAll("[data-without-script]").forEach(function (button) {
      button.hidden = true;
    });
    select.addEventListener("change", function () {
      var fill = fills[select.value];
      if (!fill) {
        return;
      }
      setValue(form.querySelector('textarea[name="message"]'), fill.message);
      setValue(form.querySelector('input[name="reason"]'), fill.reason);
      if (fill.actions.length || fill.sanction) {
        form.querySelectorAll('input[name="actions"]').forEach(function (box) {
          box.checked = fill.actions.indexOf(box.value) !== -1;
          box.dispatchEvent(new Event("change"));
        });
        var sanction = form.querySelector('input[name="sanction"][value="' + fill.sanction + '"]');
        if (sanction) {
          sanction.checked = true;
        }
        setValue(form.querySelector('select[name="timeout"]'), fill.timeout);
      }
    });
  }

  ready(function () {
    document.querySelectorAll("form[data-resolve-form]").forEach(function (form) {
      followBoxes(form);
      fillOnChoice(form);
    });
  });
}());
