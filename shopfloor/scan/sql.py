"""Plain SQL on the scan hot path: the session's own DB-API connection, so it shares its transaction.

Statements are written once with :name parameters; PostgreSQL (psycopg) gets %(name)s. This skips the ORM's
per-statement work, which is most of a scan's cost.
"""
from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError



# A unique or CHECK constraint refused the write: SQLAlchemy's wrapper or the drivers' own.
INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)


class Stmt:
    __slots__ = ("sqlite", "pg", "text")

    def __init__(self, sql: str):
        self.sqlite = sql
        self.pg = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)
        self.text = text(sql)


def _sqlite_value(v):
    # The formats SQLAlchemy uses for SQLite, so ORM reads of these rows see the same values.
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


class Raw:
    """A DB-API cursor: on the session's connection (sharing its transaction), or on a raw pooled
    connection from raw_write()."""

    def __init__(self, session=None, *, cursor=None, pg: bool = False):
        if cursor is not None:
            self.cur, self.pg = cursor, pg
            return
        conn = session.connection()
        self.pg = conn.dialect.name == "postgresql"
        self.cur = conn.connection.driver_connection.cursor()

    def run(self, stmt: Stmt, params: dict):
        if self.pg:
            self.cur.execute(stmt.pg, params)
        else:
            self.cur.execute(stmt.sqlite, {k: _sqlite_value(v) for k, v in params.items()})
        return self.cur

    def one(self, stmt: Stmt, params: dict):
        return self.run(stmt, params).fetchone()

    def all(self, stmt: Stmt, params: dict):
        return self.run(stmt, params).fetchall()
