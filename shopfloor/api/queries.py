"""Reads of the JSON API that no area had yet: pages of the work log and inspections, an order's bundles, an
operator named by a token's scan."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, Inspection, User, WorkLog


def page(model, lo: datetime, hi: datetime, after: int, limit: int) -> tuple[list, int | None]:
    """Rows of `model` (WorkLog or Inspection) created in [lo, hi), id after `after`, oldest first: (rows, the
    cursor of the next page or None)."""
    rows = list(db.session.scalars(select(model).where(model.created_at >= lo, model.created_at < hi, model.id > after)
                                   .order_by(model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def worklog_page(lo, hi, after: int, limit: int):
    return page(WorkLog, lo, hi, after, limit)


def inspections_page(lo, hi, after: int, limit: int):
    return page(Inspection, lo, hi, after, limit)


def bundles_of(order_id: int) -> list[Bundle]:
    return list(db.session.scalars(select(Bundle).where(Bundle.order_id == order_id).order_by(Bundle.number)))


def user_id_by(*, user_id: int | None = None, badge: str | None = None) -> int | None:
    """The id of the user with this id or badge code (None when there is none)."""
    where = User.id == user_id if user_id is not None else User.badge_code == badge
    return db.session.scalar(select(User.id).where(where))
