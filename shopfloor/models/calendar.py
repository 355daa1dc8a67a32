"""The shift calendar (shifts per line with their breaks, holidays, approved overtime) and attendance."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import BigInteger, ForeignKey, Index, String, Time, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopfloor.clock import utcnow
from shopfloor.extensions import db

ALL_WORKING_WEEKDAYS = "012345"  # Monday (0) to Saturday (5), as vocabulary.WORKING_WEEKDAYS


class Shift(db.Model):
    """One of a line's shifts (number 1 or 2), on the weekdays listed (digits, Monday = 0). A shift whose
    end is at or before its start runs past midnight."""
    __tablename__ = "shifts"
    __table_args__ = (UniqueConstraint("line_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    starts_at: Mapped[time] = mapped_column(Time())
    ends_at: Mapped[time] = mapped_column(Time())
    weekdays: Mapped[str] = mapped_column(String(7), default=ALL_WORKING_WEEKDAYS)

    breaks: Mapped[list["ShiftBreak"]] = relationship(cascade="all, delete-orphan", order_by="ShiftBreak.starts_at")
    line = relationship("Line")


class ShiftBreak(db.Model):
    """A break inside a shift: paid breaks count as attended, unpaid ones do not."""
    __tablename__ = "shift_breaks"
    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[time] = mapped_column(Time())
    minutes: Mapped[int] = mapped_column()
    paid: Mapped[bool] = mapped_column(default=False, server_default=false())


class Holiday(db.Model):
    """A day off for the whole factory (only approved overtime is worked)."""
    __tablename__ = "holidays"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(80))


class OvertimeWindow(db.Model):
    """Overtime approved for one line on one day: attended minutes outside the shifts count only inside it."""
    __tablename__ = "overtime_windows"
    __table_args__ = (Index("ix_overtime_windows_line_day", "line_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column()
    starts_at: Mapped[time] = mapped_column(Time())
    ends_at: Mapped[time] = mapped_column(Time())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    line = relationship("Line")


class Attendance(db.Model):
    """An operator's day at the gate: the first clock-in and the last clock-out as scanned (naive UTC, kept as
    they were), and the times a supervisor corrected them to (the trail is in attendance_corrections)."""
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("operator_id", "day"), Index("ix_attendance_day", "day"))
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column()   # factory-local day of the clock-in
    clock_in: Mapped[datetime | None] = mapped_column()
    clock_out: Mapped[datetime | None] = mapped_column()
    corrected: Mapped[bool] = mapped_column(default=False, server_default=false())
    corrected_in: Mapped[datetime | None] = mapped_column()
    corrected_out: Mapped[datetime | None] = mapped_column()

    operator = relationship("User")

    @property
    def time_in(self) -> datetime | None:
        return stay_times(self.corrected, self.clock_in, self.clock_out, self.corrected_in, self.corrected_out)[0]

    @property
    def time_out(self) -> datetime | None:
        return stay_times(self.corrected, self.clock_in, self.clock_out, self.corrected_in, self.corrected_out)[1]


def stay_times(corrected, clock_in, clock_out, corrected_in, corrected_out) -> tuple[datetime | None, datetime | None]:
    """The stay that counts: the corrected times once a supervisor corrected the record, else the scanned ones
    (also read as plain columns, attendance/figures.py, for a month of every operator)."""
    return (corrected_in, corrected_out) if corrected else (clock_in, clock_out)


class AttendanceCorrection(db.Model):
    """One correction of an attendance record: the times before and after, who, when and why."""
    __tablename__ = "attendance_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id", ondelete="CASCADE"), index=True)
    before_in: Mapped[datetime | None] = mapped_column()
    before_out: Mapped[datetime | None] = mapped_column()
    after_in: Mapped[datetime | None] = mapped_column()
    after_out: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")
    attendance = relationship("Attendance")


class KeptFigures(db.Model):
    """A closed day's attendance figures of one operator, as attendance/figures.py worked them out, kept so
    that a month's review and payslips read them instead of working them out again (attendance/kept.py).
    line_id and had_pieces are what the figures were worked out for: a read that finds either changed works the
    day out again."""
    __tablename__ = "kept_figures"
    day: Mapped[date] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    line_id: Mapped[int | None] = mapped_column()
    had_pieces: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(12))
    time_in: Mapped[datetime | None] = mapped_column()
    time_out: Mapped[datetime | None] = mapped_column()
    attended: Mapped[int] = mapped_column()
    overtime: Mapped[int] = mapped_column()
    off_standard: Mapped[int] = mapped_column()


class KeptFiguresDay(db.Model):
    """A closed day whose figures are all kept (kept_figures), with the settings they were worked out under."""
    __tablename__ = "kept_figures_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    settings: Mapped[str] = mapped_column(String(200))
    kept_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeptFiguresGeneration(db.Model):
    """One row: how many times kept figures were forgotten. Figures worked out from data read before a change
    are kept only if no change came in between (attendance/kept.py)."""
    __tablename__ = "kept_figures_generation"
    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
