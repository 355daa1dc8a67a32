"""The ledger's write: one work_log row and every counter kept in step, in one short transaction.

Rows read on the hot path become these small dataclasses by column name (see statements.py for the
SQL and its aliases). `write` is the only way a ledger row is written: a scan and a reversal alike, on
PostgreSQL in one statement (PG_WRITE, the counter first), on SQLite as the same statements in sequence
(SQLITE_WRITE, the row first).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shopfloor import clock
from shopfloor.scan.sql import Raw
from shopfloor.scan.statements import PG_WRITE, PG_WRITE_EXISTING, SQLITE_WRITE


@dataclass(slots=True)
class ScanTarget:
    """What one scan reads (statements.FIND): the bundle, the operation, an earlier entry, the operator."""
    bundle_id: int
    bundle_status: str
    bundle_pieces: int
    order_id: int
    order_line_id: int | None
    order_status: str
    operation_id: int | None
    sam: Decimal | float | None
    rate_e4: int | None
    on_style: int
    is_output: int
    done: int | None        # pieces already logged at this operation (None: none yet)
    cap: int | None         # pieces the counter allows (None: the bundle's pieces)
    replay_id: int | None   # an entry already written with this client id
    replay_operator_id: int | None  # ... and whose it is
    user_role: str | None
    user_active: bool | None
    user_line_id: int | None
    user_operation_id: int | None  # the operation the operator is assigned to
    session_id: int | None         # the open session row named by the request (None: closed or not asked)
    session_created_at: datetime | str | None   # ... when it was opened
    session_used_at: datetime | str | None      # ... and last used (auth/expiry.py)
    sequence_check: str            # the style's SequenceCheck (warn / block / off)
    earlier_missing: int           # 1 when earlier operations have no pieces on the bundle (0 when the check is off)


@dataclass(slots=True)
class SessionRow:
    """The sending session, asked apart when a scan names no bundle (statements.SESSION_OPEN)."""
    session_id: int
    user_role: str | None
    user_line_id: int | None
    session_created_at: datetime | str
    session_used_at: datetime | str


@dataclass(slots=True)
class LoggedEntry:
    """A ledger row about to be reversed (statements.FIND_LOG)."""
    log_id: int
    bundle_id: int
    operation_id: int
    operator_id: int
    line_id: int | None
    pieces: int
    sam: Decimal | float
    rate_e4: int
    is_output: bool
    created_at: datetime | str
    reverses_id: int | None
    order_id: int
    reversed_by: int | None


@dataclass(slots=True)
class Entry:
    """One ledger row to write and what it adds to the counters (negative pieces for a reversal)."""
    bundle_id: int
    order_id: int
    operation_id: int
    operator_id: int
    line_id: int | None
    pieces: int
    sam: Decimal | float
    rate_e4: int            # piece rate in ten-thousandths (shopfloor.money)
    is_output: bool         # the style's output operation when first written (a reversal copies it)
    at: datetime            # the ledger row's time
    bucket_at: datetime     # the hour the summaries count it in (a reversal: its entry's hour)
    created_by: int
    cap: int = 0            # the bundle's pieces, if the counter row is new
    counter_exists: bool = True  # the bundle x operation counter was read as made (always, for a reversal)
    client_id: str | None = None
    reverses_id: int | None = None
    reason: str | None = None

    def params(self) -> dict:
        day, hour = clock.local_bucket(self.bucket_at)
        q = self.pieces
        return {"b": self.bundle_id, "op": self.operation_id, "u": self.operator_id, "line": self.line_id, "q": q,
                "sam": self.sam, "rate": self.rate_e4, "is_output": self.is_output, "cid": self.client_id,
                "rev": self.reverses_id, "reason": self.reason, "by": self.created_by, "ts": self.at,
                "cap": self.cap, "start": max(q, 0), "o": self.order_id, "day": day, "hour": hour,
                "out": q if self.is_output else 0, "earned": q * self.sam, "pay": q * self.rate_e4}


class Replay(Exception):
    """The same client id was committed meanwhile: answer with the original entry."""


class Raced(Exception):
    """Another write took the pieces (or gave them back) between our read and our write."""


@dataclass(slots=True)
class _PgWritten:
    log_id: int | None
    done: int | None


def write(s: Raw, entry: Entry) -> int:
    """Write the entry and its counters in the caller's write transaction; returns the ledger id.

    Raises Raced when the counter refused the pieces (on SQLite the caller's transaction then rolls back;
    PostgreSQL's one statement wrote nothing). A client id already used raises Replay on SQLite and the
    driver's unique violation on PostgreSQL (its statement then wrote nothing either).
    """
    p = entry.params()
    if s.pg:
        out = s.one(PG_WRITE_EXISTING if entry.counter_exists else PG_WRITE, p, into=_PgWritten)
        if out.done is None:
            raise Raced()
        return out.log_id
    p = s.bind(p)
    log_id = s.scalar(SQLITE_WRITE.log, p, bound=True)
    if log_id is None:
        raise Replay()
    progress = SQLITE_WRITE.progress_existing if entry.counter_exists else SQLITE_WRITE.progress
    if s.scalar(progress, p, bound=True) is None:
        raise Raced()
    for stmt, required in SQLITE_WRITE.summaries:
        if required is None or p[required] is not None:
            s.run(stmt, p, bound=True)
    return log_id
