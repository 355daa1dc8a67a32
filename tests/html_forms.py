"""Forms read from rendered HTML, submitted the way a browser (or htmx) would send them, and rows counted."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlalchemy import func, select

from shopfloor.extensions import db

SAVED = "Already saved: this form was sent twice and saved once."


def count(model, *where) -> int:
    db.session.rollback()  # end this session's read snapshot: see what every request committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@dataclass
class Form:
    attrs: dict
    fields: list = field(default_factory=list)   # [(name, value)] a browser would send, in order
    buttons: list = field(default_factory=list)  # [(name, value)] of the submit buttons
    _select: str | None = None
    _select_first: str | None = None
    _select_chosen: bool = False
    _textarea: str | None = None

    @property
    def action(self) -> str:
        return self.attrs.get("hx-post") or self.attrs.get("action") or ""

    @property
    def htmx(self) -> bool:
        return "hx-post" in self.attrs

    def data(self, press: str | None = None, **values) -> dict:
        """The form's fields with some filled in (name=value); press=button value to send that button's name."""
        out: dict = {}
        for name, value in self.fields:
            out[name] = value
        for name, value in values.items():
            out[name.replace("__", "-")] = value
        if press is not None:
            name = next(n for n, v in self.buttons if v == press)
            out[name] = press
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(attrs=a)
            self.forms.append(self.form)
            return
        f = self.form
        if f is None or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                if kind == "submit" and a.get("name"):
                    f.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a and a.get("name"):
                    f.fields.append((a["name"], a.get("value", "on")))
            elif a.get("name"):
                f.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit" and a.get("name"):
            f.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            f._select, f._select_first, f._select_chosen = a.get("name"), None, False
        elif tag == "option" and f._select:
            value = a.get("value", "")
            if f._select_first is None:
                f._select_first = value
            if "selected" in a and not f._select_chosen:
                f._select_chosen = True
                f.fields.append((f._select, value))
        elif tag == "textarea" and a.get("name"):
            f._textarea = a["name"]
            f.fields.append((a["name"], ""))

    def handle_data(self, data):
        f = self.form
        if f is not None and f._textarea:
            name, value = f.fields[-1]
            f.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        f = self.form
        if f is None:
            return
        if tag == "select" and f._select:
            if not f._select_chosen and f._select_first is not None:
                f.fields.append((f._select, f._select_first))
            f._select = None
        elif tag == "textarea":
            f._textarea = None
        elif tag == "form":
            self.form = None


def forms(html: str) -> list[Form]:
    p = _Parser()
    p.feed(html)
    return p.forms


def post_forms(html: str) -> list[Form]:
    return [f for f in forms(html) if f.attrs.get("method", "get").lower() == "post"]


def form_for(html: str, action: str) -> Form:
    """The one POST form of the page that posts to `action`."""
    found = [f for f in post_forms(html) if f.action == action]
    assert len(found) == 1, f"{len(found)} forms post to {action}: {[f.action for f in post_forms(html)]}"
    return found[0]


def send(client, form: Form, data: dict, *, page: str):
    """Post like a browser: htmx forms with htmx's headers, plain forms following the redirect."""
    url = form.action or page
    headers = {"Referer": "http://localhost" + page}
    if form.htmx:
        headers.update({"HX-Request": "true", "HX-Current-URL": "http://localhost" + page})
        return client.post(url, data=data, headers=headers)
    return client.post(url, data=data, headers=headers, follow_redirects=True)
