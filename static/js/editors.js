// Editors without code: add/remove rows of a day list and of a rule's conditions, and insert a
// placeholder at the cursor of a clause body. Every form also works without this file (a blank
// row is always rendered for adding; an emptied row is ignored when saved).
(function () {
  "use strict";

  // -- day lists (リマインダーの日数) --------------------------------------------------------
  document.querySelectorAll("[data-day-list]").forEach(function (list) {
    var rows = list.querySelector("ul");
    var add = list.querySelector("[data-day-add]");
    list.querySelectorAll("[data-day-remove]").forEach(function (b) { b.hidden = false; });
    add.hidden = false;
    add.addEventListener("click", function () {
      var last = rows.lastElementChild;
      var row = last.cloneNode(true);
      var input = row.querySelector("input");
      input.value = "";
      input.removeAttribute("id");
      rows.appendChild(row);
      input.focus();
    });
    list.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-day-remove]");
      if (!remove) { return; }
      var row = remove.closest("li");
      if (rows.children.length > 1) {
        var first = rows.firstElementChild === row;
        var id = row.querySelector("input").id;
        row.parentNode.removeChild(row);
        if (first && id) { rows.querySelector("input").id = id; }  // the label stays tied
      } else {
        row.querySelector("input").value = "";
      }
    });
  });

  // -- rule builder (適用条件) -------------------------------------------------------------
  document.querySelectorAll("[data-rule-builder]").forEach(function (builder) {
    var rows = builder.querySelector("[data-rule-rows]");
    var add = builder.querySelector("[data-rule-add]");
    var template = builder.querySelector("template[data-rule-row]");

    // Show only the operators and values of the chosen field; "in" takes several values.
    function sync(row) {
      var fact = row.querySelector("[data-rule-fact]").value;
      var op = row.querySelector("[data-rule-op]");
      var value = row.querySelector("[data-rule-value]");
      [op, value].forEach(function (select) {
        select.querySelectorAll("optgroup").forEach(function (group) {
          var mine = group.getAttribute("data-fact") === fact;
          group.hidden = !mine;
          group.disabled = !mine;
        });
        var chosen = select.selectedOptions[0];
        if (chosen && chosen.parentNode.disabled) {
          var first = select.querySelector("optgroup[data-fact='" + fact + "'] option");
          if (first) { first.selected = true; }
        }
      });
      value.multiple = op.value === "in";
    }

    function renumber() {
      Array.prototype.forEach.call(rows.children, function (row, index) {
        row.querySelectorAll("[name]").forEach(function (field) {
          field.name = field.name.replace(/^cond-\d+-/, "cond-" + index + "-");
        });
      });
    }

    builder.querySelectorAll("[data-rule-remove]").forEach(function (b) { b.hidden = false; });
    if (add && template) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var row = template.content.firstElementChild.cloneNode(true);
        rows.appendChild(row);
        row.querySelectorAll("[data-rule-remove]").forEach(function (b) { b.hidden = false; });
        renumber();
        sync(row);
        row.querySelector("[data-rule-fact]").focus();
      });
    }
    builder.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-rule-remove]");
      if (!remove) { return; }
      var row = remove.closest("[data-rule-row]");
      row.parentNode.removeChild(row);
      renumber();
    });
    builder.addEventListener("change", function (event) {
      var row = event.target.closest("[data-rule-row]");
      if (row && (event.target.matches("[data-rule-fact]") || event.target.matches("[data-rule-op]"))) {
        sync(row);
      }
    });
    Array.prototype.forEach.call(rows.children, sync);
  });

  // -- placeholder picker (条項の差し込み項目) ----------------------------------------------
  document.querySelectorAll("[data-placeholder-picker]").forEach(function (picker) {
    picker.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    if (!button) { return; }
    var target = document.getElementById(button.getAttribute("data-insert-target"));
    if (!target) { return; }
    var text = button.getAttribute("data-insert");
    var start = target.selectionStart, end = target.selectionEnd;
    if (typeof start !== "number") { start = end = target.value.length; }
    target.value = target.value.slice(0, start) + text + target.value.slice(end);
    target.focus();
    target.setSelectionRange(start + text.length, start + text.length);
    target.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
  });
})();
