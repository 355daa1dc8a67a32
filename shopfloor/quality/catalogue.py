"""The defect catalogue: the common garment defects by default, editable by managers."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import DefectType
from shopfloor.models.quality import SEVERITIES

DEFAULTS = [
    ("broken_stitch", _l("Broken / skip stitch"), "major"), ("open_seam", _l("Open seam"), "major"),
    ("puckering", _l("Puckering"), "minor"), ("uneven_seam", _l("Uneven / twisted seam"), "minor"),
    ("tension", _l("Thread tension"), "minor"), ("needle_damage", _l("Needle damage / hole"), "critical"),
    ("caught_in", _l("Caught-in fabric"), "major"), ("untrimmed", _l("Untrimmed thread"), "minor"),
    ("raw_edge", _l("Raw edge"), "major"), ("shade", _l("Shade mismatch"), "major"),
    ("measurement", _l("Measurement out of tolerance"), "major"), ("label", _l("Wrong label"), "major"),
    ("trim_fault", _l("Zipper / button fault"), "major"), ("stain", _l("Stain / soil"), "minor"),
]


def ensure_default_catalogue() -> None:
    """Reference data of a new factory (run by `flask setup`, which `make run` calls): never on a page read."""
    if db.session.scalar(select(DefectType.id).limit(1)) is not None:
        return
    with write_transaction():
        for i, (code, name, severity) in enumerate(DEFAULTS):
            db.session.add(DefectType(code=code, name=str(name), severity=severity, sort=(i + 1) * 10))


def active_defects() -> list[DefectType]:
    return list(db.session.scalars(select(DefectType).where(DefectType.active.is_(True))
                                   .order_by(DefectType.sort, DefectType.name)))


def all_defects() -> list[DefectType]:
    return list(db.session.scalars(select(DefectType).order_by(DefectType.active.desc(), DefectType.sort)))


def save_defect(*, defect_id: int | None, name: str, severity: str, active: bool = True) -> DefectType:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A defect needs a name."))
    if severity not in SEVERITIES:
        raise DomainError(_("Severity must be critical, major or minor."))
    with write_transaction():
        if defect_id:
            d = db.session.get(DefectType, defect_id)
            if d is None:
                raise DomainError(_("That defect does not exist."), status=404)
        else:
            code = "".join(c if c.isalnum() else "_" for c in name.lower())[:30]
            if db.session.scalar(select(DefectType.id).where(DefectType.code == code)):
                raise DomainError(_("A defect with this name already exists."))
            d = DefectType(code=code, sort=1000)
            db.session.add(d)
        d.name, d.severity, d.active = name[:80], severity, active
    return d
