"""Server time and the factory's local calendar (day, hour buckets)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def factory_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("FACTORY_TIMEZONE") or "UTC")


def to_local(ts: datetime) -> datetime:
    return ts.replace(tzinfo=timezone.utc).astimezone(factory_tz())


def local_bucket(ts: datetime) -> tuple[date, int]:
    """(factory-local day, hour) of a naive-UTC timestamp."""
    loc = to_local(ts)
    return loc.date(), loc.hour


def local_today() -> date:
    return to_local(utcnow()).date()


def local_day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """UTC (naive) start and end of a factory-local day."""
    tz = factory_tz()
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
    return start, end


def shift_start_local(day: date) -> datetime:
    """The shift's start on a factory-local day (naive local time): config SHIFT_START."""
    return datetime.combine(day, time.fromisoformat(current_app.config["SHIFT_START"]))


def last_shift_end(now: datetime) -> datetime:
    """The latest end of a shift (SHIFT_START + SHIFT_MINUTES, factory time) at or before `now`, naive UTC.
    A shift may run past midnight, so the two days before today are candidates too."""
    tz, length = factory_tz(), timedelta(minutes=int(current_app.config["SHIFT_MINUTES"]))
    today = to_local(now).date()
    ends = ((shift_start_local(today - timedelta(days=back)).replace(tzinfo=tz) + length)
            .astimezone(timezone.utc).replace(tzinfo=None) for back in (0, 1, 2))
    return max(end for end in ends if end <= now)
