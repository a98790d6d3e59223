// Type-ahead for a text field with data-typeahead="<JSON URL>" and data-typeahead-id="<hidden id
// field>": suggestions come from the server (?q=…) into the field's <datalist>; choosing one puts
// its id into the hidden field. Without this file the text itself filters (the server matches it).
(function () {
  "use strict";
  document.querySelectorAll("input[data-typeahead]").forEach(function (field) {
    var hidden = document.getElementById(field.getAttribute("data-typeahead-id"));
    var list = field.list;
    var ids = {};
    var timer = null;
    var asked = "";
    function choose() {
      hidden.value = Object.prototype.hasOwnProperty.call(ids, field.value) ? ids[field.value] : "";
    }
    function fetchOptions() {
      var term = field.value.trim();
      if (!term || term === asked) {
        return;
      }
      asked = term;
      fetch(field.getAttribute("data-typeahead") + "?q=" + encodeURIComponent(term), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (rows) {
          list.textContent = "";
          rows.forEach(function (row) {
            ids[row.name] = String(row.id);
            var option = document.createElement("option");
            option.value = row.name;
            list.appendChild(option);
          });
          choose();
        });
    }
    field.addEventListener("input", function () {
      choose();
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchOptions, 200);
    });
    field.addEventListener("change", choose);
    if (hidden.value) {
      ids[field.value] = hidden.value;
    }
  });
})();
