"""Sign-in rules: PIN with database-held lockout, staff password, signed badge."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from shopfloor import security
from shopfloor.clock import utcnow
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Role, User

MAX_PIN_FAILURES = 5
LOCK_MINUTES = 15
STAFF_ROLES = (Role.QC.value, Role.SUPERVISOR.value, Role.MANAGER.value, Role.ADMIN.value)


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


def login_with_pin(user_id: int, pin: str, now: datetime | None = None) -> User:
    """Check an operator's PIN. Failures are counted in the database; 5 lock for 15 minutes."""
    now = now or _now()
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.pin_hash is None:
        raise DomainError(_("Pick your name from the list."))
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise DomainError(_("Too many wrong PINs. Try again in %(n)d minutes or ask your supervisor.", n=minutes),
                          status=429)
    if pin and check_password_hash(user.pin_hash, pin.strip()):
        with write_transaction():
            db.session.execute(update(User).where(User.id == user.id)
                               .values(failed_pin_count=0, locked_until=None))
        return user
    with write_transaction():
        # Atomic increment: holds across server processes.
        db.session.execute(update(User).where(User.id == user.id)
                           .values(failed_pin_count=User.failed_pin_count + 1))
        count = db.session.scalar(select(User.failed_pin_count).where(User.id == user.id))
        if count >= MAX_PIN_FAILURES:
            db.session.execute(update(User).where(User.id == user.id)
                               .values(locked_until=now + timedelta(minutes=LOCK_MINUTES), failed_pin_count=0))
    if count >= MAX_PIN_FAILURES:
        raise DomainError(_("Too many wrong PINs. This account is locked for %(n)d minutes.", n=LOCK_MINUTES),
                          status=429)
    left = MAX_PIN_FAILURES - count
    raise DomainError(_("Wrong PIN. %(n)d tries left before a 15-minute lock.", n=left), status=401)


def login_with_password(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.active or not user.password_hash or not check_password_hash(
            user.password_hash, password or ""):
        raise DomainError(_("Wrong user name or password."), status=401)
    return user


def badge_payload(user: User) -> str:
    return security.sign("badge", user.badge_code)


def login_with_badge(payload: str) -> User:
    code = security.unsign("badge", payload or "")
    if code is None:
        raise DomainError(_("This badge is not valid. Use your name and PIN, or ask for a new badge."), status=401)
    user = db.session.scalar(select(User).where(User.badge_code == code))
    if user is None or not user.active:
        raise DomainError(_("This badge is not valid. Use your name and PIN, or ask for a new badge."), status=401)
    return user


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
