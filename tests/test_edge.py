"""The edge layer: one refusal handler, typed parsing once, no SQL or try/except in routes, no GET that writes."""
from __future__ import annotations

import ast
import pathlib
import re

import pytest
from sqlalchemy import event, func, select

from shopfloor import edge, security
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, Inspection, Style, WorkLog
from shopfloor.quality import catalogue
from shopfloor.scan.services import record_scan
from tests.conftest import login

ROOT = pathlib.Path(__file__).resolve().parents[1] / "shopfloor"


def test_parsers_take_what_people_type_and_refuse_the_rest():
    assert edge.whole(" 12 ", "m") == 12 and edge.whole("", "m", default=3) == 3
    assert str(edge.decimal("0,175", "m")) == "0.175"
    for bad in ("1e30", "NaN", "Infinity", "12abc", "0.00001", "9" * 30):
        with pytest.raises(DomainError):
            edge.decimal(bad, "m", maximum=1000)
    for bad in ("x", "1.5", "99999999999999", "-1"):
        with pytest.raises(DomainError):
            edge.whole(bad, "m", minimum=0)
    for bad in ("2026-02-31", "9999-12-31", "tomorrow"):
        with pytest.raises(DomainError):
            edge.day(bad)
    assert edge.trimmed("  long  " * 50, max_len=10) == "long    lo"


@pytest.mark.parametrize("target,expected", [
    ("/orders/3", "/orders/3"), ("//evil.example", "/"), ("/\t/evil.example", "/"), ("/%09/evil.example", "/%09/evil.example"),
    ("/\\evil.example", "/"), ("https://evil.example/", "/"), ("javascript:alert(1)", "/"), ("", "/"),
])
def test_next_targets_stay_on_this_site(target, expected):
    assert security.safe_next(target, "/") == expected


def _route_modules():
    return sorted(ROOT.glob("*/routes.py")) + [ROOT / "scan" / "api.py", ROOT / "scan" / "pwa.py"]


def test_route_modules_hold_no_sql_and_no_try_except():
    for path in _route_modules():
        tree = ast.parse(path.read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Try)], f"{path}: try/except in a route module"
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not names & {"db", "select", "text"}, f"{path}: SQL in a route module"


def test_environment_is_read_only_in_config():
    for path in ROOT.rglob("*.py"):
        if path.name == "config.py":
            continue
        assert not re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text()), path


def test_no_function_hides_an_import():
    """Imports belong at the top of a module."""
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            inner = [n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
            assert not inner, f"{path}:{fn.name} imports inside a function"


def test_refused_full_page_form_keeps_the_input_and_changes_nothing(client, factory):
    login(client, factory.user("manager"))
    r = client.post("/styles", data={"code": "POLO-9", "name": "Polo nine", "sizes": "S,M", "target_cost": "1e30"})
    assert r.status_code == 422
    assert "Target cost must be a number" in r.text
    assert 'value="POLO-9"' in r.text and 'value="Polo nine"' in r.text      # what the manager typed is kept
    assert "<h1>" in r.text and "Styles and bulletins" in r.text             # the styles page, not an error page
    assert db.session.scalar(select(func.count()).select_from(Style)) == 0


def test_refused_operation_keeps_the_row_the_manager_edited(client, factory):
    style = factory.style()
    login(client, factory.user("manager"))
    op = style.operations[1]
    r = client.post(f"/operations/{op.id}", data={"action": "save", "name": "Side seam 2", "machine": "Overlock",
                                                 "sam": "1e30", "piece_rate": "0.05"})
    assert r.status_code == 422 and "SAM must be a number of minutes above 0" in r.text
    assert 'value="Side seam 2"' in r.text and 'value="1e30"' in r.text
    db.session.expire_all()
    assert db.session.get(type(op), op.id).name == "Op 2"
    page = client.get(f"/styles/{style.id}")                                  # the style page still renders
    assert page.status_code == 200 and "Total SAM: 2.25 min" in page.text


def test_refused_htmx_form_answers_its_fragment(client, factory):
    line, style, order, op = factory.floor()
    catalogue.ensure_default_catalogue()
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    login(client, factory.user("qc"))
    stain = next(d for d in catalogue.active_defects() if d.code == "stain")
    r = client.post("/qc/inspections", headers={"HX-Request": "true"},
                    data={"bundle": bundle.code, "kind": "endline", "checked": "10", f"count-{stain.id}": "two"})
    assert r.status_code == 422
    assert r.text.lstrip().startswith('<section id="inspect"') and "Defect counts must be whole numbers" in r.text
    assert "<html" not in r.text
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_refused_api_call_answers_json(client, factory):
    line, style, order, op = factory.floor()
    login(client, op)
    r = client.post("/api/v1/scans", json={"bundle": "ZZZZ999", "operation": style.operations[0].id, "qty": 1,
                                           "client_id": "c-1"})
    assert r.status_code == 404 and r.json["code"] == "unknown" and "No bundle has the code ZZZZ999" in r.json["error"]
    assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 0


def test_signed_qr_works_in_supervision_and_bundle_history(client, factory):
    line, style, order, op = factory.floor()
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundle.code,
                operation_id=style.operations[0].id, qty=4)
    login(client, factory.user("manager"))
    scanned = "http://shopfloor.test/b/" + security.sign("bundle", bundle.code)
    history = client.get("/review/bundles", query_string={"code": scanned})
    assert history.status_code == 200 and bundle.code in history.text and op.name in history.text
    sup = client.get("/supervise", query_string={"code": scanned})
    assert sup.status_code == 200 and "No bundle has the code" not in sup.text and op.name in sup.text
    forged = client.get("/review/bundles", query_string={"code": bundle.code + ".AAAAAAAAAAAA"})
    assert forged.status_code == 404


def test_no_get_request_writes(client, factory):
    """Every GET page, read by every role that may see it, leaves the database as it was."""
    line, style, order, op = factory.floor()
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=bundle.code,
                operation_id=style.operations[0].id, qty=3)
    admin = factory.user("admin")
    writes: list[str] = []

    def watch(conn, cursor, statement, params, context, executemany):
        if re.match(r"\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", statement, re.I):
            writes.append(statement.split("\n")[0][:80])

    pages = ["/", "/login", "/scan", f"/b/{security.sign('bundle', bundle.code)}", f"/scan/card?code={bundle.code}",
             "/board", "/board/live", "/qc", f"/qc/bundle?code={bundle.code}", "/qc/rework", "/qc/audit?lot=500",
             "/qc/returns", "/qc/defects", "/styles", f"/styles/{style.id}", "/orders", f"/orders/grid?style={style.id}",
             f"/orders/{order.id}", "/schedule", "/review", f"/review/bundles?code={bundle.code}",
             "/review/export/worklog.csv", "/review/export/qc.csv", "/supervise", f"/supervise?code={bundle.code}",
             f"/orders/{order.id}/tickets.pdf", "/sw.js", "/manifest.webmanifest"]
    clients = []
    for user in (admin, op):  # signing in writes its session row: before the watch starts
        clients.append(client.application.test_client())
        login(clients[-1], user)
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for signed_in in clients:
            for url in pages:
                r = signed_in.get(url)
                r.get_data()  # streamed exports run to the end
                r.close()
                assert r.status_code < 500, url
        assert clients[1].get("/me").status_code == 200
        assert clients[1].get("/rework/mine").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert writes == []
