"""One row per form submission claimed by its one-time id (see shopfloor/once.py)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shopfloor.clock import utcnow
from shopfloor.extensions import db


class SubmissionStatus(str, enum.Enum):
    PENDING = "pending"  # claimed, the view is running
    DONE = "done"        # the view answered; `location` is where the user was sent


class FormSubmission(db.Model):
    __tablename__ = "form_submissions"
    __table_args__ = (CheckConstraint("status IN ('pending', 'done')", name="status_known"),)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=SubmissionStatus.PENDING.value)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
