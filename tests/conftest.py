"""Fixtures: one schema per test session, emptied between tests.

A run uses one database: PostgreSQL when TEST_DATABASE_URL is set, else a new SQLite file. `make test` runs
the suite twice, once with TEST_DATABASE_URL removed (SQLite) and once with it (PostgreSQL), and says which
database each run must use in SHOPFLOOR_TEST_EXPECT_DB; test_database.py fails a run connected elsewhere.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from shopfloor import create_app
from shopfloor.auth import sessions
from shopfloor.database import write_transaction
from shopfloor.extensions import db, limiter
from shopfloor.shifts import calendar

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
EXPECT_DB = os.environ.get("SHOPFLOOR_TEST_EXPECT_DB", "")
_SQLITE_DIR = Path(tempfile.mkdtemp(prefix="shopfloor-tests-")) if not PG_URL else None
SUITE_DB_URL = PG_URL or f"sqlite:///{_SQLITE_DIR / 'test.db'}"


def describe_database(url: str) -> str:
    """'sqlite (/path/file.db)' or 'postgresql (host:port/name)', without any password."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"sqlite ({u.database})"
    return f"{u.get_backend_name()} ({u.host}:{u.port or 5432}/{u.database})"


def pytest_report_header(config):
    return f"database: {describe_database(SUITE_DB_URL)}"


def pytest_terminal_summary(terminalreporter):
    # Printed even with -q (the header is not), so every run's log says where it ran.
    terminalreporter.write_line(f"database: {describe_database(SUITE_DB_URL)}"
                                + (f", expected {EXPECT_DB}" if EXPECT_DB else ""))


def pytest_unconfigure(config):
    if _SQLITE_DIR is not None:
        shutil.rmtree(_SQLITE_DIR, ignore_errors=True)


def _config(url: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://shopfloor.test",
        "LAN_CA_CERT": "",  # never this checkout's own instance/tls (tests that need a CA make one)
        "BOARD_TOKEN": "board-token-for-tests",
        "SERVER_NAME": None,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="session")
def database_url() -> str:
    """The suite's database: PostgreSQL when TEST_DATABASE_URL is set, else a SQLite file."""
    return SUITE_DB_URL


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        db.drop_all()
        _drop_alembic(db)
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_alembic(db_) -> None:
    with db_.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _truncate(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            # DELETE, children before parents, and every sequence back to 1, in one round trip: as TRUNCATE ...
            # RESTART IDENTITY leaves it, in 2 ms instead of 100 (TRUNCATE makes new files for 48 tables and
            # their indexes; over a thousand tests that was about two minutes of the PostgreSQL run).
            with db.engine.begin() as conn:
                conn.exec_driver_sql(";".join(f'DELETE FROM "{t}"' for t in tables) + ";"
                                     "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), 1, "
                                     "false) FROM pg_sequences WHERE schemaname = current_schema()")
            return
        # SQLite: one writer like any other (BEGIN IMMEDIATE in the writers' queue), children before parents.
        with write_transaction() as session:
            for t in tables:
                session.execute(text(f'DELETE FROM "{t}"'))
            if session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                session.execute(text("DELETE FROM sqlite_sequence"))  # ids start at 1, as after TRUNCATE
        db.session.remove()


@pytest.fixture()
def ctx(app):
    """An application context over an empty database (and sign-in throttles starting afresh)."""
    _truncate(app)
    calendar.forget_shift_ends()  # ids start again at 1: no line's shift end from an earlier test
    with app.app_context():
        limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture()
def client(ctx):
    return ctx.test_client()


@pytest.fixture()
def factory(ctx):
    from tests.factories import Factory

    return Factory()


def login(client, user) -> None:
    """Sign a test client in as user (the sign-in routes themselves are tested in test_auth): an open session
    row, as a real sign-in makes."""
    from flask import g

    sid = sessions.open_session(user.id)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess[sessions.SID_KEY] = sid
        sess["_fresh"] = True
    # Tests run requests inside the fixture's app context, where Flask-Login caches the user on g.
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closes_when_done(app):
    """The app, its response closed as soon as it is sent (or dropped), not later by the server.

    Werkzeug's development server closes a response only after draining the socket, and that drain raises
    when the browser has already reset the connection (it aborts a static file's load when it navigates on):
    the open static file then leaked and failed the test with a ResourceWarning. Granian, the real server,
    is not involved."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture()
def live_server(ctx):
    """The app served over HTTP in a thread, on the test database (for Playwright).

    Browser contexts are closed before this fixture ends (see `new_context`). The server's request threads
    are joined when it closes, so no request of this test still writes once the next test has emptied the
    database (the development server closes every connection after one request: no thread waits for a
    keep-alive client).
    """
    port = free_port()
    server = make_server("127.0.0.1", port, closes_when_done(ctx), threaded=True)
    server.daemon_threads = False  # socketserver then keeps the request threads, and server_close() joins them
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    ctx.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield ctx.config["LIVE_URL"]
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for the session (Debian's Chromium, no browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is required for browser tests: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session):
    b = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture()
def launch_chromium(playwright_session):
    """launch_chromium(*extra_args): a separate Chromium (e.g. with a fake camera), closed after the test."""
    launched = []

    def launch(*extra_args):
        b = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=CHROMIUM_ARGS + list(extra_args))
        launched.append(b)
        return b

    try:
        yield launch
    finally:
        for b in launched:
            b.close()


@pytest.fixture()
def new_context(live_server, browser):
    """new_context(**options, browser=None): a browser context closed after the test, even a failed one
    (before the live server stops). PHONE gives a 390x844 touch screen."""
    made = []

    def new(browser_=None, **options):
        context = (browser_ or browser).new_context(**options)
        made.append(context)
        return context

    try:
        yield new
    finally:
        for context in made:
            context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture()
def phone(new_context):
    """A phone-sized page (390x844, touch)."""
    return new_context(**PHONE).new_page()
