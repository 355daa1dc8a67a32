"""Stoppages (andon): one operator, one machine or a whole line stopped, for a reason, from a start to an end."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import StopReason, StopScope, StopStatus, column_type

MACHINE_LEN = 20
NOTE_LEN = 200


class Stoppage(db.Model):
    __tablename__ = "stoppages"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[StopScope] = mapped_column(column_type(StopScope, 10))
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # scope operator
    machine: Mapped[str | None] = mapped_column(String(MACHINE_LEN))  # scope machine (an operator's stop may name it)
    reason: Mapped[StopReason] = mapped_column(column_type(StopReason, 20))
    note: Mapped[str] = mapped_column(String(NOTE_LEN), default="")
    status: Mapped[StopStatus] = mapped_column(column_type(StopStatus, 12), default=StopStatus.OPEN, index=True)
    # "operator:12", "machine:3:M-07", "line:3" while the stop is not closed, NULL once closed: the unique
    # constraint keeps one open stop per scope even when two raises race (NULLs never collide).
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column()
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    line = relationship("Line")
    operator = relationship("User", foreign_keys=[operator_id])
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
