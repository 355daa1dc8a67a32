"""Jinja globals, filters and the navigation shown to each role."""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import (format_currency, get_currency_name, get_decimal_symbol, get_group_symbol,
                           get_minus_sign_symbol, parse_pattern)
from flask import Flask, current_app
from flask_babel import format_date, format_decimal, format_time, get_locale, lazy_gettext as _l
from flask_login import current_user

from shopfloor import money
from shopfloor.i18n import LANGUAGE_NAMES
from shopfloor.names.services import local_name
from shopfloor.roles import may
from shopfloor.vocabulary import Vocabulary

# (endpoint, label) — shown to whoever the role table (shopfloor/roles.py) lets in; unregistered ones are hidden.
NAV = [
    ("scan.page", _l("Scan")),
    ("stoppages.page", _l("Stops")),
    ("review.my_day", _l("My day")),
    ("quality.inspect", _l("Inspect")),
    ("quality.rework", _l("Rework")),
    ("quality.my_rework", _l("My rework")),
    ("quality.audit", _l("AQL audit")),
    ("quality.returns", _l("Returns")),
    ("quality.defects", _l("Defects")),
    ("packing.pack_page", _l("Pack")),
    ("shipping.shipments_list", _l("Shipments")),
    ("supervise.index", _l("Supervise")),
    ("attendance.presence", _l("Attendance")),
    ("attendance.gate", _l("Gate")),
    ("balance.page", _l("Balance")),
    ("board.page", _l("Board")),
    ("review.index", _l("Review")),
    ("planning.orders", _l("Orders")),
    ("planning.schedule_page", _l("Schedule")),
    ("planning.styles_list", _l("Styles")),
    ("shifts.index", _l("Shift calendar")),
    ("people.index", _l("People")),
    ("admin.index", _l("Access")),
]


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config.get("FACTORY_TIMEZONE", "UTC"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz).strftime(fmt)


def local_day(value, time: bool = False) -> str:
    """A date (or a stored UTC datetime, in the factory's time zone) in the reader's locale: 6 Dec 2026,
    6 dic 2026, ৬ ডিসে, ২০২৬ ... (with the time of day when `time`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        tz = ZoneInfo(current_app.config.get("FACTORY_TIMEZONE", "UTC"))
        local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(tz)
        text = format_date(local.date(), format="medium")
        return f"{text} {format_time(local.time(), format='short')}" if time else text
    return format_date(value, format="medium")


def quantity(value) -> str:
    """A quantity without trailing zeros: 120.00 -> 120, 12.50 -> 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


NUMBER_LIMIT = 1e15  # beyond this a figure is nonsense (e.g. a SAM of 1e30 stored before SAMs were bounded)


def number(value, places: int = 1) -> str:
    """A figure in the reader's locale with `places` decimals; an undefined one (None, e.g. efficiency with
    no minutes) is —. A Decimal (money) is rounded exactly, half up, as payslips are (shopfloor.money):
    0.175 shows 0.18, where its float would show 0.17. An absurd one is still shown (scientific notation),
    so the page that holds it opens and it can be fixed."""
    if value is None:
        return "—"
    v = float(value)
    if not math.isfinite(v):
        return "—"
    if abs(v) >= NUMBER_LIMIT:
        return f"{v:.3g}"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        value = round(v, places)
    locale = get_locale()
    if not locale:
        return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""))
    return _Digits.of(locale).format(value, places)


def amount(value) -> str:
    """An amount of pay or cost in the factory's currency (SHOPFLOOR_CURRENCY), written as the reader's locale
    writes money ($1.58, 1,58 US$, 1.58৳), to the cent whatever the currency, as the payslips round it: a
    Decimal exactly, half up, once (money.cents: 0.175 shows 0.18). Undefined or absurd: as `number` writes it."""
    if value is None or not math.isfinite(float(value)) or abs(float(value)) >= NUMBER_LIMIT:
        return number(value, 2)
    return format_currency(money.cents(value), current_app.config["CURRENCY"], locale=get_locale() or "en",
                           currency_digits=False)


def currency_name() -> str:
    """The factory's currency by name in the reader's language, with its code (US dollars: "US Dollar (USD)")."""
    code = current_app.config["CURRENCY"]
    return f"{get_currency_name(code, locale=get_locale() or 'en')} ({code})"


@dataclass(frozen=True)
class _Digits:
    """How a locale writes a figure (what Babel's format_decimal writes with the locale's own pattern): its
    group, decimal and minus signs and its grouping (hi, bn: 12,34,567). Read from Babel once per locale: a
    month's review writes ten thousand figures, and Babel's formatter takes tens of microseconds each."""
    group: str
    decimal: str
    minus: str
    primary: int
    secondary: int

    @staticmethod
    @lru_cache(maxsize=16)
    def of(locale: Locale) -> "_Digits":
        pattern = parse_pattern(locale.decimal_formats[None].pattern.split(";")[0].split(".")[0])
        return _Digits(get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale),
                       *pattern.grouping)

    def format(self, value: Decimal | float, places: int) -> str:
        """value already rounded to `places` (number does it); a negative zero keeps its sign, as in Babel."""
        whole, _, frac = f"{abs(value):.{places}f}".partition(".")
        if len(whole) > self.primary:
            head, groups = whole[:-self.primary], [whole[-self.primary:]]
            while len(head) > self.secondary:
                groups.insert(0, head[-self.secondary:])
                head = head[:-self.secondary]
            whole = self.group.join([head] + groups)
        negative = value.is_signed() if isinstance(value, Decimal) else math.copysign(1.0, value) < 0
        return (self.minus if negative else "") + whole + (self.decimal + frac if places else "")


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
    app.jinja_env.filters["local_name"] = local_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["num"] = number
    app.jinja_env.filters["money"] = amount
    app.jinja_env.globals["currency_name"] = currency_name
    app.jinja_env.filters["day"] = local_day
    app.jinja_env.globals["tone"] = tone
    app.jinja_env.globals["new_client_id"] = lambda: uuid.uuid4().hex
    app.jinja_env.globals["may"] = lambda endpoint: may(current_user, endpoint)

    @app.context_processor
    def nav():
        items = []
        if current_user.is_authenticated:
            for endpoint, label in NAV:
                if endpoint in app.view_functions and may(current_user, endpoint):
                    items.append((endpoint, label))
        langs = [(code, LANGUAGE_NAMES.get(code, code)) for code in app.config["LANGUAGES"]]
        return {"nav_items": items, "languages": langs}
