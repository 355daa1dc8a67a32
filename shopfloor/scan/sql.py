"""Plain DB-API SQL on the scan hot path: no ORM session, rows read by column name.

A statement is written once, in SQL with :name binds. SQLAlchemy's own compiler renders it once, at
import, for each driver's parameter style (psycopg gets %(name)s, sqlite3 keeps :name): no text of ours
is patched. Executing the driver's cursor directly skips the ORM's per-statement work, which is most of
a scan's cost.
"""
from __future__ import annotations

import sqlite3
from datetime import date, datetime

import psycopg
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.exc import IntegrityError

# A unique or CHECK constraint refused the write: SQLAlchemy's wrapper or the drivers' own.
INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)

_PG = pg_dialect.dialect()
_SQLITE = pysqlite.dialect(paramstyle="named")


class Stmt:
    """One SQL statement, rendered for both drivers by SQLAlchemy."""

    __slots__ = ("sqlite", "pg", "names")

    def __init__(self, sql: str):
        clause = text(sql)
        self.sqlite = str(clause.compile(dialect=_SQLITE))
        self.pg = str(clause.compile(dialect=_PG))
        self.names: tuple[str, ...] | None = None  # its result's column names, read once (psycopg builds
        # cursor.description afresh on every call, which costs a scan tens of microseconds)


def _sqlite_value(v):
    # The formats SQLAlchemy uses for SQLite, so ORM reads of these rows see the same values.
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


class Raw:
    """A DB-API cursor: on the session's connection (sharing its transaction), or on a raw pooled
    connection from database.raw_connection()."""

    def __init__(self, session=None, *, cursor=None, pg: bool = False):
        if cursor is not None:
            self.cur, self.pg = cursor, pg
            return
        conn = session.connection()
        self.pg = conn.dialect.name == "postgresql"
        self.cur = conn.connection.driver_connection.cursor()

    def bind(self, params: dict) -> dict:
        """Parameters as the driver takes them (run() does this itself unless told they are bound)."""
        return params if self.pg else {k: _sqlite_value(v) for k, v in params.items()}

    def run(self, stmt: Stmt, params: dict, bound: bool = False):
        if self.pg:
            self.cur.execute(stmt.pg, params)
        else:
            self.cur.execute(stmt.sqlite, params if bound else self.bind(params))
        return self.cur

    def one(self, stmt: Stmt, params: dict, into=None):
        """The first row (or None), as into(**columns by name) when `into` is given."""
        cur = self.run(stmt, params)
        row = cur.fetchone()
        if row is None or into is None:
            return row
        if stmt.names is None:
            stmt.names = tuple(d[0] for d in cur.description)
        return into(**dict(zip(stmt.names, row)))

    def scalar(self, stmt: Stmt, params: dict, bound: bool = False):
        row = self.run(stmt, params, bound).fetchone()
        return None if row is None else row[0]

    def column(self, stmt: Stmt, params: dict) -> list:
        return [r[0] for r in self.run(stmt, params).fetchall()]
