"""Where the floor's reactions are wired: every subscription to a named signal (shopfloor/signals.py)
is made here, in one visible place, when the app is created.

    bundle in rework .... rework_cap ......... quality: later operations get only the good pieces
    first scan of order . sewing_started ..... planning.schedule: order starts sewing, sewing start milestone
    output scan written . output_logged ...... planning.schedule: sewing finish milestone once the order is complete
    order entered ....... order_created ...... planning.schedule: time & action calendar planned back from the due date
    order cut ........... bundles_cut ........ planning.schedule: cutting milestone
    materials in ........ materials_received . planning.schedule: fabric / trims in-house milestones
    final audit passed .. audit_passed ....... planning.schedule: final inspection milestone
    shipment shipped .... shipment_shipped ... planning.schedule: ex-factory milestone
    shipment shipped .... shipment_shipped ... webhooks: "order.shipped" posted for each order (outbox row)
    order status ........ order_status_changed webhooks: "order.packed" when the new status is packed
    final audit recorded  audit_recorded ..... webhooks: "audit.recorded" (pass or fail)
    stop raised ......... stop_raised ........ webhooks: "stop.raised"

Receivers are connected strongly (weak=False: blinker would otherwise drop a receiver nobody else keeps)
and once, however many apps are created (tests create several).
"""
from __future__ import annotations

from shopfloor import signals
from shopfloor.planning import schedule
from shopfloor.quality import services as quality
from shopfloor.webhooks import services as webhooks

# (signal, receiver): every reaction of one area to another's event.
SUBSCRIPTIONS = (
    (signals.rework_cap, quality.rework_limit),
    (signals.sewing_started, schedule.on_sewing_started),
    (signals.output_logged, schedule.on_output_logged),
    (signals.order_created, schedule.on_order_created),
    (signals.bundles_cut, schedule.on_bundles_cut),
    (signals.materials_received, schedule.on_materials_received),
    (signals.audit_passed, schedule.on_audit_passed),
    (signals.shipment_shipped, schedule.on_shipment_shipped),
    (signals.shipment_shipped, webhooks.on_shipment_shipped),
    (signals.order_status_changed, webhooks.on_order_status_changed),
    (signals.audit_recorded, webhooks.on_audit_recorded),
    (signals.stop_raised, webhooks.on_stop_raised),
)


def subscribe() -> None:
    """Connect every receiver above; connecting again is a no-op (blinker keys receivers by identity)."""
    for signal, receiver in SUBSCRIPTIONS:
        signal.connect(receiver, weak=False)
