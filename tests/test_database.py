"""Each run of the suite is connected to the database it was started for (`make test` runs SQLite, then PostgreSQL)."""
from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import make_url

from shopfloor.extensions import db
from tests.conftest import EXPECT_DB, PG_URL, SUITE_DB_URL


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
