"""Small builders for test data, going through the real services.

Every write runs in `write_transaction()`, as the services' own writes do: on SQLite that is BEGIN IMMEDIATE
in the writers' queue. A plain session commit would upgrade a deferred read transaction to a write, which
SQLite refuses at once with "database is locked" (no busy wait) whenever another connection holds the write
lock, e.g. the WAL checkpointer's restart or a live server thread.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from shopfloor.auth.services import create_user
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import Line, Operation, Style
from shopfloor.orders.services import create_order, cut_order

PASSWORD = "password123"
PIN = "123456"


class Factory:
    def __init__(self):
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def line(self, code: str | None = None, efficiency: str = "0.70") -> Line:
        n = self._next()
        with write_transaction():
            line = Line(code=code or f"L{n}", name=f"Line {n}", target_efficiency=Decimal(efficiency))
            db.session.add(line)
        return line

    def style(self, code: str | None = None, sams=(0.5, 1.0, 0.75), sizes="S,M,L") -> Style:
        n = self._next()
        with write_transaction():
            style = Style(code=code or f"ST{n}", name=f"Style {n}", sizes_csv=sizes)
            style.operations = [Operation(seq=i + 1, name=f"Op {i + 1}", machine="Overlock", sam=Decimal(str(s)),
                                          piece_rate=Decimal(str(s)) * Decimal("0.05"),
                                          qc_point=(i == len(sams) - 1))
                                for i, s in enumerate(sams)]
            db.session.add(style)
        return style

    def user(self, role: str = "operator", line: Line | None = None, name: str | None = None, **kw):
        n = self._next()
        line_id = line.id if line else None
        with write_transaction():
            if role == "operator":
                user = create_user(name or f"Operator {n}", role, pin=kw.pop("pin", PIN), badge_code=f"B{n:04d}",
                                   line_id=line_id, **kw)
            else:
                user = create_user(name or f"{role.title()} {n}", role, username=f"{role}{n}", password=PASSWORD,
                                   line_id=line_id, **kw)
        return user

    def order(self, style: Style | None = None, line: Line | None = None, qty: dict | None = None,
              due_in_days: int = 10, cut: bool = True, bundle_size: int = 10):
        style = style or self.style()
        line = line or self.line()
        n = self._next()
        quantities = qty or {(style.sizes[0], "Blue"): 20}
        line_id = line.id
        with write_transaction():
            order = create_order(number=f"ORD-{n}", customer="Test Customer", style=style,
                                 due_date=date.today() + timedelta(days=due_in_days),
                                 quantities=quantities, line_id=line_id)
            if cut:
                cut_order(order, bundle_size)
        return order

    def update(self, obj, **values):
        """Change columns of a stored row (a test's set-up), as one write."""
        with write_transaction():
            for name, value in values.items():
                setattr(obj, name, value)
        return obj

    def floor(self, sams=None, sequence_check=None, assign: bool = True):
        """A line with a style (`sams`: one operation each; its sequence check), an order cut into bundles of
        10, one operator on the line (assigned to the first operation unless assign is False)."""
        line = self.line()
        style = self.style() if sams is None else self.style(sams=sams)
        if sequence_check is not None:
            self.update(style, sequence_check=sequence_check)
        order = self.order(style=style, line=line)
        op = self.user("operator", line=line)
        if assign:
            self.update(op, assigned_operation_id=style.operations[0].id)
        return line, style, order, op
