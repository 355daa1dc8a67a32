"""An operation's or a defect's name in other languages (the `names` JSON column: {"bn": ..., "vi": ...}).

Shown in the reader's language on the card, the inspection tiles and the worker's pages (templating's
`local_name` filter); a language without a name falls back to the base name (a default defect: its
catalogue translation)."""
from __future__ import annotations

from flask import current_app
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import DefectType, Operation, Style
from shopfloor.quality.catalogue import display_name

MAX_LEN = {Operation: 120, DefectType: 80}  # the base name's column size


def other_languages() -> list[str]:
    """The languages a name can be given in: all but the default one (the base name)."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return [lang for lang in current_app.config["LANGUAGES"] if lang != default]


def clean(names: dict[str, str], model) -> dict[str, str] | None:
    """The names worth storing: known languages, trimmed, empty ones dropped; too long is refused."""
    out = {}
    for lang in other_languages():
        text = (names.get(lang) or "").replace("\x00", "").strip()
        if len(text) > MAX_LEN[model]:
            raise DomainError(_("A name can be at most %(n)d characters long.", n=MAX_LEN[model]))
        if text:
            out[lang] = text
    return out or None


def style_or_404(style_id: int) -> Style:
    style = db.session.get(Style, style_id)
    if style is None:
        raise DomainError(_("That style does not exist."), status=404)
    return style


def save(model, given: dict[int, dict[str, str]], *, style_id: int | None = None) -> int:
    """Store each row's names (operations of one style, or defects); returns how many rows changed."""
    stmt = select(model).where(model.id.in_(list(given)))
    if style_id is not None:
        stmt = stmt.where(model.style_id == style_id)
    cleaned = {item_id: clean(names, model) for item_id, names in given.items()}
    changed = 0
    with write_transaction():
        for item in db.session.scalars(stmt):
            if (item.names or None) != cleaned[item.id]:
                item.names, changed = cleaned[item.id], changed + 1
    return changed


def local_name(item) -> str:
    """An operation's or defect's name in the reader's language (the `local_name` template filter): the
    manager's name for that language, else the base name (a default defect's: its catalogue translation)."""
    if item is None:
        return ""
    locale = get_locale()
    names = getattr(item, "names", None) or {}
    if locale is not None and names.get(locale.language):
        return names[locale.language]
    return display_name(item) if isinstance(item, DefectType) else item.name
