"""Fixtures: one schema per test session, emptied between tests; SQLite always, PostgreSQL with TEST_DATABASE_URL."""
from __future__ import annotations

import os
import socket
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from shopfloor import create_app
from shopfloor.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_generate_tests(metafunc):
    # Tests that take `any_db` run on SQLite and, when configured, on PostgreSQL.
    if "db_url_kind" in metafunc.fixturenames:
        kinds = ["sqlite"] + (["postgresql"] if PG_URL else [])
        metafunc.parametrize("db_url_kind", kinds, scope="session")


def _config(url: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://shopfloor.test",
        "BOARD_TOKEN": "board-token-for-tests",
        "SERVER_NAME": None,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The suite's database: PostgreSQL when TEST_DATABASE_URL is set, else a SQLite file."""
    if PG_URL:
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


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
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
                conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture()
def ctx(app):
    """An application context over an empty database."""
    _truncate(app)
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
    """Sign a test client in as user (the sign-in routes themselves are tested in test_auth)."""
    from flask import g

    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    # Tests run requests inside the fixture's app context, where Flask-Login caches the user on g.
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live_server(ctx):
    """The app served over HTTP in a thread, on the test database (for Playwright)."""
    port = free_port()
    server = make_server("127.0.0.1", port, ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ctx.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    yield ctx.config["LIVE_URL"]
    server.shutdown()
    thread.join(5)


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
    yield b
    b.close()


@pytest.fixture()
def phone(browser):
    """A phone-sized page (390x844, touch)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
