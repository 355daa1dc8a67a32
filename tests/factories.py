"""Small builders for test data, going through the real services."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from shopfloor.auth.services import create_user
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
        line = Line(code=code or f"L{n}", name=f"Line {n}", target_efficiency=Decimal(efficiency))
        db.session.add(line)
        db.session.commit()
        return line

    def style(self, code: str | None = None, sams=(0.5, 1.0, 0.75), sizes="S,M,L") -> Style:
        n = self._next()
        style = Style(code=code or f"ST{n}", name=f"Style {n}", sizes_csv=sizes)
        style.operations = [Operation(seq=i + 1, name=f"Op {i + 1}", machine="Overlock", sam=Decimal(str(s)),
                                      piece_rate=Decimal(str(s)) * Decimal("0.05"), qc_point=(i == len(sams) - 1))
                            for i, s in enumerate(sams)]
        db.session.add(style)
        db.session.commit()
        return style

    def user(self, role: str = "operator", line: Line | None = None, name: str | None = None, **kw):
        n = self._next()
        if role == "operator":
            user = create_user(name or f"Operator {n}", role, pin=kw.pop("pin", PIN), badge_code=f"B{n:04d}",
                               line_id=line.id if line else None, **kw)
        else:
            user = create_user(name or f"{role.title()} {n}", role, username=f"{role}{n}", password=PASSWORD,
                               line_id=line.id if line else None, **kw)
        db.session.commit()
        return user

    def order(self, style: Style | None = None, line: Line | None = None, qty: dict | None = None,
              due_in_days: int = 10, cut: bool = True, bundle_size: int = 10):
        style = style or self.style()
        line = line or self.line()
        n = self._next()
        order = create_order(number=f"ORD-{n}", customer="Test Customer", style=style,
                             due_date=date.today() + timedelta(days=due_in_days),
                             quantities=qty or {(style.sizes[0], "Blue"): 20}, line_id=line.id)
        if cut:
            cut_order(order, bundle_size)
        db.session.commit()
        return order

    def floor(self):
        """A line with a style, an order cut into 2 bundles of 10, one operator on the line."""
        line = self.line()
        style = self.style()
        order = self.order(style=style, line=line)
        op = self.user("operator", line=line)
        op.assigned_operation_id = style.operations[0].id
        db.session.commit()
        return line, style, order, op
