from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import Disposition, InspectionKind, InspectionResult, Light, ReworkStatus, Severity, column_type

SEVERITIES = tuple(Severity)


class DefectType(db.Model):
    __tablename__ = "defect_types"
    __table_args__ = (CheckConstraint("severity IN " + Severity.sql(tuple(Severity)), name="severity_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict | None] = mapped_column(JSON, default=None)  # in other languages (shopfloor/names)
    severity: Mapped[Severity] = mapped_column(column_type(Severity, 10), default=Severity.MAJOR)
    sort: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)


class Inspection(db.Model):
    """One check of a bundle: inline traffic-light audit of an operator, end-line inspection, or re-check."""
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("checked > 0", name="checked_positive"),
        CheckConstraint("defective >= 0 AND defective <= checked", name="defective_within_checked"),
        Index("ix_inspections_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InspectionKind] = mapped_column(column_type(InspectionKind, 10))
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Inline audits look at one operator's work at one operation.
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    checked: Mapped[int] = mapped_column()
    defective: Mapped[int] = mapped_column(default=0)
    defects: Mapped[int] = mapped_column(default=0)
    result: Mapped[InspectionResult] = mapped_column(column_type(InspectionResult, 6))
    light: Mapped[Light | None] = mapped_column(column_type(Light, 6))  # inline audits only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bundle = relationship("Bundle")
    inspector = relationship("User", foreign_keys=[inspector_id])
    operator = relationship("User", foreign_keys=[operator_id])
    operation = relationship("Operation")
    items: Mapped[list["InspectionDefect"]] = relationship(back_populates="inspection",
                                                           cascade="all, delete-orphan")


class InspectionDefect(db.Model):
    """Defects of one type found in an inspection, traced to the operation and operator responsible."""
    __tablename__ = "inspection_defects"
    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    defect_type_id: Mapped[int] = mapped_column(ForeignKey("defect_types.id"))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    count: Mapped[int] = mapped_column()

    inspection: Mapped[Inspection] = relationship(back_populates="items")
    defect_type = relationship("DefectType")
    operation = relationship("Operation")
    operator = relationship("User")


class Rework(db.Model):
    """Pieces sent back for repair: open -> repaired (by the operator) -> closed (re-checked good)."""
    __tablename__ = "rework"
    __table_args__ = (
        CheckConstraint("pieces > 0", name="pieces_positive"),
        CheckConstraint("status IN " + ReworkStatus.sql(tuple(ReworkStatus)), name="status_known"),
        Index("ix_rework_status", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("customer_returns.id"))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    defect_type_id: Mapped[int | None] = mapped_column(ForeignKey("defect_types.id"))
    pieces: Mapped[int] = mapped_column()
    status: Mapped[ReworkStatus] = mapped_column(column_type(ReworkStatus, 10), default=ReworkStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    repaired_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    bundle = relationship("Bundle")
    order = relationship("Order")
    operation = relationship("Operation")
    operator = relationship("User", foreign_keys=[operator_id])
    defect_type = relationship("DefectType")


class AqlAudit(db.Model):
    """A final audit of an order lot by ISO 2859-1 single sampling, normal inspection."""
    __tablename__ = "aql_audits"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lot_size: Mapped[int] = mapped_column()
    level: Mapped[str] = mapped_column(String(3))
    code_letter: Mapped[str] = mapped_column(String(1))
    sample_size: Mapped[int] = mapped_column()
    cartons_total: Mapped[int] = mapped_column(default=0)
    cartons_opened: Mapped[int] = mapped_column(default=0)
    critical_found: Mapped[int] = mapped_column(default=0)
    major_found: Mapped[int] = mapped_column(default=0)
    minor_found: Mapped[int] = mapped_column(default=0)
    # Accept numbers used for each class (reject = accept + 1).
    critical_ac: Mapped[int] = mapped_column(default=0)
    major_ac: Mapped[int] = mapped_column()
    minor_ac: Mapped[int] = mapped_column()
    major_sample: Mapped[int] = mapped_column()
    minor_sample: Mapped[int] = mapped_column()
    result: Mapped[InspectionResult] = mapped_column(column_type(InspectionResult, 6))
    notes: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order")
    inspector = relationship("User")


class CustomerReturn(db.Model):
    __tablename__ = "customer_returns"
    __table_args__ = (
        CheckConstraint("pieces > 0", name="pieces_positive"),
        CheckConstraint("disposition IN " + Disposition.sql(tuple(Disposition)), name="disposition_known"),
        UniqueConstraint("order_id", "reference"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    pieces: Mapped[int] = mapped_column()
    defect_type_id: Mapped[int | None] = mapped_column(ForeignKey("defect_types.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    disposition: Mapped[Disposition] = mapped_column(column_type(Disposition, 10))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order")
    defect_type = relationship("DefectType")
