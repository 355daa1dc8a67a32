"""Who may get in: open sign-in sessions (with their remember-me token), the kiosk token, the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shopfloor.clock import utcnow
from shopfloor.extensions import db


class AuthSession(db.Model):
    """One sign-in on one device. The session cookie carries the random session id, the remember-me cookie
    a random token; only their sha256 is stored. Signing out deletes the row: a copy of either cookie is
    refused afterwards."""
    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    remember_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class InstanceSecret(db.Model):
    """A secret every app server shares (shopfloor/instance_secrets.py): written once, by the first to start."""
    __tablename__ = "instance_secrets"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KioskToken(db.Model):
    """The wall board's read-only token (sha256), held in the database so a rotation reaches every process."""
    __tablename__ = "kiosk_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEntry(db.Model):
    """Who changed what, when: unlocks, badge reissues, kiosk rotations, sign-outs everywhere, and people and
    lines added or changed (`changes`: field -> [old, new], shown on the person's page)."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120), default="", index=True)
    details: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict | None] = mapped_column(JSON)
