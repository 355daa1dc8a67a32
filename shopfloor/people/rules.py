"""Who may change whom, and the checks every person's field goes through (one definition each, shared by the
forms and the CSV import)."""
from __future__ import annotations

import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Line, Role, User

ROLES = tuple(r.value for r in Role)
STAFF = tuple(r.value for r in Role if r is not Role.OPERATOR)
USERNAME = re.compile(r"[a-z0-9._-]{3,60}")
BADGE = re.compile(r"[A-Za-z0-9-]{3,40}")
SECRET = "••••••"  # how a new PIN or password shows in the audit trail (never the secret)
BADGE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # no 0/O, 1/I, 5/S, 8/B: read aloud or typed without doubt


def may_manage(actor: User, *roles: str) -> None:
    """Only an admin changes an admin, or makes someone admin; a manager manages everyone else."""
    if Role.ADMIN.value in roles and actor.role != Role.ADMIN.value:
        raise DomainError(_("Only an admin can change an admin or make someone an admin."), status=403)


def not_self(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise DomainError(_("You cannot change your own role or deactivate yourself: ask another admin."),
                          status=403)


def role(value: str | None) -> str:
    if value not in ROLES:
        raise DomainError(_("Choose a role."))
    return value


def name(value: str, *, exclude_id: int | None = None) -> str:
    """A name that tells this person apart from the active people already there (the PIN sign-in lists names)."""
    if not value:
        raise DomainError(_("A name is required."))
    if name_taken(value, exclude_id=exclude_id):
        raise DomainError(_("There is already an active person called %(name)s: add something to tell them "
                            "apart (an initial, a number).", name=value), status=409)
    return value


def name_taken(value: str, *, exclude_id: int | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.name) == value.lower(), User.active.is_(True))
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def username(value: str, *, exclude_id: int | None = None) -> str:
    value = (value or "").strip().lower()
    if not USERNAME.fullmatch(value):
        raise DomainError(_("A user name is 3 to 60 letters, digits, dots, dashes or underscores."))
    stmt = select(User.id).where(User.username == value)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise DomainError(_("The user name %(name)s is taken.", name=value), status=409)
    return value


def language(value: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    if not value:
        return current_app.config.get("BABEL_DEFAULT_LOCALE", languages[0])
    if value not in languages:
        raise DomainError(_("The language must be one of: %(langs)s.", langs=", ".join(languages)))
    return value


def line(line_id: int | None, *, current: int | None = None) -> Line | None:
    """A line in use (a retired line only when the person is already on it)."""
    if line_id is None:
        return None
    found = db.session.get(Line, line_id)
    if found is None:
        raise DomainError(_("That line does not exist."))
    if not found.active and line_id != current:
        raise DomainError(_("Line %(code)s is retired: choose a line in use.", code=found.code))
    return found


def badge_code(value: str) -> str:
    if not BADGE.fullmatch(value):
        raise DomainError(_("A badge code is 3 to 40 letters, digits or dashes."))
    if db.session.scalar(select(User.id).where(User.badge_code == value).limit(1)) is not None:
        raise DomainError(_("The badge code %(code)s is already someone's.", code=value), status=409)
    return value


def new_badge_code() -> str:
    """A badge code nobody has: B and 6 characters that cannot be misread."""
    while True:
        code = "B" + "".join(secrets.choice(BADGE_ALPHABET) for _i in range(6))
        if db.session.scalar(select(User.id).where(User.badge_code == code).limit(1)) is None:
            return code


def new_pin() -> str:
    """A random 6-digit PIN with at least 3 different digits (no 111111, 121212)."""
    while True:
        pin = f"{secrets.randbelow(10 ** 6):06d}"
        if len(set(pin)) >= 3:
            return pin
