"""Packing: the packer's phone page (scan a carton label, then bundles into it; close a carton), the office's
packing plan of an order, its cartons and their labels (PDF, ZPL, sent to the label printer).
Parse -> one service or query -> page or fragment."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shopfloor.edge import choice, decimal, flag, lenient_whole, on_refusal, trimmed, whole
from shopfloor.errors import DomainError
from shopfloor.models.packing import CLIENT_ID_LEN, RATIO_LEN
from shopfloor.packing import labels, plans, printer, queries, services, sscc
from shopfloor.vocabulary import PackMode

bp = Blueprint("packing", __name__)


# ---- the packer's phone page ---------------------------------------------------------------------------------

def _carton_fragment(carton_id: int | None, *, message=None, error=None, confirm=False, status=200):
    view = queries.carton_view(carton_id) if carton_id else None
    template = "packing/_carton.html" if request.headers.get("HX-Request") else "packing/pack.html"
    return render_template(template, view=view, message=message, error=error, confirm=confirm), status


def _pack_refused(e: DomainError):
    return _carton_fragment(lenient_whole(request.view_args.get("carton_id") if request.view_args else None),
                            error=e.message, confirm=e.code == "confirm_partial", status=e.status)


@bp.get("/pack")
@on_refusal(lambda e: _carton_fragment(None, error=e.message, status=e.status))
def pack_page():
    code = request.args.get("code", "")
    carton = services.find_carton(trimmed(code, max_len=60)) if code.strip() else None
    return _carton_fragment(carton.id if carton else None)


@bp.post("/pack/cartons/<int:carton_id>")
@on_refusal(_pack_refused)
def pack(carton_id: int):
    f = request.form
    code = trimmed(f.get("code"), max_len=300)
    if sscc.from_scan(code):  # another carton's label scanned: that carton becomes the one being packed
        return _carton_fragment(services.find_carton(code).id)
    done = services.pack(carton_id, code, whole(f.get("pieces"), _("Pieces must be a whole number of at least 1."),
                                                minimum=1, maximum=10_000),
                         client_id=trimmed(f.get("client_id"), max_len=CLIENT_ID_LEN), actor=current_user)
    msg = _("Packed: %(n)d pcs of bundle %(code)s (%(size)s · %(colour)s).", n=done.pieces, code=done.bundle_code,
            size=done.size, colour=done.colour) if not done.replayed else \
        _("Already packed: %(n)d pcs of bundle %(code)s (this scan was sent twice and counted once).", n=done.pieces,
          code=done.bundle_code)
    return _carton_fragment(carton_id, message=msg)


@bp.post("/pack/cartons/<int:carton_id>/close")
@on_refusal(_pack_refused)
def close(carton_id: int):
    carton = services.close(carton_id, actor=current_user, partial_ok=flag("partial"))
    return _carton_fragment(carton.id, message=_("Carton %(n)d closed with %(p)d pcs.", n=carton.number,
                                                 p=carton.packed))


# ---- the office: plan, cartons, labels -----------------------------------------------------------------------

def _order_page(order_id: int, error=None, status=200):
    order, plan, groups = plans.existing_plan(order_id)
    cartons = queries.cartons_of(order_id)
    return render_template("packing/order.html", order=order, plan=plan, groups=groups, cartons=cartons,
                           modes=list(PackMode), error=error, form=request.form,
                           printer=current_app.config.get("LABEL_PRINTER", ""),
                           packed=queries.packed_pieces(order_id), shipped=queries.shipped_pieces(order_id)), status


@bp.get("/packing/orders/<int:order_id>")
def order(order_id: int):
    return _order_page(order_id)


def _order_refused(e: DomainError):
    return _order_page(request.view_args["order_id"], e.message, e.status)


@bp.post("/packing/orders/<int:order_id>/plan")
@on_refusal(_order_refused)
def plan_save(order_id: int):
    f = request.form
    size = _("Carton sizes are centimetres, more than 0 and at most 999.9 with one decimal.")
    weight = _("Weights are kilograms, more than 0 and at most 999.999 with three decimals.")
    plans.save_plan(
        order_id, mode=choice(PackMode, f.get("mode"), _("Choose solid or ratio packing.")),
        per_carton=whole(f.get("per_carton"), _("Pieces per carton must be a whole number from 1 to 10000."),
                         minimum=1, maximum=10_000),
        ratio=trimmed(f.get("ratio"), max_len=RATIO_LEN, label=_("Ratio")),
        length=decimal(f.get("length"), size, above=0, maximum=999, places=1),
        width=decimal(f.get("width"), size, above=0, maximum=999, places=1),
        height=decimal(f.get("height"), size, above=0, maximum=999, places=1),
        net_kg=decimal(f.get("net_kg"), weight, above=0, maximum=999, places=3),
        gross_kg=decimal(f.get("gross_kg"), weight, above=0, maximum=999, places=3),
        actor_id=current_user.id)
    flash(_("Packing plan saved."), "info")
    return redirect(url_for("packing.order", order_id=order_id), 303)


@bp.post("/packing/orders/<int:order_id>/cartons")
@on_refusal(_order_refused)
def cartons_make(order_id: int):
    cfg = current_app.config
    made = plans.make_cartons(order_id, actor_id=current_user.id, extension=cfg["SSCC_EXTENSION"],
                              company_prefix=cfg["GS1_COMPANY_PREFIX"])
    flash(_("%(n)d cartons made: print their labels.", n=len(made)), "info")
    return redirect(url_for("packing.order", order_id=order_id), 303)


def _carton_ids() -> list[int] | None:
    return [n for n in map(lenient_whole, request.values.get("cartons", "").split(",")) if n] or None


@bp.get("/packing/orders/<int:order_id>/labels.pdf")
def labels_pdf(order_id: int):
    data = labels.render_pdf(labels.carton_labels(order_id, _carton_ids()), title=_("Carton labels"))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="cartons-{order_id}.pdf"'})


@bp.get("/packing/orders/<int:order_id>/labels.zpl")
def labels_zpl(order_id: int):
    return Response(labels.render_zpl(labels.carton_labels(order_id, _carton_ids())), mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="cartons-{order_id}.zpl"'})


@bp.post("/packing/orders/<int:order_id>/labels/print")
@on_refusal(_order_refused)
def labels_print(order_id: int):
    batch = labels.carton_labels(order_id, _carton_ids())
    printer.send(labels.render_zpl(batch), current_app.config.get("LABEL_PRINTER", ""))
    flash(_("%(n)d labels sent to the label printer.", n=len(batch)), "info")
    return redirect(url_for("packing.order", order_id=order_id), 303)
