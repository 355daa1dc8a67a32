"""Sign-in rules: PIN with database-held lockout, staff password, signed badge."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import case, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from shopfloor import security
from shopfloor.auth import audit
from shopfloor.clock import utcnow
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Role, User

MAX_PIN_FAILURES = 5
LOCK_MINUTES = 15
STAFF_ROLES = (Role.QC.value, Role.PACKER.value, Role.SUPERVISOR.value, Role.MANAGER.value, Role.ADMIN.value)


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method="pbkdf2:sha256:60000")


def validate_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if len(pin) != 6 or not pin.isdigit():
        raise DomainError(_("The PIN must be 6 digits."))
    return pin


def set_pin(user: User, pin: str) -> None:
    user.pin_hash = hash_secret(validate_pin(pin))


def set_password(user: User, password: str) -> None:
    if len(password or "") < 8:
        raise DomainError(_("The password must be at least 8 characters."))
    user.password_hash = hash_secret(password)


def _now() -> datetime:
    return utcnow()


def _unlocked(now: datetime):
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _locked_error(locked_until: datetime, now: datetime) -> DomainError:
    minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
    return DomainError(_("Too many wrong PINs. Try again in %(n)d minutes or ask your supervisor.", n=minutes),
                       status=429, code="locked")


def _record_wrong_pin(user_id: int, now: datetime) -> int | None:
    """Count one wrong PIN in one statement (exact under any number of parallel attempts, in every process).
    The fifth locks. None when the account was already locked (by a parallel attempt)."""
    count = case((User.locked_until.is_not(None), 1), else_=User.failed_pin_count + 1)  # an expired lock restarts
    stmt = (update(User).where(User.id == user_id, _unlocked(now))
            .values(failed_pin_count=count,
                    locked_until=case((count >= MAX_PIN_FAILURES, now + timedelta(minutes=LOCK_MINUTES)), else_=None))
            .returning(User.failed_pin_count).execution_options(synchronize_session=False))
    with write_transaction():
        return db.session.execute(stmt).scalar()


def _clear_failures(user_id: int, now: datetime) -> bool:
    """A right PIN (or badge) resets the count, unless a parallel attempt locked the account meanwhile."""
    stmt = (update(User).where(User.id == user_id, _unlocked(now)).values(failed_pin_count=0, locked_until=None)
            .returning(User.id).execution_options(synchronize_session=False))
    with write_transaction():
        return db.session.execute(stmt).scalar() is not None


def _locked_until(user_id: int) -> datetime:
    db.session.expire_all()
    return db.session.scalar(select(User.locked_until).where(User.id == user_id)) or _now()


def login_with_pin(user_id: int, pin: str, now: datetime | None = None) -> User:
    """Check an operator's PIN. Failures are counted in the database; 5 lock for 15 minutes."""
    now = now or _now()
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.pin_hash is None:
        raise DomainError(_("Pick your name from the list."))
    if user.is_locked(now):
        raise _locked_error(user.locked_until, now)
    if pin and check_password_hash(user.pin_hash, pin.strip()):
        if not _clear_failures(user.id, now):
            raise _locked_error(_locked_until(user.id), now)
        return user
    count = _record_wrong_pin(user.id, now)
    if count is None:
        raise _locked_error(_locked_until(user.id), now)
    if count >= MAX_PIN_FAILURES:
        raise DomainError(_("Too many wrong PINs. This account is locked for %(n)d minutes.", n=LOCK_MINUTES),
                          status=429, code="locked")
    left = MAX_PIN_FAILURES - count
    raise DomainError(_("Wrong PIN. %(n)d tries left before a 15-minute lock.", n=left), status=401)


@cache
def _dummy_hash() -> str:
    """Checked for an unknown user name, so that it takes as long as a known one (no enumeration by timing)."""
    return hash_secret(secrets.token_urlsafe(16))


def login_with_password(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password or "")  # one hash check on every path
    if user is None or not user.active or not user.password_hash or not matches:
        raise DomainError(_("Wrong user name or password."), status=401)
    return user


BADGE_SEP = "~"


def _badge_value(user: User) -> str:
    # Serial 0 is a badge printed before reissuing existed: its payload is the bare code.
    return user.badge_code if not user.badge_serial else f"{user.badge_code}{BADGE_SEP}{user.badge_serial}"


def badge_payload(user: User) -> str:
    return security.sign("badge", _badge_value(user))


def _invalid_badge() -> DomainError:
    return DomainError(_("This badge is not valid. Use your name and PIN, or ask for a new badge."), status=401)


def badge_holder(payload: str) -> User:
    """The active user a signed badge belongs to (its serial current, not revoked); else refused."""
    value = security.unsign("badge", payload or "")
    if value is None:
        raise _invalid_badge()
    code, sep, serial = value.rpartition(BADGE_SEP) if BADGE_SEP in value else (value, "", "0")
    user = db.session.scalar(select(User).where(User.badge_code == code))
    if (user is None or not user.active or user.badge_revoked or not serial.isdigit()
            or int(serial) != user.badge_serial):
        raise _invalid_badge()
    return user


def login_with_badge(payload: str, now: datetime | None = None) -> User:
    now = now or _now()
    user = badge_holder(payload)
    if user.is_locked(now):  # a badge does not get round a PIN lock
        raise _locked_error(user.locked_until, now)
    return user


def _operator(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(_("That person does not exist."), status=404)
    return user


def unlock(user_id: int, *, by: User) -> User:
    """Lift a PIN lock (a supervisor unlocks operators, an admin anyone); audited."""
    user = _operator(user_id)
    if user.role != Role.OPERATOR.value and not by.has_role(Role.ADMIN.value):
        raise DomainError(_("Only operators can be unlocked here."), status=403)
    with write_transaction():
        db.session.execute(update(User).where(User.id == user_id).values(failed_pin_count=0, locked_until=None)
                           .execution_options(synchronize_session=False))
        audit.record(by.id, audit.UNLOCK, f"user:{user_id}", user.name)
    db.session.expire_all()
    return _operator(user_id)


def reissue_badge(user_id: int, *, by_user_id: int, revoke: bool = False) -> User:
    """A new badge signature (the old printed badge stops working); revoke: no valid badge at all. Audited."""
    user = _operator(user_id)
    if not user.badge_code:
        raise DomainError(_("This person has no badge."), status=409)
    with write_transaction():
        db.session.execute(update(User).where(User.id == user_id)
                           .values(badge_serial=User.badge_serial + 1, badge_revoked=revoke)
                           .execution_options(synchronize_session=False))
        audit.record(by_user_id, audit.BADGE_REVOKE if revoke else audit.BADGE_REISSUE, f"user:{user_id}",
                     user.name)
    db.session.expire_all()
    return _operator(user_id)


def operators_for_picker() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.OPERATOR.value,
                           User.pin_hash.is_not(None)).order_by(User.name)))


def create_user(name: str, role: str, *, username: str | None = None, password: str | None = None,
                pin: str | None = None, badge_code: str | None = None, line_id: int | None = None,
                language: str = "en") -> User:
    if role not in {r.value for r in Role}:
        raise DomainError(_("Unknown role."))
    if not (name or "").strip():
        raise DomainError(_("A name is required."))
    user = User(name=name.strip(), role=role, username=(username or "").strip().lower() or None,
                badge_code=badge_code, line_id=line_id, language=language)
    if role in STAFF_ROLES:
        if not user.username or not password:
            raise DomainError(_("Staff need a user name and password."))
    if password:
        set_password(user, password)
    if pin:
        set_pin(user, pin)
    db.session.add(user)
    return user


def set_language(user: User, lang: str) -> None:
    with write_transaction():
        db.session.execute(update(User).where(User.id == user.id).values(language=lang))


CONFIRMING_ROLES = (Role.SUPERVISOR.value, Role.MANAGER.value, Role.ADMIN.value)


def confirming_supervisor(username: str, password: str) -> int:
    """A supervisor vouching, on an operator's phone, for work the operator may not claim alone."""
    try:
        user = login_with_password(username, password)
    except DomainError:
        raise DomainError(_("The supervisor's user name or password is wrong; nothing was logged."),
                          status=403, code="needs_confirmation") from None
    if user.role not in CONFIRMING_ROLES:
        raise DomainError(_("Only a supervisor can confirm this; nothing was logged."), status=403,
                          code="needs_confirmation")
    return user.id
