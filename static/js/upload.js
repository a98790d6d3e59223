// Upload feedback on every file form (enctype multipart/form-data): a file over the stated limit is
// caught before sending, the submit button is disabled and says 「送信中…」, and a progress bar
// follows XMLHttpRequest upload progress for uploads big enough to take a while (PROGRESS_FROM;
// smaller ones post normally, so the browser's own navigation and history stay as they were).
// Without this file (or without XHR) the form posts normally; on a network error it falls back
// to the normal post.
(function () {
  "use strict";
  var meta = function (name, fallback) {
    var tag = document.querySelector("meta[name='" + name + "']");
    return tag ? tag.getAttribute("content") : fallback;
  };
  var SENDING = meta("vg-sending-label", "送信中…");
  var PROGRESS_FROM = 512 * 1024;  // bytes chosen in the form

  function chosenBytes(form) {
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    return total;
  }

  function limitOf(input) {
    var field = input.closest(".field");
    var hint = field && field.querySelector("[data-upload-limit]");
    return hint ? { bytes: Number(hint.getAttribute("data-upload-limit")), hint: hint } : null;
  }

  // The first file over its field's limit, as {input, name, message}, or null.
  function tooLarge(form) {
    var found = null;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      var limit = limitOf(input);
      if (found || !limit || !input.files) { return; }
      Array.prototype.forEach.call(input.files, function (file) {
        if (!found && file.size > limit.bytes) {
          found = { input: input, message: limit.hint.getAttribute("data-too-large").replace("%s", file.name) };
        }
      });
    });
    return found;
  }

  function showError(input, message) {
    var field = input.closest(".field") || input.parentNode;
    var error = field.querySelector("[data-upload-error]");
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.setAttribute("data-upload-error", "");
      error.id = (input.id || input.name) + "-upload-error";
      field.appendChild(error);
    }
    error.textContent = message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) { input.setAttribute("aria-describedby", error.id); }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches("input[type=file]") || !input.form) { return; }
    var problem = tooLarge(input.form);
    showError(input, problem && problem.input === input ? problem.message : "");
  });

  function buttonsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button[type=submit], input[type=submit]"))
      .concat(Array.prototype.slice.call(document.querySelectorAll("[form='" + form.id + "'][type=submit]")));
  }

  function busy(form, submitter, on) {
    buttonsOf(form).forEach(function (button) {
      button.disabled = on;
      if (button === submitter || (!submitter && button === buttonsOf(form)[0])) {
        if (on) {
          button.setAttribute("data-label", button.textContent);
          button.textContent = SENDING;
        } else if (button.hasAttribute("data-label")) {
          button.textContent = button.getAttribute("data-label");
        }
      }
    });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  function progressBar(form) {
    var bar = form.querySelector("progress.upload-progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.className = "upload-progress";
      bar.max = 100;
      bar.setAttribute("aria-label", SENDING);
      var actions = form.querySelector(".actions") || form.lastElementChild;
      actions.parentNode.insertBefore(bar, actions.nextSibling);
    }
    bar.removeAttribute("value");  // indeterminate until the first progress event
    return bar;
  }

  // Show the server's answer as if the browser had posted the form itself.
  function replacePage(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === -1) {
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.history.pushState(null, "", xhr.responseURL);
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.enctype || "").toLowerCase() !== "multipart/form-data") { return; }
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    var problem = tooLarge(form);
    if (problem) {
      event.preventDefault();
      showError(problem.input, problem.message);
      problem.input.focus();
      return;
    }
    var submitter = event.submitter || null;
    if (chosenBytes(form) < PROGRESS_FROM || !window.XMLHttpRequest || !window.FormData ||
        !("upload" in new XMLHttpRequest())) {
      window.setTimeout(function () { busy(form, submitter, true); }, 0);  // the normal post
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var bar = progressBar(form);
    var xhr = new XMLHttpRequest();
    busy(form, submitter, true);
    xhr.open((form.getAttribute("method") || "post").toUpperCase(), form.action);
    xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) { bar.value = Math.round((progress.loaded / progress.total) * 100); }
    });
    xhr.addEventListener("load", function () { replacePage(xhr); });
    var fallback = function () {  // the network failed: let the browser post it and say why
      busy(form, submitter, false);
      bar.parentNode.removeChild(bar);
      HTMLFormElement.prototype.submit.call(form);
    };
    xhr.addEventListener("error", fallback);
    xhr.addEventListener("abort", fallback);
    xhr.send(data);
  });
})();
