from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import HeldScanStatus, column_type


class HeldScan(db.Model):
    """A queued scan whose maker could not be verified: held for a supervisor, never credited to whoever sent it."""
    __tablename__ = "held_scans"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    bundle_ref: Mapped[str] = mapped_column(String(200))
    operation_id: Mapped[int | None] = mapped_column()
    qty: Mapped[int | None] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the session that sent it, if any
    status: Mapped[HeldScanStatus] = mapped_column(column_type(HeldScanStatus, 10), default=HeldScanStatus.PENDING)
    credited_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sent_by = relationship("User", foreign_keys=[sent_by_id])
    credited_to = relationship("User", foreign_keys=[credited_to_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
