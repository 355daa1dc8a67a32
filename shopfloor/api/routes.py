"""JSON API v1: reads for other systems and the planning writes; thin routes over the areas' queries and
services. Who may call each (a session's roles, or an API token's scope) is in shopfloor/roles.py; each view
describes itself for the OpenAPI document (shopfloor/api/spec.py), served at /api/v1/openapi.json.

A session's write needs the CSRF token (X-CSRFToken header); a token's write does not, and is audited with the
token's name (api/tokens.audit_write).
"""
from __future__ import annotations



from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from shopfloor import clock, edge
from shopfloor.api import queries, spec, tokens
from shopfloor.api.spec import describe, page_of, query, ref
from shopfloor.database import write_transaction
from shopfloor.errors import DomainError
from shopfloor.extensions import csrf
from shopfloor.models import Bundle, Order, Style
from shopfloor.orders import services as orders
from shopfloor.planning import queries as planning
from shopfloor.planning import styles as style_service
from shopfloor.review import queries as review
from shopfloor.vocabulary import OrderStatus, SequenceCheck

bp = Blueprint("v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in `_csrf` below unless the request came with an API token

MAX_PAGE = 500
MAX_DAYS = 366
PAGING = (query("after", spec.ID, "Cursor: the `next_after` of the previous page"),
          query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Items per page (default 100)"))
PERIOD = (query("start", spec.DATE, "First day, factory time (default today)"),
          query("end", spec.DATE, "Last day, factory time (default start); at most 366 days after start"))


@bp.before_request
def _csrf():
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and tokens.current() is None \
            and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object."), status=422, code="invalid_json")
    return data


def _text(data: dict, key: str) -> str:
    v = data.get(key, "")
    if not isinstance(v, str):
        raise DomainError(_("%(field)s must be text.", field=key), code="invalid_field")
    return v


def _int_arg(name: str, default: int | None, *, maximum: int = edge.MAX_INT) -> int | None:
    return edge.whole(request.args.get(name), _("%(field)s must be a whole number from 1 to %(n)d.",
                                                   field=name, n=maximum), minimum=1, maximum=maximum, default=default)


def _period():
    start = edge.day(request.args.get("start")) or clock.local_today()
    end = edge.day(request.args.get("end")) or start
    if end < start or (end - start).days >= MAX_DAYS:
        raise DomainError(_("The period runs from start to end, at most %(n)d days.", n=MAX_DAYS), code="bad_period")
    return start, end


def _utc_bounds(start, end):
    return clock.local_day_bounds_utc(start)[0], clock.local_day_bounds_utc(end)[1]


def _iso(ts) -> str:
    return ts.isoformat() + ("Z" if ts.tzinfo is None else "")


# --- serialisers -------------------------------------------------------------------------------------------

def style_json(s: Style) -> dict:
    return {"id": s.id, "code": s.code, "name": s.name, "sizes": s.sizes, "active": bool(s.active),
            "sequence_check": SequenceCheck(s.sequence_check).value,
            "target_cost": None if s.target_cost_per_piece is None else str(s.target_cost_per_piece),
            "total_sam": str(s.total_sam), "currency": current_app.config["CURRENCY"],
            "operations": [{"id": o.id, "seq": o.seq, "name": o.name, "machine": o.machine, "sam": str(o.sam),
                            "piece_rate": str(o.piece_rate), "qc_point": bool(o.qc_point), "active": bool(o.active)}
                           for o in s.operations]}


def order_json(o: Order, quantity: int, cut: int, output: int) -> dict:
    return {"id": o.id, "number": o.number, "customer": o.customer, "style_id": o.style_id,
            "style_code": o.style.code, "line_id": o.line_id, "due_date": o.due_date.isoformat(),
            "status": OrderStatus(o.status).value, "quantity": quantity, "cut": cut, "output": output,
            "quantities": [{"size": q.size, "colour": q.colour, "quantity": q.quantity} for q in o.quantities]}


def bundle_json(b: Bundle) -> dict:
    return {"id": b.id, "code": b.code, "order_id": b.order_id, "number": b.number, "size": b.size,
            "colour": b.colour, "pieces": b.pieces, "status": str(getattr(b.status, "value", b.status))}


def _figures(f) -> dict:
    return {"earned_minutes": round(f.earned, 3), "attended_minutes": round(f.attended, 3),
            "off_standard_minutes": round(f.off_standard, 3), "efficiency": _pct(f.overall),
            "on_standard_efficiency": _pct(f.on_standard)}


def _pct(v):
    return None if v is None else round(v, 2)


# --- the description and its page -------------------------------------------------------------------------

@bp.get("/openapi.json")
@describe("This API's OpenAPI 3.1 description", responses={200: {"type": "object"}}, tag="meta")
def openapi():
    doc = current_app.extensions.get("shopfloor.openapi")
    if doc is None:
        doc = current_app.extensions["shopfloor.openapi"] = spec.build(current_app)
    return jsonify(doc)


@bp.get("/docs")
def docs():
    doc = current_app.extensions.get("shopfloor.openapi") or spec.build(current_app)
    return render_template("api/docs.html", doc=doc)


# --- styles -----------------------------------------------------------------------------------------------

STYLE_BODY = {"type": "object", "required": ["code", "name", "sizes"],
              "properties": {"code": {"type": "string", "maxLength": 30}, "name": {"type": "string", "maxLength": 120},
                             "sizes": {"type": "array", "items": {"type": "string", "maxLength": 20}, "minItems": 1},
                             "sequence_check": {"enum": [c.value for c in SequenceCheck]}}}


@bp.get("/styles")
@describe("Styles with their operation bulletins", tag="styles",
          responses={200: {"type": "object", "required": ["items"],
                           "properties": {"items": {"type": "array", "items": ref("Style")}}}})
def styles():
    return jsonify(items=[style_json(s) for s in planning.all_styles()])


@bp.get("/styles/<int:style_id>")
@describe("One style and its bulletin", tag="styles", responses={200: ref("Style")})
def style(style_id: int):
    return jsonify(style_json(planning.style(style_id)))


def _save_style(style_id: int | None):
    data = _json_body()
    sizes = data.get("sizes")
    if not isinstance(sizes, list) or not all(isinstance(x, str) for x in sizes):
        raise DomainError(_("sizes must be a list of sizes, e.g. [\"S\", \"M\", \"L\"]."), code="invalid_field")
    if any("," in x or "\x00" in x for x in sizes):
        raise DomainError(_("A size cannot contain a comma."), code="invalid_field")
    check = data.get("sequence_check")
    if check is not None and not isinstance(check, str):
        raise DomainError(_("Choose what happens when an operation is logged before earlier ones."))
    if style_id is not None:
        planning.style(style_id)  # 404 when there is no such style
    s = style_service.save_style(style_id=style_id, code=edge.trimmed(_text(data, "code"), max_len=60),
                                 name=edge.trimmed(_text(data, "name"), max_len=120, label=_("Name")),
                                 sizes=",".join(sizes), sequence_check=check)
    if tokens.current() is not None:
        with write_transaction():
            tokens.audit_write(("style updated" if style_id else "style created") + f" {s.code}",
                               target=f"style:{s.id}")
    return s


@bp.post("/styles")
@describe("Create a style (its bulletin is added on the planning pages)", tag="styles", body=STYLE_BODY,
          responses={201: ref("Style")})
def style_create():
    return jsonify(style_json(_save_style(None))), 201


@bp.put("/styles/<int:style_id>")
@describe("Change a style's code, name, sizes or sequence check", tag="styles", body=STYLE_BODY,
          responses={200: ref("Style")})
def style_update(style_id: int):
    return jsonify(style_json(_save_style(style_id)))


# --- orders -----------------------------------------------------------------------------------------------

ORDER_BODY = {"type": "object", "required": ["number", "customer", "style_id", "due_date", "quantities"],
              "properties": {"number": {"type": "string", "maxLength": 30},
                             "customer": {"type": "string", "maxLength": 120},
                             "style_id": spec.ID, "due_date": spec.DATE, "line_id": {"type": ["integer", "null"]},
                             "quantities": {"type": "array", "minItems": 1, "items": {
                                 "type": "object", "required": ["size", "colour", "quantity"],
                                 "properties": {"size": {"type": "string"}, "colour": {"type": "string"},
                                                "quantity": {"type": "integer", "minimum": 0, "maximum": 1000000}}}}}}


@bp.get("/orders", endpoint="orders")
@describe("Orders with their quantities, pieces cut and output", tag="orders",
          params=(query("status", {"enum": [s.value for s in OrderStatus]}, "Only orders in this status"),
                  query("line_id", spec.ID, "Only orders of this line")),
          responses={200: {"type": "object", "required": ["items"],
                           "properties": {"items": {"type": "array", "items": ref("Order")}}}})
def orders_list():
    status = request.args.get("status")
    if status is not None:
        status = edge.choice(OrderStatus, status, _("Unknown order status."))
    line_id = _int_arg("line_id", None)
    rows = planning.order_rows((status,) if status else None, line_id)
    return jsonify(items=[order_json(r.order, r.quantity, r.cut, r.output) for r in rows])




@bp.get("/orders/<int:order_id>")
@describe("One order, with progress per operation", tag="orders", responses={200: ref("Order")})
def order(order_id: int):
    o = planning.order(order_id)
    detail = planning.order_detail(o)
    body = order_json(o, o.total_quantity, sum(b.pieces for b in detail["bundles"]),
                      sum(cell[3] for cell in detail["cells"]))  # cells: size, colour, ordered, output
    body["operations"] = [{"id": p.op.id, "name": p.op.name, "done": p.done, "remaining": p.remaining}
                          for p in detail["ops"]]
    return jsonify(body)


@bp.get("/orders/<int:order_id>/bundles")
@describe("The bundles an order was cut into", tag="orders",
          responses={200: {"type": "object", "required": ["items"],
                           "properties": {"items": {"type": "array", "items": ref("Bundle")}}}})
def order_bundles(order_id: int):
    o = planning.order(order_id)
    return jsonify(items=[bundle_json(b) for b in queries.bundles_of(o.id)])


@bp.post("/orders")
@describe("Enter an order (quantities per size and colour)", tag="orders", body=ORDER_BODY,
          responses={201: ref("Order")})
def order_create():
    data = _json_body()
    rows = data.get("quantities")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DomainError(_("Enter at least one quantity."), code="invalid_field")
    quantities: dict[tuple[str, str], int] = {}
    for r in rows:
        size, colour, qty = r.get("size"), r.get("colour"), r.get("quantity")
        if not isinstance(size, str) or not isinstance(colour, str) or not isinstance(qty, int) \
                or isinstance(qty, bool) or not 0 <= qty <= 1_000_000:
            raise DomainError(_("Each quantity needs a size, a colour and a whole number of pieces."),
                              code="invalid_field")
        colour = edge.trimmed(colour, max_len=40, label=_("Colour"))
        key = (size.strip(), colour)
        quantities[key] = quantities.get(key, 0) + qty
    style_id, line_id = data.get("style_id"), data.get("line_id")
    if not isinstance(style_id, int) or isinstance(style_id, bool) or not 1 <= style_id <= edge.MAX_INT:
        raise DomainError(_("Choose a style."), code="invalid_field")
    if line_id is not None:
        if not isinstance(line_id, int) or isinstance(line_id, bool) or \
                line_id not in {ln.id for ln in planning.lines()}:
            raise DomainError(_("Choose a line in use."), code="invalid_field")
    due = edge.day(_text(data, "due_date"), required=True)
    number = edge.trimmed(_text(data, "number"), max_len=30, label=_("Order number"))
    customer = edge.trimmed(_text(data, "customer"), max_len=120, label=_("Customer"))
    style_ = planning.style(style_id)
    with write_transaction():
        o = orders.create_order(number=number, customer=customer, style=style_, due_date=due,
                                quantities=quantities, line_id=line_id)
        tokens.audit_write(f"order created {o.number}", target=f"order:{o.id}")
    return jsonify(order_json(o, o.total_quantity, 0, 0)), 201


# --- the floor's records: paged, by date range ------------------------------------------------------------

@bp.get("/worklog")
@describe("The work log (ledger), oldest first, paged by id", tag="floor", params=PERIOD + PAGING,
          responses={200: page_of("WorkLogEntry")})
def worklog():
    start, end = _period()
    after, limit = _int_arg("after", 0, maximum=edge.MAX_INT) or 0, _int_arg("limit", 100, maximum=MAX_PAGE)
    lo, hi = _utc_bounds(start, end)
    rows, next_after = queries.worklog_page(lo, hi, after, limit)
    currency = current_app.config["CURRENCY"]
    return jsonify(items=[{"id": r.id, "bundle_id": r.bundle_id, "operation_id": r.operation_id,
                           "operator_id": r.operator_id, "line_id": r.line_id, "pieces": r.pieces,
                           "sam": str(r.sam), "piece_rate": str(r.piece_rate), "currency": currency,
                           "is_output": bool(r.is_output),
                           "reverses_id": r.reverses_id, "reason": r.reason, "created_by_id": r.created_by_id,
                           "created_at": _iso(r.created_at)} for r in rows],
                   next_after=next_after)


@bp.get("/inspections")
@describe("Inspections (inline, end-of-line, re-checks), oldest first, paged by id", tag="floor",
          params=PERIOD + PAGING, responses={200: page_of("Inspection")})
def inspections():
    start, end = _period()
    after, limit = _int_arg("after", 0) or 0, _int_arg("limit", 100, maximum=MAX_PAGE)
    lo, hi = _utc_bounds(start, end)
    rows, next_after = queries.inspections_page(lo, hi, after, limit)
    value = lambda v: None if v is None else str(getattr(v, "value", v))  # noqa: E731
    return jsonify(items=[{"id": r.id, "kind": value(r.kind), "bundle_id": r.bundle_id, "line_id": r.line_id,
                           "inspector_id": r.inspector_id, "operator_id": r.operator_id,
                           "operation_id": r.operation_id, "checked": r.checked, "defective": r.defective,
                           "defects": r.defects, "result": value(r.result), "light": value(r.light),
                           "created_at": _iso(r.created_at)} for r in rows],
                   next_after=next_after)


@bp.get("/figures")
@describe("The review page's line figures: per line and day, and per line over the period", tag="floor",
          params=PERIOD + (query("line_id", spec.ID, "Only this line"),),
          responses={200: {"type": "object", "required": ["start", "end", "days", "lines"], "properties": {
              "start": spec.DATE, "end": spec.DATE,
              "days": {"type": "array", "items": {"type": "object",
                                                  "required": ["day", "line_id", "output", "operators", "figures"],
                                                  "properties": {"day": spec.DATE, "line_id": spec.ID_OR_NULL,
                                                                 "output": {"type": "integer"},
                                                                 "operators": {"type": "integer"},
                                                                 "figures": ref("Figures")}}},
              "lines": {"type": "array", "items": {"type": "object", "required": ["line_id", "figures"],
                                                   "properties": {"line_id": spec.ID_OR_NULL,
                                                                  "figures": ref("Figures")}}}}}})
def figures():
    start, end = _period()
    if (end - start).days > 92:
        raise DomainError(_("Ask for figures of at most %(n)d days at a time.", n=93), code="bad_period")
    line_id = _int_arg("line_id", None)
    days = review.line_efficiency(start, end, line_id)
    return jsonify(start=start.isoformat(), end=end.isoformat(),
                   days=[{"day": d.day.isoformat(), "line_id": d.line_id, "output": d.output,
                          "operators": d.operators, "figures": _figures(d.figures)} for d in days],
                   lines=[{"line_id": k, "figures": _figures(v)} for k, v in review.line_period(days).items()])
