// Offline outbox: scans kept in IndexedDB until the server has them. Exactly once comes from client_id.
(function () {
  "use strict";
  var DB = "shopfloor", STORE = "outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), out = fn(store);
        t.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  var sending = false;

  window.Outbox = {
    add: function (item) { return tx("readwrite", function (s) { return s.put(item); }); },
    all: function () { return tx("readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return tx("readwrite", function (s) { return s.delete(id); }); },
    count: function () { return tx("readonly", function (s) { return s.count(); }); },
    get: function (id) { return tx("readonly", function (s) { return s.get(id); }); },

    // The operator's answer to a question the server asked about a queued scan: log it anyway (sent again
    // with log_anyway, so it is not asked again), or do not log it (it leaves the phone).
    answer: function (id, logAnyway) {
      if (!logAnyway) return Outbox.remove(id);
      return Outbox.get(id).then(function (item) {
        if (!item) return;
        delete item.ask;
        item.log_anyway = true;
        return Outbox.add(item);
      });
    },

    // Send every waiting scan once. Returns {sent, refused: [{item, error}], kept, asked}.
    flush: function (csrfToken) {
      if (sending) return Promise.resolve({ sent: 0, refused: [], kept: 0, asked: 0, busy: true });
      sending = true;
      var result = { sent: 0, refused: [], kept: 0, asked: 0 };
      return Outbox.all().then(function (items) {
        var chain = Promise.resolve(), stop = false;
        items.sort(function (a, b) { return (a.queued_at || 0) - (b.queued_at || 0); });
        items.forEach(function (item) {
          chain = chain.then(function () {
            if (stop) { result.kept++; return; }
            if (item.ask) { result.asked++; return; }   // waits for the operator's answer on the page
            // The item names who made it (a signed identity), so whoever is signed in when it is sent
            // is never credited with someone else's work.
            var body = { bundle: item.bundle, operation: item.operation, qty: item.qty, client_id: item.client_id };
            if (item.operator) body.operator = item.operator;
            if (item.log_anyway) body.log_anyway = true;
            return fetch("/api/v1/scans", {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, "Accept": "application/json" },
              body: JSON.stringify(body)
            }).then(function (resp) {
              if (resp.status === 200 || resp.status === 201) { result.sent++; return Outbox.remove(item.client_id); }
              if (resp.status === 202) {   // held for a supervisor: not credited, no longer this phone's to send
                return resp.json().catch(function () { return {}; }).then(function (data) {
                  result.refused.push({ item: item, error: data.error || String(resp.status) });
                  return Outbox.remove(item.client_id);
                });
              }
              if (resp.status === 403) {   // work the operator may not claim alone: shown, not retried
                return resp.json().catch(function () { return {}; }).then(function (data) {
                  if (data.code !== "needs_confirmation") { stop = true; result.kept++; result.status = 403; return; }
                  result.refused.push({ item: item, error: data.error || String(resp.status) });
                  return Outbox.remove(item.client_id);
                });
              }
              if (resp.status === 401 || resp.status === 400 || resp.status >= 500) {
                stop = true; result.kept++; result.status = resp.status; return;   // try again later
              }
              return resp.json().catch(function () { return {}; }).then(function (data) {
                if (data.code === "confirm_sequence") {   // "log anyway?": kept, asked on the page
                  item.ask = data.error || String(resp.status);
                  result.asked++;
                  return Outbox.add(item);
                }
                result.refused.push({ item: item, error: data.error || String(resp.status) });
                return Outbox.remove(item.client_id);
              });
            }, function () { stop = true; result.kept++; });
          });
        });
        return chain;
      }).then(function () { sending = false; return result; }, function (e) { sending = false; throw e; });
    }
  };
})();
