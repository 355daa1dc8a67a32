"""Lines: the list with people per line, add, edit (code, name, planned efficiency), retire or bring back."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.edge import decimal, on_refusal, trimmed
from shopfloor.people import lines as services, queries

bp = Blueprint("lines", __name__, url_prefix="/lines")


def _page(message=None, error=None, status=200, failed=None):
    return render_template("people/lines.html", lines=queries.lines(), people=queries.people_per_line(),
                           message=message, error=error, failed=failed, form=request.form if failed else {}), status


def _fields() -> dict:
    f = request.form
    return dict(code=trimmed(f.get("code"), max_len=20, label=_("Code")),
                name=trimmed(f.get("name"), max_len=80, label=_("Name")),
                efficiency=decimal(f.get("efficiency"), _("Planned efficiency is a percentage, e.g. 70."), places=2))


@bp.get("")
def index():
    return _page()


@bp.post("")
@on_refusal(lambda e: _page(error=e.message, status=e.status, failed="new"))
def add():
    line = services.add_line(current_user.id, **_fields())
    return _page(message=_("Line %(code)s is added.", code=line.code))


def _refused(e):
    return _page(error=e.message, status=e.status, failed=request.view_args["line_id"])


@bp.post("/<int:line_id>")
@on_refusal(_refused)
def update(line_id: int):
    changed = services.update_line(current_user.id, line_id, **_fields())
    return _page(message=_("Saved.") if changed else _("Nothing changed."))


@bp.post("/<int:line_id>/active")
@on_refusal(_refused)
def set_active(line_id: int):
    line = services.set_line_active(current_user.id, line_id, request.form.get("active") == "1")
    if line.active:
        return _page(message=_("Line %(code)s is in use again.", code=line.code))
    return _page(message=_("Line %(code)s is retired: it leaves the pickers and the board; its history stays.",
                           code=line.code))
