"""Every form submits once: a one-time id in each POST form, claimed at the edge before the view runs.

`{{ once_field() }}` renders `<input type="hidden" name="_once" value="...">` (a fresh random id per render;
nothing is written when a page is shown). A POST carrying `_once` is claimed before its view runs: the
digest of the id, the address and the fields sent is inserted into `form_submissions` in its own
committed transaction. The same form sent again (a double tap, a resent form, the browser's "resubmit")
has the same digest, so its view does not run: it gets the first one's outcome (a 303 to where the first
was sent, or an htmx fragment in the page's flash area) with "Already saved". If the first is still
running, the second waits briefly for it. A stale page sent with other input (another button, an
edited field) is a new submission. Refused input (4xx), a failure (5xx) or a sign-in redirect releases
the claim, so the corrected form can be sent again.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from shopfloor.clock import utcnow
from shopfloor.database import side_transaction
from shopfloor.extensions import db
from shopfloor.models.forms import FormSubmission, SubmissionStatus

FIELD = "_once"
ID_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP = timedelta(days=2)      # ids older than this are forgotten
PRUNE_EVERY_S = 3600          # each process prunes at most this often
POLL_S = 0.05                 # while a first submission is still running
ENVIRON_KEY = "shopfloor.once"
REDIRECTS = (301, 302, 303, 307, 308)
_table = FormSubmission.__table__


def once_field() -> Markup:
    """The hidden one-time id for a state-changing form (put it beside the CSRF token)."""
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, secrets.token_urlsafe(16))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["once_field"] = once_field
    app.extensions["shopfloor.once"] = {"last_prune": None}
    app.before_request(_claim)
    app.after_request(_settle)
    app.teardown_request(_release_unsettled)


def _claim():
    if request.method != "POST" or FIELD not in request.form:
        return None
    if not ID_FORMAT.fullmatch(request.form[FIELD]):
        return render_template("common/error.html", title=_("Refused"),
                               message=_("This form is damaged. Reload the page and fill it in again.")), 400
    digest = digest_of(request.path, request.form.items(multi=True))
    for _attempt in range(2):
        if _insert(digest):
            request.environ[ENVIRON_KEY] = digest
            _prune_now_and_then()
            return None
        row = _wait_while_pending(digest)
        if row is not None:
            return _answer_duplicate(row)
        # The first submission was refused and released meanwhile: this one runs as the first.
    return _answer_duplicate(None)


def digest_of(path: str, fields) -> str:
    """The same form sent again gives the same digest (the CSRF token may be refreshed, so it is left out)."""
    sent = sorted((k, v) for k, v in fields if k != "csrf_token")
    return hashlib.sha256(f"{path}\n{urlencode(sent)}".encode()).hexdigest()


def _insert(digest: str) -> bool:
    user_id = current_user.get_id() if current_user.is_authenticated else None
    try:
        with side_transaction() as conn:
            conn.execute(insert(_table).values(
                digest=digest, user_id=int(user_id) if user_id else None,
                endpoint=(request.endpoint or request.path)[:80],
                status=SubmissionStatus.PENDING.value, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def _wait_while_pending(digest: str):
    deadline = time.monotonic() + current_app.config["ONCE_WAIT_SECONDS"]
    while True:
        with db.engine.connect() as conn:
            row = conn.execute(select(_table.c.status, _table.c.location)
                               .where(_table.c.digest == digest)).one_or_none()
        if row is None or row.status != SubmissionStatus.PENDING.value or time.monotonic() >= deadline:
            return row
        time.sleep(POLL_S)


def _answer_duplicate(row):
    done = row is not None and row.status == SubmissionStatus.DONE.value
    if done:
        message = _("Already saved: this form was sent twice and saved once.")
    else:
        message = _("Already being saved: this form was sent twice. Reload the page in a moment to see it.")
    status = 200 if done else 202
    if request.headers.get("HX-Request") == "true":
        fragment = render_template("common/_once.html", message=message)
        return fragment, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    if done and row.location:
        flash(message, "info")
        return redirect(row.location, 303)
    return render_template("common/once.html", message=message), status


def _settle(response):
    digest = request.environ.pop(ENVIRON_KEY, None)
    if digest is None:
        return response
    if _refused(response):
        _release(digest)
    else:
        with side_transaction() as conn:
            conn.execute(update(_table).where(_table.c.digest == digest)
                         .values(status=SubmissionStatus.DONE.value, location=_outcome_location(response)))
    return response


def _release_unsettled(_exc=None) -> None:
    """The view raised before answering (after_request did not run): nothing was saved."""
    digest = request.environ.pop(ENVIRON_KEY, None)
    if digest is not None:
        _release(digest)


def _release(digest: str) -> None:
    with side_transaction() as conn:
        conn.execute(delete(_table).where(_table.c.digest == digest))


def _refused(response) -> bool:
    """Nothing was saved: bad input or no permission (4xx), a failure (5xx), or sent to sign in first."""
    if response.status_code >= 400:
        return True
    return response.status_code in REDIRECTS and \
        urlsplit(response.location or "").path == url_for("auth.login") and request.endpoint != "auth.logout"


def _outcome_location(response) -> str | None:
    """Where the first submission left the user: its redirect, else the page the form was on."""
    if response.status_code in REDIRECTS:
        target = response.location
    else:
        target = response.headers.get("HX-Redirect") or request.headers.get("HX-Current-URL") or request.referrer
    return _same_site_path(target)


def _same_site_path(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return path[:500] if path.startswith("/") and not path.startswith("//") else None


def prune(older_than: timedelta = KEEP) -> int:
    """Forget ids older than `older_than` (a resend that late gets a fresh page anyway)."""
    with side_transaction() as conn:
        return conn.execute(delete(_table).where(_table.c.created_at < utcnow() - older_than)).rowcount


def _prune_now_and_then() -> None:
    state = current_app.extensions["shopfloor.once"]
    now = time.monotonic()
    if state["last_prune"] is None or now - state["last_prune"] >= PRUNE_EVERY_S:
        state["last_prune"] = now
        prune()
