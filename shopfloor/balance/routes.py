"""Line balance and the skill matrix: parse -> one service -> the page, or its fragment for htmx."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shopfloor.balance import measure, queries, services
from shopfloor.edge import choice, decimal, on_refusal, trimmed, whole
from shopfloor.models.skills import MACHINE_LEN
from shopfloor.vocabulary import SkillLevel

bp = Blueprint("balance", __name__)

ASSIGN = "assign-"  # apply form: assign-<operator id> = <operation id>


def _line_id() -> int | None:
    chosen = whole(request.values.get("line"), _("Choose a line."), minimum=1)
    if chosen:
        return chosen
    lines = queries.lines()
    mine = getattr(current_user, "line_id", None)
    return mine if mine in {ln.id for ln in lines} else (lines[0].id if lines else None)


def _present() -> set[int] | None:
    """The operators ticked present; None on a first visit (everyone who is not stopped)."""
    if not request.values.get("chosen"):
        return None
    return {whole(v, _("Choose the operators who are present."), minimum=1) for v in request.values.getlist("present")}


def _target() -> float | None:
    t = decimal(request.values.get("target"), _("Enter the target as pieces per hour."), minimum=0, maximum=100000,
                places=1)
    return float(t) if t is not None else None


def _page(error: str | None = None, solve: bool = True):
    v = services.view(_line_id(), whole(request.values.get("style"), _("Choose a style."), minimum=1), _present(),
                      _target(), solve=solve)
    template = "balance/_balance.html" if request.headers.get("HX-Request") else "balance/page.html"
    return render_template(template, f=v.floor, plan=v.plan, before=v.before, without=v.without,
                           uncovered=v.uncovered,
                           lines=queries.lines(), styles=queries.styles(), target=request.values.get("target", ""),
                           error=error, days=measure.DAYS)


def _refused(e):
    return _page(error=e.message, solve=False)


@bp.get("/balance")
@on_refusal(_refused)
def page():
    return _page()


@bp.post("/balance/apply")
@on_refusal(_refused)
def apply():
    assignments = {whole(k[len(ASSIGN):], _("Choose an operator."), minimum=1):
                   whole(v, _("That operation does not exist."), minimum=1)
                   for k, v in request.form.items() if k.startswith(ASSIGN)}
    changed = services.apply(current_user, whole(request.form.get("line"), _("Choose a line."), minimum=1),
                             assignments)
    flash(ngettext("Applied: %(num)d operator moved to a new operation. Their scan page pre-selects it.",
                   "Applied: %(num)d operators moved to new operations. Their scan pages pre-select them.",
                   changed) if changed else _("Applied: everyone was already on that operation."), "info")
    keep = {k: request.form.getlist(k) for k in ("line", "style", "target", "chosen", "present") if k in request.form}
    return redirect(url_for("balance.page", **keep), 303)


def _skills_page(error: str | None = None):
    f = services.floor(_line_id(), whole(request.values.get("style"), _("Choose a style."), minimum=1))
    return render_template("balance/skills.html", f=f, lines=queries.lines(), styles=queries.styles(),
                           machines=queries.machine_types([o for o in f.style.operations if o.active]),
                           machine_levels=queries.machine_levels([p.id for p in f.people]),
                           levels=list(SkillLevel), error=error, form=request.form, days=measure.DAYS)


def _skills_refused(e):
    return _skills_page(error=e.message)


@bp.get("/balance/skills")
@on_refusal(_skills_refused)
def skills():
    return _skills_page()


@bp.post("/balance/skills")
@on_refusal(_skills_refused)
def skill_save():
    f = request.form
    what = trimmed(f.get("what"), max_len=MACHINE_LEN + 8)
    kind, _sep, ref = what.partition(":")
    level = choice(SkillLevel, f.get("level"), _("Choose a level.")) if f.get("level") else None
    user = services.set_skill(current_user, whole(f.get("operator"), _("Choose an operator."), minimum=1),
                              operation_id=whole(ref, _("Choose an operation or a machine type."), minimum=1)
                              if kind == "op" else None,
                              machine=ref if kind == "machine" else "", level=level)
    flash(_("Saved: %(name)s, %(level)s.", name=user.name, level=level.label if level else _("not qualified")), "info")
    return redirect(url_for("balance.skills", line=f.get("line", ""), style=f.get("style", "")), 303)
