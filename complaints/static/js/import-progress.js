/* Progress of an import commit: polls the status endpoint and shows the counts; reloads when done. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var number = function (n) { return Number(n || 0).toLocaleString("th-TH"); };

  function show(state) {
    if (bar && state.total) { bar.max = state.total; bar.value = state.done; }
    if (text) {
      var phase = box.getAttribute("data-phase-" + state.phase) || "";
      text.textContent = phase + " " + number(state.done) + " / " + number(state.total) + " (" + state.percent + "%)";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.finished || state.stalled) { window.location.reload(); return; }
        show(state);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
