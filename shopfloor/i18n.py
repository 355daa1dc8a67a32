from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str | None:
    langs = list(current_app.config.get("LANGUAGES", ("en",)))
    chosen = session.get("lang") if session else None
    if chosen in langs:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        lang = getattr(current_user, "language", None)
        if lang in langs:
            return lang
    if request:
        return request.accept_languages.best_match(langs) or langs[0]
    return langs[0]


# Each language named in its own script (the switcher in base.html).
LANGUAGE_NAMES = {"en": "English", "es": "Español", "bn": "বাংলা", "vi": "Tiếng Việt", "hi": "हिन्दी"}

# English and Spanish cover every screen. These languages cover the floor and QC screens only: every message of
# FLOOR_TEMPLATES and FLOOR_MODULES (globs, under templates/ and shopfloor/) has a translation in each of them
# (tests/test_i18n.py extracts the messages at test time, so a string added later fails until it is filled).
FLOOR_LANGUAGES = ("es", "bn", "vi", "hi")
FLOOR_TEMPLATES = (
    "base.html", "auth/login.html", "scan/*.html", "review/my_day.html", "quality/*.html", "stoppages/*.html",
    "board/*.html", "common/*.html", "attendance/gate.html", "attendance/_gate.html",
)
FLOOR_MODULES = (
    "scan/*.py", "stoppages/*.py", "quality/*.py", "auth/login.py", "auth/services.py", "auth/kiosk.py",
    "attendance/*.py", "board/*.py", "review/forecast.py",  # the board's order risk
    "vocabulary.py", "templating.py", "errors.py", "once.py",
)
