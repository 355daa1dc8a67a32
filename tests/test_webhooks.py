"""Webhooks: the floor's events written to the outbox in their own transaction, posted signed (HMAC-SHA256) to a
receiver on 127.0.0.1 by the delivery worker, retried after a failure, logged."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select

from shopfloor import signals
from shopfloor.clock import utcnow
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import WebhookDelivery, Webhook
from shopfloor.quality import audits
from shopfloor.stoppages import services as stops
from shopfloor.vocabulary import StopReason, StopScope
from shopfloor.webhooks import delivery, services as webhooks
from tests.conftest import login


class Receiver:
    """An HTTP server in a thread that records each POST and answers with the next planned status."""

    def __init__(self, statuses=()):
        self.posts: list[tuple[dict, bytes]] = []
        self.statuses = list(statuses)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.posts.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.close()


def _rows(event=None):
    db.session.rollback()
    q = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        q = q.where(WebhookDelivery.event == event)
    return list(db.session.scalars(q))


def _verify(secret: str, headers: dict, body: bytes) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Shopfloor-Signature"], expected)


def _hook(factory, url, events=tuple(webhooks.EVENTS)):
    admin = factory.user("admin")
    return webhooks.create(url, list(events), by_user_id=admin.id)


def test_a_stop_raised_is_posted_signed_after_its_transaction(factory, receiver):
    line = factory.line()
    supervisor = factory.user("supervisor", line=line)
    hook = _hook(factory, receiver.url)
    stop = stops.raise_stop(supervisor, scope=StopScope.LINE, reason=StopReason.POWER, line_id=line.id)
    [row] = _rows()
    assert (row.event, row.status, row.attempts) == ("stop.raised", "pending", 0)
    assert receiver.posts == []  # the request that raised it posted nothing
    assert delivery.deliver_due() == 1
    [(headers, body)] = receiver.posts
    assert _verify(hook.secret, headers, body) and headers["X-Shopfloor-Event"] == "stop.raised"
    sent = json.loads(body)
    assert sent["event"] == "stop.raised" and sent["data"]["stop_id"] == stop.id
    assert sent["data"]["line_id"] == line.id and sent["data"]["reason"] == "power"
    [row] = _rows()
    assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 200)
    assert delivery.deliver_due() == 0  # delivered once


def test_a_failed_post_is_retried_with_backoff(factory):
    r = Receiver(statuses=[500, 200])
    try:
        line = factory.line()
        supervisor = factory.user("supervisor", line=line)
        hook = _hook(factory, r.url, ["stop.raised"])
        stops.raise_stop(supervisor, scope=StopScope.LINE, reason=StopReason.POWER, line_id=line.id)
        delivery.deliver_due()
        [row] = _rows()
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, 500)
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)  # waits before the next try
        assert delivery.deliver_due() == 0  # not due yet
        delivery.deliver_due(now=utcnow() + timedelta(minutes=2))
        [row] = _rows()
        assert (row.status, row.attempts, row.last_status) == ("delivered", 2, 200)
        assert len(r.posts) == 2 and r.posts[0][1] == r.posts[1][1]  # the same signed body again
        assert all(_verify(hook.secret, h, b) for h, b in r.posts)
    finally:
        r.close()


def test_a_receiver_that_never_answers_well_ends_failed(factory):
    r = Receiver(statuses=[503] * delivery.MAX_ATTEMPTS)
    try:
        line = factory.line()
        _hook(factory, r.url, ["stop.raised"])
        stops.raise_stop(factory.user("supervisor", line=line), scope=StopScope.LINE, reason=StopReason.POWER,
                         line_id=line.id)
        later = utcnow()
        for _ in range(delivery.MAX_ATTEMPTS):
            later += timedelta(hours=2)
            delivery.deliver_due(now=later)
        [row] = _rows()
        assert (row.status, row.attempts, row.last_status) == ("failed", delivery.MAX_ATTEMPTS, 503)
    finally:
        r.close()


def test_an_unreachable_url_is_logged_and_retried(factory):
    line = factory.line()
    _hook(factory, "http://127.0.0.1:9/nothing-listens", ["stop.raised"])
    stops.raise_stop(factory.user("supervisor", line=line), scope=StopScope.LINE, reason=StopReason.POWER,
                     line_id=line.id)
    delivery.deliver_due()
    [row] = _rows()
    assert row.status == "pending" and row.attempts == 1 and row.last_status is None and row.last_error


def test_audits_shipments_and_packed_orders_are_queued(factory, receiver):
    _, _, order, _ = factory.floor()
    qc = factory.user("qc")
    _hook(factory, receiver.url)
    audits.record(order_id=order.id, lot=order.total_quantity, level="II", cartons=0, cartons_opened=0, critical=1,
                  major=0, minor=0, notes="", inspector_id=qc.id)
    [row] = _rows("audit.recorded")
    data = json.loads(row.body)["data"]
    assert data["order_id"] == order.id and data["result"] == "fail" and data["number"] == order.number
    with write_transaction():
        signals.order_status_changed.send(None, order_id=order.id, old="finishing", new="packed", at=utcnow())
        signals.order_status_changed.send(None, order_id=order.id, old="sewing", new="finishing", at=utcnow())
        signals.shipment_shipped.send(None, order_ids=[order.id], at=utcnow())
    assert [json.loads(r.body)["data"]["status"] for r in _rows("order.packed")] == ["packed"]
    assert [json.loads(r.body)["data"]["order_id"] for r in _rows("order.shipped")] == [order.id]
    assert delivery.deliver_due() == 3
    assert sorted(json.loads(b)["event"] for _, b in receiver.posts) == ["audit.recorded", "order.packed",
                                                                        "order.shipped"]


def test_an_event_that_rolls_back_is_never_posted(factory, receiver):
    _, _, order, _ = factory.floor()
    _hook(factory, receiver.url)
    with pytest.raises(RuntimeError):
        with write_transaction():
            signals.shipment_shipped.send(None, order_ids=[order.id], at=utcnow())
            raise RuntimeError("the shipment failed")
    assert _rows() == []


def test_only_the_events_chosen_are_queued_and_a_removed_webhook_gets_nothing(factory, receiver):
    line = factory.line()
    hook = _hook(factory, receiver.url, ["order.shipped"])
    stops.raise_stop(factory.user("supervisor", line=line), scope=StopScope.LINE, reason=StopReason.POWER,
                     line_id=line.id)
    assert _rows() == []
    _, _, order, _ = factory.floor()
    with write_transaction():
        signals.shipment_shipped.send(None, order_ids=[order.id], at=utcnow())
    webhooks.delete(hook.id, by_user_id=factory.user("admin").id)
    assert [r.status for r in _rows()] == ["dropped"]
    assert delivery.deliver_due() == 0 and receiver.posts == []


def test_admin_adds_a_webhook_once_and_sees_the_delivery_log(client, factory, receiver):
    login(client, factory.user("admin"))
    form = {"url": receiver.url, "event": ["stop.raised", "order.shipped"], "_once": "hook-create-once-0001"}
    first = client.post("/admin/integrations/webhooks", data=form)
    assert first.status_code == 200 and "signing secret is shown once" in first.text
    secret = re.search(r"data-new-secret>([^<]+)<", first.text).group(1)
    client.post("/admin/integrations/webhooks", data=form)  # sent twice
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 1
    hook = db.session.scalars(select(Webhook)).one()
    assert hook.secret == secret and hook.events == ("order.shipped", "stop.raised")
    page = client.get("/admin/integrations")
    assert receiver.url in page.text and secret not in page.text
    bad = client.post("/admin/integrations/webhooks", data={"url": "ftp://x", "event": "stop.raised"})
    assert bad.status_code == 422 and "http://" in bad.text
    line = factory.line()
    stops.raise_stop(factory.user("supervisor", line=line), scope=StopScope.LINE, reason=StopReason.POWER,
                     line_id=line.id)
    result = client.application.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(receiver.posts) == 1
    page = client.get("/admin/integrations")
    assert "stop.raised" in page.text and "delivered" in page.text


def test_a_manager_moving_an_order_on_to_packed_queues_order_packed(factory, receiver):
    """The real sender: every status change goes through orders/services.change_status, which sends
    order_status_changed in its transaction; packed is posted, the other steps are not."""
    from shopfloor.orders import services as order_services
    from shopfloor.vocabulary import OrderStatus, StatusRule
    _, _, order, _ = factory.floor()
    _hook(factory, receiver.url)
    with write_transaction():
        order_services.advance_by_rule(order.id, OrderStatus.PACKED, StatusRule.PACKING)
    assert [json.loads(r.body)["data"]["order_id"] for r in _rows("order.packed")] == [order.id]
    assert _rows("order.shipped") == []
