"""The submit-once mechanism itself: every POST form carries the id, GETs write nothing, refusals release the
claim, taps in flight together, a claim still running, a stale page, a damaged id, pruning."""
from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from shopfloor import clock, once
from shopfloor.extensions import db
from shopfloor.models import FormSubmission, Operation, Style
from shopfloor.planning import styles
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_post_form_carries_the_one_time_id():
    """A new form cannot forget it. The scan log form has its own id (client_id, for the offline outbox)."""
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        # macros of this template that write the one-time id (e.g. a form's hidden fields)
        carriers = [m.group(1) for m in re.finditer(r"\{%-?\s*macro\s+(\w+)\(.*?%\}(.*?)\{%-?\s*endmacro", text, re.S)
                    if "once_field()" in m.group(2)]
        for m in re.finditer(r"<form\b[^>]*>.*?</form>", text, re.S):
            form = m.group(0)
            opening = form[:form.index(">") + 1]
            if not re.search(r'method="post"|hx-post=', opening, re.I):
                continue
            if any(re.search(r"\{\{\s*" + name + r"\(", form) for name in carriers):
                continue
            if "once_field()" not in form and 'name="client_id"' not in form:
                missing.append(f"{path.relative_to(TEMPLATES)}: {opening[:80]}")
    assert missing == []


def test_showing_a_page_writes_nothing(client, factory):
    style = factory.style()
    login(client, factory.user("manager"))
    page = client.get(f"/styles/{style.id}")
    assert page.text.count('name="_once"') == 1 + len(style.operations) + 1 + 2   # forms + sign-out + language
    assert count(FormSubmission) == 0


def test_refused_form_can_be_corrected_and_sent_again(client, factory):
    login(client, factory.user("manager"))
    form = form_for(client.get("/styles").text, "/styles")
    bad = send(client, form, form.data(code="", name="Tee", sizes="S"), page="/styles")
    assert bad.status_code == 422 and "code and a name" in bad.text and count(Style) == 0
    good = send(client, form, form.data(code="tee-2", name="Tee", sizes="S"), page="/styles")
    assert good.status_code == 200 and SAVED not in good.text and count(Style) == 1


def test_two_taps_at_the_same_moment_save_once(ctx, factory, monkeypatch):
    """Both requests in flight together: the second waits for the first and is told it was saved."""
    manager = factory.user("manager")
    taps = [ctx.test_client(), ctx.test_client()]
    for c in taps:
        login(c, manager)
    form = form_for(taps[0].get("/styles").text, "/styles")
    data = form.data(code="tee-6", name="Tee", sizes="S")
    save_style = styles.save_style

    def slow_save(**kw):
        time.sleep(0.3)       # the first tap is still being saved when the second arrives
        return save_style(**kw)

    monkeypatch.setattr(styles, "save_style", slow_save)
    barrier, answers = threading.Barrier(2), []

    def tap(c):
        barrier.wait()        # each thread has its own request and app context
        answers.append(c.post("/styles", data=data, headers={"Referer": "http://localhost/styles"},
                              follow_redirects=True))

    threads = [threading.Thread(target=tap, args=(c,)) for c in taps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert count(Style, Style.code == "TEE-6") == 1
    assert sorted(SAVED in a.text for a in answers) == [False, True]
    assert all(a.status_code == 200 and "TEE-6" in a.text for a in answers)


def test_form_still_being_saved_is_not_run_again(client, factory, monkeypatch):
    login(client, factory.user("manager"))
    form = form_for(client.get("/styles").text, "/styles")
    data = form.data(code="tee-3", name="Tee", sizes="S")
    with db.engine.begin() as conn:   # the first tap is still running
        conn.execute(insert(FormSubmission.__table__).values(
            digest=once.digest_of("/styles", data.items()), endpoint="planning.style_create", status="pending",
            created_at=clock.utcnow()))
    monkeypatch.setitem(client.application.config, "ONCE_WAIT_SECONDS", 0.1)
    resp = send(client, form, data, page="/styles")
    assert resp.status_code == 202 and "Already being saved" in resp.text and count(Style) == 0


def test_stale_page_sent_with_another_button_is_a_new_submission(client, factory):
    """Back to the old page, then another button of the same form: that is not a resend."""
    style = factory.style()
    last = style.operations[-1]
    login(client, factory.user("manager"))
    page = f"/styles/{style.id}"
    form = form_for(client.get(page).text, f"/operations/{last.id}")
    send(client, form, form.data("up"), page=page)
    back = send(client, form, form.data("down"), page=page)
    names = db.session.scalars(select(Operation.name).where(Operation.style_id == style.id)
                               .order_by(Operation.seq)).all()
    assert names == ["Op 1", "Op 2", "Op 3"] and SAVED not in back.text


def test_damaged_id_is_refused_and_changes_nothing(client, factory):
    login(client, factory.user("manager"))
    form = form_for(client.get("/styles").text, "/styles")
    resp = send(client, form, form.data(_once="x' OR 1=1", code="tee-4", name="Tee", sizes="S"), page="/styles")
    assert resp.status_code == 400 and "This form is damaged" in resp.text
    assert count(Style) == 0 and count(FormSubmission) == 0


def test_old_ids_are_pruned(ctx):
    now = clock.utcnow()
    with db.engine.begin() as conn:
        for digest, age in (("a" * 64, timedelta(days=3)), ("b" * 64, timedelta(hours=1))):
            conn.execute(insert(FormSubmission.__table__).values(digest=digest, endpoint="x", status="done",
                                                                 created_at=now - age))
    assert once.prune() == 1
    assert db.session.scalars(select(FormSubmission.digest)).all() == ["b" * 64]
