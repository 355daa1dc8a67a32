"""The background worker `make run` starts beside the web server (`flask --app app worker`, supervised by
shopfloor/server.py): it posts due webhook deliveries (webhooks/delivery.py) and keeps closed days' figures
(attendance/keeper.py). A turn that fails (the database away for a moment) is tried again at the next one.
Nothing a page shows waits for it: without it webhooks wait in their outbox and pages work out the days that
are not kept."""
from __future__ import annotations

import time

from shopfloor.attendance import keeper
from shopfloor.extensions import db
from shopfloor.webhooks import delivery

KEEP_EVERY = 60.0   # seconds between looks for closed days to keep, once none is left


def run(interval: float = 2.0, once: bool = False, echo=print) -> None:
    """The loop: deliveries every `interval` seconds, figures every KEEP_EVERY (at once while days are left)."""
    next_keep = 0.0
    while True:
        posted = _turn("webhooks", delivery.deliver_due, echo)
        kept = 0
        if time.monotonic() >= next_keep:
            kept = _turn("figures", keeper.keep_closed_days, echo)
            next_keep = time.monotonic() + (0.0 if kept else KEEP_EVERY)
        if once:
            return
        if not (posted or kept):
            time.sleep(interval)


def _turn(name: str, work, echo) -> int:
    try:
        return work()
    except Exception as e:  # noqa: BLE001 - the worker outlives a failed turn; the next one tries again
        db.session.rollback()
        echo(f"{name}: {e}")
        return 0
