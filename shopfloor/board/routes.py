"""Wall board: signed-in users, or a read-only kiosk link carrying the board token."""
from __future__ import annotations

import hmac
from functools import wraps

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from shopfloor.board import queries
from shopfloor.board.svg import hourly_chart
from shopfloor.extensions import login_manager
from shopfloor.quality.metrics import line_quality_today
from shopfloor.review.forecast import order_forecasts

bp = Blueprint("board", __name__)
BOARD_ROLES = ("operator", "qc", "supervisor", "manager")


def board_access(fn):
    """A valid ?token= opens the board read-only; otherwise the usual sign-in and role check."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        token = request.args.get("token")
        if token is not None:
            expected = current_app.config.get("BOARD_TOKEN") or ""
            if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
                abort(403)
            return fn(*args, **kwargs)
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*BOARD_ROLES):
            abort(403)
        return fn(*args, **kwargs)

    wrapper.public_with_token = True
    return wrapper


def _render(template: str):
    data = queries.board()
    forecasts = order_forecasts([(o.id, o.quantity, o.output, o.due_date) for o in data.orders])
    resp = current_app.make_response(render_template(template, board=data, chart=hourly_chart,
                                                     token=request.args.get("token"),
                                                     quality=line_quality_today(), forecasts=forecasts))
    resp.headers["HX-PTag"] = data.version
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/board")
@board_access
def page():
    return _render("board/page.html")


@bp.get("/board/live")
@board_access
def live():
    # Unchanged since the caller's version: answer 304 without building the board.
    if request.headers.get("HX-PTag") == queries.version():
        return "", 304
    return _render("board/_board.html")
