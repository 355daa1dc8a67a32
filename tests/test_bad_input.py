"""Bad input gets a clear, translated 4xx and changes nothing; a failure gets a translated 500 page or JSON.
(The fuzz over every route is tests/test_fuzz.py; these are the cases found, one by one.)"""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select, text

from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Bundle, Order, Style, WorkLog
from shopfloor.review import queries as review_queries
from shopfloor.scan.services import record_scan
from tests.conftest import login

NOTHING_HERE = "There is nothing at this address."


def _count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("url", ["/orders/99999999999999999999", "/orders/2147483648", "/styles/9223372036854775808",
                                 "/qc/audit/2147483648", "/orders/abc", "/orders/2147483648/tickets.pdf"])
def test_ids_beyond_the_id_column_or_not_numbers_are_not_found(client, factory, url):
    login(client, factory.user("manager"))
    resp = client.get(url)
    assert resp.status_code == 404 and NOTHING_HERE in resp.text


@pytest.mark.parametrize("typed", ["²", "--5", "１２", "99999999999999999999"])
def test_numbers_python_would_not_parse_are_refused_not_a_500(client, factory, typed):
    line, style, order, op = factory.floor()
    login(client, factory.user("manager"))
    cut = client.post(f"/orders/{order.id}/cut", data={"bundle_size": typed})
    assert cut.status_code == 422 and "Bundle size must be a whole number." in cut.text
    tickets = client.get(f"/orders/{order.id}/tickets.pdf?bundles={typed}")
    assert tickets.status_code == 200 and tickets.mimetype == "application/pdf"  # unknown ids: all bundles


def test_an_id_beyond_the_column_in_a_form_is_refused_with_a_message(client, factory):
    factory.floor()
    login(client, factory.user("qc"))
    resp = client.post("/qc/audit", data={"order": "2147483648", "lot": "20", "cartons": "4"})
    assert resp.status_code == 422 and "Choose the order being audited." in resp.text


@pytest.mark.parametrize("ref", ["ABCDEFG.ÿÿÿ", "X.é", "/b/ABCDEFG.ÿÿÿ"])
def test_non_ascii_signatures_on_bundle_refs_are_refused_as_not_genuine(client, factory, ref):
    line, style, order, op = factory.floor()
    login(client, factory.user("manager"))
    history = client.get("/review/bundles", query_string={"code": ref})
    assert history.status_code == 404 and f'value="{ref}"' in history.text
    login(client, op)
    card = client.get("/scan/card", query_string={"code": ref})
    assert card.status_code == 422 and "This ticket is not genuine" in card.text
    link = client.get("/b/ABCDEFG.%C3%BF%C3%BF%C3%BF")
    assert link.status_code == 422 and "This ticket is not genuine" in link.text


def test_unknown_bundle_code_on_bundle_history_is_a_404_with_the_page(client, factory):
    factory.floor()
    login(client, factory.user("manager"))
    resp = client.get("/review/bundles?code=ZZZZZZZ")
    assert resp.status_code == 404 and 'value="ZZZZZZZ"' in resp.text


def test_non_ascii_badge_signature_is_refused_and_signs_nobody_in(client, factory):
    factory.floor()
    resp = client.post("/login/badge", data={"badge": "X.é"})
    assert resp.status_code == 401 and "This badge is not valid." in resp.text
    assert client.get("/scan").status_code == 302  # still signed out


@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "end=2026-02-30", "line=99999999999999999999"])
def test_review_filters_out_of_range_are_refused_with_a_message(client, factory, query):
    factory.floor()
    login(client, factory.user("manager"))
    for path in ("/review", "/review/export/worklog.csv", "/review/export/qc.csv"):
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 422, (path, resp.status_code)
        assert "Dates must be real dates." in resp.text or "That line does not exist." in resp.text


@pytest.mark.parametrize("body", ['{"bundle": "ABCDEFG", "operation": NaN, "qty": 1, "client_id": "c-1"}',
                                  '{"bundle": "ABCDEFG", "operation": 1, "qty": Infinity, "client_id": "c-1"}',
                                  '{"bundle": "ABCDEFG", "operation": 1, "qty": 1e400, "client_id": "c-1"}',
                                  "[" * 100_000 + "]" * 100_000,
                                  '{"bundle": [[[[[[[[[["x"]]]]]]]]]], "operation": 1, "client_id": "c-1"}'])
def test_api_refuses_nan_infinity_and_deep_nesting_as_json(client, factory, body):
    line, style, order, op = factory.floor()
    login(client, op)
    resp = client.post("/api/v1/scans", data=body, content_type="application/json")
    assert resp.status_code == 422 and resp.is_json and "Send a JSON object" in resp.get_json()["error"]
    assert _count(WorkLog) == 0


def test_api_refuses_a_quantity_beyond_the_column_as_json(client, factory):
    line, style, order, op = factory.floor()
    code = db.session.scalars(select(Bundle.code)).first()
    login(client, op)
    resp = client.post("/api/v1/scans", json={"bundle": code, "operation": style.operations[0].id,
                                              "qty": 2 ** 31, "client_id": "c-big"})
    assert 400 <= resp.status_code < 500 and resp.get_json()["error"]
    assert _count(WorkLog) == 0


def test_api_answers_a_wrong_method_in_json_and_in_the_users_language(client, factory):
    line, style, order, op = factory.floor()
    login(client, op)
    client.post("/language", data={"lang": "es"})
    resp = client.get("/api/v1/scans")
    assert resp.status_code == 405 and resp.get_json() == {"error": "Esta dirección no acepta ese tipo de petición."}


def test_over_long_text_is_refused_with_its_field_and_nothing_saved(client, factory):
    style = factory.style(sizes="S,M")
    line = factory.line()
    login(client, factory.user("manager"))
    resp = client.post("/orders", data={"style": style.id, "number": "PO-LONG", "customer": "c" * 121,
                                        "due_date": "2030-01-10", "line": line.id, "colour-0": "Blue",
                                        "qty-0-S": "10"})
    assert resp.status_code == 422 and "Customer can be at most 120 characters long." in resp.text
    assert _count(Order) == 0
    sizes = client.post("/styles", data={"code": "LONG", "name": "Long sizes", "sizes": "S," + "X" * 21})
    assert sizes.status_code == 422 and "Each size can be at most 20 characters long." in sizes.text
    code = client.post("/styles", data={"code": "ß" * 20, "name": "Upper-cased code", "sizes": "S"})
    assert code.status_code == 422 and "Code can be at most 30 characters long." in code.text
    assert _count(Style) == 1


def test_pages_survive_absurd_sam_and_rates_already_stored(client, factory):
    """A SAM of 1e30 (possible on SQLite before SAMs were bounded; PostgreSQL's column stops at 99999.999)."""
    line, style, order, op = factory.floor()
    b1 = db.session.scalars(select(Bundle)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=10)
    big = "1e30" if db.engine.dialect.name == "sqlite" else "99999.999"
    huge_e4 = 9_000_000_000_000_000  # money is BIGINT ten-thousandths (shopfloor.money): the largest sane-ish value
    with write_transaction() as session:
        session.execute(text(f"UPDATE operations SET sam = {big}, piece_rate_e4 = {huge_e4}"))
        session.execute(text(f"UPDATE work_log SET sam = {big}, piece_rate_e4 = {huge_e4}"))
    db.session.expire_all()
    login(client, factory.user("manager"))
    page = client.get(f"/styles/{style.id}")
    assert page.status_code == 200 and style.operations[0].name in page.text
    assert client.get("/styles").status_code == 200 and client.get("/schedule").status_code == 200
    review = client.get("/review")
    assert review.status_code == 200 and order.number in review.text
    login(client, op)
    assert client.get("/me").status_code == 200
    card = client.get(f"/scan/card?code={b1.code}")
    assert card.status_code == 200 and b1.code in card.text


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_a_failure_answers_a_translated_page_or_json_and_is_logged(app, client, factory, monkeypatch):
    line, style, order, op = factory.floor()
    login(client, factory.user("manager"))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(review_queries, "operator_pay", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    client.post("/language", data={"lang": "es"})
    logged = _Records()
    app.logger.addHandler(logged)
    try:
        page = client.get("/review")
        api = client.get("/review", headers={"Accept": "application/json"})
    finally:
        app.logger.removeHandler(logged)
    assert page.status_code == 500 and "Algo salió mal" in page.text and "Nada se guardó" in page.text
    assert "Traceback" not in page.text and "simulated failure" not in page.text
    assert api.status_code == 500 and "Nada se guardó" in api.get_json()["error"]
    assert [str(r.exc_info[1]) for r in logged.records if r.exc_info] == ["simulated failure"] * 2


@pytest.mark.parametrize("via", ["api", "form"])
def test_scan_refuses_an_operation_id_beyond_64_bits(client, factory, via):
    line, style, order, op = factory.floor()
    code = db.session.scalars(select(Bundle.code)).first()
    login(client, op)
    if via == "api":
        resp = client.post("/api/v1/scans", json={"bundle": code, "operation": 10 ** 20, "qty": 1,
                                                  "client_id": "c-op"})
        assert 400 <= resp.status_code < 500 and resp.get_json()["error"]
    else:
        resp = client.post("/scan/log", data={"bundle": code, "operation": "99999999999999999999", "qty": "1"})
        assert resp.status_code == 422
    assert _count(WorkLog) == 0


@pytest.mark.parametrize("form", [{}, {"bundle": "Ó"}])
def test_an_undo_that_succeeds_answers_for_its_own_bundle_whatever_the_form_says(client, factory, form):
    line, style, order, op = factory.floor()
    code = db.session.scalars(select(Bundle.code)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=code, operation_id=style.operations[0].id,
                qty=10)
    entry = db.session.scalars(select(WorkLog)).one()
    login(client, op)
    resp = client.post(f"/scan/undo/{entry.id}", data=form)
    assert _count(WorkLog) == 2  # the reversal was written
    assert resp.status_code == 200 and "Undone. Nothing was counted." in resp.text and code in resp.text


@pytest.mark.parametrize("qty,operation", [(1.5, None), (True, None), ("１２", None), (None, 1.5), (None, True)])
def test_scan_numbers_are_whole_numbers_not_whatever_python_would_turn_into_one(client, factory, qty, operation):
    line, style, order, op = factory.floor()
    code = db.session.scalars(select(Bundle.code)).first()
    login(client, op)
    body = {"bundle": code, "operation": operation if operation is not None else style.operations[0].id,
            "qty": qty if qty is not None else 1, "client_id": "c-num"}
    resp = client.post("/api/v1/scans", json=body)
    assert resp.status_code == 422 and resp.get_json()["error"]
    assert _count(WorkLog) == 0

