from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shopfloor.extensions import db


class DomainError(Exception):
    """A business rule refused an action. `message` is already translated for the user."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None, **data):
        super().__init__(message)
        self.message = message
        if status:
            self.status = status
        if code:
            self.code = code
        self.data = data


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def register(app: Flask) -> None:
    def _render(status: int, title: str, message: str):
        if wants_json():
            return jsonify(error=message), status
        return render_template("common/error.html", title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, _("Session expired"),
                       _("The form was too old or not from this site. Reload the page and try again."))

    @app.errorhandler(403)
    def forbidden(e):
        return _render(403, _("Not allowed"), _("Your role does not allow this page."))

    @app.errorhandler(404)
    def not_found(e):
        return _render(404, _("Not found"), _("There is nothing at this address."))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        """Any other refusal by the HTTP layer (405, 413, 400...), in the user's language."""
        messages = {
            400: _("The request could not be understood. Reload the page and try again."),
            405: _("This address does not take that kind of request."),
            413: _("What was sent is too large."),
        }
        return _render(e.code or 400, _("Refused"), messages.get(e.code, _("This request was refused.")))

    @app.errorhandler(500)
    def server_error(e):
        """A failure (Flask has logged the traceback): the page or JSON, translated, and nothing half-saved."""
        db.session.rollback()
        return _render(500, _("Something went wrong"),
                       _("The server could not finish this. Nothing was saved; try again, and tell your "
                         "supervisor if it happens again."))

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        """The one place a refused action becomes a response (see shopfloor.edge)."""
        if wants_json():
            body = {"error": e.message, "code": e.code}
            body.update(e.data)
            return jsonify(body), e.status
        view = current_app.view_functions.get(request.endpoint or "")
        render = getattr(view, "on_refusal", None)
        if render is not None:
            db.session.rollback()  # the refused action changed nothing; render from a clean session
            try:
                rv = current_app.make_response(render(e))
            except DomainError as page_error:  # the page itself is gone (e.g. a deleted record)
                return _render(page_error.status, _("Refused"), e.message)
            if rv.status_code < 400:
                rv.status_code = e.status
            return rv
        if request.headers.get("HX-Request"):
            return render_template("common/_error.html", message=e.message), e.status
        return _render(e.status, _("Refused"), e.message)
