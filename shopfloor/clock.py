"""Server time and the factory's local calendar (day, hour buckets)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def factory_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("FACTORY_TIMEZONE") or "UTC")


def to_local(ts: datetime) -> datetime:
    return ts.replace(tzinfo=timezone.utc).astimezone(factory_tz())


def naive_local():
    """to_local without the zone attached, as a function with the factory's zone looked up once (for the
    thousands of timestamps of a month's figures): identity when the factory keeps UTC."""
    tz = factory_tz()
    if tz.key == "UTC":
        return lambda ts: ts
    return lambda ts: ts.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)


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
    Shift ends fall on whole minutes, so the answer holds for the whole minute of `now` (kept: the scan API
    asks it on every scan)."""
    cfg = current_app.config
    return _last_shift_end(now.replace(second=0, microsecond=0), cfg["SHIFT_START"], int(cfg["SHIFT_MINUTES"]),
                           cfg.get("FACTORY_TIMEZONE") or "UTC")


@lru_cache(maxsize=16)
def _last_shift_end(minute: datetime, start: str, length: int, tz_name: str) -> datetime:
    # A shift may run past midnight, so the two days before today are candidates too.
    tz, start_at = ZoneInfo(tz_name), time.fromisoformat(start)
    today = minute.replace(tzinfo=timezone.utc).astimezone(tz).date()
    ends = ((datetime.combine(today - timedelta(days=back), start_at, tzinfo=tz) + timedelta(minutes=length))
            .astimezone(timezone.utc).replace(tzinfo=None) for back in (0, 1, 2))
    return max(end for end in ends if end <= minute)


def days(start: date, end: date) -> list[date]:
    """Every day from start to end, both included (none when end is before start)."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def as_date(value) -> date | None:
    """A date as the driver returns it (sqlite3 gives the stored text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_datetime(value) -> datetime | None:
    """A timestamp as the driver returns it (sqlite3 gives the stored text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
