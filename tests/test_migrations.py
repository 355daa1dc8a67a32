"""Migrations build the schema from empty, and it matches the models."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopfloor import create_app
from shopfloor.extensions import db
from tests.conftest import _config


@pytest.fixture()
def empty_db_url(tmp_path, database_url):
    """A new, empty database of the run's kind (SQLite file, or a new database on the PostgreSQL server)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migr.db'}"
        return
    name = f"sf_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_matches_models(empty_db_url):
    app = create_app(_config(empty_db_url))
    with app.app_context():
        upgrade(directory="migrations")
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"users", "work_log", "bundle_op_progress", "line_hour_output"} <= tables
    assert diff == []
