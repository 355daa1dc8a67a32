"""People administration: adding operators and staff, a person's page (edit, role, line, language, active, PIN,
password, unlock, badge) with its audit trail, who may change whom, and double submits saving once."""
from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from shopfloor.auth import services as auth
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, AuthSession, User
from tests.conftest import login
from tests.factories import PASSWORD, PIN
from tests.html_forms import SAVED, count, form_for, send


def _as(client, user):
    login(client, user)
    return client


def _fresh(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def _forget():
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def _pin_login(app, user_id, pin):
    """Sign in on another phone (the requests share the test's app context: forget its user after)."""
    _forget()
    status = app.test_client().post("/login/pin", data={"user_id": user_id, "pin": pin}).status_code
    _forget()
    return status


def _new_pin(html: str) -> str:
    return re.search(r"data-new-pin>(\d{6})<", html).group(1)


# --- adding ----------------------------------------------------------------------------------------

def test_manager_adds_an_operator_with_a_made_pin_shown_once_and_it_signs_in(app, client, factory):
    line = factory.line("L7")
    mgr = factory.user("manager", name="Maria Lopez")
    page = _as(client, mgr).get("/people/new")
    form = form_for(page.text, "/people/operators")
    done = send(client, form, form.data(name="  Nasrin Begum ", line=str(line.id), language="es", pin=""),
                page="/people/new")
    assert done.status_code == 200 and "Nasrin Begum is added." in done.text
    assert done.headers["Cache-Control"] == "no-store"
    pin = _new_pin(done.text)
    user = db.session.scalars(select(User).where(User.name == "Nasrin Begum")).one()
    assert (user.role, user.line_id, user.language, user.active) == ("operator", line.id, "es", True)
    assert re.fullmatch(r"B[A-Z0-9]{6}", user.badge_code) and pin not in (user.pin_hash or "")
    assert _pin_login(app, user.id, pin) == 302
    # the person's page shows the creation in the trail, field by field, and never the PIN again
    _forget()
    again = _as(client, mgr).get(f"/people/{user.id}")
    assert "data-new-pin" not in again.text and pin not in again.text
    trail = again.text[again.text.index('id="trail"'):]
    assert "Added" in trail and "by Maria Lopez" in trail
    assert re.search(r'data-change="Line"><span class="trail-field">Line</span> <span class="trail-old">—</span> → '
                     r'<span class="trail-new">L7</span>', trail)


def test_adding_an_operator_twice_by_double_tap_creates_one(client, factory):
    line = factory.line()
    _as(client, factory.user("manager"))
    html = client.get("/people/new").text
    form = form_for(html, "/people/operators")
    data = form.data(name="Rahim Uddin", line=str(line.id), pin="482913")
    first = send(client, form, data, page="/people/new")
    _forget()
    second = send(client, form, data, page="/people/new")
    assert count(User, User.name == "Rahim Uddin") == 1
    assert first.status_code == 200 and "Rahim Uddin is added." in first.text
    assert second.status_code == 200 and SAVED in second.text
    assert count(AuditEntry, AuditEntry.action == "person_add") == 1


def test_bad_operator_input_is_refused_with_the_input_kept_and_nothing_written(client, factory):
    line = factory.line()
    factory.user("operator", name="Amina Akter")
    _as(client, factory.user("manager"))
    before = count(User)
    for fields, message in [
        ({"name": "", "pin": ""}, "A name is required."),
        ({"name": "Nobody New", "pin": "12345"}, "The PIN must be 6 digits."),
        ({"name": "amina akter", "pin": ""}, "There is already an active person called amina akter"),
        ({"name": "x" * 121, "pin": ""}, "Name can be at most 120 characters long."),
        ({"name": "Nobody New", "pin": "", "language": "fr"}, "The language must be one of: en, es, bn, vi, hi."),
        ({"name": "Nobody New", "pin": "", "line": "999"}, "That line does not exist."),
        ({"name": "Nul\x00Name", "pin": ""}, "Name contains a character that cannot be saved."),
    ]:
        resp = client.post("/people/operators", data={"line": str(line.id), **fields})
        assert resp.status_code in (409, 422) and message in resp.text, (fields, resp.text[:300])
        assert 'role="alert"' in resp.text
    kept = client.post("/people/operators", data={"name": "Kept Name", "pin": "12"})
    assert 'value="Kept Name"' in kept.text
    assert count(User) == before and count(AuditEntry) == 0


def test_manager_adds_staff_who_signs_in_with_the_password(app, client, factory):
    mgr = factory.user("manager")
    resp = _as(client, mgr).post("/people/staff", data={"name": "Sofia QC", "username": " Sofia.QC ", "role": "qc",
                                                         "password": "long-enough-1", "language": "en"},
                                 follow_redirects=True)
    assert resp.status_code == 200 and "<h1>Sofia QC</h1>" in resp.text
    user = db.session.scalars(select(User).where(User.username == "sofia.qc")).one()
    assert user.role == "qc" and user.badge_code is None
    _forget()
    assert app.test_client().post("/login/password", data={"username": "sofia.qc",
                                                           "password": "long-enough-1"}).status_code == 302
    _forget()
    taken = client.post("/people/staff", data={"name": "Other", "username": "sofia.qc", "role": "qc",
                                               "password": "long-enough-1"})
    assert taken.status_code == 409 and "The user name sofia.qc is taken." in taken.text
    short = client.post("/people/staff", data={"name": "Other", "username": "other", "role": "qc", "password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert count(User, User.name == "Other") == 0


# --- who may change whom ---------------------------------------------------------------------------

def test_only_an_admin_makes_or_changes_an_admin(client, factory):
    mgr, admin = factory.user("manager"), factory.user("admin", name="Boss")
    sup = factory.user("supervisor", name="Sam Sup")
    _as(client, mgr)
    made = client.post("/people/staff", data={"name": "New Admin", "username": "newadmin", "role": "admin",
                                              "password": PASSWORD})
    assert made.status_code == 403 and "Only an admin can change an admin" in made.text
    promote = client.post(f"/people/{sup.id}", data={"name": "Sam Sup", "role": "admin", "username": sup.username,
                                                     "language": "en"})
    assert promote.status_code == 403 and _fresh(sup.id).role == "supervisor"
    page = client.get(f"/people/{admin.id}")
    assert "Only an admin can change an admin." in page.text and "<fieldset class=\"plain\" disabled>" in page.text
    for url, data in [(f"/people/{admin.id}", {"name": "Renamed", "role": "admin", "username": admin.username}),
                      (f"/people/{admin.id}/active", {"active": "0"}),
                      (f"/people/{admin.id}/password", {"password": "hijacked-123"}),
                      (f"/people/{admin.id}/badge", {})]:
        resp = client.post(url, data=data)
        assert resp.status_code == 403 and "Only an admin can change an admin" in resp.text, url
    kept = _fresh(admin.id)
    assert (kept.name, kept.active, kept.badge_code) == ("Boss", True, None)
    assert auth.login_with_password(admin.username, PASSWORD).id == admin.id
    assert count(AuditEntry) == 0
    # an admin may promote
    _forget()
    ok = _as(client, admin).post(f"/people/{sup.id}", data={"name": "Sam Sup", "role": "admin",
                                                            "username": sup.username, "language": "en"})
    assert ok.status_code == 200 and "Saved." in ok.text and _fresh(sup.id).role == "admin"
    assert re.search(r'data-change="Role">.*Supervisor</span> → <span class="trail-new">Admin<', ok.text)


def test_people_pages_are_for_managers_and_admins(client, factory):
    op = factory.user("operator")
    for role in ("operator", "qc", "supervisor"):
        _forget()
        _as(client, factory.user(role))
        assert client.get("/people").status_code == 403
        refused = client.post(f"/people/{op.id}/pin", data={"pin": "999999"})
        assert refused.status_code == 403 and "Your role does not allow this page." in refused.text
    assert count(AuditEntry) == 0


def test_nobody_changes_their_own_role_or_deactivates_themselves(client, factory):
    mgr = factory.user("manager", name="Mia")
    _as(client, mgr)
    resp = client.post(f"/people/{mgr.id}", data={"name": "Mia", "role": "supervisor", "username": mgr.username})
    assert resp.status_code == 403 and "You cannot change your own role" in resp.text
    resp = client.post(f"/people/{mgr.id}/active", data={"active": "0"})
    assert resp.status_code == 403 and _fresh(mgr.id).active and _fresh(mgr.id).role == "manager"


# --- editing ---------------------------------------------------------------------------------------

def test_edit_records_each_change_old_to_new_and_nothing_when_unchanged(client, factory):
    l1, l2 = factory.line("L1"), factory.line("L2")
    op = factory.user("operator", line=l1, name="Amina Akter")
    mgr = factory.user("manager", name="Maria")
    _as(client, mgr)
    page = f"/people/{op.id}"
    form = form_for(client.get(page).text, page)
    done = send(client, form, form.data(name="Amina Akter Khan", line=str(l2.id), language="es"), page=page)
    assert done.status_code == 200 and "Saved." in done.text
    user = _fresh(op.id)
    assert (user.name, user.line_id, user.language) == ("Amina Akter Khan", l2.id, "es")
    trail = done.text[done.text.index('id="trail"'):]
    for field, old, new in [("Name", "Amina Akter", "Amina Akter Khan"), ("Line", "L1", "L2"), ("Language", "en", "es")]:
        assert (f'<span class="trail-field">{field}</span> <span class="trail-old">{old}</span> → '
                f'<span class="trail-new">{new}</span>') in trail
    assert "by Maria" in trail
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person_edit")).one()
    assert entry.changes == {"name": ["Amina Akter", "Amina Akter Khan"], "line": ["L1", "L2"], "language": ["en", "es"]}
    _forget()
    form = form_for(client.get(page).text, page)
    same = send(client, form, form.data(), page=page)
    assert "Nothing changed." in same.text and count(AuditEntry, AuditEntry.action == "person_edit") == 1


def test_operator_becomes_supervisor_only_with_a_user_name_and_password(app, client, factory):
    op = factory.user("operator", name="Karim")
    _as(client, factory.user("manager"))
    refused = client.post(f"/people/{op.id}", data={"name": "Karim", "role": "supervisor", "username": "karim"})
    assert refused.status_code == 422 and "give both here" in refused.text
    short = client.post(f"/people/{op.id}", data={"name": "Karim", "role": "supervisor", "username": "karim",
                                                  "password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    nope = client.post(f"/people/{op.id}/password", data={"password": "abcdefgh1"})   # operators have PINs
    assert nope.status_code == 422 and "Operators sign in with a PIN" in nope.text
    assert _fresh(op.id).role == "operator" and _fresh(op.id).password_hash is None
    page = f"/people/{op.id}"
    form = form_for(client.get(page).text, page)
    done = send(client, form, form.data(role="supervisor", username="Karim.S", password="karim-pass-1"), page=page)
    assert done.status_code == 200 and "Saved." in done.text
    user = _fresh(op.id)
    assert (user.role, user.username) == ("supervisor", "karim.s")
    assert auth.login_with_password("karim.s", "karim-pass-1").id == op.id
    assert 'action="/people/%d/password"' % op.id in done.text and "karim-pass-1" not in done.text


def test_a_retired_line_is_not_offered_but_a_person_on_it_keeps_it(client, factory):
    l1, l2 = factory.line("L1"), factory.line("OLD")
    op = factory.user("operator", line=l2, name="Old Timer")
    factory.update(l2, active=False)
    other = factory.user("operator", line=l1)
    _as(client, factory.user("manager"))
    resp = client.post(f"/people/{other.id}", data={"name": other.name, "role": "operator", "line": str(l2.id)})
    assert resp.status_code == 422 and "Line OLD is retired" in resp.text and _fresh(other.id).line_id == l1.id
    keep = client.post(f"/people/{op.id}", data={"name": "Old Timer 2", "role": "operator", "line": str(l2.id)})
    assert keep.status_code == 200 and _fresh(op.id).line_id == l2.id
    assert "OLD" not in client.get("/people/new").text


# --- active, PIN, unlock, badge --------------------------------------------------------------------

def test_deactivate_ends_sessions_and_sign_in_then_reactivate(app, client, factory):
    op = factory.user("operator", name="Leaving Soon")
    mgr = factory.user("manager")
    other = app.test_client()
    login(other, op)
    assert count(AuthSession, AuthSession.user_id == op.id) == 1
    _forget()
    resp = _as(client, mgr).post(f"/people/{op.id}/active", data={"active": "0"})
    assert resp.status_code == 200 and "Leaving Soon is deactivated" in resp.text and "1 sessions closed" in resp.text
    assert not _fresh(op.id).active and count(AuthSession, AuthSession.user_id == op.id) == 0
    assert _pin_login(app, op.id, PIN) == 422
    assert "Leaving Soon" not in client.get("/people").text                        # active only, by default
    assert "Leaving Soon" in client.get("/people?status=inactive").text
    _forget()
    back = _as(client, mgr).post(f"/people/{op.id}/active", data={"active": "1"})
    assert "Leaving Soon is active again" in back.text and _fresh(op.id).active
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["person_deactivate", "person_reactivate"]


def test_pin_reset_made_or_typed_and_it_lifts_a_lock(app, client, factory):
    op = factory.user("operator")
    for _ in range(5):
        try:
            auth.login_with_pin(op.id, "000000")
        except DomainError:
            pass
    assert _fresh(op.id).is_locked()
    mgr = factory.user("manager")
    page = _as(client, mgr).get(f"/people/{op.id}")
    assert "data-locked" in page.text and f'action="/people/{op.id}/unlock"' in page.text
    made = client.post(f"/people/{op.id}/pin", data={"pin": ""})
    pin = _new_pin(made.text)
    assert "New PIN saved" in made.text and not _fresh(op.id).is_locked()
    assert _pin_login(app, op.id, PIN) == 401
    assert _pin_login(app, op.id, pin) == 302
    _forget()
    typed = _as(client, mgr).post(f"/people/{op.id}/pin", data={"pin": "246810"})
    assert "data-new-pin" not in typed.text and _pin_login(app, op.id, "246810") == 302
    bad = _as(client, mgr).post(f"/people/{op.id}/pin", data={"pin": "12ab56"})
    assert bad.status_code == 422 and "The PIN must be 6 digits." in bad.text
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "pin_reset")).all()
    assert [(e.actor_id, e.changes) for e in entries] == [(mgr.id, None)] * 2
    assert pin not in str([e.details for e in entries])


def test_unlock_from_the_person_page(client, factory):
    op = factory.user("operator", name="Locked One")
    for _ in range(5):
        try:
            auth.login_with_pin(op.id, "000000")
        except DomainError:
            pass
    resp = _as(client, factory.user("manager")).post(f"/people/{op.id}/unlock")
    assert "Locked One is unlocked" in resp.text and not _fresh(op.id).is_locked()
    assert "Unlocked" in resp.text[resp.text.index('id="trail"'):]


def test_new_badge_voids_the_old_and_staff_get_a_first_badge(app, client, factory):
    op, sup = factory.user("operator"), factory.user("supervisor")
    old = auth.badge_payload(op)
    _as(client, factory.user("manager"))
    resp = client.post(f"/people/{op.id}/badge")
    assert "the old badge no longer signs in" in resp.text
    _forget()
    assert app.test_client().post("/login/badge", data={"badge": old}).status_code == 401
    _forget()
    first = _as(client, factory.user("manager")).post(f"/people/{sup.id}/badge")
    assert first.status_code == 200 and _fresh(sup.id).badge_code


def test_people_list_filters_by_role_line_status_and_name(client, factory):
    l1, l2 = factory.line("L1"), factory.line("L2")
    factory.user("operator", line=l1, name="Amina Akter")
    factory.user("operator", line=l2, name="Rahim Uddin")
    factory.user("qc", name="Quality Queen")
    gone = factory.user("operator", line=l1, name="Gone Person")
    factory.update(gone, active=False)
    _as(client, factory.user("manager", name="The Manager"))

    def names(**q):
        html = client.get("/people", query_string=q, headers={"HX-Request": "true"}).text
        assert html.lstrip().startswith('<div id="people-list">')
        return re.findall(r'class="person-name" href="[^"]+">([^<]+)<', html)

    assert names() == ["Amina Akter", "Quality Queen", "Rahim Uddin", "The Manager"]
    assert names(role="operator", line=l1.id) == ["Amina Akter"]
    assert names(status="inactive") == ["Gone Person"]
    assert names(status="all", line=l1.id) == ["Amina Akter", "Gone Person"]
    assert names(q="UDD") == ["Rahim Uddin"]
    assert names(q="%") == [] and names(role="nonsense", status="bogus") == names()
    page = client.get("/people")
    assert "<h1>People</h1>" in page.text and 'href="/people"' in page.text  # in the menu


def test_the_menu_shows_people_to_managers_and_admins_only(client, factory):
    for role, shown in [("manager", True), ("admin", True), ("supervisor", False), ("qc", False)]:
        _forget()
        html = _as(client, factory.user(role)).get("/", follow_redirects=True).text
        assert ('<a href="/people"' in html) is shown, role


def test_a_packer_is_a_role_like_the_others_on_the_people_pages(client, factory):
    """The people pages knew five roles, not the packer: a packer's role showed blank in the list, packers could not
    be listed by role or added, and saving a packer's details sent the first role of the list (the browser's choice
    when none is selected), so renaming Pia made her an operator."""
    packer = factory.user("packer", name="Pia Packer")
    mgr = factory.user("manager", name="Maria")
    _as(client, mgr)
    listed = client.get("/people?role=packer").text
    assert ">Pia Packer</a>" in listed and ">Maria</a>" not in listed
    assert re.search(r">Pia Packer</a>.*?<span class=\"person-meta\">Packer", listed, re.S)
    page = f"/people/{packer.id}"
    form = form_for(client.get(page).text, page)
    assert form.data()["role"] == "packer"
    done = send(client, form, form.data(name="Pia Packer Rahman"), page=page)
    assert done.status_code == 200 and "Saved." in done.text
    user = _fresh(packer.id)
    assert (user.name, user.role) == ("Pia Packer Rahman", "packer")
    assert '<option value="packer"' in client.get("/people/new").text
