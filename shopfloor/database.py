"""Engine set-up: SQLite in WAL with foreign keys and BEGIN IMMEDIATE for writers."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from shopfloor.extensions import db

IMMEDIATE = {"sqlite_immediate": True}


def is_sqlite(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def configure_engine_options(app: Flask) -> None:
    opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_sqlite(app):
        connect_args = dict(opts.get("connect_args", {}))
        # Let SQLAlchemy own BEGIN (pysqlite's implicit transactions are turned off below).
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 30)
        opts["connect_args"] = connect_args
    else:
        opts.setdefault("pool_pre_ping", True)
        opts.setdefault("pool_size", 10)
        opts.setdefault("max_overflow", 20)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


def install_sqlite_hooks(app: Flask) -> None:
    if not is_sqlite(app):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred BEGIN that later writes can fail with "database is locked";
        # writers ask for BEGIN IMMEDIATE through the execution option.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Call first in a service that writes: takes the SQLite write lock up front."""
    db.session.connection(execution_options=IMMEDIATE)


@contextmanager
def write_transaction():
    """Run a unit of work: BEGIN IMMEDIATE on SQLite, commit or roll back."""
    if db.session().in_transaction():
        # A read already started a deferred transaction; end it so the writer starts clean.
        db.session.commit()
    begin_write()
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
