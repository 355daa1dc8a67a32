"""Shared set-up for the benchmarks: a fresh database, a floor to scan, the app server on loopback."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
# The checkout whose code is measured (this one unless use_code() names another, e.g. a baseline).
CODE = ROOT


def use_code(root: str) -> None:
    """Measure the Shopfloor code of another checkout (call before anything imports shopfloor)."""
    global CODE
    CODE = os.path.abspath(root)
    sys.path.insert(0, CODE)


def fresh_database(kind: str, workdir: str, pg_url: str | None = None, name: str | None = None) -> str:
    """A new empty database URL: a SQLite file in workdir, or a new PostgreSQL database on pg_url's server
    (named `name`, dropped first if it exists; a random sf_bench_ name by default)."""
    if kind == "sqlite":
        return f"sqlite:///{os.path.join(workdir, 'bench.db')}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = name or f"sf_bench_{uuid.uuid4().hex[:8]}"
    if name in ("postgres", "test") or name.startswith("template") or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing to use {name!r} as a throw-away bench database")
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: str):
    from shopfloor import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret"})


def board_data():
    """What the board's route reads (in an app context): the board from the summaries, the orders' forecasts
    and the lines' quality; the read transaction ended, as a request ends it."""
    from shopfloor.board import queries
    from shopfloor.extensions import db
    from shopfloor.quality.metrics import line_quality_today
    from shopfloor.review.forecast import order_forecasts

    b = queries.board()
    order_forecasts([(o.id, o.quantity, o.output, o.due_date) for o in b.orders])
    line_quality_today()
    db.session.rollback()
    return b


def build_floor(app, bundles: int = 1000, bundle_size: int = 40, operators: int = 8) -> dict:
    """Schema from the migrations, then one line, a 3-operation style, an order cut into bundles, operators
    assigned to its first operation, which the bench scans.

    A floor holds bundles x bundle_size pieces of that operation: size it above what the server can log in
    the run (a floor that runs out answers 409s, which measures the refusal, not the scan)."""
    from flask_migrate import upgrade

    from shopfloor.auth.services import create_user
    from shopfloor.extensions import db
    from shopfloor.models import Bundle, Line, Operation, Style
    from shopfloor.orders.services import create_order, cut_order

    with app.app_context():
        upgrade(directory=os.path.join(CODE, "migrations"))
        line = Line(code="B1", name="Bench line", target_efficiency=Decimal("0.7"))
        style = Style(code="BS", name="Bench style", sizes_csv="M")
        style.operations = [Operation(seq=i + 1, name=f"Op {i + 1}", machine="Overlock", sam=Decimal("0.5"),
                                      piece_rate=Decimal("0.025")) for i in range(3)]
        db.session.add_all([line, style])
        db.session.flush()
        order = create_order(number="BENCH", customer="Bench", style=style, due_date=date.today() + timedelta(days=9),
                             quantities={("M", "Blue"): bundles * bundle_size}, line_id=line.id)
        cut_order(order, bundle_size)
        ops = [create_user(f"Bench operator {i}", "operator", pin="123456", line_id=line.id) for i in range(operators)]
        for u in ops:  # operators log only the operation they are assigned to (scan/services._check_claim)
            u.assigned_operation_id = style.operations[0].id
        db.session.commit()
        codes = [b.code for b in db.session.query(Bundle).order_by(Bundle.id)]
        # The signed-in bench operator scans their own operation on every bundle, round after round.
        return {"codes": codes, "operations": [style.operations[0].id], "operators": [u.id for u in ops],
                "all_operations": [o.id for o in style.operations]}


def server_shape() -> tuple[int, int]:
    """The (processes, app threads per process) `make run` uses by default in the measured checkout."""
    if not os.path.exists(os.path.join(CODE, "shopfloor", "server.py")):
        from shopfloor import gunicorn_conf  # a baseline from before granian

        return gunicorn_conf.workers, gunicorn_conf.threads
    from shopfloor.config import ServerSettings

    s = ServerSettings.from_env()
    return s.workers, s.threads


def _server_env(url: str, workers: int | None, threads: int | None, **extra: str) -> dict:
    env = dict(os.environ, SHOPFLOOR_DATABASE_URL=url, SHOPFLOOR_SECRET_KEY="bench-secret", **extra)
    if workers:
        env["SHOPFLOOR_WORKERS"] = str(workers)
    if threads:
        env["SHOPFLOOR_THREADS"] = str(threads)
    return env


@contextmanager
def running_process(argv: list[str], env: dict, port: int, workdir: str, name: str, cwd: str | None = None):
    """A server process, up once /login answers; yields (host:port, pid)."""
    log = open(os.path.join(workdir, f"{name}.log"), "w")
    proc = subprocess.Popen(argv, cwd=cwd or CODE, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, name)
        yield f"127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@contextmanager
def serve(url: str, port: int, workers: int | None, threads: int | None, workdir: str):
    """The server `make run` starts in the measured checkout: `python -m shopfloor.server` (granian) where the
    checkout has it, else gunicorn with shopfloor/gunicorn_conf.py (a baseline from before granian)."""
    if not os.path.exists(os.path.join(CODE, "shopfloor", "server.py")):
        with gunicorn(url, port, workers, threads, workdir) as served:
            yield served
        return
    # Plain HTTP only (SHOPFLOOR_TLS=0) and no background worker (SHOPFLOOR_WORKER=0; SHOPFLOOR_WEBHOOKS=0 in
    # an older checkout; idle, it polls the outbox every 2 s): the benchmark measures one granian, exec()ed by
    # server.py (this pid is granian's main process, whose children are the workers).
    argv = [os.path.join(CODE, ".venv", "bin", "python"), "-m", "shopfloor.server", "--host", "127.0.0.1",
            "--port", str(port)]
    env = _server_env(url, workers, threads, SHOPFLOOR_TLS="0", SHOPFLOOR_WORKER="0", SHOPFLOOR_WEBHOOKS="0")
    with running_process(argv, env, port, workdir, "server") as served:
        yield served


def _wait_until_up(port: int, name: str) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/login")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not start")


@contextmanager
def gunicorn(url: str, port: int, workers: int | None, threads: int | None, workdir: str):
    """The server `make run` started before granian (a baseline checkout's shopfloor/gunicorn_conf.py; it needs
    gunicorn in that checkout's venv); workers/threads override its defaults."""
    argv = [os.path.join(CODE, ".venv", "bin", "gunicorn"), "--bind", f"127.0.0.1:{port}",
            "--config", "python:shopfloor.gunicorn_conf", "app:app"]
    with running_process(argv, _server_env(url, workers, threads), port, workdir, "gunicorn") as served:
        yield served


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system, all threads) used so far by a server's worker processes (Linux /proc).

    A noise-resistant figure on a shared machine: other load stretches wall time, not this."""
    total = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st and int(st[1]) == master_pid:   # fields after the name: state, ppid, ...
                total += int(st[11]) + int(st[12])   # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# Where a page carries its CSRF token: the sign-in form's field, and the meta tag of a signed-in page.
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def sign_in(host: str, user_id: int) -> tuple[str, str]:
    """Sign an operator in through the real form; returns (cookie header, CSRF token)."""
    h, p = host.split(":")
    c = http.client.HTTPConnection(h, int(p), timeout=10)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookie = "; ".join(v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
    token = FORM_TOKEN.search(page).group(1)
    body = urlencode({"csrf_token": token, "user_id": user_id, "pin": "123456"})
    c.request("POST", "/login/pin", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse()
    r.read()
    cookies = dict(v.split(";", 1)[0].split("=", 1) for k, v in r.getheaders() if k.lower() == "set-cookie")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    c.request("GET", "/scan", headers={"Cookie": cookie})
    r = c.getresponse()
    page = r.read().decode()
    token = PAGE_TOKEN.search(page).group(1)
    c.close()  # do not hold a keep-alive slot during the measurement
    return cookie, token
