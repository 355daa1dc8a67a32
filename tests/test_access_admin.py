"""A supervisor unlocks from the phone; an admin reissues or revokes badges and rotates the board link;
every one of these is in the audit log (who, when, what)."""
from __future__ import annotations

import ast
import importlib
import pathlib
import re
from datetime import date

from flask import g
from sqlalchemy import select

from shopfloor import clock
from shopfloor.auth import audit, services
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, User
from shopfloor.packing import shipments
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


def test_every_action_written_to_the_audit_log_has_a_name_people_read(app):
    """Each `audit.record(actor, ACTION, ...)` in the code names an action with a translated label: the log showed
    raw codes ("shipment_create", "carton_pack") for the 25 actions written outside the sign-in code."""


    root = pathlib.Path(__file__).resolve().parent.parent
    found = {}
    for path in (root / "shopfloor").rglob("*.py"):
        module = None
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            module = module or importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
            arg = node.args[1]
            for a in ((arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,)):
                name = a.attr if isinstance(a, ast.Attribute) else a.id
                found[getattr(audit if isinstance(a, ast.Attribute) else module, name)] = f"{path.name}: {name}"
    assert len(found) >= 40
    unnamed = {code: where for code, where in found.items() if code not in audit.LABELS}
    assert unnamed == {}
    assert audit.label("shipment_create") == "Shipment created"


def test_the_audit_log_names_who_did_what(client, factory):
    admin, op = factory.user("admin"), factory.user("operator")
    _as(client, admin).post(f"/admin/access/{op.id}/badge")

    shipments.create(number="SH-9", ex_factory=date(2026, 12, 9), carrier="", container="", actor_id=admin.id)
    page = client.get("/admin/access")
    rows = re.findall(r"<tr><td>[^<]*</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", page.text)
    assert (admin.name, "Shipment created") in rows and (admin.name, "New badge") in rows
    assert "<td>shipment_create</td>" not in page.text and f"<td>{admin.id}</td>" not in page.text
    assert f"{op.name}</a> · Operator" in page.text and f"{admin.name}</a> · Admin" in page.text   # roles by name


def test_the_access_page_finds_people_by_name_or_role_and_keeps_the_search_after_an_action(client, factory):
    """The access page listed everyone, each with three buttons: at 300 people, thousands of forms on a phone.
    It now has the people list's search; an action answers with the same search."""
    line = factory.line("L1")
    amina = factory.user("operator", name="Amina Islam", line=line)
    factory.user("operator", name="Karim Akter", line=line)
    factory.user("qc", name="Quinn Inspector")
    admin = factory.user("admin", name="Ada Admin")
    _as(client, admin)

    def listed(text: str) -> set:
        return {name for name in ("Amina Islam", "Karim Akter", "Quinn Inspector", "Ada Admin")
                if re.search(rf'id="person-\d+">\s*<span><a [^>]*>{name}</a>', text)}

    assert listed(client.get("/admin/access").text) == {"Amina Islam", "Karim Akter", "Quinn Inspector", "Ada Admin"}
    found = client.get("/admin/access?q=amin").text
    assert listed(found) == {"Amina Islam"} and "Shown: 1" in found
    assert listed(client.get("/admin/access?role=qc").text) == {"Quinn Inspector"}
    assert listed(client.get("/admin/access?role=nonsense&line=x&status=odd").text) == {
        "Amina Islam", "Karim Akter", "Quinn Inspector", "Ada Admin"}      # odd filters are ignored
    form = re.search(rf'action="([^"]*/admin/access/{amina.id}/sign-out[^"]*)"', found).group(1)
    assert form.endswith("?q=amin")
    after = client.post(form.replace("&amp;", "&"))
    assert "Signed out on every device" in after.text and listed(after.text) == {"Amina Islam"}


def test_the_audit_log_shows_one_action_and_pages_back_to_older_entries(client, factory):
    """Packing writes an entry per bundle packed, so the 50 newest entries soon hid every sign-out and badge change.
    The log can now show one action, and page back to older entries."""

    admin, op = factory.user("admin", name="Ada Admin"), factory.user("operator")
    _as(client, admin).post(f"/admin/access/{op.id}/badge")
    for i in range(audit.PAGE + 5):
        audit.record(admin.id, "carton_pack", f"carton {i}", "bundle B 10 pcs")
    db.session.commit()

    def actions(text: str) -> list[str]:
        return re.findall(r"<tr><td>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>", text)

    newest = client.get("/admin/access").text
    assert actions(newest) == ["Packed into a carton"] * audit.PAGE        # the badge is out of sight
    older = re.search(r'data-older href="([^"]+)"', newest).group(1).replace("&amp;", "&")
    second = client.get(older).text
    assert actions(second) == ["Packed into a carton"] * 5 + ["New badge"] and "data-older" not in second
    only = client.get("/admin/access?action=badge_reissue").text
    assert actions(only) == ["New badge"] and '<option value="badge_reissue" selected>' in only
    assert actions(client.get("/admin/access?action=nonsense&before=x").text) == ["Packed into a carton"] * audit.PAGE
