"""Backup files on disk: timestamped names, retention, atomic placement (write, fsync, rename)."""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


class BackupError(Exception):
    """A backup or restore could not be done; the message says why (the CLI prints it and exits 1)."""


PREFIX = "shopfloor-"
STAMP = "%Y%m%dT%H%M%SZ"
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of each kind of backup file
PG_DUMP_MAGIC = b"PGDMP"
NAME = re.compile(r"^shopfloor-(\d{8}T\d{6}Z)(?:-(\d+))?\.(db|dump)$")


def timestamped(directory: Path, suffix: str, now: datetime | None = None) -> Path:
    """`shopfloor-20261201T020000Z.db` in directory (UTC; `-2`, `-3` … if that second is taken)."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(STAMP)
    path, n = directory / f"{PREFIX}{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = directory / f"{PREFIX}{stamp}-{n}{suffix}"
    return path


def destination(given: str | Path, suffix: str, keep: int | None, now: datetime | None = None) -> Path:
    """Where a backup goes: PATH itself, or a timestamped file in it when PATH is a directory (made when
    PATH ends with / or --keep is given)."""
    path = Path(given)
    if path.is_dir() or str(given).endswith(os.sep) or (keep is not None and not path.exists()):
        path.mkdir(parents=True, exist_ok=True)
        return timestamped(path, suffix, now)
    if keep is not None:
        raise BackupError(f"--keep needs a directory, not a file: {path}")
    if not path.parent.is_dir():
        raise BackupError(f"The directory {path.parent} does not exist.")
    return path


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups in directory (only files named like ours); returns those removed."""
    found = []
    for entry in directory.iterdir():
        m = NAME.match(entry.name)
        if m and entry.is_file():
            found.append(((m.group(1), int(m.group(2) or 1)), entry))
    found.sort()
    old = [entry for _key, entry in found[:-keep]] if len(found) > keep else []
    for entry in old:
        entry.unlink()
    fsync_directory(directory)
    return old


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in directory durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def partial_file(final: Path):
    """A temporary file next to `final` (same file system, so the rename is atomic), removed unless the
    caller moved it into place with `place`."""
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def place(tmp: Path, final: Path) -> None:
    """fsync the finished file, rename it over `final`, fsync the directory."""
    fsync_file(tmp)
    os.replace(tmp, final)
    fsync_directory(final.parent)


def has_magic(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(magic)) == magic
