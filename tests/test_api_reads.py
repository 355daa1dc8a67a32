"""The JSON API's reads answer what the floor holds, as the OpenAPI description says (each response checked
against its declared schema)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shopfloor.clock import local_today
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.quality import services as quality
from shopfloor.scan import services as scans
from tests.api_helpers import bearer, check_against_spec, make_token


def _get(client, secret, path, spec_path=None, **params):
    resp = client.get(path, headers=bearer(secret), query_string=params)
    check_against_spec(client.application, "GET", spec_path or path, resp)
    return resp


def _floor_with_work(factory):
    line, style, order, op = factory.floor()
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    for i, b in enumerate(bundles[:2]):  # the order is cut into two bundles of 10
        scans.record_scan(operator_id=op.id, bundle_ref=b.code, operation_id=style.operations[0].id, qty=2,
                          client_id=f"read-{i}")
    return line, style, order, op, bundles


def test_styles_with_their_bulletins(client, factory):
    _, style, _, _ = factory.floor()
    _, secret, _ = make_token(factory, "read")
    items = _get(client, secret, "/api/v1/styles").json["items"]
    assert [s["code"] for s in items] == [style.code]
    assert [o["name"] for o in items[0]["operations"]] == [o.name for o in style.operations]
    one = _get(client, secret, f"/api/v1/styles/{style.id}", "/api/v1/styles/{style_id}").json
    assert one["sizes"] == style.sizes and one["operations"][0]["sam"] == str(style.operations[0].sam)
    assert one["currency"] == items[0]["currency"] == "USD"    # the unit of piece_rate and target_cost
    missing = _get(client, secret, "/api/v1/styles/999", "/api/v1/styles/{style_id}")
    assert missing.status_code == 404 and missing.json["error"]


def test_orders_their_progress_and_bundles(client, factory):
    line, style, order, op, bundles = _floor_with_work(factory)
    _, secret, _ = make_token(factory, "read")
    [row] = _get(client, secret, "/api/v1/orders").json["items"]
    assert row["number"] == order.number and row["quantity"] == order.total_quantity
    assert row["cut"] == sum(b.pieces for b in bundles)
    assert _get(client, secret, "/api/v1/orders", status="shipped").json["items"] == []
    assert _get(client, secret, "/api/v1/orders", status="nonsense").status_code == 422
    detail = _get(client, secret, f"/api/v1/orders/{order.id}", "/api/v1/orders/{order_id}").json
    assert detail["operations"][0]["done"] == 4 and detail["operations"][0]["remaining"] == order.total_quantity - 4
    scans.record_scan(operator_id=op.id, bundle_ref=bundles[0].code, operation_id=style.operations[-1].id, qty=2,
                      client_id="out-1", log_anyway=True)  # output: the last operation
    [row] = _get(client, secret, "/api/v1/orders").json["items"]
    detail = _get(client, secret, f"/api/v1/orders/{order.id}", "/api/v1/orders/{order_id}").json
    assert row["output"] == detail["output"] == 2 and row["cut"] == detail["cut"]
    listed = _get(client, secret, f"/api/v1/orders/{order.id}/bundles", "/api/v1/orders/{order_id}/bundles").json
    assert [b["code"] for b in listed["items"]] == [b.code for b in bundles]


def test_the_work_log_is_paged_by_date_range(client, factory):
    line, style, order, op, bundles = _floor_with_work(factory)
    _, secret, _ = make_token(factory, "read")
    first = _get(client, secret, "/api/v1/worklog", limit=1).json
    assert len(first["items"]) == 1 and first["next_after"] == first["items"][-1]["id"]
    rest = _get(client, secret, "/api/v1/worklog", limit=1, after=first["next_after"]).json
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    assert {i["operator_id"] for i in first["items"] + rest["items"]} == {op.id}
    assert {i["currency"] for i in first["items"] + rest["items"]} == {"USD"}   # the unit of piece_rate
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert _get(client, secret, "/api/v1/worklog", start=yesterday, end=yesterday).json["items"] == []
    bad = _get(client, secret, "/api/v1/worklog", start=local_today().isoformat(), end=yesterday)
    assert bad.status_code == 422 and bad.json["code"] == "bad_period"
    assert _get(client, secret, "/api/v1/worklog", limit=0).status_code == 422


def test_inspections_and_figures(client, factory):
    line, style, order, op, bundles = _floor_with_work(factory)
    qc = factory.user("qc", line=line)
    made = quality.record_inspection(inspector_id=qc.id, bundle_ref=bundles[0].code, kind="endline", checked=5,
                                     entries=[])
    _, secret, _ = make_token(factory, "read")
    page = _get(client, secret, "/api/v1/inspections").json
    assert [(i["id"], i["checked"], i["result"], i["inspector_id"]) for i in page["items"]] == \
        [(made.id, 5, "pass", qc.id)] and page["next_after"] is None
    figures = _get(client, secret, "/api/v1/figures").json
    assert figures["start"] == local_today().isoformat()
    assert [d["line_id"] for d in figures["days"]] == [line.id]
    assert figures["days"][0]["figures"]["earned_minutes"] == round(4 * float(style.operations[0].sam), 3)


def test_the_description_and_its_page(client):
    import json
    doc = json.loads(client.get("/api/v1/openapi.json").get_data())  # deeper than the app's own JSON reader allows
    assert doc["openapi"] == "3.1.0" and "/api/v1/scans" in doc["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "GET /api/v1/worklog" in page.text and "<script>" not in page.text and " style=" not in page.text
    # The header to send is shown as text (a translated message is markup to Jinja: "<token>" was an unknown tag)
    assert "Authorization: Bearer &lt;token&gt;" in page.text
