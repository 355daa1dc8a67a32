"""Helpers for tests/test_backup.py: row counts read apart from the app, a scanning thread, fresh restore targets,
a process that holds a database."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from shopfloor import create_app
from shopfloor.backup import postgres as pg_backup
from shopfloor.backup import services as backups
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.scan.services import record_scan
from tests.conftest import PG_URL, _config

ON_PG = bool(PG_URL)

# A server stand-in: another process with the database open in WAL mode, until its stdin closes.
HOLDER = ("import sqlite3, sys\n"
          "c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL')\n"
          "c.execute('SELECT count(*) FROM work_log').fetchone(); print('ready', flush=True); sys.stdin.read()\n")


def counts(url) -> dict[str, int]:
    """Every table's row count, read on a connection of its own (closed at once: no lock stays behind)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def contents(url) -> dict[str, int] | None:
    """Row counts, or None for a SQLite file that is not there (without creating it)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and not Path(u.database).exists():
        return None
    return counts(url)


def ledger_totals(url) -> dict[str, int]:
    """Pieces in the ledger and in each summary kept with it in the scan transaction."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {t: int(conn.scalar(text(f"SELECT coalesce(sum({c}), 0) FROM {t}"))) for t, c in
                    (("work_log", "pieces"), ("bundle_op_progress", "done"), ("order_op_progress", "done"),
                     ("line_hour_output", "pieces"), ("operator_day", "pieces"))}
    finally:
        engine.dispose()


def cli(app, *args, input=None):
    """Run a flask command on `app` (its own app context: the CLI uses an active one if there is one)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


class Scanner(threading.Thread):
    """Keeps scanning one piece at a time through the real service, as the floor does."""

    def __init__(self, app, op, pairs):
        super().__init__(daemon=True)
        self.app, self.op, self.pairs = app, op, pairs
        self.done: list[float] = []  # monotonic time each scan committed
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with self.app.app_context():
                for code, op_id in self.pairs:
                    for _ in range(10):
                        if self.stop.is_set():
                            return
                        record_scan(operator_id=self.op.id, operator_line_id=self.op.line_id, bundle_ref=code,
                                    operation_id=op_id, qty=1)
                        self.done.append(time.monotonic())
        except BaseException as e:  # reported by the test
            self.error = e

    def wait_for(self, n: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.done) < n:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"only {len(self.done)} scans, expected {n}"
            time.sleep(0.002)


def floor_with_work(factory, pieces: int = 1000):
    line, style, order, op = factory.floor()
    big = factory.order(style=style, line=line, qty={("S", "Blue"): pieces})
    codes = list(db.session.scalars(select(Bundle.code).where(Bundle.order_id == big.id).order_by(Bundle.number)))
    return style, op, codes


@pytest.fixture()
def target(tmp_path, ctx):
    """A fresh place to restore into, and an app on it: a new directory (SQLite) or a new database."""
    made = []

    def make(name: str = "restored"):
        if ON_PG:
            url = make_url(PG_URL).set(database=f"{make_url(PG_URL).database}_{name}")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
            url = url.render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / name / 'shopfloor.db'}"
        restored = create_app(_config(url))
        made.append((restored, url))
        return restored, url

    yield make
    for restored, url in made:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
        if ON_PG:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def release_connections(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def held(url):
    """The database held as a running server holds it: a session named scan-server (PostgreSQL), or another
    process with the file open (SQLite)."""
    if ON_PG:
        with psycopg.connect(pg_backup._conninfo(make_url(url)), application_name="scan-server"):
            yield
        return
    with subprocess.Popen([sys.executable, "-c", HOLDER, make_url(url).database], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().strip() == "ready"
        try:
            yield
        finally:
            proc.stdin.close()
            proc.wait(5)


def some_backups(ctx, factory, tmp_path):
    """Two backups of the suite's database: with one scan, then with two."""
    style, op, codes = floor_with_work(factory, pieces=20)
    record_scan(operator_id=op.id, operator_line_id=op.line_id, bundle_ref=codes[0],
                operation_id=style.operations[0].id, qty=1)
    first = backups.backup(db.engine.url, f"{tmp_path}/b1/")
    record_scan(operator_id=op.id, operator_line_id=op.line_id, bundle_ref=codes[0],
                operation_id=style.operations[0].id, qty=1)
    second = backups.backup(db.engine.url, f"{tmp_path}/b2/")
    return first, second


def fingerprint(url) -> tuple:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return counts(url), hashlib.sha256(Path(u.database).read_bytes()).hexdigest()
    return (counts(url),)
