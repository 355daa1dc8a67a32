"""The production server as `make run` starts it (granian through shopfloor/server.py), sessions, WAL upkeep."""
from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import select

from shopfloor import create_app, database
from shopfloor.extensions import db
from shopfloor.models import Bundle, User
from tests.conftest import _config, free_port, login
from tests.factories import PIN, Factory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_run_command(port: int) -> list[str]:
    """The command on `make run`'s last line, with this venv's python, on loopback and the given port."""
    with open(os.path.join(ROOT, "Makefile")) as fh:
        recipe = fh.read().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    last = [ln.strip() for ln in recipe.splitlines() if ln.startswith("\t")][-1]
    words = shlex.split(last.replace("$(BIN)/python", sys.executable).replace("$(HOST)", "127.0.0.1")
                        .replace("$(PORT)", str(port)))
    assert words[:3] == [sys.executable, "-m", "shopfloor.server"], last
    return words


@pytest.fixture()
def small_floor(tmp_path):
    """A SQLite file migrated as `make run` does, with a line, an order cut into 20 bundles of 10, an operator."""
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    floor_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s" * 32})
    with floor_app.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        f = Factory()
        line, style = f.line(), f.style()
        order = f.order(style=style, line=line, qty={(style.sizes[0], "Blue"): 200}, bundle_size=10)
        op = f.user("operator", line=line)
        f.update(op, assigned_operation_id=style.operations[0].id)
        floor = {"url": url, "path": str(tmp_path / "floor.db"), "operator": op.id,
                 "operation": style.operations[0].id, "bundles": list(db.session.scalars(select(Bundle.code).where(Bundle.order_id == order.id)))}
        db.session.remove()
        db.engine.dispose()
    return floor


def _answers(port: int, path: str = "/login", context: ssl.SSLContext | None = None) -> int:
    if context:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=context)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        c.request("GET", path)
        return c.getresponse().status
    finally:
        c.close()


@contextmanager
def running_server(floor: dict, **settings):
    """`make run`'s server on a free loopback port over the floor's database; settings: SHOPFLOOR_* overrides
    (plain HTTP only and no webhook worker unless they say otherwise: no test binds the default HTTPS port)."""
    env = dict(os.environ, SHOPFLOOR_DATABASE_URL=floor["url"], SHOPFLOOR_SECRET_KEY="s" * 32,
               **{"SHOPFLOOR_TLS": "0", "SHOPFLOOR_WORKER": "0", **settings})
    with started_server(env) as port:
        yield port


@contextmanager
def started_server(env: dict):
    """`make run`'s server with exactly this environment, on a free loopback port, until it answers."""
    port = free_port()
    proc = subprocess.Popen(make_run_command(port), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                if _answers(port) == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.time() < deadline, "the server did not start"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(15)


def sign_in(port: int, user_id: int) -> dict:
    """Sign an operator in through the real forms; the headers a signed-in phone sends with a scan."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookie = "; ".join(v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    c.request("POST", "/login/pin", urlencode({"csrf_token": token, "user_id": user_id, "pin": PIN}),
              {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse()
    r.read()
    cookies = dict(v.split(";", 1)[0].split("=", 1) for k, v in r.getheaders() if k.lower() == "set-cookie")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    c.request("GET", "/scan", headers={"Cookie": cookie})
    page = c.getresponse().read().decode()
    c.close()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    return {"Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/json"}


def _ledger_rows(floor: dict) -> int:
    with sqlite3.connect(floor["path"]) as conn:
        return conn.execute("SELECT count(*) FROM work_log").fetchone()[0]


def _open(port: int, head: bytes = b"") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if head:
        s.sendall(head)
    return s


def _still_waiting(s: socket.socket) -> bool:
    """True while the server has neither answered nor closed the connection."""
    s.setblocking(False)
    try:
        s.recv(1, socket.MSG_PEEK)
        return False
    except BlockingIOError:
        return True
    finally:
        s.setblocking(True)


def test_slow_and_idle_clients_do_not_hold_up_other_phones_scans(small_floor):
    floor = small_floor
    with running_server(floor) as port:
        phones = [sign_in(port, floor["operator"]) for _ in range(2)]
        # 200 idle keep-alive connections: half have had an answer and stay open, half never sent anything.
        idle = []
        for i in range(200):
            s = _open(port)
            if i % 2 == 0:
                s.sendall(b"GET /static/icons/icon-192.png HTTP/1.1\r\nHost: floor\r\n\r\n")
                assert s.recv(65536).startswith(b"HTTP/1.1 200")
            idle.append(s)
        # 10 slowloris request heads and 10 slow bodies (form posts, read by the CSRF check, and signed-in scans).
        loris = [_open(port, b"POST /api/v1/scans HTTP/1.1\r\nHost: floor\r\n") for _ in range(10)]
        form = b"POST /login/pin HTTP/1.1\r\nHost: floor\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        scan = ("POST /api/v1/scans HTTP/1.1\r\nHost: floor\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in phones[0].items())).encode()
        bodies = [_open(port, (form if i % 2 else scan) + b"Content-Length: 100000\r\n\r\n{") for i in range(10)]
        stop = threading.Event()

        def drip():  # one byte every 2 s on every slow connection
            while not stop.wait(2):
                for s in loris:
                    s.sendall(b"X")
                for s in bodies:
                    s.sendall(b" ")

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            time.sleep(2.5)  # every slow request has started and had a byte dripped
            latencies, statuses = [], []

            def scans(headers: dict, codes: list[str], tag: str):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                for n, code in enumerate(codes):
                    body = json.dumps({"bundle": code, "operation": floor["operation"], "qty": 1,
                                       "client_id": f"{tag}-{n}"})
                    t = time.perf_counter()
                    c.request("POST", "/api/v1/scans", body, headers)
                    r = c.getresponse()
                    r.read()
                    latencies.append(time.perf_counter() - t)
                    statuses.append(r.status)
                c.close()

            codes = (floor["bundles"] * 3)[:50]
            workers = [threading.Thread(target=scans, args=(phones[i], codes[i::2], f"phone{i}")) for i in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join(25)
            # The slow clients were still being served (neither answered nor dropped) while the scans ran.
            assert all(_still_waiting(s) for s in loris + bodies)
        finally:
            stop.set()
            dripper.join(5)
            for s in idle + loris + bodies:
                s.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"scans under 10 slowloris + 10 slow bodies + 200 idle: p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    assert statuses == [201] * 50
    assert p99 < 1.0
    assert _ledger_rows(floor) == 50  # every scan is in the ledger, once


def test_a_client_stalled_mid_request_is_dropped_and_an_oversized_body_refused(small_floor):
    floor = small_floor
    # Granian's --http1-header-read-timeout for the head; shopfloor/buffered.py's body timeout (408) for the body.
    with running_server(floor, SHOPFLOOR_HEADER_TIMEOUT="1", SHOPFLOOR_BODY_TIMEOUT="1") as port:
        headers = sign_in(port, floor["operator"])
        head = _open(port, b"POST /api/v1/scans HTTP/1.1\r\nHost: floor\r\n")  # never finishes its head
        body = json.dumps({"bundle": floor["bundles"][0], "operation": floor["operation"], "qty": 1,
                           "client_id": "stalled"}).encode()
        scan = _open(port, ("POST /api/v1/scans HTTP/1.1\r\nHost: floor\r\n"
                            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                            + f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:-5])  # stops short
        started = time.time()
        assert head.recv(100) == b""  # closed, nothing answered
        answer = b""
        while chunk := scan.recv(65536):
            answer += chunk
        assert time.time() - started < 4.5
        assert answer.startswith(b"HTTP/1.1 408") and b"Request body not received in time" in answer
        head.close()
        scan.close()
        big = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # over SHOPFLOOR_MAX_BODY: refused unread
        big.putrequest("POST", "/api/v1/scans")
        for k, v in {**headers, "Content-Length": str(2 << 20)}.items():
            big.putheader(k, v)
        big.endheaders()
        refused = big.getresponse()
        assert refused.status == 413 and b"Request body too large" in refused.read()
        big.close()
    assert _ledger_rows(floor) == 0  # neither the stalled nor the refused scan was logged


def test_the_server_serves_https_beside_http(small_floor, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=shopfloor.lan",
                    "-addext", "subjectAltName=DNS:shopfloor.lan,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    tls_port = free_port()
    trusted = ssl.create_default_context(cafile=str(cert))
    with running_server(small_floor, SHOPFLOOR_WORKERS="1", SHOPFLOOR_TLS_CERT=str(cert), SHOPFLOOR_TLS_KEY=str(key),
                        SHOPFLOOR_TLS_PORT=str(tls_port)) as port:
        deadline = time.time() + 30
        while True:
            try:
                c = http.client.HTTPSConnection("127.0.0.1", tls_port, timeout=5, context=trusted)
                c.request("GET", "/login")
                r = c.getresponse()
                page = r.read().decode()
                break
            except (OSError, ssl.SSLError):
                assert time.time() < deadline, "HTTPS did not start"
                time.sleep(0.2)
        assert r.status == 200 and 'name="csrf_token"' in page and 'action="/login/pin"' in page
        assert c.sock.version() in ("TLSv1.2", "TLSv1.3")
        c.close()
        assert _answers(port) == 200  # plain HTTP still answers beside it
    with pytest.raises(OSError):  # stopping the server stopped both
        _answers(tls_port, context=trusted)


def _workers(url: str) -> list[int]:
    """Pids of the background workers serving the database at url (read from /proc: the worker's command line and
    the environment the server gave it)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            with open(f"/proc/{pid}/environ", "rb") as fh:
                environ = fh.read().split(b"\0")
        except OSError:
            continue
        if b"worker" in argv and f"SHOPFLOOR_DATABASE_URL={url}".encode() in environ:
            pids.append(int(pid))
    return pids


def test_make_run_posts_webhooks_and_restarts_a_fallen_worker(small_floor):
    from shopfloor.stoppages import services as stops
    from shopfloor.vocabulary import StopReason, StopScope
    from shopfloor.webhooks import services as webhooks
    from tests.test_webhooks import Receiver

    floor_app = create_app({"SQLALCHEMY_DATABASE_URI": small_floor["url"], "SECRET_KEY": "s" * 32})
    receiver = Receiver()

    with floor_app.app_context():
        f = Factory()
        lines = [f.line("W1"), f.line("W2")]
        people = [(f.user("supervisor", line=line).id, line.id) for line in lines]
        webhooks.create(receiver.url, ["stop.raised"], by_user_id=f.user("admin").id)
        db.session.remove()

    def raise_a_stop(i: int):
        with floor_app.app_context():
            supervisor, line = people[i]
            stops.raise_stop(db.session.get(User, supervisor), scope=StopScope.LINE, reason=StopReason.POWER,
                             line_id=line)
            db.session.remove()

    def posted(n: int) -> bool:
        deadline = time.time() + 20
        while len(receiver.posts) < n and time.time() < deadline:
            time.sleep(0.2)
        return len(receiver.posts) == n

    try:
        with running_server(small_floor, SHOPFLOOR_WORKER="1"):
            raise_a_stop(0)
            assert posted(1), "the server `make run` starts posted no webhook"
            assert receiver.posts[0][0]["X-Shopfloor-Event"] == "stop.raised"
            [worker] = _workers(small_floor["url"])
            os.kill(worker, 9)
            raise_a_stop(1)
            assert posted(2), "the background worker was not restarted"
            [again] = _workers(small_floor["url"])
            assert again != worker
        assert _workers(small_floor["url"]) == []  # stopping the server stopped its worker
    finally:
        receiver.close()
        with floor_app.app_context():
            db.engine.dispose()


def test_session_signing_follows_the_secret_key(app, client, factory):
    user = factory.user("operator")
    login(client, user)
    page = client.get("/scan")
    assert page.status_code == 200 and f'<span class="who">{user.name}</span>' in page.text
    old = app.secret_key
    try:
        app.secret_key = "another-secret-key"
        g.pop("_login_user", None)  # tests run in one app context, where Flask-Login caches the user
        # The cookie signed with the old key is no longer accepted: the user is sent to sign in.
        again = client.get("/scan")
        assert again.status_code == 302 and "/login" in again.headers["Location"]
    finally:
        app.secret_key = old
    g.pop("_login_user", None)
    assert f'<span class="who">{user.name}</span>' in client.get("/scan").text


def test_wal_upkeep_never_waits_long_for_a_reader(ctx, factory, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write-ahead log and its checkpoints exist only on SQLite")
    path = db.engine.url.database
    queue = database._WriterQueue(path + ".writelock")
    upkeep = database._Checkpointer(db.engine, queue)
    upkeep.RESTART_FRAMES = 0  # restart however small the WAL is
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM users").fetchone()  # holds a snapshot of the WAL
        # The upkeep gives up on the restart while the reader still holds its snapshot: waiting for the
        # reader (up to the 30 s busy timeout) would leave the thread running until the reader ends below.
        upkeep_thread = threading.Thread(target=upkeep.checkpoint, daemon=True)
        upkeep_thread.start()
        upkeep_thread.join(20)
        assert not upkeep_thread.is_alive()
        assert reader.execute("SELECT count(*) FROM users").fetchone() == (0,)  # the snapshot was never broken
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.BUSY_TIMEOUT_MS
    # The writers' queue is free again.
    with queue.hold():
        pass
    # With no reader left, the restart goes through: the next write starts the WAL over.
    for i in range(20):
        factory.user("operator", name=f"Operator {i}")
    upkeep.checkpoint()
    factory.user("operator", name="One more")
    with db.engine.connect() as conn:
        busy, log, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and 0 < log < 20


def test_the_banner_shows_the_https_address_when_tls_is_set(database_url, monkeypatch):
    def banner(**env):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        app = create_app(_config(database_url))
        try:
            with app.app_context():
                return app.test_cli_runner().invoke(args=["banner", "--port", "8000"]).output
        finally:
            with app.app_context():
                db.engine.dispose()

    plain = banner(SHOPFLOOR_TLS="0")
    assert "http://127.0.0.1:8000/" in plain and "https://" not in plain
    assert "HTTPS is off" in plain
    tls = banner(SHOPFLOOR_TLS="1", SHOPFLOOR_TLS_CERT="/etc/shopfloor/cert.pem",
                 SHOPFLOOR_TLS_KEY="/etc/shopfloor/key.pem", SHOPFLOOR_TLS_PORT="9443")
    assert "http://127.0.0.1:8000/   https://127.0.0.1:9443/ (camera)" in tls
    # The admin's own certificate: no CA to install, the secure address beside the configured base.
    assert "https://shopfloor.test:9443/" in tls and "Install this machine's certificate" not in tls
