// The bundle card (templates/scan/_card.html): Done follows the pieces typed and the operation chosen; a new
// operation brings its own maximum; earlier operations not done yet ask once ("log anyway") or block.
// Listeners are on the document, so every card htmx swaps in works the same.
(function () {
  "use strict";

  function form(el) { return el && el.closest && el.closest("form.log-form"); }
  function chosen(f) { var s = f.querySelector("select[name=operation]"); return s && s.selectedOptions[0]; }
  function fill(template, n) { return template.replace("{n}", n); }

  // Done's label and state from the operation and the pieces as they are now.
  function refresh(f) {
    var opt = chosen(f), qty = f.querySelector("[name=qty]"), done = f.querySelector("[data-done]");
    var label = done.querySelector("[data-done-text]") || done;  // the words beside Done's icon
    var note = f.querySelector("[data-block-note]");
    var block = opt && opt.dataset.block;
    note.hidden = !block;
    note.textContent = block || "";
    if (f.querySelector('[data-kind="confirm"]')) return;  // the supervisor's step keeps its own label
    var max = opt && opt.value ? Number(opt.dataset.max) : 0;
    var text = qty.value.trim(), n = text === "" ? max : Number(text);
    if (!opt || !opt.value) { label.textContent = f.dataset.chooseLabel; done.disabled = true; return; }
    if (max <= 0) { label.textContent = f.dataset.noneLabel; done.disabled = true; return; }
    if (n > max) { label.textContent = fill(f.dataset.overLabel, max); done.disabled = true; return; }
    label.textContent = fill(f.dataset.doneLabel, Number.isInteger(n) && n > 0 ? n : text);
    done.disabled = !(Number.isInteger(n) && n > 0) || !!block;
  }

  function hideAsk(f) {
    var ask = f.querySelector("[data-ask-step]");
    if (ask) ask.hidden = true;
  }

  // Another operation: its own maximum and all of its pieces, its row marked, no question pending.
  function choose(f) {
    var opt = chosen(f), qty = f.querySelector("[name=qty]");
    var max = opt && opt.value ? Number(opt.dataset.max) : 0;
    qty.max = max || "";
    qty.value = max > 0 ? max : "";
    f.querySelectorAll("[data-op]").forEach(function (li) {
      li.classList.toggle("card-op-chosen", !!opt && li.dataset.op === opt.value);
    });
    hideAsk(f);
    refresh(f);
  }

  document.addEventListener("change", function (e) {
    var f = form(e.target);
    if (f && e.target.name === "operation") choose(f);
  });
  document.addEventListener("input", function (e) {
    var f = form(e.target);
    if (f && e.target.name === "qty") { hideAsk(f); refresh(f); }
  });
  document.addEventListener("click", function (e) {
    var li = e.target.closest && e.target.closest("[data-op]"), f = form(e.target);
    if (f && e.target.closest("[data-ask-cancel]")) { hideAsk(f); return; }
    if (!f || !li) return;
    var select = f.querySelector("select[name=operation]");
    var opt = select.querySelector('option[value="' + li.dataset.op + '"]');
    if (!opt || opt.disabled) return;
    select.value = li.dataset.op;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Before anything sends the form (htmx online, the outbox offline: both listen later than the window's
  // capture phase), a style that warns asks first; "Log anyway" is the one extra tap.
  window.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.classList || !f.classList.contains("log-form")) return;
    var anyway = !!(e.submitter && e.submitter.name === "log_anyway");
    f.dataset.logAnyway = anyway ? "1" : "";
    var opt = chosen(f);
    if (anyway || !opt || !opt.dataset.ask || f.dataset.sequence !== "warn") return;
    if (f.querySelector('[data-kind="confirm"]')) return;   // a supervisor's confirmation answers it
    e.preventDefault();
    e.stopImmediatePropagation();
    var ask = f.querySelector("[data-ask-step]");
    ask.querySelector("[data-ask-text]").textContent = opt.dataset.ask;
    ask.hidden = false;
    ask.querySelector("[data-log-anyway-button]").focus();
  }, true);

  // Logged: the confirmation and the camera button for the next bundle are on screen.
  document.addEventListener("htmx:after:swap", function () {
    var card = document.getElementById("bundle-card");
    if (card && card.querySelector('[data-kind="ok"]')) window.scrollTo(0, 0);
  });
})();
