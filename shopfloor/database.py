"""Engine set-up: SQLite in WAL with foreign keys and BEGIN IMMEDIATE for writers; PostgreSQL connections
checked for life only after they sat idle in the pool."""
from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager, nullcontext

from flask import Flask, current_app
from sqlalchemy import event, exc

from shopfloor.extensions import db

IMMEDIATE = {"sqlite_immediate": True}
BUSY_TIMEOUT_MS = 30_000  # how long a SQLite connection waits for a lock before "database is locked"
IDLE_PING_SECONDS = 10    # a PostgreSQL connection idle in the pool longer than this is pinged before use


def is_sqlite(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def configure_engine_options(app: Flask) -> None:
    opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_sqlite(app):
        connect_args = dict(opts.get("connect_args", {}))
        # Let SQLAlchemy own BEGIN (pysqlite's implicit transactions are turned off below).
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        opts["connect_args"] = connect_args
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            opts.setdefault("pool_size", 20)
            opts.setdefault("max_overflow", 20)
    else:
        # Not pool_pre_ping: it pings at every checkout, a round trip that cost a scan about 100 us of the app's
        # CPU (a fifth of it, bench/scan_cpu.py); install_postgres_hooks pings only a connection left idle.
        opts.setdefault("pool_pre_ping", False)
        # No JIT compilation: the planner's cost of a read over a year of history (the board's work in progress,
        # the review's figures) passes jit_above_cost though it runs in milliseconds, and compiling took longer
        # than running (220 ms of the board's 430 ms at 74 M ledger rows, bench/history_bench.py).
        connect_args = dict(opts.get("connect_args", {}))
        connect_args.setdefault("options", "-c jit=off")
        opts["connect_args"] = connect_args
        opts.setdefault("pool_size", 10)
        opts.setdefault("max_overflow", 20)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


def install_postgres_hooks(app: Flask) -> None:
    """A pooled PostgreSQL connection idle for more than IDLE_PING_SECONDS is pinged when it is checked out,
    and replaced when the ping fails (SQLAlchemy's documented pessimistic check: the checkout event raises
    DisconnectionError and the pool retries with a new connection). One in steady use is not pinged; after
    a database restart, a connection used in the last seconds fails its next statement once (the scan's
    outbox keeps an item answered 5xx and sends it again) and the pool drops it."""
    if is_sqlite(app):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):  # pragma: no cover - exercised by every test
        record.info["sf_returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):  # pragma: no cover - exercised by every test
        returned = record.info.get("sf_returned")
        if returned is None or time.monotonic() - returned <= IDLE_PING_SECONDS:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as e:
            raise exc.DisconnectionError() from e


def install_sqlite_hooks(app: Flask) -> None:
    if not is_sqlite(app):
        return
    with app.app_context():
        engine = db.engine
    # NORMAL in WAL: a commit survives an app crash but the last ones may be lost on power loss or an OS
    # crash; FULL (SHOPFLOOR_DURABLE=1) syncs the WAL at every commit.
    synchronous = "FULL" if app.config.get("DURABLE") else "NORMAL"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        # Checkpoints run in a background thread (see _checkpointer), not inside a scan's commit.
        cur.execute("PRAGMA wal_autocheckpoint=0")
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


class _WriterQueue:
    """Queues SQLite writers of all processes on one file lock.

    SQLite's own busy handler makes a waiting writer sleep and retry (1, 2, 5, 10 ms ...), which
    shows up as long tail latency under load; a blocking flock() wakes the next writer as soon as
    the lock is released. A thread lock first, because flock() is per open file, not per thread.
    """

    def __init__(self, path: str):
        self.thread_lock = threading.Lock()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def hold(self):
        with self.thread_lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


class _Checkpointer(threading.Thread):
    """Keeps the WAL small, off the request path (one thread per process, started by the first write).

    Every INTERVAL seconds a PASSIVE checkpoint copies the WAL into the database file without
    blocking anyone. Under steady scanning that alone never lets the WAL start over (some reader
    always uses it), so the file would grow by hundreds of MB an hour, and every append to a growing
    file costs more than rewriting one already in the page cache. So once the WAL passes
    RESTART_FRAMES pages a RESTART checkpoint follows, taken in the writers' queue and waiting at
    most RESTART_WAIT_MS for readers: short enough that no scan notices, and when readers are busy
    it simply tries again next time.
    """

    INTERVAL = 0.2
    RESTART_WAIT_MS = 5
    RESTART_FRAMES = 2000  # pages (8 MB at 4 KB): only a WAL under steady load gets this far

    def __init__(self, engine, queue: _WriterQueue):
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.engine = engine
        self.queue = queue

    def run(self) -> None:  # pragma: no cover - timing thread
        while True:
            time.sleep(self.INTERVAL)
            try:
                self.checkpoint()
            except Exception:  # the database may be gone (tests, shutdown); try again later
                continue

    def checkpoint(self) -> None:
        with self.engine.connect() as conn:
            _busy, frames, _copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            if frames < self.RESTART_FRAMES:
                return  # a quiet WAL starts over by itself; do not take the write lock for nothing
            conn.exec_driver_sql(f"PRAGMA busy_timeout={self.RESTART_WAIT_MS}")
            try:
                with self.queue.hold():
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)")
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


_checkpointers: dict[str, _Checkpointer] = {}
_queues: dict[str, _WriterQueue] = {}
_queues_lock = threading.Lock()


def _writer_queue() -> _WriterQueue | None:
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///") or url in ("sqlite://", "sqlite:///:memory:"):
        return None
    q = _queues.get(url)
    if q is None:
        with _queues_lock:
            q = _queues.get(url) or _WriterQueue(db.engine.url.database + ".writelock")
            _queues[url] = q
            if url not in _checkpointers:
                _checkpointers[url] = _Checkpointer(db.engine, q)
                _checkpointers[url].start()
    return q


@contextmanager
def write_transaction():
    """Run a unit of work: BEGIN IMMEDIATE on SQLite (writers queued), commit or roll back."""
    if db.session().in_transaction():
        # A read already started a deferred transaction; end it so the writer starts clean.
        db.session.commit()
    queue = _writer_queue()
    with queue.hold() if queue else nullcontext():
        begin_write()
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


@contextmanager
def side_transaction():
    """A short unit of work on its own connection, committed at once, apart from the request's ORM session
    (SQLite: writers queued, BEGIN IMMEDIATE). For edge bookkeeping that must commit before or after a view."""
    queue = _writer_queue()
    with queue.hold() if queue else nullcontext():
        with db.engine.connect().execution_options(**IMMEDIATE) as conn, conn.begin():
            yield conn


class RawConnection:
    """A pooled DB-API connection for the scan hot path (no ORM session).

    Reads run first without the write lock; write() then queues (SQLite), begins IMMEDIATE and commits.
    On PostgreSQL the connection is in autocommit while it is out of the pool: a read needs no BEGIN, and
    write(alone=True) runs the caller's one statement, atomic on its own, with no BEGIN / COMMIT round
    trips; write() otherwise opens a transaction for the caller's statements.
    """

    def __init__(self):
        self.pg = db.engine.dialect.name == "postgresql"
        self.conn = db.engine.raw_connection()
        if self.pg:
            self.conn.driver_connection.autocommit = True
        self.cur = self.conn.cursor()

    @contextmanager
    def write(self, alone: bool = False):
        if self.pg:
            if alone:
                yield self.cur
            else:
                with self.conn.driver_connection.transaction():
                    yield self.cur
            return
        queue = _writer_queue()
        with queue.hold() if queue else nullcontext():
            self.cur.execute("BEGIN IMMEDIATE")
            try:
                yield self.cur
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise

    def close(self) -> None:
        try:
            if self.pg:
                self.conn.driver_connection.autocommit = False  # as the pool's other users expect it
            else:
                self.conn.rollback()
        except Exception:
            self.conn.invalidate()  # a broken connection does not go back to the pool
        finally:
            self.conn.close()


@contextmanager
def raw_connection():
    # Only look at the ORM session if this request already has one (creating it costs time).
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()  # so the caller's later reads see this write
    rc = RawConnection()
    try:
        yield rc
    finally:
        rc.close()
