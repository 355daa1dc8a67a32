"""The webhook delivery worker: posts pending deliveries (the outbox) with retries and backoff.

Run beside the server by the background worker, `flask --app app worker` (shopfloor/worker.py; `--once` posts what
is due and stops). It is a process of its own rather than a thread of the web server so that a slow receiver never holds a request
worker, and several app servers do not post the same row: each row is claimed by one conditional UPDATE
before it is posted.

Each POST carries the JSON body and `X-Shopfloor-Signature: sha256=<hex HMAC-SHA256 of the body with the
webhook's secret>`, `X-Shopfloor-Event` and `X-Shopfloor-Delivery` (the row id). A 2xx answer delivers it;
anything else (or no answer within TIMEOUT_S) is retried after 30 s, 1, 2, 4 ... minutes (at most an hour),
MAX_ATTEMPTS times in all, then the row is marked failed. Redirects are not followed.
"""
from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import select, update

from shopfloor.clock import utcnow
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Webhook, WebhookDelivery

TIMEOUT_S = 5
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(seconds=60)   # a claimed row is not taken by another worker for this long
BATCH = 20
SIGNATURE_HEADER = "X-Shopfloor-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 60 s, 2 min, ... at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """(HTTP status or None, error text)."""
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(req, timeout=TIMEOUT_S) as resp:
            return resp.status, ""
    except urllib.error.HTTPError as e:
        return e.code, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(getattr(e, "reason", e))[:200]


def _claim(row_id: int, due_before, now) -> bool:
    with write_transaction():
        done = db.session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == row_id, WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= due_before).values(next_attempt_at=now + LEASE))
    return done.rowcount == 1


def deliver_due(now=None, limit: int = BATCH) -> int:
    """Post every pending delivery that is due; returns how many were attempted."""
    now = now or utcnow()
    due = db.session.execute(select(WebhookDelivery.id, Webhook.url, Webhook.secret, WebhookDelivery.event,
                                    WebhookDelivery.body, WebhookDelivery.attempts)
                             .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                             .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                             .order_by(WebhookDelivery.id).limit(limit)).all()
    db.session.rollback()  # no read transaction held open while posting
    tried = 0
    for row_id, url, secret, event, body, attempts in due:
        if not _claim(row_id, now, utcnow()):
            continue
        data = body.encode()
        status, error = post(url, data, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, data),
                                         "X-Shopfloor-Event": event, "X-Shopfloor-Delivery": str(row_id),
                                         "User-Agent": "Shopfloor-Webhooks/1"})
        tried += 1
        n = attempts + 1
        ok = status is not None and 200 <= status < 300
        values = {"attempts": n, "last_status": status, "last_error": "" if ok else (error or "")[:200]}
        if ok:
            values.update(status="delivered", delivered_at=utcnow())
        elif n >= MAX_ATTEMPTS:
            values.update(status="failed")
        else:
            values.update(next_attempt_at=utcnow() + backoff(n))
        with write_transaction():
            db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == row_id).values(**values))
    return tried
