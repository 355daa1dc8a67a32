"""Wall board: signed-in users, or a read-only kiosk link carrying the board token (checked by the route
guard, auth/login.guard, from the role table)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from shopfloor import clock
from shopfloor.balance.live import bottlenecks
from shopfloor.board import queries
from shopfloor.quality.metrics import line_quality_today
from shopfloor.review.forecast import order_forecasts
from shopfloor.stoppages.queries import board_stops

bp = Blueprint("board", __name__)


def _render(template: str):
    now = clock.utcnow()
    data = queries.board(now)
    stops = board_stops(now)  # open stoppages per line, their minutes at the board's own minute
    forecasts = order_forecasts([(o.id, o.quantity, o.output, o.due_date) for o in data.orders])
    resp = current_app.make_response(render_template(template, board=data,
                                                     token=request.args.get("token"),
                                                     quality=line_quality_today(), forecasts=forecasts,
                                                     stops=stops, bottlenecks=bottlenecks(now)))
    resp.headers["HX-PTag"] = data.version
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/board")
def page():
    return _render("board/page.html")


@bp.get("/board/live")
def live():
    # Unchanged since the caller's version: answer 304 without building the board.
    if request.headers.get("HX-PTag") == queries.version():
        return "", 304
    return _render("board/_board.html")
