"""The bare-stack ceiling for the scan benchmark: Flask + the database driver and nothing of Shopfloor.

POST /api/v1/scans reads the same JSON body a phone sends and does one conditional INSERT (a resent client id adds
nothing), answering 201 with a small JSON body, like the scan API. No session, no CSRF, no rules, no summaries:
what the web framework, the driver and the server allow on this machine, measured with the same clients in the
same run as the app (bench/scan_bench.py), so the ratio of the two says how much of it the app reaches.

Served by granian's WSGI interface (`granian --interface wsgi bare_app:app`); BARE_DATABASE is a PostgreSQL URL
(psycopg, one autocommit connection per worker) or a SQLite file (WAL, synchronous=NORMAL like the app's).
"""
from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify, request

URL = os.environ["BARE_DATABASE"]
PG = URL.startswith("postgresql")
_SQL = ("INSERT INTO bare_scans (client_id, bundle, operation, qty) VALUES ({p}, {p}, {p}, {p}) "
        "ON CONFLICT (client_id) DO NOTHING")
INSERT = _SQL.format(p="%s") if PG else _SQL.format(p="?")
SCHEMA = ("CREATE TABLE IF NOT EXISTS bare_scans (client_id VARCHAR(64) PRIMARY KEY, bundle VARCHAR(64), "
          "operation INTEGER, qty INTEGER)")


def connect():
    if PG:
        import psycopg

        return psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    conn = sqlite3.connect(URL, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


_conn = None


def conn():
    global _conn
    if _conn is None:
        _conn = connect()
    return _conn


app = Flask(__name__)


@app.post("/api/v1/scans")
def scan():
    data = request.get_json()
    cur = conn().cursor()
    cur.execute(INSERT, (str(data["client_id"]), str(data["bundle"]), int(data["operation"]), int(data["qty"])))
    created = cur.rowcount == 1
    return jsonify(bundle=data["bundle"], qty=data["qty"], replay=not created), 201 if created else 200


@app.get("/login")
def up():
    return "up"


def rows() -> int:
    c = connect()
    try:
        return c.execute("SELECT count(*) FROM bare_scans").fetchone()[0]
    finally:
        c.close()


def create_schema() -> None:
    c = connect()
    try:
        c.execute(SCHEMA)
        c.execute("DELETE FROM bare_scans")
    finally:
        c.close()
