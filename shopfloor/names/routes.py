"""Manager pages: an operation's and a defect's name in each floor language."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from shopfloor.edge import on_refusal
from shopfloor.i18n import LANGUAGE_NAMES
from shopfloor.models import DefectType, Operation
from shopfloor.names import services
from shopfloor.quality import catalogue

bp = Blueprint("names", __name__)
FIELD = re.compile(r"^name-(\d+)-([a-z]{2,3})$")


def _given(form) -> dict[int, dict[str, str]]:
    """name-<id>-<lang> fields -> {id: {lang: text}}."""
    given: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        m = FIELD.match(key)
        if m:
            given.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return given


def _page(title, back, items, error=None, status=200):
    langs = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in services.other_languages()]
    return render_template("names/page.html", title=title, back=back, items=items, langs=langs,
                           error=error, form=request.form), status


def _operations_page(style_id: int, error=None, status=200):
    style = services.style_or_404(style_id)
    return _page(_("Operation names in each language: %(style)s", style=style.code),
                 url_for("planning.style", style_id=style.id), style.operations, error, status)


def _defects_page(error=None, status=200):
    return _page(_("Defect names in each language"), url_for("quality.defects"), catalogue.all_defects(),
                 error, status)


@bp.get("/styles/<int:style_id>/names")
def operations(style_id: int):
    return _operations_page(style_id)


@bp.post("/styles/<int:style_id>/names")
@on_refusal(lambda e: _operations_page(request.view_args["style_id"], e.message, e.status))
def operations_save(style_id: int):
    style = services.style_or_404(style_id)
    services.save(Operation, _given(request.form), style_id=style.id)
    flash(_("Names saved."), "ok")
    return redirect(url_for("names.operations", style_id=style.id))


@bp.get("/qc/defects/names")
def defects():
    return _defects_page()


@bp.post("/qc/defects/names")
@on_refusal(lambda e: _defects_page(e.message, e.status))
def defects_save():
    services.save(DefectType, _given(request.form))
    flash(_("Names saved."), "ok")
    return redirect(url_for("names.defects"))
