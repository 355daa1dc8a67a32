// Code readers shared by the scan page and the sign-in page (a badge), each calling back with the code read:
//   ShopfloorReader.wedge(onCode, skip)   keyboard-wedge scanners: fast keystrokes ending in Enter, wherever
//                                         the focus is (except in `skip`, which gets Enter as usual)
//   ShopfloorReader.camera(opts, onCode)  the in-app camera: opts.button opens opts.dialog (a <dialog> with
//                                         <video>, [data-status], [data-close]); opts.polyfill / opts.wasmBase
//                                         load the vendored BarcodeDetector polyfill only where it is missing;
//                                         opts.text: {starting, point, failed}; opts.hint is shown without HTTPS;
//                                         opts.formats: what to read (default ["qr_code"])
(function () {
  "use strict";
  function buzz(pattern) { if (navigator.vibrate) navigator.vibrate(pattern); }

  // A scanner types a whole code in a burst (a few ms a key); a person types ~150 ms a key. A busy
  // phone may pause once in a burst, so a burst is a run of keys averaging under GAP ms with no single
  // pause over MAX_PAUSE ms.
  var GAP = 45, MAX_PAUSE = 250;
  function wedge(onCode, skip) {
    var keys = [];
    function burst() {
      var n = keys.length, i = n - 1;
      while (i > 0 && keys[i].t - keys[i - 1].t <= MAX_PAUSE) i--;
      for (; i < n - 1; i++) {  // the longest run whose average gap says "scanner"
        if ((keys[n - 1].t - keys[i].t) / (n - 1 - i) <= GAP) break;
      }
      return keys.slice(i).map(function (k) { return k.key; }).join("");
    }
    document.addEventListener("keydown", function (e) {
      var now = Date.now();
      if (keys.length && now - keys[keys.length - 1].t > MAX_PAUSE) keys = [];
      if (e.key === "Enter") {
        var t = e.target, typed = keys.length > 1 ? burst() : "";
        keys = [];
        if (typed.length >= 4 && t !== skip) {
          e.preventDefault();
          if (t && "value" in t && typeof t.value === "string" && t.value.slice(-typed.length) === typed) {
            t.value = t.value.slice(0, -typed.length);
          }
          onCode(typed);
        }
        return;
      }
      if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) keys.push({ key: e.key, t: now });
      if (keys.length > 400) keys = keys.slice(-200);
    }, true);
  }

  function camera(opts, onCode) {
    var button = opts.button, dialog = opts.dialog, T = opts.text;
    var video = dialog && dialog.querySelector("video");
    var stream = null, running = false;
    if (!button || !dialog) return;
    if (!window.isSecureContext || !navigator.mediaDevices) {
      if (opts.hint) opts.hint.hidden = false;
      button.disabled = true;
    }
    function loadDetector() {
      if ("BarcodeDetector" in window) return Promise.resolve();
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = opts.polyfill;
        s.onload = function () {
          // The decoder's wasm is served from this site, never from a CDN.
          BarcodeDetectionAPI.setZXingModuleOverrides({
            locateFile: function (path) { return opts.wasmBase + path; }
          });
          resolve();
        };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    function stop() {
      running = false;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      if (dialog.open) dialog.close();
    }
    function start() {
      var status = dialog.querySelector("[data-status]");
      status.textContent = T.starting;
      dialog.showModal();
      Promise.all([
        loadDetector(),
        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      ]).then(function (res) {
        stream = res[1];
        video.srcObject = stream;
        return video.play();
      }).then(function () {
        var detector = new BarcodeDetector({ formats: opts.formats || ["qr_code"] });
        status.textContent = T.point;
        running = true;
        (function tick() {
          if (!running) return;
          detector.detect(video).then(function (codes) {
            if (codes.length && running) { stop(); buzz(60); onCode(codes[0].rawValue); }
            else setTimeout(tick, 120);
          }, function () { setTimeout(tick, 250); });
        })();
      }).catch(function (err) {
        status.textContent = T.failed + " (" + (err && err.name || err) + ")";
        running = false;
      });
    }
    button.addEventListener("click", start);
    dialog.querySelector("[data-close]").addEventListener("click", stop);
    dialog.addEventListener("cancel", stop);
  }

  window.ShopfloorReader = { wedge: wedge, camera: camera };
})();
