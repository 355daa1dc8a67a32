"""Each run of the suite is connected to the database it was started for (`make test` runs SQLite, then PostgreSQL)."""
from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import make_url

from shopfloor import create_app
from shopfloor.config import Config
from shopfloor.extensions import db
from tests.conftest import EXPECT_DB, PG_URL, SUITE_DB_URL, _config


def test_the_run_is_connected_to_the_database_it_was_meant_for(ctx):
    expected = EXPECT_DB or ("postgresql" if PG_URL else "sqlite")
    assert expected in {"sqlite", "postgresql"}, f"SHOPFLOOR_TEST_EXPECT_DB={EXPECT_DB!r} is not a database"
    assert db.engine.dialect.name == expected
    if expected == "sqlite":
        # The SQLite run must not even see the PostgreSQL URL (a fixture could still pick it up).
        assert "TEST_DATABASE_URL" not in os.environ
        files = {row.name: row.file for row in db.session.execute(text("PRAGMA database_list"))}
        assert files["main"] == make_url(SUITE_DB_URL).database
    else:
        assert db.session.scalar(text("SELECT version()")).startswith("PostgreSQL")
        assert db.session.scalar(text("SELECT current_database()")) == make_url(PG_URL).database


def _synchronous(tmp_path, **config) -> int:
    app = create_app(_config(f"sqlite:///{tmp_path / 'durable.db'}", **config))
    try:
        with app.app_context():
            return db.session.scalar(text("PRAGMA synchronous"))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_sqlite_commits_are_synced_to_disk_only_when_durable_is_asked_for(tmp_path, monkeypatch):
    # NORMAL (1) in WAL: a commit survives an app crash, the last ones may not survive power loss; FULL (2) does.
    assert _synchronous(tmp_path) == 1
    assert _synchronous(tmp_path, DURABLE=True) == 2
    monkeypatch.setenv("SHOPFLOOR_DURABLE", "1")
    assert Config.from_env(tmp_path).DURABLE is True
    monkeypatch.setenv("SHOPFLOOR_DURABLE", "0")
    assert Config.from_env(tmp_path).DURABLE is False


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # the connection goes back to the pool
    return pid


def test_postgresql_pings_only_a_connection_left_idle_and_replaces_a_dead_one(ctx, monkeypatch):
    """No ping on a connection in steady use (a round trip per scan saved); one left idle longer than
    IDLE_PING_SECONDS is pinged at checkout, and one whose server end died is replaced before use."""
    if db.engine.dialect.name != "postgresql":
        import pytest
        pytest.skip("PostgreSQL's pool only (SQLite opens files)")
    from shopfloor import database

    pings = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    db.engine.dispose()
    pid = _backend_pid()
    assert _backend_pid() == pid and pings == []            # in steady use: same connection, no ping

    monkeypatch.setattr(database, "IDLE_PING_SECONDS", -1)  # every connection now counts as left idle
    assert _backend_pid() == pid and pings == [1]            # pinged, alive, kept

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    other = create_engine(db.engine.url, poolclass=NullPool)  # another client ends the pooled one's server side
    with other.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() is True
    other.dispose()
    new_pid = _backend_pid()                                 # the dead one failed its ping and was replaced
    assert new_pid not in (pid, None) and len(pings) >= 2
