"""`flask backup` / `flask restore` on the suite's database (SQLite or PostgreSQL): a copy taken while the
floor scans is consistent, restores into a fresh directory / database, and scanning works on it."""
from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import time

import pytest
from sqlalchemy.engine import make_url

from shopfloor import create_app
from shopfloor.backup import postgres as pg_backup
from shopfloor.backup import services as backups
from shopfloor.extensions import db
from shopfloor.scan.services import record_scan
from tests.backup_helpers import (ON_PG, Scanner, cli, contents, counts, fingerprint, floor_with_work, held,
                                  ledger_totals, release_connections, some_backups)
from tests.backup_helpers import target  # noqa: F401  (a fixture)
from tests.conftest import PG_URL, _config

sqlite_only = pytest.mark.skipif(ON_PG, reason="SQLite files (-wal, -shm, writers' lock): tested in the SQLite run")
pg_only = pytest.mark.skipif(not ON_PG, reason="PostgreSQL credentials: tested in the PostgreSQL run")
if ON_PG and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
    pytest.skip("pg_dump / pg_restore not on PATH (Debian: postgresql-client); nothing is installed by the tests",
                allow_module_level=True)

# ---------------------------------------------------------------- backup under load, restore, scan again

def test_backup_under_load_restores_a_consistent_copy_that_scans(ctx, factory, target, tmp_path):
    style, op, codes = floor_with_work(factory)
    pairs = [(c, o.id) for c in codes for o in style.operations[:2]]
    scanner = Scanner(ctx, op, pairs)
    scanner.start()
    scanner.wait_for(20)
    during = []

    def floor_goes_on():  # while the copy holds its snapshot, scans keep committing
        if not during:
            during.append(len(scanner.done))
            scanner.wait_for(len(scanner.done) + 5)

    started = time.monotonic()
    made = backups.backup(db.engine.url, f"{tmp_path}/backups/", step_pages=4, during=floor_goes_on)
    ended = time.monotonic()
    scanner.wait_for(len(scanner.done) + 5)
    scanner.stop.set()
    scanner.join(10)
    assert scanner.error is None

    assert made.path.parent == tmp_path / "backups" and made.path.name.startswith("shopfloor-")
    assert sum(1 for t in scanner.done if started <= t <= ended) >= 5  # the floor scanned during the backup
    source_now = counts(db.engine.url)
    assert source_now["work_log"] == len(scanner.done) > made.tables["work_log"]  # and after it: not in the copy

    restored, url = target()
    result = cli(restored, "restore", "--yes", str(made.path))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and f"{made.rows:,} rows" in result.output
    # Every table of the copy holds what the backup's own snapshot counted, and the ledger agrees with the
    # summaries written in the same scan transactions (no half-copied scan).
    assert counts(url) == made.tables and set(made.tables) == set(source_now)
    totals = ledger_totals(url)
    assert set(totals.values()) == {made.tables["work_log"]}, totals

    with restored.app_context():
        scan = record_scan(operator_id=op.id, operator_line_id=op.line_id, bundle_ref=codes[-1],
                           operation_id=style.operations[2].id, qty=3, log_anyway=True)
        assert scan.created and scan.pieces == 3
    release_connections(restored)
    after = counts(url)
    assert after["work_log"] == made.tables["work_log"] + 1
    assert set(ledger_totals(url).values()) == {made.tables["work_log"] + 3}


# ---------------------------------------------------------------- restore refuses while the database is held


def test_restore_refuses_while_the_database_is_held_and_changes_nothing(ctx, factory, target, tmp_path):
    first, second = some_backups(ctx, factory, tmp_path)
    restored, url = target()
    assert cli(restored, "restore", "--yes", str(first.path)).exit_code == 0

    with held(url):
        before = fingerprint(url)
        refused = cli(restored, "restore", "--yes", str(second.path))
        after = fingerprint(url)
    assert refused.exit_code == 1
    assert "is in use" in refused.output and "nothing was changed" in refused.output
    assert ("scan-server" if ON_PG else "another process has it open") in refused.output
    assert after == before and before[0]["work_log"] == first.tables["work_log"] == 1

    done = cli(restored, "restore", "--yes", str(second.path))  # the holder gone, the same restore runs
    assert done.exit_code == 0, done.output
    assert counts(url)["work_log"] == 2


@sqlite_only
def test_restore_refuses_while_a_writer_holds_the_writers_lock(ctx, factory, target, tmp_path):
    first, second = some_backups(ctx, factory, tmp_path)
    restored, url = target()
    assert cli(restored, "restore", "--yes", str(first.path)).exit_code == 0
    before = fingerprint(url)
    fd = os.open(make_url(url).database + ".writelock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a scan being written (database._WriterQueue)
        refused = cli(restored, "restore", "--yes", str(second.path))
    finally:
        os.close(fd)
    assert refused.exit_code == 1 and "a writer holds its lock" in refused.output
    assert fingerprint(url) == before


def test_restore_asks_first_and_refuses_what_is_not_a_backup(ctx, factory, target, tmp_path):
    first, _second = some_backups(ctx, factory, tmp_path)
    restored, url = target()
    empty = contents(url)
    assert empty == ({} if ON_PG else None)  # a fresh database, or no file yet in a fresh directory
    answer_no = cli(restored, "restore", str(first.path), input="n\n")
    assert answer_no.exit_code == 1 and "Everything written since that backup is lost" in answer_no.output
    assert "Aborted" in answer_no.output and contents(url) == empty

    junk = tmp_path / "notes.db"
    junk.write_bytes(b"not a database at all")
    refused = cli(restored, "restore", "--yes", str(junk))
    assert refused.exit_code == 1 and "is not a" in refused.output and contents(url) == empty
    missing = cli(restored, "restore", "--yes", str(tmp_path / "nothing.db"))
    assert missing.exit_code == 1 and "There is no backup file" in missing.output


# ---------------------------------------------------------------- stale -wal / -shm

@sqlite_only
def test_restore_removes_stale_wal_and_shm_of_the_old_file(ctx, factory, target, tmp_path):
    first, _second = some_backups(ctx, factory, tmp_path)
    # The state a killed server leaves: a database file with committed pages still only in its -wal.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    live = tmp_path / "live.db"
    shutil.copy(first.path, live)
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("DELETE FROM work_log")
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{live}{suffix}", crashed / f"shopfloor.db{suffix}")
    conn.close()
    assert (crashed / "shopfloor.db-wal").stat().st_size > 0

    restored = create_app(_config(f"sqlite:///{crashed / 'shopfloor.db'}"))
    result = cli(restored, "restore", "--yes", str(first.path))
    assert result.exit_code == 0, result.output
    assert not (crashed / "shopfloor.db-wal").exists() and not (crashed / "shopfloor.db-shm").exists()
    # Had the old -wal stayed, opening the file would have replayed the old pages into the restored copy.
    assert counts(f"sqlite:///{crashed / 'shopfloor.db'}") == first.tables and first.tables["work_log"] == 1
    release_connections(restored)


# ---------------------------------------------------------------- retention

def test_backup_keep_prunes_older_backups_in_the_directory(ctx, factory, tmp_path):
    factory.floor()
    folder = tmp_path / "nightly"
    folder.mkdir()
    old = ["shopfloor-20260101T020000Z.db", "shopfloor-20260102T020000Z.dump", "shopfloor-20260103T020000Z.db"]
    others = ["notes.txt", "shopfloor-before-upgrade.db"]
    for name in old + others:
        (folder / name).write_text("x")

    result = cli(ctx, "backup", str(folder), "--keep", "2")
    assert result.exit_code == 0, result.output
    made = [p.name for p in folder.iterdir() if p.name.startswith("shopfloor-2") and p.name not in old]
    assert len(made) == 1 and made[0].endswith(".dump" if ON_PG else ".db")
    assert sorted(p.name for p in folder.iterdir()) == sorted([old[-1], made[0]] + others)
    assert "Removed older backup shopfloor-20260101T020000Z.db" in result.output
    assert "Removed older backup shopfloor-20260102T020000Z.dump" in result.output
    assert f"written to {folder / made[0]}" in result.output

    refused = cli(ctx, "backup", str(folder / made[0]), "--keep", "2")
    assert refused.exit_code == 1 and "--keep needs a directory" in refused.output
    assert cli(ctx, "backup", str(folder), "--keep", "0").exit_code == 1
    assert len(list(folder.iterdir())) == 4


# ---------------------------------------------------------------- PostgreSQL credentials

@pg_only
def test_pg_dump_gets_the_password_from_the_environment_not_the_command_line(ctx, tmp_path, monkeypatch):
    url = make_url(PG_URL).set(password="not-on-the-command-line")  # the test server trusts local users
    seen = []
    real_run = subprocess.run

    def spy(args, **kw):
        seen.append((args, kw["env"]))
        return real_run(args, **kw)

    monkeypatch.setattr(pg_backup.subprocess, "run", spy)
    made = backups.backup(url, f"{tmp_path}/pw/")
    assert made.path.read_bytes().startswith(b"PGDMP")
    (args, env), = seen
    assert not any("not-on-the-command-line" in a for a in args)
    assert env["PGPASSWORD"] == "not-on-the-command-line"
