/*! iframe-worker 1.0.4 (MIT, (c) 2020-2022 Martin Donath): the set-up the shim used to write into the worker's
    frame as an inline script, as a file of the site instead (see iframe-worker-shim.js). It runs inside that
    frame: what the worker posts goes to the page, importScripts loads scripts in order, errors are passed up. */
(function () {
  var url = window.__iframeWorkerUrl || "";
  window.postMessage = function (message, origin) { parent.postMessage(message, origin || "*"); };
  window.importScripts = function () {
    return Array.prototype.slice.call(arguments).reduce(function (done, src) {
      return done.then(function () {
        return new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = src;
          script.onload = resolve;
          document.body.appendChild(script);
        });
      });
    }, Promise.resolve());
  };
  window.addEventListener("error", function (event) {
    parent.dispatchEvent(new ErrorEvent("error", { filename: url, error: event.error }));
  });
})();
