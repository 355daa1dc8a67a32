from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db


class Role(str, enum.Enum):
    OPERATOR = "operator"
    QC = "qc"
    PACKER = "packer"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


class Line(db.Model):
    __tablename__ = "lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # Planned efficiency used for targets (0.70 = 70 %).
    target_efficiency: Mapped[float] = mapped_column(Numeric(4, 2), default=0.70)
    active: Mapped[bool] = mapped_column(default=True)

    operators: Mapped[list["User"]] = relationship(back_populates="line")

    def __repr__(self) -> str:
        return f"<Line {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"), UniqueConstraint("badge_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    username: Mapped[str | None] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20), default=Role.OPERATOR.value, index=True)
    badge_code: Mapped[str | None] = mapped_column(String(40))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(10), default="en")
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), index=True)
    # The operation this operator is assigned to (pre-selected after a scan).
    assigned_operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_pin_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    # Printed into the signed badge payload: reissuing bumps it, so the old printed badge stops working.
    badge_serial: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    badge_revoked: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[Line | None] = relationship(back_populates="operators")
    assigned_operation = relationship("Operation", foreign_keys=[assigned_operation_id])

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: str | Role) -> bool:
        wanted = {r.value if isinstance(r, Role) else r for r in roles}
        return self.role == Role.ADMIN.value or self.role in wanted

    def is_locked(self, now: datetime | None = None) -> bool:
        """Locked out by wrong PINs (until a supervisor unlocks or the lock runs out)."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.name}>"
