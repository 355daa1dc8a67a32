"""Backups of the live database and restores, for `flask backup` and `flask restore` (shopfloor/cli.py).

SQLite: the sqlite3 backup API over one read snapshot (`backup/sqlite.py`). PostgreSQL: pg_dump / pg_restore
(`backup/postgres.py`). Both report every table's row count as of the copy.
"""
from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from shopfloor.backup import files, postgres, sqlite
from shopfloor.backup.files import BackupError

__all__ = ["BackupError", "FAILURES", "Backup", "backup", "check_restorable", "restore", "describe"]

# What a backup or restore can fail with: the CLI prints the message and exits 1.
FAILURES = (BackupError, OSError, sqlite3.Error, psycopg.Error, subprocess.TimeoutExpired)


@dataclass(frozen=True)
class Backup:
    path: Path
    tables: dict[str, int]
    seconds: float
    pruned: list[Path] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups of {backend} databases are not supported (SQLite and PostgreSQL are).")


def describe(url: URL) -> str:
    """The database in words, without its password."""
    if _kind(url) == "sqlite":
        return f"SQLite file {Path(url.database).resolve()}"
    return f"PostgreSQL database {url.database} on {url.host or 'localhost'}:{url.port or 5432}"


def backup(url: URL, path: str | Path, *, keep: int | None = None, now: datetime | None = None,
           step_pages: int = sqlite.STEP_PAGES, during: Callable[[], None] | None = None) -> Backup:
    """A consistent copy of the live database at `path` (a file, or a timestamped file in a directory);
    with `keep`, only the newest `keep` backups stay in that directory. `during` is called while the copy
    holds its snapshot (the tests scan meanwhile)."""
    kind = _kind(url)
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1.")
    final = files.destination(path, ".db" if kind == "sqlite" else ".dump", keep, now)
    started = time.monotonic()
    if kind == "sqlite":
        tables = sqlite.backup(Path(url.database), final, step_pages, during)
    else:
        tables = postgres.backup(url, final, during)
    pruned = files.prune(final.parent, keep) if keep is not None else []
    return Backup(final, tables, time.monotonic() - started, pruned)


def check_restorable(url: URL, path: Path) -> None:
    """Refuse early (before asking for confirmation): a backup of the right kind, a database nobody holds."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    if _kind(url) == "sqlite":
        sqlite.validate(path)
        sqlite.check_not_in_use(Path(url.database))
    else:
        postgres.validate(path)
        postgres.check_not_in_use(url)


def restore(url: URL, path: Path) -> dict[str, int]:
    """Replace the database with the backup (checks again that nobody holds it); returns the row counts."""
    check_restorable(url, path)
    if _kind(url) == "sqlite":
        return sqlite.restore(Path(url.database), path)
    return postgres.restore(url, path)
