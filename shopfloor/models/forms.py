"""One row per form submission, claimed before its view runs (see shopfloor/once.py)."""
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
    # sha256 of the form's one-time id, the address and the fields sent: the same form sent again
    # has the same digest; a stale page sent with other input (another button) does not.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=SubmissionStatus.PENDING.value)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
