"""The production server set-up: gunicorn's worker as configured for `make run`, sessions, WAL upkeep."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from flask import g

from shopfloor import gunicorn_worker as gw
from tests.conftest import free_port, login

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture()
def slots():
    saved = (list(gw._conns), list(gw._seen), list(gw._pids))
    for i in range(gw.SLOTS):
        gw._conns[i], gw._seen[i], gw._pids[i] = 0, 0.0, 0
    yield
    for i in range(gw.SLOTS):
        gw._conns[i], gw._seen[i], gw._pids[i] = saved[0][i], saved[1][i], saved[2][i]


def _worker(slot: int, conns: int, seen: float) -> None:
    gw._pids[slot], gw._conns[slot], gw._seen[slot] = 1000 + slot, conns, seen


def test_a_worker_holding_more_than_the_least_loaded_one_stops_accepting(slots):
    now = 100.0
    _worker(0, 17, now)
    _worker(1, 15, now)
    # Worker 0 holds 17 > 15 + 1: it may hold no more than it has, so it stops accepting.
    assert gw.allowed_connections(0, 17, 1000, now) == 17
    # The least loaded worker keeps accepting, up to one above itself.
    assert gw.allowed_connections(1, 15, 1000, now) == 17
    # The configured cap still applies.
    assert gw.allowed_connections(1, 15, 16, now) == 16


def test_gone_or_silent_workers_do_not_hold_the_others_back(slots):
    now = 100.0
    _worker(0, 20, now)
    _worker(1, 0, now - 5)  # has not looked at its sockets for 5 s (stuck in a long request)
    _worker(2, 0, now)
    gw._pids[2] = 0  # exited
    assert gw.allowed_connections(0, 20, 1000, now) == 22


@pytest.fixture()
def gunicorn_server(tmp_path):
    """The `make run` server (config and worker class), one worker with one thread, on a new SQLite file."""
    port = free_port()
    env = dict(os.environ, SHOPFLOOR_DATABASE_URL=f"sqlite:///{tmp_path / 'srv.db'}", SHOPFLOOR_SECRET_KEY="t" * 32,
               SHOPFLOOR_WORKERS="1", SHOPFLOOR_THREADS="1", SHOPFLOOR_CLIENT_TIMEOUT="1")
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "--config", "python:shopfloor.gunicorn_conf", "app:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    proc.terminate()
    proc.wait(10)


def _get(port: int, path: str, timeout: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: floor\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data


def test_idle_and_stalled_clients_do_not_block_the_only_thread(gunicorn_server):
    port = gunicorn_server
    idle = socket.create_connection(("127.0.0.1", port))  # like a browser's pre-opened connection
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"GET /static/icons/icon-192.png HTTP/1.1\r\nHost: floor\r\n")  # never finishes
    time.sleep(0.3)  # the stalled request is now being read by the worker's only thread
    # Answered, not blocked behind the idle and the stalled client (a blocked request raises socket.timeout).
    answer = _get(port, "/static/icons/icon-192.png", timeout=10)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"\x89PNG" in answer
    stalled.settimeout(10)
    assert stalled.recv(100) == b""  # the server dropped the stalled client (SHOPFLOOR_CLIENT_TIMEOUT = 1 s)
    idle.close()
    stalled.close()


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
    from shopfloor import database
    from shopfloor.extensions import db

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
