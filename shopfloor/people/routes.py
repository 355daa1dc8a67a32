"""People: the list (filters), adding operators and staff, a person's page (edit, role, line, language, active,
PIN or password, unlock, badge, audit trail) and badge cards as a PDF."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.auth import services as auth
from shopfloor.clock import utcnow
from shopfloor.edge import lenient_whole, on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.people import badges, queries, services

bp = Blueprint("people", __name__, url_prefix="/people")
NO_STORE = {"Cache-Control": "no-store"}  # pages that show a new PIN once


@bp.get("")
def index():
    f = queries.Filters.from_args(request.args)
    template = "people/_list.html" if request.headers.get("HX-Request") else "people/list.html"
    return render_template(template, people=queries.people(f), filters=f, lines=queries.lines(),
                           roles=queries.ROLE_LABELS, limit=queries.LIST_LIMIT, now=utcnow())


def _new_page(error=None, status=200, which=None):
    return render_template("people/new.html", lines=queries.lines(include_retired=False), roles=queries.ROLE_LABELS,
                           error=error, which=which, form=request.form), status


@bp.get("/new")
def new():
    return _new_page()


def _line_field():
    return whole(request.form.get("line"), _("That line does not exist."))


@bp.post("/operators")
@on_refusal(lambda e: _new_page(e.message, e.status, "operator"))
def add_operator():
    f = request.form
    user, pin = services.add_operator(current_user, name=trimmed(f.get("name"), max_len=120, label=_("Name")),
                                      line_id=_line_field(), language=trimmed(f.get("language"), max_len=10),
                                      pin=trimmed(f.get("pin"), max_len=6, label=_("PIN")))
    return _person_page(user.id, message=_("%(name)s is added.", name=user.name), new_pin=pin)


@bp.post("/staff")
@on_refusal(lambda e: _new_page(e.message, e.status, "staff"))
def add_staff():
    f = request.form
    user = services.add_staff(current_user, name=trimmed(f.get("name"), max_len=120, label=_("Name")),
                              username=trimmed(f.get("username"), max_len=60, label=_("User name")),
                              role=trimmed(f.get("role"), max_len=20), password=f.get("password", ""),
                              language=trimmed(f.get("language"), max_len=10), line_id=_line_field())
    return redirect(url_for("people.person", user_id=user.id))


def _person_page(user_id: int, *, message=None, error=None, status=200, new_pin=None, failed=None):
    user = services.person(user_id)
    return render_template("people/person.html", person=user, trail=queries.trail(f"user:{user.id}"),
                           lines=queries.lines(), roles=queries.ROLE_LABELS, message=message, error=error,
                           new_pin=new_pin, failed=failed, form=request.form if failed else {},
                           now=utcnow()), status, (NO_STORE if new_pin else {})


def _refused(section):
    return lambda e: _person_page(request.view_args["user_id"], error=e.message, status=e.status, failed=section)


@bp.get("/<int:user_id>")
def person(user_id: int):
    return _person_page(user_id)


@bp.post("/<int:user_id>")
@on_refusal(_refused("edit"))
def update(user_id: int):
    f = request.form
    changed = services.update_person(current_user, user_id, services.PersonForm(
        name=trimmed(f.get("name"), max_len=120, label=_("Name")), role=trimmed(f.get("role"), max_len=20),
        line_id=_line_field(), language=trimmed(f.get("language"), max_len=10),
        username=trimmed(f.get("username"), max_len=60, label=_("User name")), password=f.get("password", "")))
    return _person_page(user_id, message=_("Saved.") if changed else _("Nothing changed."))


@bp.post("/<int:user_id>/active")
@on_refusal(_refused("active"))
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    user, closed = services.set_active(current_user, user_id, active)
    if active:
        return _person_page(user_id, message=_("%(name)s is active again and can sign in.", name=user.name))
    return _person_page(user_id, message=_("%(name)s is deactivated: cannot sign in any more (%(n)d sessions "
                                           "closed). Their work stays in the records.", name=user.name, n=closed))


@bp.post("/<int:user_id>/pin")
@on_refusal(_refused("pin"))
def reset_pin(user_id: int):
    pin = services.reset_pin(current_user, user_id, trimmed(request.form.get("pin"), max_len=6, label=_("PIN")))
    return _person_page(user_id, message=_("New PIN saved; the old one no longer works."), new_pin=pin)


@bp.post("/<int:user_id>/password")
@on_refusal(_refused("password"))
def reset_password(user_id: int):
    services.reset_password(current_user, user_id, request.form.get("password", ""))
    return _person_page(user_id, message=_("New password saved; the old one no longer works."))


@bp.post("/<int:user_id>/unlock")
@on_refusal(_refused("unlock"))
def unlock(user_id: int):
    user = services.unlock(current_user, user_id)
    return _person_page(user_id, message=_("%(name)s is unlocked and can sign in again.", name=user.name))


@bp.post("/<int:user_id>/badge")
@on_refusal(_refused("badge"))
def new_badge(user_id: int):
    user = services.new_badge(current_user, user_id)
    return _person_page(user_id, message=_("New badge for %(name)s: print it; the old badge no longer signs in.",
                                           name=user.name))


@bp.get("/badges.pdf")
def badges_pdf():
    ids = [n for n in map(lenient_whole, request.args.getlist("person")[:badges.MAX_CARDS]) if n]
    people = queries.badge_holders(ids, lenient_whole(request.args.get("line")))
    if not people:
        raise DomainError(_("Nobody to print: choose people with a valid badge, or a line with active operators."),
                          status=404)
    cards = [badges.Card(payload=auth.badge_payload(u), name=u.name, code=u.badge_code,
                         line=f"{u.line.code} · {u.line.name}" if u.line else "", photo_label=_("Photo"))
             for u in people]
    return Response(badges.render(cards, title=_("Badges")), mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="badges.pdf"'})
