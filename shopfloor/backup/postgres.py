"""PostgreSQL: `pg_dump -Fc` of one exported snapshot, `pg_restore` that refuses while others are connected.

The password travels in PGPASSWORD (the child's environment), never on a command line. The backup opens a
REPEATABLE READ transaction, exports its snapshot, counts every table in it and lets pg_dump dump that same
snapshot (`--snapshot`), so the counts returned are the dump's. pg_dump takes only ACCESS SHARE locks:
scans go on while it runs.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from shopfloor.backup.files import PG_DUMP_MAGIC, SQLITE_MAGIC, BackupError, has_magic, partial_file, place
from shopfloor.config import child_environment

TIMEOUT_S = 6 * 60 * 60


def _conninfo(url: URL) -> str:
    """A libpq URL without the password (psycopg's SQLAlchemy driver name removed)."""
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False)


def _env(url: URL) -> dict[str, str]:
    return child_environment(PGPASSWORD=url.password) if url.password else child_environment()


def _connect(url: URL) -> psycopg.Connection:
    try:
        return psycopg.connect(_conninfo(url), password=url.password or None)
    except psycopg.OperationalError as e:
        raise BackupError(f"Cannot connect to {url.render_as_string(hide_password=True)}: {e}") from None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH; install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client, the same major version as the server).")
    return path


def _run(args: list[str], url: URL, what: str) -> None:
    done = subprocess.run(args, env=_env(url), capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {done.returncode}): " + " / ".join(detail))


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]
    return {name: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
            for name in names}


def backup(url: URL, final: Path, during: Callable[[], None] | None = None) -> dict[str, int]:
    """pg_dump of one snapshot to `final` (atomically); returns every table's row count in the dump.
    `during` is called once the snapshot is taken, before pg_dump starts."""
    pg_dump = _tool("pg_dump")
    with partial_file(final) as tmp, _connect(url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = table_counts(conn)
        if during:
            during()
        # The exporting transaction stays open until pg_dump is done with the snapshot.
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={tmp}",
              f"--dbname={_conninfo(url)}"], url, "pg_dump")
        conn.rollback()
        place(tmp, final)
    return counts


def validate(path: Path) -> None:
    if not has_magic(path, PG_DUMP_MAGIC):
        hint = " (it is a SQLite database: restore it into SQLite)" if has_magic(path, SQLITE_MAGIC) else ""
        raise BackupError(f"{path} is not a pg_dump custom-format file{hint}.")
    _run([_tool("pg_restore"), "--list", str(path)], URL.create("postgresql"), f"Reading {path}")


def other_sessions(url: URL) -> list[str]:
    """Who else is connected to the database (application name or address), from pg_stat_activity."""
    with _connect(url) as conn:
        rows = conn.execute(
            "SELECT coalesce(nullif(application_name, ''), host(client_addr), 'local') FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'").fetchall()
    return [r[0] for r in rows]


def check_not_in_use(url: URL) -> None:
    others = other_sessions(url)
    if others:
        raise BackupError(f"The database {url.database} is in use ({len(others)} other session(s): "
                          f"{', '.join(sorted(set(others)))}). Stop the server (and any other client) first; "
                          "nothing was changed.")


def restore(url: URL, backup_path: Path) -> dict[str, int]:
    """pg_restore a validated dump in one transaction (--clean --if-exists: the dump's objects replaced)."""
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={_conninfo(url)}", str(backup_path)], url, "pg_restore")
    with _connect(url) as conn:
        return table_counts(conn)
