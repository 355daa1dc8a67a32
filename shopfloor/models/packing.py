"""Packing and shipping: an order's packing plan, its cartons (SSCC-labelled, filled by scanning bundles),
shipments of closed cartons, and final audits that open cartons chosen at random."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db
from shopfloor.vocabulary import CartonStatus, InspectionResult, PackMode, ShipmentStatus, column_type

RATIO_LEN = 200
CARRIER_LEN = 80
CONTAINER_LEN = 40
SHIPMENT_NUMBER_LEN = 30
CLIENT_ID_LEN = 64


class PackingPlan(db.Model):
    """How one order is packed: solid or ratio, pieces per carton, one carton's size and weights."""
    __tablename__ = "packing_plans"
    __table_args__ = (CheckConstraint("pieces_per_carton > 0", name="pieces_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    mode: Mapped[PackMode] = mapped_column(column_type(PackMode, 8))
    pieces_per_carton: Mapped[int] = mapped_column()
    # Ratio packs: "S:1,M:2,L:2,XL:1" (sizes of one colour per carton, in this ratio); "" for solid.
    ratio: Mapped[str] = mapped_column(String(RATIO_LEN), default="")
    length_cm: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    width_cm: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    height_cm: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    net_kg: Mapped[Decimal] = mapped_column(Numeric(7, 3))     # a full carton's garments
    gross_kg: Mapped[Decimal] = mapped_column(Numeric(7, 3))   # a full carton with its packaging
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order")


class Shipment(db.Model):
    """Closed cartons of one or more orders leaving the factory together."""
    __tablename__ = "shipments"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(SHIPMENT_NUMBER_LEN), unique=True)
    ex_factory: Mapped[date] = mapped_column()
    carrier: Mapped[str] = mapped_column(String(CARRIER_LEN), default="")
    container: Mapped[str] = mapped_column(String(CONTAINER_LEN), default="")  # container or truck
    status: Mapped[ShipmentStatus] = mapped_column(column_type(ShipmentStatus, 10), default=ShipmentStatus.PLANNED,
                                                   index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column()
    shipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cartons: Mapped[list["Carton"]] = relationship(back_populates="shipment", order_by="(Carton.order_id, Carton.number)")


class Carton(db.Model):
    """One carton of an order: its number (n of N), SSCC, what it is planned to hold and what it holds."""
    __tablename__ = "cartons"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("packed >= 0 AND packed <= capacity", name="packed_within_capacity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    number: Mapped[int] = mapped_column()
    # 18 digits; set in the transaction that makes the carton, from its id (NULL is never committed).
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    colour: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[int] = mapped_column()
    packed: Mapped[int] = mapped_column(default=0)
    status: Mapped[CartonStatus] = mapped_column(column_type(CartonStatus, 8), default=CartonStatus.OPEN)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order = relationship("Order")
    shipment: Mapped[Shipment | None] = relationship(back_populates="cartons")
    lines: Mapped[list["CartonLine"]] = relationship(back_populates="carton", order_by="CartonLine.position")


class CartonLine(db.Model):
    """Pieces of one size x colour a carton is planned to hold, and how many it holds (never more)."""
    __tablename__ = "carton_lines"
    __table_args__ = (CheckConstraint("packed >= 0 AND packed <= planned", name="packed_within_plan"),)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id"), primary_key=True)
    size: Mapped[str] = mapped_column(String(20), primary_key=True)
    colour: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)  # the style's size order
    planned: Mapped[int] = mapped_column()
    packed: Mapped[int] = mapped_column(default=0)

    carton: Mapped[Carton] = relationship(back_populates="lines")


class BundlePacked(db.Model):
    """Pieces of a bundle packed so far (all cartons). The CHECK keeps it within the bundle."""
    __tablename__ = "bundle_packed"
    __table_args__ = (CheckConstraint("packed >= 0 AND packed <= pieces", name="packed_within_bundle"),)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), primary_key=True)
    pieces: Mapped[int] = mapped_column()
    packed: Mapped[int] = mapped_column(default=0)


class PackEntry(db.Model):
    """Pieces of a bundle put into a carton by a packer; a client id makes a resent scan count once."""
    __tablename__ = "pack_entries"
    __table_args__ = (CheckConstraint("pieces > 0", name="pieces_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(CLIENT_ID_LEN), unique=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id"), index=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    size: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(40))
    pieces: Mapped[int] = mapped_column()
    packed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    packed_at: Mapped[datetime] = mapped_column(default=utcnow)

    bundle = relationship("Bundle")


class PackAudit(db.Model):
    """A final audit of packed cartons (an order's or a shipment's): cartons chosen at random, then results
    per carton; the result is set once every chosen carton is recorded."""
    __tablename__ = "pack_audits"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cartons_total: Mapped[int] = mapped_column()
    lot_pieces: Mapped[int] = mapped_column()
    major_ac: Mapped[int] = mapped_column()
    minor_ac: Mapped[int] = mapped_column()
    result: Mapped[InspectionResult | None] = mapped_column(column_type(InspectionResult, 6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_at: Mapped[datetime | None] = mapped_column()

    order = relationship("Order")
    shipment = relationship("Shipment")
    inspector = relationship("User")
    cartons: Mapped[list["PackAuditCarton"]] = relationship(back_populates="audit", order_by="PackAuditCarton.position")


class PackAuditCarton(db.Model):
    """One carton chosen to be opened, and what was found in it (NULL until recorded)."""
    __tablename__ = "pack_audit_cartons"
    __table_args__ = (CheckConstraint("critical >= 0 AND major >= 0 AND minor >= 0", name="counts_not_negative"),)
    audit_id: Mapped[int] = mapped_column(ForeignKey("pack_audits.id"), primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("cartons.id"), primary_key=True)
    position: Mapped[int] = mapped_column()
    critical: Mapped[int] = mapped_column(default=0)
    major: Mapped[int] = mapped_column(default=0)
    minor: Mapped[int] = mapped_column(default=0)
    checked: Mapped[bool] = mapped_column(default=False)

    audit: Mapped[PackAudit] = relationship(back_populates="cartons")
    carton = relationship("Carton")
