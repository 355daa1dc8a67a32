"""Scale-out on PostgreSQL: two app servers, started as `make run` starts one, behind one proxy (a round-robin
load balancer that adds X-Forwarded-For), on one database, with no secret given to either. Every request goes to
the other server than the one before, so a phone's sign-in, scans, tickets, badge, throttles and lockouts all
cross servers. Runs in the PostgreSQL run of the suite (and needs the Redis server that shares the throttles).
"""
from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import uuid
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

import pytest
import zxingcpp
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from shopfloor import create_app
from shopfloor.extensions import db
from shopfloor.models import Bundle, InstanceSecret, User
from tests.conftest import PG_URL
from tests.factories import PASSWORD, PIN, Factory
from tests.html_forms import forms
from tests.proxy import RoundRobinProxy
from tests.test_server import ROOT, started_server

REDIS = ("127.0.0.1", 6379)
REDIS_DB = 14  # the throttles of this test only (flushed first)

pytestmark = pytest.mark.skipif(not PG_URL, reason="scale-out runs on PostgreSQL (the suite's PostgreSQL run)")


def _redis_flush() -> None:
    with socket.create_connection(REDIS, timeout=2) as s:
        s.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
        assert s.recv(100).count(b"+OK") >= 1


@pytest.fixture()
def scale_db():
    """A database of its own, migrated as `make run` migrates, with a small floor."""
    base = make_url(PG_URL)
    name = f"{base.database}_scale"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    seed = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "only-for-seeding"})
    with seed.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        f = Factory()
        line, style = f.line(), f.style()
        order = f.order(style=style, line=line, qty={(style.sizes[0], "Blue"): 200}, bundle_size=10)
        ops = [f.user("operator", line=line) for _ in range(3)]
        for op in ops:
            f.update(op, assigned_operation_id=style.operations[0].id)
        floor = {"url": url, "order": order.id, "operation": style.operations[0].id,
                 "operators": [op.id for op in ops], "admin": f.user("admin").username,
                 "bundles": list(db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)))}
        db.session.remove()
        db.engine.dispose()
    try:
        yield floor
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def app_server(url: str, instance: str):
    """One app server as `make run` starts it; nothing shared with the other but the database and Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHOPFLOOR_SECRET_KEY", "SECRET_KEY",
                                                             "SHOPFLOOR_BOARD_TOKEN")}
    env.update(SHOPFLOOR_DATABASE_URL=url, SHOPFLOOR_INSTANCE_PATH=instance, SHOPFLOOR_TLS="0",
               SHOPFLOOR_WORKERS="1", SHOPFLOOR_TRUSTED_PROXIES="1",
               SHOPFLOOR_RATELIMIT_STORAGE=f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}")
    with started_server(env) as port:
        yield port


class Phone:
    """A browser on one phone: cookies kept, one connection per request (so the balancer alternates servers),
    from its own loopback address (the proxy forwards it as X-Forwarded-For)."""

    def __init__(self, port: int, address: str = "127.0.0.1"):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20, source_address=(self.address, 0))
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        c.request(method, path, body, h)
        r = c.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, value = v.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
        c.close()
        return r.status, dict(r.getheaders()), data

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, data: dict):
        return self.request("POST", path, urlencode(data).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def csrf(self, path: str = "/login") -> str:
        _s, _h, page = self.get(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.decode()).group(1)

    def pin(self, user_id: int, pin: str) -> int:
        return self.pin_answer(user_id, pin)[0]

    def pin_answer(self, user_id: int, pin: str) -> tuple[int, str]:
        status, _h, body = self.post_form("/login/pin", {"csrf_token": self.csrf(), "user_id": user_id, "pin": pin})
        return status, body.decode()


def _qr_links(data: bytes, tmp_path) -> set[str]:
    (tmp_path / "t.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "t.pdf"),
                    str(tmp_path / "p")], check=True)
    return {r.text for r in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("p-*.png"))))}


def test_two_app_servers_behind_a_proxy_share_everything_a_phone_needs(scale_db, tmp_path):
    try:
        _redis_flush()
    except OSError:
        pytest.skip("no Redis server at 127.0.0.1:6379 to share the sign-in throttles")
    with ExitStack() as stack:
        a = stack.enter_context(app_server(scale_db["url"], str(tmp_path / "a")))
        b = stack.enter_context(app_server(scale_db["url"], str(tmp_path / "b")))
        proxy = stack.enter_context(RoundRobinProxy([a, b]))
        engine = create_engine(scale_db["url"])
        stack.callback(engine.dispose)

        # Neither server was given a secret: both read the one the first wrote into the database.
        with engine.connect() as c:
            secrets = dict(c.execute(select(InstanceSecret.name, InstanceSecret.value)).all())
        assert set(secrets) == {"secret_key", "board_token"}
        assert not (tmp_path / "a" / "secret_key").exists() and not (tmp_path / "b" / "secret_key").exists()

        # Sign in: the form from one server, the post to the other; the session then works on both.
        phone = Phone(proxy.port)
        op1, op2, op3 = scale_db["operators"]
        assert phone.pin(op1, PIN) == 302
        _s, _h, page = phone.get("/scan")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.decode()).group(1)
        codes = scale_db["bundles"]
        answers = []
        for code in codes[:4]:
            status, _h, body = phone.request("POST", "/api/v1/scans", json.dumps(
                {"bundle": code, "operation": scale_db["operation"], "qty": 2, "client_id": uuid.uuid4().hex}).encode(),
                {"Content-Type": "application/json", "X-CSRFToken": token})
            answers.append((status, json.loads(body).get("qty")))
        assert answers == [(201, 2)] * 4
        assert set(proxy.served) == {a, b}
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*), sum(pieces) FROM work_log")).one() == (4, 8)

        # The wall board, opened on each server with the shared kiosk token, shows the same scans; a scan
        # through the other server changes both at the next poll (no per-server cache).
        board = f"/board/live?token={secrets['board_token']}"
        versions = set()
        for port in (a, b):
            status, _h, body = Phone(port).get(board)
            assert status == 200
            versions.add(re.search(rb'data-version="([^"]+)"', body).group(1))
        assert len(versions) == 1
        status, _h, _b = phone.request("POST", "/api/v1/scans", json.dumps(
            {"bundle": codes[5], "operation": scale_db["operation"], "qty": 1, "client_id": uuid.uuid4().hex}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": token})
        assert status == 201
        after = {re.search(rb'data-version="([^"]+)"', Phone(p).get(board)[2]).group(1) for p in (a, b)}
        assert len(after) == 1 and after != versions

        # Tickets printed by one server open the card on the other (the QR's signature is shared).
        manager = Phone(proxy.port)
        assert manager.post_form("/login/password", {"csrf_token": manager.csrf(), "username": scale_db["admin"],
                                                      "password": PASSWORD})[0] == 302
        status, _h, pdf = manager.get(f"/orders/{scale_db['order']}/tickets.pdf")
        assert status == 200
        link = next(u for u in _qr_links(pdf, tmp_path) if u.split("/b/")[1].startswith(codes[0] + "."))
        path = "/b/" + link.split("/b/", 1)[1]
        for _ in range(2):  # once on each server
            status, _h, body = phone.get(path)
            assert status == 200 and codes[0].encode() in body

        # A badge issued on one server signs in on the other.
        _s, _h, page = manager.get("/admin/access")
        reissue = next(f for f in forms(page.decode()) if f.action.endswith(f"/access/{op2}/badge"))
        status, _h, page = manager.post_form(reissue.action, reissue.data())
        assert status == 200
        badge = re.search(r"data-badge-payload>([^<]+)<", page.decode()).group(1)
        gate = Phone(proxy.port, address="127.0.0.5")
        assert gate.post_form("/login/badge", {"csrf_token": gate.csrf(), "badge": badge})[0] == 302
        status, _h, page = gate.get("/scan")
        assert status == 200 and b"scan" in page.lower()

        # Five wrong PINs, alternating servers, lock the operator on both (counted in the database).
        bad = Phone(proxy.port, address="127.0.0.3")
        answers = [bad.pin_answer(op3, "000000") for _ in range(5)]
        assert [s for s, _b in answers] == [401] * 4 + [429] and "locked" in answers[-1][1]
        status, page = bad.pin_answer(op3, PIN)   # the right PIN, on either server: still locked
        assert status == 429 and "Too many wrong PINs" in page
        with engine.connect() as c:
            assert c.execute(select(User.locked_until).where(User.id == op3)).scalar() is not None

        # The per-address PIN throttle (10 a minute) counts across both servers, per phone behind the proxy:
        # wrong PINs for a name nobody has (so no account locks) from one phone.
        attacker = Phone(proxy.port, address="127.0.0.4")
        answers = [attacker.pin_answer(999_999, "999999") for _ in range(12)]
        throttled = [i for i, (_s, page) in enumerate(answers) if "Too many sign-in attempts" in page]
        assert throttled and throttled[0] == 10, [s for s, _p in answers]   # 10 in all, not 10 per server
        assert all(answers[i][0] == 429 for i in throttled)
        other = Phone(proxy.port, address="127.0.0.6")   # another phone behind the same proxy is not throttled
        assert other.pin(op1, PIN) == 302
