"""The secrets every app server must share: the key that signs sessions, QR tickets and badges, and the wall
board's first token. From the environment when it is set (config.py); else from the database, where the first
server to start writes one (INSERT ... ON CONFLICT DO NOTHING, then read back): two app servers on one
database sign alike, and a restored backup keeps the printed tickets and badges valid.

An install from before the table existed kept its secrets in instance/<name>: the first start after the
migration adopts that file's value into the database, so nothing printed stops working. Before the table exists
(the very first `flask db upgrade` of a new database) the instance file is used as it always was.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shopfloor.database import side_transaction
from shopfloor.extensions import db
from shopfloor.models import InstanceSecret

# config key -> (row name and instance file name, random bytes)
SHARED = {"SECRET_KEY": ("secret_key", 32), "BOARD_TOKEN": ("board_token", 18)}


def install(app: Flask) -> None:
    """Fill every shared secret the environment did not set (called by create_app)."""
    missing = [key for key in SHARED if not app.config.get(key)]
    if not missing:
        return
    with app.app_context():
        try:
            stored = inspect(db.engine).has_table(InstanceSecret.__tablename__)
            for key in missing:
                name, nbytes = SHARED[key]
                folder = Path(app.instance_path)
                app.config[key] = shared(name, nbytes, folder) if stored else file_secret(folder, name, nbytes)
        finally:
            db.session.remove()


def shared(name: str, nbytes: int, folder: Path) -> str:
    """The database's value of this secret, written first by whichever server asks first."""
    value = _read(name)
    if value is None:
        old = folder / name
        candidate = old.read_text().strip() if old.exists() else secrets.token_urlsafe(nbytes)
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        with side_transaction() as conn:
            conn.execute(insert(InstanceSecret).values(name=name, value=candidate).on_conflict_do_nothing())
        value = _read(name)
    return value


def _read(name: str) -> str | None:
    value = db.session.scalar(select(InstanceSecret.value).where(InstanceSecret.name == name))
    db.session.rollback()  # end the read, so a server never holds a transaction open from here
    return value


def file_secret(folder: Path, name: str, nbytes: int) -> str:
    """A random secret kept in <instance>/<name>, made on first use (before the database's table exists)."""
    key_file = folder / name
    if key_file.exists():
        return key_file.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
