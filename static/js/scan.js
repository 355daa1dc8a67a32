// Scan page: camera, keyboard-wedge scanner and typing all end in the same form submit.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var input = form.querySelector("input[name=code]");
  var T = JSON.parse(document.getElementById("scan-text").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var assignedOp = form.dataset.assignedOperation || "";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function buzz(pattern) { if (navigator.vibrate) navigator.vibrate(pattern); }

  // ---- the one submit path -------------------------------------------------
  function submitCode(code) {
    code = (code || "").trim();
    if (!code) return;
    input.value = code;
    form.requestSubmit();
  }
  window.ShopfloorScan = { submitCode: submitCode };

  // ---- offline: queue instead of sending -----------------------------------
  function queue(item) {
    item.queued_at = Date.now();
    return Outbox.add(item).then(function () {
      showCard('<p class="alert alert-warn" role="status" data-kind="queued">' + escapeHtml(T.queued.replace("{code}", item.bundle)) + "</p>");
      buzz([40, 60, 40]);
      refreshCount();
    });
  }
  function queueScan(code) {
    if (!assignedOp) { showCard('<p class="alert alert-error" role="alert">' + escapeHtml(T.no_operation) + "</p>"); return; }
    queue({ client_id: uuid(), bundle: code, operation: Number(assignedOp), qty: null, operator: form.dataset.operator });
  }
  function queueLog(f) {
    var qty = f.querySelector("[name=qty]").value;
    var op = f.querySelector("[name=operation]");
    var item = { client_id: f.dataset.clientId || f.querySelector("[name=client_id]").value || uuid(),
                 bundle: f.querySelector("[name=bundle]").value,
                 operation: op && op.value ? Number(op.value) : Number(assignedOp), qty: qty ? Number(qty) : null,
                 operator: form.dataset.operator };
    if (f.dataset.logAnyway === "1") item.log_anyway = true;   // answered on the card: never asked again
    queue(item);
  }
  function showCard(html) {
    var card = document.getElementById("bundle-card");
    if (card) card.innerHTML = html;
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  // Offline submits never reach htmx: the capture listener takes them first.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (navigator.onLine) return;
    if (f === form) { e.preventDefault(); e.stopImmediatePropagation(); queueScan(input.value.trim()); input.value = ""; }
    else if (f.classList.contains("log-form")) { e.preventDefault(); e.stopImmediatePropagation(); queueLog(f); }
  }, true);

  // Each card carries the server-issued client id of its "Done" tap: a double tap or a resend counts once.
  // It is kept on the form in case the network drops mid-request and the tap goes to the outbox.
  document.addEventListener("htmx:config:request", function (e) {
    var f = e.detail.ctx.sourceElement;
    if (f && f.classList && f.classList.contains("log-form")) {
      f.dataset.clientId = f.querySelector("[name=client_id]").value || f.dataset.clientId || uuid();
      e.detail.ctx.request.body.set("client_id", f.dataset.clientId);
    }
  });
  // Network failure while "online" (server unreachable): queue the same request.
  document.addEventListener("htmx:error", function (e) {
    var ctx = e.detail.ctx;
    if (!ctx || ctx.response) return;
    var f = ctx.sourceElement;
    if (f === form) queueScan(input.value.trim());
    else if (f && f.classList && f.classList.contains("log-form")) queueLog(f);
  });
  document.addEventListener("htmx:after:swap", function () {
    var card = document.getElementById("bundle-card");
    if (!card) return;
    if (card.querySelector('[data-kind="ok"]')) buzz(120);
    else if (card.querySelector('[data-kind="error"]')) buzz([80, 60, 80]);
    startUndoCountdown(card);
    input.value = "";
  });

  // ---- undo countdown --------------------------------------------------------
  function startUndoCountdown(root) {
    var undo = root.querySelector("form.undo[data-undo-seconds]");
    if (!undo) return;
    var left = Number(undo.dataset.undoSeconds), label = undo.querySelector("[data-countdown]");
    var timer = setInterval(function () {
      left -= 1;
      if (label) label.textContent = left;
      if (left <= 0 || !undo.isConnected) { clearInterval(timer); undo.remove(); }
    }, 1000);
  }
  startUndoCountdown(document);

  // ---- outbox counter and sending ------------------------------------------
  var counter = document.getElementById("outbox");
  var refusedList = document.getElementById("outbox-refused");
  var asksList = document.getElementById("outbox-asks");
  function refreshCount() {
    return Outbox.count().then(function (n) {
      counter.hidden = n === 0;
      counter.querySelector("[data-count]").textContent = n === 1 ? T.waiting_one : T.waiting_many.replace("{n}", n);
      counter.dataset.count = n;
      return Outbox.all();
    }).then(renderAsks);
  }
  // Queued scans the server asked about (earlier operations not done yet): the operator answers here.
  function renderAsks(items) {
    var asked = items.filter(function (i) { return i.ask; });
    asksList.textContent = "";
    asked.forEach(function (item) {
      var li = document.createElement("li"), p = document.createElement("p");
      li.dataset.ask = item.client_id;
      p.textContent = item.bundle + ": " + item.ask;
      li.appendChild(p);
      [["0", T.dont_log, "btn"], ["1", T.log_anyway, "btn btn-primary"]].forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button"; btn.className = b[2]; btn.dataset.answer = b[0]; btn.textContent = b[1];
        li.appendChild(btn);
      });
      asksList.appendChild(li);
    });
    asksList.hidden = asked.length === 0;
  }
  asksList.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-answer]");
    if (!btn) return;
    Outbox.answer(btn.closest("[data-ask]").dataset.ask, btn.dataset.answer === "1").then(flush);
  });
  function flush() {
    if (!navigator.onLine) return refreshCount();
    return Outbox.flush(csrf).then(function (r) {
      r.refused.forEach(function (x) {
        var li = document.createElement("li");
        li.textContent = x.item.bundle + ": " + x.error;
        refusedList.appendChild(li);
        refusedList.hidden = false;
      });
      if (r.sent) buzz(60);
      return refreshCount();
    }).catch(refreshCount);
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", refreshCount);
  setInterval(flush, 15000);
  flush();

  // ---- keyboard-wedge scanners and the in-app camera (reader.js) -------------
  ShopfloorReader.wedge(submitCode, input);
  ShopfloorReader.camera({
    button: document.getElementById("camera-button"), dialog: document.getElementById("camera"),
    hint: document.getElementById("camera-hint"), polyfill: form.dataset.polyfill, wasmBase: form.dataset.wasmBase,
    text: { starting: T.camera_starting, point: T.camera_point, failed: T.camera_failed }
  }, submitCode);

  // ---- offline shell ------------------------------------------------------------
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(form.dataset.sw, { scope: "/" });
})();
