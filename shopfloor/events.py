"""Where the floor's reactions are subscribed to its named signals (shopfloor/signals.py): one visible place.

Receivers are connected strongly (weak=False: blinker would otherwise drop a receiver nobody else keeps)
and once, however many apps are created (tests create several).
"""
from __future__ import annotations

from shopfloor import signals
from shopfloor.quality import services as quality

# (signal, receiver): every reaction of one area to another's event.
SUBSCRIPTIONS = (
    (signals.rework_cap, quality.rework_limit),   # open rework caps the good pieces a scan may log
)


def subscribe() -> None:
    """Connect every receiver above; connecting again is a no-op (blinker keys receivers by identity)."""
    for signal, receiver in SUBSCRIPTIONS:
        signal.connect(receiver, weak=False)
