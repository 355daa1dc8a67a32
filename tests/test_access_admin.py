"""A supervisor unlocks from the phone; an admin reissues or revokes badges and rotates the board link;
every one of these is in the audit log (who, when, what)."""
from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from shopfloor import clock
from shopfloor.auth import services
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, User
from tests.conftest import login
from tests.factories import PIN


def _lock(op) -> None:
    for _ in range(5):
        try:
            services.login_with_pin(op.id, "000000")
        except DomainError:
            pass


def _fresh(model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


def _audit() -> list[tuple]:
    db.session.rollback()
    return [(e.actor_id, e.action, e.target) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _as(client, user):
    login(client, user)
    return client


def test_supervisor_unlocks_a_locked_operator_from_the_supervise_page(app, client, factory):
    line = factory.line()
    op = factory.user("operator", line=line, name="Rahim Uddin")
    sup = factory.user("supervisor")
    _lock(op)
    page = _as(client, sup).get("/supervise")
    assert "Rahim Uddin is locked out (wrong PINs)" in page.text and f'data-locked="{op.id}"' in page.text
    before = clock.utcnow()
    done = client.post(f"/operators/{op.id}/unlock", data={"next": "/supervise"}, follow_redirects=True)
    assert "Rahim Uddin is unlocked and can sign in again." in done.text and 'data-locked' not in done.text
    unlocked = _fresh(User, op.id)
    assert unlocked.locked_until is None and unlocked.failed_pin_count == 0
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target) == (sup.id, "unlock", f"user:{op.id}") and entry.at >= before
    g.pop("_login_user", None)
    assert app.test_client().post("/login/pin", data={"user_id": op.id, "pin": PIN}).status_code == 302


def test_only_a_supervisor_unlocks(client, factory):
    op, other = factory.user("operator"), factory.user("operator")
    _lock(op)
    refused = _as(client, other).post(f"/operators/{op.id}/unlock")
    assert refused.status_code == 403 and "Your role does not allow this page." in refused.text
    assert _fresh(User, op.id).is_locked() and _audit() == []


def test_admin_reissues_a_badge_and_the_old_one_stops_working(client, factory):
    op, admin = factory.user("operator", name="Amina Akter"), factory.user("admin")
    old = services.badge_payload(op)
    page = _as(client, admin).post(f"/admin/access/{op.id}/badge")
    assert "New badge for Amina Akter" in page.text
    new = re.search(r"data-badge-payload>([^<]+)<", page.text).group(1)
    assert new != old
    g.pop("_login_user", None)
    phone = client.application.test_client()
    assert phone.post("/login/badge", data={"badge": old}).status_code == 401     # the printed badge is void
    assert phone.post("/login/badge", data={"badge": new}).status_code == 302
    assert _audit() == [(admin.id, "badge_reissue", f"user:{op.id}")]


def test_admin_revokes_a_badge(client, factory):
    op, admin = factory.user("operator"), factory.user("admin")
    payload = services.badge_payload(op)
    page = _as(client, admin).post(f"/admin/access/{op.id}/badge/revoke")
    assert "badge is revoked" in page.text
    revoked = _fresh(User, op.id)
    assert revoked.badge_revoked
    g.pop("_login_user", None)
    phone = client.application.test_client()
    for attempt in (payload, services.badge_payload(revoked)):
        resp = phone.post("/login/badge", data={"badge": attempt})
        assert resp.status_code == 401 and "not valid" in resp.text
    assert _audit() == [(admin.id, "badge_revoke", f"user:{op.id}")]


def test_admin_rotates_the_board_link_for_every_process(client, factory):
    admin = factory.user("admin")
    kiosk = client.application.test_client()
    assert kiosk.get("/board?token=board-token-for-tests").status_code == 200
    page = _as(client, admin).post("/admin/access/kiosk")
    link = re.search(r"data-board-link>([^<]+)<", page.text).group(1)
    token = link.split("token=")[1]
    assert token != "board-token-for-tests"
    g.pop("_login_user", None)
    old = kiosk.get("/board?token=board-token-for-tests")
    assert old.status_code == 403 and "Line" not in old.text                   # the old link is void
    live = kiosk.get(f"/board/live?token={token}")
    assert live.status_code == 200                                              # the new one opens the board
    assert _audit() == [(admin.id, "kiosk_rotate", "board")]


def test_access_screen_is_admin_only(client, factory):
    mgr = factory.user("manager")
    refused = _as(client, mgr).post("/admin/access/kiosk")
    assert refused.status_code == 403 and _audit() == []
    g.pop("_login_user", None)
    assert client.application.test_client().get("/board?token=board-token-for-tests").status_code == 200


def test_admin_signs_a_person_out_everywhere(app, client, factory):
    op, admin = factory.user("operator"), factory.user("admin")
    phone = app.test_client()
    phone.post("/login/pin", data={"user_id": op.id, "pin": PIN})
    page = _as(client, admin).post(f"/admin/access/{op.id}/sign-out")
    assert "Signed out on every device (1 sessions closed)." in page.text
    g.pop("_login_user", None)
    assert phone.get("/scan").status_code == 302
    assert _audit() == [(admin.id, "sign_out_everywhere", f"user:{op.id}")]
