"""Integrations: API tokens for other systems, and webhooks with their delivery log (outbox)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db


class ApiToken(db.Model):
    """A named token an admin made for another system: its scopes (read, scan, plan), only its sha256 stored.
    Revoking keeps the row (the audit trail names it); `last_used_at` is written at most once a minute."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes_csv: Mapped[str] = mapped_column(String(40))  # "read,scan"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    created_by = relationship("User")

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(s for s in self.scopes_csv.split(",") if s)


class Webhook(db.Model):
    """A URL that receives the floor's events as signed JSON (HMAC-SHA256 of the body with `secret`)."""
    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(80))  # needed in clear to sign each body
    events_csv: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(e for e in self.events_csv.split(",") if e)


class WebhookDelivery(db.Model):
    """One event for one webhook: written pending in the event's own transaction (the outbox), posted by the
    delivery worker (shopfloor/webhooks/delivery.py) with retries; its status and attempts are the log."""
    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON posted (and signed)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    webhook = relationship("Webhook")



