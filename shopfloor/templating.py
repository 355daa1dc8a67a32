"""Jinja globals, filters and the navigation shown to each role."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_decimal, get_locale, lazy_gettext as _l
from flask_login import current_user

from shopfloor.i18n import LANGUAGE_NAMES
from shopfloor.vocabulary import Vocabulary

# (endpoint, label, roles allowed) — links whose endpoint is not registered are hidden.
NAV = [
    ("scan.page", _l("Scan"), ("operator", "qc", "supervisor", "manager")),
    ("review.my_day", _l("My day"), ("operator",)),
    ("quality.inspect", _l("Inspect"), ("qc", "supervisor", "manager")),
    ("quality.rework", _l("Rework"), ("qc", "supervisor")),
    ("quality.my_rework", _l("My rework"), ("operator",)),
    ("quality.audit", _l("AQL audit"), ("qc", "manager")),
    ("quality.returns", _l("Returns"), ("qc", "manager")),
    ("quality.defects", _l("Defects"), ("manager",)),
    ("supervise.index", _l("Supervise"), ("supervisor", "manager")),
    ("board.page", _l("Board"), ("operator", "qc", "supervisor", "manager")),
    ("review.index", _l("Review"), ("manager", "supervisor")),
    ("planning.orders", _l("Orders"), ("manager",)),
    ("planning.schedule_page", _l("Schedule"), ("manager", "supervisor")),
    ("planning.styles_list", _l("Styles"), ("manager",)),
]


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config.get("FACTORY_TIMEZONE", "UTC"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz).strftime(fmt)


def quantity(value) -> str:
    """A quantity without trailing zeros: 120.00 -> 120, 12.50 -> 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


NUMBER_LIMIT = 1e15  # beyond this a figure is nonsense (e.g. a SAM of 1e30 stored before SAMs were bounded)


def number(value, places: int = 1) -> str:
    """A figure in the reader's locale; an undefined one (None, e.g. efficiency with no minutes) is —.
    An absurd one is still shown (scientific notation), so the page that holds it opens and it can be fixed."""
    if value is None:
        return "—"
    v = float(value)
    if not math.isfinite(v):
        return "—"
    if abs(v) >= NUMBER_LIMIT:
        return f"{v:.3g}"
    return format_decimal(round(v, places), format="#,##0" + ("." + "0" * places if places else ""))


def tone(kind: str, value, target=None) -> str:
    """The board's colour for a figure ("good", "warn", "bad" or "" when undefined), by the thresholds
    in configuration (BOARD_THRESHOLDS)."""
    if value is None:
        return ""
    t = current_app.config["BOARD_THRESHOLDS"]
    if kind == "output":      # % of target so far
        return "good" if value >= t["output_good"] else "warn" if value >= t["output_warn"] else "bad"
    if kind == "efficiency":  # against the line's planned efficiency (target, in %)
        return "good" if target is not None and value >= target else "warn"
    if kind == "dhu":
        return "bad" if value >= t["dhu_bad"] else "warn" if value >= t["dhu_warn"] else "good"
    raise ValueError(kind)


def label(value) -> str:
    """The translated label of a status or any other word of the floor's vocabulary."""
    return value.label if isinstance(value, Vocabulary) else ("" if value is None else str(value))


def register(app: Flask) -> None:
    app.jinja_env.filters["qty"] = quantity
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["num"] = number
    app.jinja_env.globals["tone"] = tone

    @app.context_processor
    def nav():
        items = []
        if current_user.is_authenticated:
            for endpoint, label, roles in NAV:
                if endpoint in app.view_functions and current_user.has_role(*roles):
                    items.append((endpoint, label))
        langs = [(code, LANGUAGE_NAMES.get(code, code)) for code in app.config["LANGUAGES"]]
        return {"nav_items": items, "languages": langs}
