// Live preview of a clause body while an admin edits it (the page also works without this file:
// the 「プレビュー」 button posts the form). Sends the body to the preview endpoint, debounced.
(function () {
  "use strict";
  var form = document.querySelector("form[data-clause-preview]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var output = form.querySelector("[data-preview-output]");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sequence = 0;

  function show(paragraphs, error) {
    while (output.firstChild) { output.removeChild(output.firstChild); }
    var items = error ? [error] : paragraphs;
    items.forEach(function (text) {
      var p = document.createElement("p");
      if (error) { p.className = "error"; }
      p.textContent = text;  // never innerHTML: the text comes from a clause body
      output.appendChild(p);
    });
  }

  function refresh() {
    var mine = ++sequence;
    var data = new FormData(form);
    data.delete("preview");
    data.delete("save");
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (mine === sequence) { show(result.paragraphs || [], result.ok ? "" : result.error); }
      })
      .catch(function () {
        if (mine === sequence) { show([], output.getAttribute("data-error")); }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  var body = form.querySelector("textarea[name=body]");
  if (body) { body.addEventListener("input", later); }
  form.addEventListener("change", function (event) {
    var name = event.target.getAttribute("name");
    if (name === "preview_arrangement" || name === "applies_to") { refresh(); }
  });
  if (body && body.value.trim()) { refresh(); }
})();
