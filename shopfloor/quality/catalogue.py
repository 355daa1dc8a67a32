"""The defect catalogue: the common garment defects by default, editable by managers."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import DefectType
from shopfloor.models.quality import SEVERITIES


def N_(text: str) -> str:
    """Marks a default name for the catalogue (pybabel's N_): stored in English, shown translated."""
    return text


DEFAULTS = [
    ("broken_stitch", N_("Broken / skip stitch"), "major"), ("open_seam", N_("Open seam"), "major"),
    ("puckering", N_("Puckering"), "minor"), ("uneven_seam", N_("Uneven / twisted seam"), "minor"),
    ("tension", N_("Thread tension"), "minor"), ("needle_damage", N_("Needle damage / hole"), "critical"),
    ("caught_in", N_("Caught-in fabric"), "major"), ("untrimmed", N_("Untrimmed thread"), "minor"),
    ("raw_edge", N_("Raw edge"), "major"), ("shade", N_("Shade mismatch"), "major"),
    ("measurement", N_("Measurement out of tolerance"), "major"), ("label", N_("Wrong label"), "major"),
    ("trim_fault", N_("Zipper / button fault"), "major"), ("stain", N_("Stain / soil"), "minor"),
]


def ensure_default_catalogue() -> None:
    """Reference data of a new factory (run by `flask setup`, which `make run` calls): never on a page read."""
    if db.session.scalar(select(DefectType.id).limit(1)) is not None:
        return
    with write_transaction():
        for i, (code, name, severity) in enumerate(DEFAULTS):
            db.session.add(DefectType(code=code, name=name, severity=severity, sort=(i + 1) * 10))


DEFAULT_NAMES = {code: name for code, name, _severity in DEFAULTS}


def display_name(defect: DefectType) -> str:
    """A defect's base name in the reader's language: a default one unchanged by the manager is translated."""
    return _(defect.name) if DEFAULT_NAMES.get(defect.code) == defect.name else defect.name


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
