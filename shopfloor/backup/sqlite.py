"""SQLite: an online copy through the backup API, and a restore that refuses while the file is held.

The copy holds one read transaction on the live database for the whole backup: in WAL mode a reader never
blocks writers, the copy is exactly that snapshot (the backup does not restart when scans commit meanwhile),
and the row counts taken in the same transaction are the copy's. The backup runs in steps of STEP_PAGES
pages; the interpreter lock is released during each step, so the app's threads keep working. While the
backup runs the checkpointer cannot restart the WAL past its snapshot, so the WAL grows for that long.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from shopfloor.backup.files import PG_DUMP_MAGIC, SQLITE_MAGIC, BackupError, has_magic, partial_file, place

STEP_PAGES = 1024  # 4 MB per step at 4 KB pages
BUSY_TIMEOUT_S = 30
# sqlite's unix VFS: every connection holds a read lock on this byte of <db>-shm while it has the WAL open
# (the "dead man switch", UNIX_SHM_DMS = (22 + 8) * 4 + 8 in os_unix.c).
SHM_DMS_BYTE = 128
LEFTOVERS = ("-wal", "-shm", "-journal")
SHOPFLOOR_TABLE = "work_log"


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    return sqlite3.connect(target, uri=read_only, isolation_level=None, timeout=BUSY_TIMEOUT_S,
                           check_same_thread=False)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _check(conn: sqlite3.Connection, what: str) -> None:
    result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(result[:5])}")


def backup(db_path: Path, final: Path, step_pages: int = STEP_PAGES,
           during: Callable[[], None] | None = None) -> dict[str, int]:
    """Copy the live database to `final` (atomically); returns every table's row count in the copy.
    `during` is called after each step, while the snapshot is held."""
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path}.")
    with partial_file(final) as tmp:
        with closing(_connect(db_path)) as src, closing(_connect(tmp)) as dst:
            src.execute("PRAGMA query_only=1")
            src.execute("BEGIN")
            counts = table_counts(src)  # the first read fixes the snapshot the backup copies
            src.backup(dst, pages=step_pages, progress=(lambda *_: during()) if during else None)
            src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file; the app turns WAL on again
            _check(dst, "The copy")
        place(tmp, final)
    return counts


def validate(path: Path) -> None:
    """A backup worth restoring: a SQLite file that holds Shopfloor's tables."""
    if not has_magic(path, SQLITE_MAGIC):
        hint = " (it is a PostgreSQL dump: restore it into PostgreSQL)" if has_magic(path, PG_DUMP_MAGIC) else ""
        raise BackupError(f"{path} is not a SQLite database{hint}.")
    with closing(_connect(path, read_only=True)) as conn:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (SHOPFLOOR_TABLE,)).fetchone()
    if not found:
        raise BackupError(f"{path} is a SQLite database but not a Shopfloor backup (no {SHOPFLOOR_TABLE} table).")


def _shm_in_use(db_path: Path) -> bool:
    """True when another process has the database open in WAL mode (it holds a read lock on <db>-shm).

    POSIX locks do not conflict within one process, and closing this descriptor drops this process's own
    locks on the file: call it from a process that has no connection to this database (the CLI)."""
    shm = Path(f"{db_path}-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


@contextmanager
def _writers_locked_out(db_path: Path) -> Iterator[None]:
    """Hold the writers' queue (`<db>.writelock`, see database._WriterQueue), or refuse if a writer holds it."""
    fd = os.open(f"{db_path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BackupError(in_use_message(db_path, "a writer holds its lock")) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def in_use_message(db_path: Path, why: str) -> str:
    return (f"The database {db_path} is in use ({why}). Stop the server (and any other flask command) first; "
            "nothing was changed.")


def check_not_in_use(db_path: Path) -> None:
    if not db_path.parent.is_dir():
        return  # a fresh directory: nobody holds what is not there yet
    with _writers_locked_out(db_path):
        if _shm_in_use(db_path):
            raise BackupError(in_use_message(db_path, "another process has it open"))


def restore(db_path: Path, backup_path: Path) -> dict[str, int]:
    """Put a validated backup in place of the database: copy next to it, check, fsync, remove stale
    -wal/-shm, rename (all under the writers' lock, after checking again that nobody has the file open)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with partial_file(db_path) as tmp:
        with closing(_connect(backup_path, read_only=True)) as src, closing(_connect(tmp)) as dst:
            src.backup(dst)
            _check(dst, "The restored copy")
            counts = table_counts(dst)
        with _writers_locked_out(db_path):
            if _shm_in_use(db_path):
                raise BackupError(in_use_message(db_path, "another process has it open"))
            if db_path.exists():
                os.chmod(tmp, stat.S_IMODE(db_path.stat().st_mode))  # keep the file's permissions
            # A -wal left by the old file would be replayed into the new one: remove it first.
            for suffix in LEFTOVERS:
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            place(tmp, db_path)
    return counts
