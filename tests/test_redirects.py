"""No open redirect: every redirect that takes user input (sign-in next=, the rework form's next, the
language switch's referrer) stays on this site, through the real routes."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import g
from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Rework
from shopfloor.quality import services as quality
from tests.conftest import login
from tests.factories import PASSWORD, PIN

HOSTILE = ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example",
           "http:evil.example", "/\r\n/evil.example"]


def browser_host(location: str) -> str:
    """The host a browser goes to for this Location (it drops tabs and newlines, reads \\ as /)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://localhost/here", cleaned)).netloc


def assert_on_site(resp) -> None:
    assert resp.status_code in (302, 303), resp.status_code
    location = resp.headers["Location"]
    assert browser_host(location) == "localhost", location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(c) < 33 or c == "\\" for c in location), location


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_next_stays_on_site(client, factory, target):
    op, mgr = factory.user("operator"), factory.user("manager")
    assert_on_site(client.post(f"/login/pin?next={target}", data={"user_id": op.id, "pin": PIN}))
    g.pop("_login_user", None)
    staff = client.application.test_client()
    assert_on_site(staff.post("/login/password", data={"username": mgr.username, "password": PASSWORD,
                                                       "next": target}))
    g.pop("_login_user", None)
    assert_on_site(staff.get("/login", query_string={"next": target}))   # already signed in: sent on


def test_sign_in_next_on_site_is_followed(client, factory):
    op = factory.user("operator")
    resp = client.post("/login/pin?next=/me", data={"user_id": op.id, "pin": PIN})
    assert resp.headers["Location"] == "/me"


@pytest.mark.parametrize("target", HOSTILE)
def test_rework_repaired_next_stays_on_site(client, factory, target):
    _, _, order, _ = factory.floor()
    sup = factory.user("supervisor")
    quality.record_return(order_id=order.id, reference="R-1", pieces=2, defect_type_id=None, reason="",
                          disposition="repair", user_id=sup.id)
    rw = db.session.scalars(select(Rework)).one()
    login(client, sup)
    assert_on_site(client.post(f"/rework/{rw.id}/repaired", data={"next": target}))
    db.session.rollback()
    assert db.session.get(Rework, rw.id).status == "repaired"


@pytest.mark.parametrize("referrer", ["https://evil.example/x", "http://evil.example/", "//evil.example/",
                                      "http://localhost//evil.example", "http://localhost/\\evil.example"])
def test_language_switch_goes_back_only_on_site(client, referrer):
    resp = client.post("/language", data={"lang": "es"}, headers={"Referer": referrer})
    assert_on_site(resp)


def test_language_switch_returns_to_the_page_it_was_chosen_on(client):
    resp = client.post("/language", data={"lang": "es"}, headers={"Referer": "http://localhost/login?tab=staff"})
    assert resp.headers["Location"] == "/login?tab=staff"


def test_language_switch_refuses_a_forged_host(client):
    """A Host header the attacker chose cannot turn the referrer into an off-site absolute redirect."""
    resp = client.post("/language", data={"lang": "es"},
                       headers={"Host": "evil.example", "Referer": "http://evil.example/phish"})
    assert resp.status_code == 302 and not urlsplit(resp.headers["Location"]).netloc
