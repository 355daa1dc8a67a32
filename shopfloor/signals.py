"""Named floor events (blinker signals). Areas send them; shopfloor/events.py is the one place
that subscribes reactions to them. A module that sends a signal never imports the modules that react.

Every signal is sent inside the transaction that wrote the event, so a reaction commits or rolls
back with it. Receivers take the keyword arguments listed here.
"""
from __future__ import annotations

from blinker import Namespace

_floor = Namespace()

# Asked by the scan rules while a bundle is in rework: how many pieces may be logged at an operation.
#   kwargs: raw (shopfloor.scan.sql.Raw on the scan's connection), bundle_id, operation_id, cap (pieces)
#   receivers return an int; the scan takes the smallest answer, and 0 when nobody answers.
rework_cap = _floor.signal("rework-cap")

# The scan's events (not sent for replays, nor for reversals). A scan none of whose events has a receiver is
# written as one self-committing statement on PostgreSQL (no BEGIN / COMMIT round trips); one that has them
# is written in a transaction the receivers share (scan/services.record_scan).
#
# Any new ledger entry.
#   kwargs: raw, order_id, order_status (before this entry), bundle_id, operation_id, is_output, pieces, at
work_logged = _floor.signal("work-logged")
# The first entry on an order not sewing yet (its status in vocabulary.ORDERS_BEFORE_SEWING).
#   kwargs: raw, order_id, at
sewing_started = _floor.signal("sewing-started")
# An entry at the style's output operation (the last active one).
#   kwargs: raw, order_id, operation_id, pieces, at
output_logged = _floor.signal("output-logged")

# A new order was entered (flushed, same transaction).        kwargs: order
order_created = _floor.signal("order-created")

# An order's size x colour quantities were cut into bundles.   kwargs: order_id, at
bundles_cut = _floor.signal("bundles-cut")

# Materials of an order were received (in part or whole).     kwargs: order_id, kind, at
materials_received = _floor.signal("materials-received")

# A final (AQL) audit of an order passed (quality/audits, packing/audits).  kwargs: order_id, at
audit_passed = _floor.signal("audit-passed")

# A shipment left the factory (packing/shipments.ship).       kwargs: order_ids, at (the ex-factory date)
shipment_shipped = _floor.signal("shipment-shipped")

# A final (AQL) audit of an order was recorded, passed or failed (quality/audits.record, in its transaction).
#   kwargs: audit_id, order_id, result ("pass" / "fail"), at
audit_recorded = _floor.signal("audit-recorded")

# A stop (andon) was raised (stoppages/services.raise_stop, in its transaction).
#   kwargs: stop_id, scope, reason, line_id, operator_id, machine, started_at, at
stop_raised = _floor.signal("stop-raised")

# An order's status changed (orders/services.change_status: every change by a manager or a rule that goes
# through it, packed and shipped included, in its transaction). kwargs: order_id, old, new (status values), at
order_status_changed = _floor.signal("order-status-changed")
