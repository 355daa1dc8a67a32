"""The route x role matrix: every endpoint of `app.url_map`, requested as each role, answers as the one role
table (shopfloor/roles.py) says; an endpoint without a declared rule fails here (and is refused to everyone)."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from urllib.parse import urlsplit

from flask import g
from sqlalchemy import func, select, text

from shopfloor import create_app, roles
from shopfloor.extensions import db
from shopfloor.models import Bundle, Rework
from shopfloor.quality import services as quality
from tests.conftest import _config, login

WHO = ("anonymous", "kiosk", "operator", "qc", "packer", "supervisor", "manager", "admin")
TOKEN = "board-token-for-tests"
NOT_COUNTED = {"auth_sessions"}  # each request below signs in afresh


def expected_allowed(rule: roles.Rule, who: str) -> bool:
    if rule.public:
        return True
    if who == "anonymous":
        return False
    if who == "kiosk":
        return rule.kiosk
    return who == "admin" or who in rule.roles


ROLE_REFUSAL = "Your role does not allow this page."


def refused(resp) -> bool:
    """Sign in first (401, or sent to the sign-in page to come back) or the role's refusal (403 saying so), not a
    view's own answer (a rule of the floor may also say 403, e.g. "only your own entries")."""
    if resp.status_code == 401:
        return "Sign in first." in resp.get_data(as_text=True)
    if resp.status_code == 403:
        return ROLE_REFUSAL in resp.get_data(as_text=True)
    if resp.status_code == 302:
        loc = urlsplit(resp.headers["Location"])
        return loc.path == "/login" and "next=" in loc.query
    return False


def _url(rule) -> str:
    args = {name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()}
    return rule.build(args, append_unknown=False)[1]


def _rows() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(text(f'"{t.name}"')))
            for t in db.metadata.sorted_tables if t.name not in NOT_COUNTED}


def test_every_endpoint_has_one_declared_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert sorted(endpoints - set(roles.RULES)) == []     # a new route needs its line in shopfloor/roles.py
    assert sorted(set(roles.RULES) - endpoints) == []     # and no rule is left for a route that is gone


def test_an_undeclared_route_is_refused_to_everyone(database_url, ctx):
    other = create_app(_config(database_url))
    other.add_url_rule("/not-declared", "not_declared", lambda: "secret")
    with other.test_client() as c:
        resp = c.get("/not-declared")
        assert resp.status_code == 403 and "secret" not in resp.text


def test_route_role_matrix_matches_the_table(app, client, factory):
    line, style, order, op = factory.floor()
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    people = {who: factory.user(who, line=line) for who in WHO[2:]}
    scan_json = {"bundle": bundle.code, "operation": style.operations[0].id, "qty": 1}
    rules = sorted((r for r in app.url_map.iter_rules()), key=lambda r: r.endpoint)
    mismatches, counted = [], 0
    for who in WHO:  # admin last: it rotates the board token along the way
        for rule in rules:
            decl = roles.RULES[rule.endpoint]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                g.pop("_login_user", None)
                c = app.test_client()
                if who in people:
                    login(c, people[who])
                url = _url(rule) + (f"?token={TOKEN}" if who == "kiosk" else "")
                before = _rows() if method == "POST" and not expected_allowed(decl, who) else None
                if rule.endpoint == "api.create_scan":
                    resp = c.post(url, json={**scan_json, "client_id": f"{who}-{counted}"})
                else:
                    resp = c.open(url, method=method)
                resp.get_data()
                resp.close()  # static and streamed answers hold a file or a cursor
                counted += 1
                assert resp.status_code < 500, (who, method, url, resp.status_code)
                if refused(resp) == expected_allowed(decl, who):
                    mismatches.append((rule.endpoint, method, who, resp.status_code))
                if before is not None:
                    assert _rows() == before, (who, method, url)   # a refused request changes nothing
    assert mismatches == [], mismatches
    assert counted >= 7 * 60


def test_customer_return_rework_is_repaired_only_by_qc_or_a_supervisor(client, factory):
    from_return = _return_rework(factory)
    for who, answer in (("manager", ROLE_REFUSAL), ("operator", "This rework belongs to someone else.")):
        g.pop("_login_user", None)
        c = client.application.test_client()
        login(c, factory.user(who))
        resp = c.post(f"/rework/{from_return.id}/repaired")
        assert resp.status_code == 403 and answer in resp.text, who
        assert _rework_status(from_return.id) == "open", who
    for who in ("qc", "supervisor"):
        rw = _return_rework(factory)
        g.pop("_login_user", None)
        c = client.application.test_client()
        login(c, factory.user(who))
        assert c.post(f"/rework/{rw.id}/repaired").status_code == 302
        assert _rework_status(rw.id) == "repaired", who


def _return_rework(factory):
    _, _, order, _ = factory.floor()
    qc = factory.user("qc")
    ret = quality.record_return(order_id=order.id, reference=f"R-{order.id}", pieces=2, defect_type_id=None,
                                reason="", disposition="repair", user_id=qc.id)
    return db.session.scalars(select(Rework).where(Rework.return_id == ret.id)).one()


def _rework_status(rework_id: int) -> str:
    db.session.rollback()
    return db.session.get(Rework, rework_id).status


def test_route_token_matrix_matches_the_table(app, client, factory):
    """Each route requested with an API token of each scope: let in only where its rule lists that scope (else 401
    without a session, or 403 "scope" on an API route), and a refused request changes nothing."""
    from shopfloor.api import tokens

    line, style, order, op = factory.floor()
    admin = factory.user("admin")
    secrets_ = {s: tokens.create(f"t-{s}", [s], by_user_id=admin.id)[1] for s in tokens.SCOPES}
    app.config["API_TOKEN_RATE"] = "1000000 per minute"
    mismatches = []
    try:
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            decl = roles.RULES[rule.endpoint]
            if decl.public:
                continue
            for scope, secret in secrets_.items():
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    g.pop("_login_user", None)
                    c = app.test_client()
                    before = _rows() if method != "GET" and scope not in decl.token_scopes else None
                    resp = c.open(_url(rule), method=method, headers={"Authorization": f"Bearer {secret}"},
                                  json={} if method != "GET" else None)
                    resp.get_data()
                    resp.close()
                    assert resp.status_code < 500, (scope, method, rule.rule)
                    let_in = not (resp.status_code in (401, 302) or (resp.status_code == 403 and (
                        ROLE_REFUSAL in resp.text or '"scope"' in resp.text)))
                    if let_in != (scope in decl.token_scopes):
                        mismatches.append((rule.endpoint, method, scope, resp.status_code))
                    if before is not None:
                        assert _rows() == before, (scope, method, rule.rule)
    finally:
        app.config.pop("API_TOKEN_RATE")
    assert mismatches == [], mismatches
