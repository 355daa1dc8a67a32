"""People administration rules: add operators and staff, change them, deactivate or reactivate them (never
delete: their work, inspections and the audit trail name them), new PIN or password, unlock, new badge.

Every change is written to the audit log in the same transaction, field by field (old -> new). Who may
change whom is in `people/rules.py` (a manager manages everyone but admins).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from shopfloor.attendance import kept
from shopfloor.auth import audit, services as auth
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import AuthSession, Line, Role, User
from shopfloor.people import rules

OPERATOR = Role.OPERATOR.value
SET = rules.SECRET


@dataclass(frozen=True)
class PersonForm:
    name: str
    role: str
    line_id: int | None
    language: str
    username: str = ""
    password: str = ""   # only to make someone without a password staff


def person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(_("That person does not exist."), status=404)
    return user


def _line_code(line_id: int | None) -> str | None:
    found = db.session.get(Line, line_id) if line_id is not None else None
    return found.code if found else None


def _target(user_id: int) -> str:
    return f"user:{user_id}"


def _saved(work):
    """Run a write; a unique user name or badge taken meanwhile by someone else is refused, not a failure."""
    try:
        with write_transaction():
            return work()
    except IntegrityError:
        raise DomainError(_("Someone else just took that user name or badge code. Try again."), status=409) from None


def add_operator(actor: User, *, name: str, line_id: int | None, language: str, pin: str = "",
                 badge_code: str = "") -> tuple[User, str | None]:
    """A new operator with a badge; no PIN typed: one is made and returned (shown once, never stored plain)."""
    rules.may_manage(actor, OPERATOR)
    name = rules.name(name)
    line = rules.line(line_id)
    language = rules.language(language)
    made = None if pin else rules.new_pin()
    pin = auth.validate_pin(pin or made)
    code = rules.badge_code(badge_code) if badge_code else rules.new_badge_code()

    def work():
        user = User(name=name, role=OPERATOR, line_id=line.id if line else None, language=language, badge_code=code)
        auth.set_pin(user, pin)
        db.session.add(user)
        db.session.flush()
        audit.record(actor.id, audit.PERSON_ADD, _target(user.id), user.name,
                     changes={"name": (None, name), "role": (None, OPERATOR), "line": (None, _line_code(user.line_id)),
                              "language": (None, language), "badge": (None, code), "pin": (None, SET)})
        return user

    return _saved(work), made


def add_staff(actor: User, *, name: str, username: str, role: str, password: str, language: str,
              line_id: int | None = None) -> User:
    role = rules.role(role)
    if role == OPERATOR:
        raise DomainError(_("Operators are added with a PIN, on the operator form."))
    rules.may_manage(actor, role)
    name = rules.name(name)
    username = rules.username(username)
    line = rules.line(line_id)
    language = rules.language(language)

    def work():
        user = User(name=name, role=role, username=username, language=language, line_id=line.id if line else None)
        auth.set_password(user, password)
        db.session.add(user)
        db.session.flush()
        audit.record(actor.id, audit.PERSON_ADD, _target(user.id), user.name,
                     changes={"name": (None, name), "role": (None, role), "username": (None, username),
                              "line": (None, _line_code(user.line_id)), "language": (None, language),
                              "password": (None, SET)})
        return user

    return _saved(work)


def update_person(actor: User, user_id: int, form: PersonForm) -> dict:
    """Save the person's form; returns what changed ({} when nothing did: nothing is written)."""
    user = person(user_id)
    role = rules.role(form.role)
    rules.may_manage(actor, user.role, role)
    if role != user.role:
        rules.not_self(actor, user)
    name = form.name if form.name == user.name else rules.name(form.name, exclude_id=user.id)
    if not name:
        raise DomainError(_("A name is required."))
    line = rules.line(form.line_id, current=user.line_id)
    language = rules.language(form.language)
    username = user.username
    if role != OPERATOR or form.username:
        wanted = (form.username or "").strip().lower()
        username = username if wanted == (user.username or "") else rules.username(wanted, exclude_id=user.id)
    new_password = role != OPERATOR and not user.password_hash
    if role != OPERATOR and not (username and (user.password_hash or form.password)):
        raise DomainError(_("Staff sign in with a user name and password: give both here."))
    if new_password and len(form.password) > 200:
        raise DomainError(_("The password can be at most 200 characters long."))
    new = {"name": name, "role": role, "line": line.id if line else None, "language": language,
           "username": username}
    old = {"name": user.name, "role": user.role, "line": user.line_id, "language": user.language,
           "username": user.username}
    changed = {k: (old[k], new[k]) for k in new if old[k] != new[k]}
    if not changed:
        return {}
    shown = {k: ((_line_code(o), _line_code(n)) if k == "line" else (o, n)) for k, (o, n) in changed.items()}
    badge = user.badge_code or (rules.new_badge_code() if role == OPERATOR else None)
    if badge != user.badge_code:
        shown["badge"] = (None, badge)
    if new_password:
        shown["password"] = (None, SET)

    def work():
        if new_password:
            auth.set_password(user, form.password)  # refuses a short one: the transaction rolls back
        user.name, user.role, user.line_id, user.language = name, role, new["line"], language
        user.username, user.badge_code = username, badge
        if "line" in changed:
            user.assigned_operation_id = None  # an operation of the old line's styles
            kept.forget_operator(user.id)      # days they logged nothing count on the line they are on
        audit.record(actor.id, audit.PERSON_EDIT, _target(user.id), user.name, changes=shown)

    _saved(work)
    return shown


def set_active(actor: User, user_id: int, active: bool) -> tuple[User, int]:
    """Deactivate (cannot sign in; every open session ends; the work stays) or reactivate. Returns the
    sessions closed."""
    user = person(user_id)
    rules.may_manage(actor, user.role)
    rules.not_self(actor, user)
    if user.active == active:
        return user, 0
    if active and rules.name_taken(user.name, exclude_id=user.id):
        raise DomainError(_("There is already an active person called %(name)s: rename one of them first.",
                            name=user.name), status=409)

    def work():
        closed = 0 if active else db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id)).rowcount
        user.active = active
        audit.record(actor.id, audit.PERSON_REACTIVATE if active else audit.PERSON_DEACTIVATE, _target(user.id),
                     user.name if active else f"{user.name}; sessions={closed}", changes={"active": (not active, active)})
        return closed

    return user, _saved(work)


def reset_pin(actor: User, user_id: int, pin: str = "") -> str | None:
    """A new PIN for an operator (typed, or made and returned to show once); the wrong-PIN count and any lock
    are cleared with it."""
    user = person(user_id)
    rules.may_manage(actor, user.role)
    if user.role != OPERATOR:
        raise DomainError(_("PINs are for operators; staff sign in with a password."))
    made = None if pin else rules.new_pin()
    pin_hash = auth.hash_secret(auth.validate_pin(pin or made))

    def work():
        db.session.execute(update(User).where(User.id == user.id)
                           .values(pin_hash=pin_hash, failed_pin_count=0, locked_until=None)
                           .execution_options(synchronize_session=False))
        audit.record(actor.id, audit.PIN_RESET, _target(user.id), user.name)  # the action says it; no secret shown

    _saved(work)
    db.session.expire(user)
    return made


def reset_password(actor: User, user_id: int, password: str) -> User:
    user = person(user_id)
    rules.may_manage(actor, user.role)
    if user.role == OPERATOR:
        raise DomainError(_("Operators sign in with a PIN, not a password."))
    if len(password or "") > 200:
        raise DomainError(_("The password can be at most 200 characters long."))
    had = user.password_hash is not None

    def work():
        auth.set_password(user, password)  # refuses a short one: the transaction rolls back
        audit.record(actor.id, audit.PASSWORD_RESET, _target(user.id), user.name,
                     changes=None if had else {"password": (None, SET)})

    _saved(work)
    return user


def unlock(actor: User, user_id: int) -> User:
    rules.may_manage(actor, person(user_id).role)
    return auth.unlock(user_id, by=actor)


def new_badge(actor: User, user_id: int) -> User:
    """A new badge: the printed one stops working (a person without a badge gets their first)."""
    user = person(user_id)
    rules.may_manage(actor, user.role)
    if user.badge_code:
        return auth.reissue_badge(user_id, by_user_id=actor.id)
    code = rules.new_badge_code()

    def work():
        user.badge_code, user.badge_revoked = code, False
        audit.record(actor.id, audit.BADGE_REISSUE, _target(user.id), user.name, changes={"badge": (None, code)})

    _saved(work)
    return user
