// Follows a bulk generation while it runs: polls the job's JSON and updates the counts, the bar
// and the list of engagements that could not be generated; reloads the page once the job has
// ended (the server then shows the download). Without this file the page has a 「再読み込み」 link.
(function () {
  "use strict";
  var box = document.querySelector("[data-bulk-progress]");
  if (!box || !window.fetch || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-bulk-bar]");
  var errorsBody = document.querySelector("[data-bulk-errors]");
  var delay = 1500;
  var misses = 0;

  function set(name, value) {
    var nodes = box.querySelectorAll('[data-bulk="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) { nodes[i].textContent = String(value); }
  }

  function cell(row, label, text, href) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;  // never innerHTML: titles and messages come from the registers
      td.appendChild(a);
    } else {
      td.textContent = text || "";
    }
    row.appendChild(td);
  }

  function showErrors(errors) {
    if (!errorsBody || !errors.length) { return; }
    var labels = [];
    var heads = errorsBody.parentNode.querySelectorAll("thead th");
    for (var i = 0; i < heads.length; i++) { labels.push(heads[i].textContent); }
    while (errorsBody.firstChild) { errorsBody.removeChild(errorsBody.firstChild); }
    errors.forEach(function (error) {
      var row = document.createElement("tr");
      cell(row, labels[0], error.contract_number);
      cell(row, labels[1], error.title);
      cell(row, labels[2], error.message);
      cell(row, labels[3], error.coverage_url ? errorsBody.getAttribute("data-coverage-label") : "", error.coverage_url);
      errorsBody.appendChild(row);
    });
  }

  function note(text) {
    var hint = box.querySelector("[data-bulk-note-text]");
    if (hint) { hint.textContent = text; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        misses = 0;
        set("processed", data.processed);
        set("percent", data.percent);
        set("done", data.done);
        set("failed", data.failed);
        if (bar) {
          bar.max = data.total || 1;
          bar.value = data.processed;
          bar.textContent = data.percent + "%";
        }
        showErrors(data.errors || []);
        if (data.finished || data.stalled) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        misses += 1;
        if (misses < 5) {
          window.setTimeout(poll, delay * (misses + 1));
        } else {
          note(box.getAttribute("data-error"));
        }
      });
  }

  window.setTimeout(poll, delay);
})();
