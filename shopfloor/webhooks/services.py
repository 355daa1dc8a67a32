"""Webhooks: which URLs receive which events, and the outbox the event handlers write to.

The handlers below are subscribed to named signals in shopfloor/events.py. Each only adds a pending delivery row
per webhook that wants the event, in the transaction that wrote the event (so an event that rolls back is never
posted, and one that commits is posted even if the server stops right after). The delivery worker
(webhooks/delivery.py) posts them; no request waits for a receiver.

Events and their `data`:
    order.packed    {order_id, number, status}            signals.order_status_changed (new status packed)
    order.shipped   {order_id, number, status}            signals.shipment_shipped (one per order)
    audit.recorded  {audit_id, order_id, number, result}  signals.audit_recorded
    stop.raised     {stop_id, scope, reason, line_id, operator_id, machine, started_at}  signals.stop_raised
"""
from __future__ import annotations

import json
import secrets
import uuid
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor.auth import audit
from shopfloor.clock import utcnow
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Order, Webhook, WebhookDelivery
from shopfloor.vocabulary import OrderStatus

ORDER_PACKED, ORDER_SHIPPED, AUDIT_RECORDED, STOP_RAISED = "order.packed", "order.shipped", "audit.recorded", \
    "stop.raised"
EVENTS = {ORDER_PACKED: _l("Order packed"), ORDER_SHIPPED: _l("Order shipped"),
          AUDIT_RECORDED: _l("Final audit recorded"), STOP_RAISED: _l("Stop raised")}
URL_LEN = Webhook.url.type.length

WEBHOOK_ADD = "webhook_add"
WEBHOOK_DELETE = "webhook_delete"
audit.LABELS.update({WEBHOOK_ADD: _l("Webhook added"), WEBHOOK_DELETE: _l("Webhook removed")})


def create(url: str, events, *, by_user_id: int) -> Webhook:
    """A new webhook with a fresh signing secret (shown on the integrations page)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_LEN or any(c.isspace() for c in url):
        raise DomainError(_("Enter the full address that receives the events (http:// or https://)."))
    chosen = [e for e in EVENTS if e in set(events or ())]
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError(_("Choose at least one event to send."))
    with write_transaction():
        hook = Webhook(url=url, secret=secrets.token_hex(32), events_csv=",".join(chosen), active=True,
                       created_by_id=by_user_id, created_at=utcnow())
        db.session.add(hook)
        db.session.flush()
        audit.record(by_user_id, WEBHOOK_ADD, target=f"webhook:{hook.id}", details=f"{url} ({', '.join(chosen)})")
    return hook


def delete(webhook_id: int, *, by_user_id: int) -> Webhook:
    """Stop sending to a webhook (kept with its delivery log; pending deliveries are dropped)."""
    hook = db.session.get(Webhook, webhook_id)
    if hook is None or not hook.active:
        raise DomainError(_("That webhook does not exist."), status=404)
    with write_transaction():
        hook.active = False
        db.session.execute(WebhookDelivery.__table__.update()
                           .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "pending")
                           .values(status="dropped"))
        audit.record(by_user_id, WEBHOOK_DELETE, target=f"webhook:{hook.id}", details=hook.url)
    return hook


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)))


def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))


def enqueue(event: str, data: dict, at=None) -> int:
    """A pending delivery for each active webhook that wants `event`, in the caller's transaction."""
    hooks = [h for h in db.session.scalars(select(Webhook).where(Webhook.active.is_(True))) if event in h.events]
    if not hooks:
        return 0
    now = utcnow()
    body = json.dumps({"id": uuid.uuid4().hex, "event": event, "at": (at or now).isoformat() + "Z", "data": data},
                      separators=(",", ":"), sort_keys=True, default=str)
    for h in hooks:
        db.session.add(WebhookDelivery(webhook_id=h.id, event=event, body=body, status="pending", attempts=0,
                                       next_attempt_at=now, created_at=now, last_error=""))
    return len(hooks)


# --- signal handlers (subscribed in shopfloor/events.py) ---------------------------------------------------

def _order(order_id: int, status: str) -> dict:
    number = db.session.scalar(select(Order.number).where(Order.id == order_id))
    return {"order_id": order_id, "number": number, "status": status}


def on_order_status_changed(_sender=None, *, order_id: int, new, at=None, **_kw) -> None:
    if str(getattr(new, "value", new)) == OrderStatus.PACKED.value:
        enqueue(ORDER_PACKED, _order(order_id, OrderStatus.PACKED.value), at)


def on_shipment_shipped(_sender=None, *, order_ids, at=None, **_kw) -> None:
    for order_id in order_ids:
        enqueue(ORDER_SHIPPED, _order(order_id, OrderStatus.SHIPPED.value), at)


def on_audit_recorded(_sender=None, *, audit_id: int, order_id: int, result, at=None, **_kw) -> None:
    data = _order(order_id, "")
    data.pop("status")
    enqueue(AUDIT_RECORDED, {**data, "audit_id": audit_id, "result": str(getattr(result, "value", result))}, at)


def on_stop_raised(_sender=None, *, stop_id: int, scope, reason, line_id, operator_id=None, machine=None,
                   started_at=None, at=None, **_kw) -> None:
    enqueue(STOP_RAISED, {"stop_id": stop_id, "scope": str(getattr(scope, "value", scope)),
                          "reason": str(getattr(reason, "value", reason)), "line_id": line_id,
                          "operator_id": operator_id, "machine": machine,
                          "started_at": started_at.isoformat() + "Z" if started_at else None}, at)
