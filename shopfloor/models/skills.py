"""The skill matrix: which operations and machine types an operator is qualified for, at which level.

A level on an operation is the supervisor's word for that operation; a level on a machine type qualifies
the operator for every operation sewn on that machine (balance/queries.qualifications reads both, the
operation's own level first)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import SkillLevel, column_type

MACHINE_LEN = 60  # as operations.machine


class OperationSkill(db.Model):
    __tablename__ = "operation_skills"
    __table_args__ = (UniqueConstraint("operator_id", "operation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    level: Mapped[SkillLevel] = mapped_column(column_type(SkillLevel, 10))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    operation = relationship("Operation")


class MachineSkill(db.Model):
    __tablename__ = "machine_skills"
    __table_args__ = (UniqueConstraint("operator_id", "machine"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    machine: Mapped[str] = mapped_column(String(MACHINE_LEN))
    level: Mapped[SkillLevel] = mapped_column(column_type(SkillLevel, 10))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
