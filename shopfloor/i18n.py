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


LANGUAGE_NAMES = {"en": "English", "es": "Español"}
