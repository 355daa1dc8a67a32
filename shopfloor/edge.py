"""The edge between HTTP and the services: form values parsed once into typed values, and one
place that turns a refused action (DomainError) into the right answer.

Routes parse with the functions below and call one service. When a service refuses, the error
handler (errors.py) answers:
  - JSON for the API,
  - the route's own page or fragment re-rendered with the error and the user's input, when the
    route declared one with @on_refusal(render),
  - otherwise the error page (or, for htmx, the error fragment).
So no route holds a try/except DomainError of its own.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Callable

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from shopfloor.errors import DomainError

# Bounds that keep typed numbers inside the columns they go to (both databases).
MAX_INT = 2_147_483_647
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
MAX_JSON_DEPTH = 8  # a scan is one flat object; nothing the app reads nests deeper


def on_refusal(render: Callable[[DomainError], object]):
    """Declare how a route answers when a service refuses: render(error) -> response (page or fragment).

    The render function shows the error and keeps the user's input (it reads request.form).
    """

    def deco(fn):
        fn.on_refusal = render
        return fn

    return deco


def whole(value, message: str, *, minimum: int | None = None, maximum: int | None = MAX_INT,
          default: int | None = None) -> int | None:
    """A whole number typed by a person ("12", " 12 "); blank gives `default`; anything else refuses."""
    text = "" if value is None else str(value).strip()
    if text == "":
        return default
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(text) > 12:  # "²" is a digit to str.isdigit
        raise DomainError(message)
    n = int(text)
    if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
        raise DomainError(message)
    return n


def lenient_whole(value) -> int | None:
    """A whole number if the text is one, else None (to show what can be shown next to an error)."""
    text = "" if value is None else str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def decimal(value, message: str, *, minimum: Decimal | int | None = None, maximum: Decimal | int | None = None,
            above: Decimal | int | None = None, places: int = 4, default: Decimal | None = None) -> Decimal | None:
    """A decimal typed by a person ("0.175", "0,175"); blank gives `default`; NaN, infinity, more than
    `places` decimals or a value outside the bounds refuse."""
    text = "" if value is None else str(value).strip().replace(",", ".")
    if text == "":
        return default
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise DomainError(message) from None
    if not d.is_finite() or len(text) > 20 or -d.as_tuple().exponent > places:
        raise DomainError(message)
    if (minimum is not None and d < minimum) or (maximum is not None and d > maximum) or \
            (above is not None and d <= above):
        raise DomainError(message)
    return d


def day(value, message: str | None = None, *, required: bool = False) -> date | None:
    """A date from an <input type=date> (YYYY-MM-DD), within a sane range; blank is None unless required."""
    text = "" if value is None else str(value).strip()
    message = message or _("Dates must be real dates.")
    if text == "":
        if required:
            raise DomainError(message)
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise DomainError(message) from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise DomainError(message)
    return d


def choice(family, value, message: str, *, default=None):
    """A member of a vocabulary family (vocabulary.py) from its stored value; blank gives `default`."""
    text = "" if value is None else str(value).strip()
    if text == "" and default is not None:
        return default
    try:
        return family(text)
    except ValueError:
        raise DomainError(message) from None


def time_of_day(value, message: str) -> time | None:
    """A time of day from an <input type=time> ("10:15", seconds allowed); blank is None."""
    text = "" if value is None else str(value).strip()
    if text == "":
        return None
    try:
        t = time.fromisoformat(text) if len(text) <= 8 and text[:2].isdigit() else None
    except ValueError:
        t = None
    if t is None or t.tzinfo is not None:
        raise DomainError(message)
    return t
def lenient_day(value) -> date | None:
    """A date if the text is one (within range), else None (to show a page for a day the link may lack)."""
    text = "" if value is None else str(value).strip()
    try:
        d = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return d if d is not None and MIN_DATE <= d <= MAX_DATE else None


_CLOCK_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def clock_time(value, message: str | None = None, *, required: bool = False) -> time | None:
    """A clock time from an <input type=time> (HH:MM, 00:00-23:59); blank is None unless required."""
    text = "" if value is None else str(value).strip()
    message = message or _("Times must be real times (HH:MM).")
    if text == "":
        if required:
            raise DomainError(message)
        return None
    m = _CLOCK_TIME.fullmatch(text[:5] if len(text) == 8 and text.endswith(":00") else text)
    if m is None:
        raise DomainError(message)
    return time(int(m.group(1)), int(m.group(2)))


def trimmed(value, *, max_len: int, label: str | None = None) -> str:
    """Trimmed text that fits its column (max_len = the column's size, in characters on both databases).

    Text that is stored (a name, a code, a reason: give its `label`) is refused when longer, so nothing is
    lost without the user knowing. Text only used to look something up (no label) is cut.
    """
    text = ("" if value is None else str(value)).strip()
    if label is not None and len(text) > max_len:
        raise DomainError(_("%(label)s can be at most %(n)d characters long.", label=label, n=max_len))
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: refused when stored, dropped when only looked up
        if label is not None:
            raise DomainError(_("%(label)s contains a character that cannot be saved.", label=label))
        text = text.replace("\x00", "")
    return text[:max_len]


class ColumnInt(IntegerConverter):
    """`<int:...>` in a route: a whole number that fits an INTEGER id column; a larger one is not an address
    here (404), instead of an overflow in the database."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def form_int(name: str, message: str | None = None, **kw) -> int | None:
    """A whole number from the submitted form (or query string)."""
    return whole(request.values.get(name), message or _("Enter a whole number."), **kw)


def flag(name: str) -> bool:
    """A checkbox or a 1/0 field."""
    return request.values.get(name) in ("1", "on", "true", "yes")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise ValueError("JSON number out of range")
    return value


def _no_constant(name: str):
    raise ValueError(f"JSON does not allow {name}")  # NaN, Infinity, -Infinity (Python's json accepts them)


def _brackets(s) -> int:
    if isinstance(s, str):
        return s.count("[") + s.count("{")
    return s.count(b"[") + s.count(b"{")


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies parsed as strict JSON: NaN, Infinity, numbers beyond a float and deep nesting are not
    JSON the app accepts. They raise ValueError, which request.get_json turns into a refusal (silent: None)."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _no_constant)
        kwargs.setdefault("parse_float", _finite)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _brackets(s) > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:  # few brackets: cannot be deep
            raise ValueError("JSON nested too deeply")
        return value
