"""A year of history (bench/history_gen.py): the pages a manager opens, timed through the app.

    .venv/bin/python bench/history_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/shopfloor_history
    .venv/bin/python bench/history_bench.py --sqlite /tmp/shopfloor_history.db

Targets: each page <= 300 ms; the board's data <= 10 ms. Real requests through Flask's test client (templates
included, no network), signed in as the history's manager through the password form; the factory clock stands
at 16:45 on the history's last day (the board shows that day's whole shift; "today" is that day). Pages: the
review (its default week, and the last whole month), the payslips CSV of that month, a bundle's history (a
bundle from the middle of the year, every operation sewn), the board's data call (as bench/board_bench.py
times it: board, forecasts, quality) and the board's live fragment (changed: 200; unchanged: 304).
Each is run once to warm, then --runs times; median and max in ms, in a process set as a server's workers are
(shopfloor/buffered.settle_process). The database is first brought to the code's migrations and its kept figures
(attendance/kept.py) dropped; the review and the payslips are loaded once so ("not
kept": every day of the period worked out, as on the first day after an upgrade); then the background worker's
turns run until every closed day is kept (attendance/keeper.py, timed), and the pages are timed as they are from
then on.

    .venv/bin/python bench/history_bench.py --postgres URL --baseline ../baseline --rounds 3

With --baseline (a checkout of other code, e.g. `git worktree add ../baseline <commit>`): after the run above,
--rounds rounds of the review's week and month and the board's data, the baseline's code and this one alternating
in child processes on the same database as it is then (kept), medians of 7 (board 21) per round and side.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import statistics
import time
from datetime import date, datetime, time as dtime, timedelta

from flask_migrate import upgrade

import common
from common import ROOT, board_data, make_app

TARGET_MS, BOARD_TARGET_MS = 300, 10


def sample(fn, runs: int) -> tuple[float, float, object]:
    out = fn()
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms), max(ms), out


def sign_in(client, username: str, password: str) -> None:
    page = client.get("/login?tab=staff").get_data(as_text=True)
    token = common.FORM_TOKEN.search(page).group(1)
    r = client.post("/login/password", data={"csrf_token": token, "username": username, "password": password})
    if r.status_code != 302:
        raise SystemExit(f"sign-in refused ({r.status_code})")


def forget_kept() -> None:
    """No kept figures: the first load of each page works its days out, as on the first day after an upgrade."""
    from sqlalchemy import text

    from shopfloor.extensions import db

    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM kept_figures_days"))
        conn.execute(text("DELETE FROM kept_figures"))


def facts() -> dict:
    from sqlalchemy import text

    from shopfloor.extensions import db

    q = lambda sql: db.session.execute(text(sql)).scalar()  # noqa: E731
    f = {"work_log": q("SELECT count(*) FROM work_log"),
         "operators": q("SELECT count(*) FROM users WHERE role = 'operator'"),
         "lines": q("SELECT count(*) FROM lines"), "orders": q("SELECT count(*) FROM orders"),
         "bundles": q("SELECT count(*) FROM bundles"), "days": q("SELECT count(DISTINCT day) FROM operator_day"),
         "last_day": q("SELECT max(day) FROM operator_day"), "first_day": q("SELECT min(day) FROM operator_day")}
    for k in ("last_day", "first_day"):
        f[k] = f[k] if isinstance(f[k], date) else date.fromisoformat(str(f[k]))
    # A bundle from the middle of the year that went through every operation of its style.
    f["bundle"] = q("SELECT code FROM bundles WHERE id = (SELECT max(id) / 2 FROM bundles)")
    db.session.rollback()
    return f


def served_app(url: str):
    """The app as a server's worker process holds it (shopfloor/buffered.settle_process: no full garbage collection
    over the loaded app in the middle of a request)."""
    from shopfloor import buffered

    app = make_app(url)
    if hasattr(buffered, "settle_process"):
        buffered.settle_process()
    else:   # a baseline from before it had a name: the same settings, as its workers set them
        buffered.BufferedWSGI(app).__rsgi_init__(None)
    return app


def run(url: str, runs: int) -> None:
    from shopfloor import clock

    app = served_app(url)
    app.config["BOARD_TOKEN"] = "history-board-token"
    with app.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        forget_kept()
        f = facts()
    now = datetime.combine(f["last_day"], dtime(16, 45))   # the factory clock is UTC (history_gen)
    clock.utcnow = lambda: now   # the bench's clock: the history's last day, after its shift
    month_end = f["last_day"].replace(day=1) - timedelta(days=1)
    month = {"start": month_end.replace(day=1).isoformat(), "end": month_end.isoformat()}
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"{kind}: {f['work_log']:,} work-log rows, {f['operators']:,} operators on {f['lines']} lines, "
          f"{f['days']} working days ({f['first_day']} .. {f['last_day']}), {f['orders']:,} orders, "
          f"{f['bundles']:,} bundles")

    client = app.test_client()
    with app.app_context():
        sign_in(client, "hmanager", "demo1234")
    pages = [
        ("review, default week", "/review", None),
        (f"review, month {month['start'][:7]}", "/review", month),
        (f"payslips CSV, month {month['start'][:7]}", "/review/export/payslips.csv", month),
        (f"bundle history {f['bundle']}", "/review/bundles", {"code": f["bundle"]}),
        ("board live fragment (changed, 200)", "/board/live", {"token": "history-board-token"}),
    ]

    def get(path, args):
        r = client.get(path, query_string=args)
        body = r.get_data()
        if r.status_code != 200:
            raise SystemExit(f"{path} answered {r.status_code}")
        return body

    # Nothing kept yet (the first day after the upgrade, before the worker's first turns): the review and the
    # payslips work every day of their period out, once each.
    cold = {}
    for name, path, args in pages[:3]:
        t = time.perf_counter()
        get(path, args)
        cold[name] = (time.perf_counter() - t) * 1000
    # The background worker's turns after the upgrade, until every closed day of the year is kept.
    from shopfloor.attendance import keeper
    t, kept_days = time.perf_counter(), 0
    with app.app_context():
        while n := keeper.keep_closed_days():
            kept_days += n
    keep_s = time.perf_counter() - t
    rows = []
    for name, path, args in pages:
        med, worst, body = sample(lambda path=path, args=args: get(path, args), runs)
        rows.append((name, cold.get(name), med, worst, len(body), TARGET_MS))
    tag = client.get("/board/live", query_string={"token": "history-board-token"}).headers["HX-PTag"]
    med, worst, _ = sample(lambda: client.get("/board/live", query_string={"token": "history-board-token"},
                                              headers={"HX-PTag": tag}).status_code, runs)
    rows.append(("board live poll (unchanged, 304)", None, med, worst, 0, TARGET_MS))
    with app.app_context():
        med, worst, b = sample(board_data, max(runs, 20))
    rows.append((f"board data ({len(b.lines)} lines, {len(b.orders)} orders)", None, med, worst, 0, BOARD_TARGET_MS))
    with app.app_context():
        from sqlalchemy import text

        from shopfloor.extensions import db
        rows_kept = db.session.execute(text("SELECT count(*) FROM kept_figures")).scalar()
        db.session.rollback()
    print(f"the worker kept {kept_days} closed days ({rows_kept:,} operator-days) in {keep_s:.1f} s")
    print(f"{'page':<44} {'not kept':>9} {'median ms':>10} {'max ms':>9} {'bytes':>10}  target (median, kept)")
    for name, cold_ms, med, worst, size, target in rows:
        print(f"{name:<44} {'' if cold_ms is None else f'{cold_ms:.1f}':>9} {med:>10.1f} {worst:>9.1f} {size:>10,}"
              f"  <= {target} ms {'OK' if med <= target else 'MISSED'}")
    with app.app_context():
        from shopfloor.extensions import db

        db.engine.dispose()


def pages_only(url: str, runs: int) -> dict:
    """The review's week and month and the board's data as the database stands (no upgrade, nothing dropped):
    one side of a --baseline round, printed as JSON by a child process."""
    from shopfloor import clock

    app = served_app(url)
    with app.app_context():
        f = facts()
    now = datetime.combine(f["last_day"], dtime(16, 45))
    clock.utcnow = lambda: now
    month_end = f["last_day"].replace(day=1) - timedelta(days=1)
    month = {"start": month_end.replace(day=1).isoformat(), "end": month_end.isoformat()}
    client = app.test_client()
    with app.app_context():
        sign_in(client, "hmanager", "demo1234")

    def board():
        with app.app_context():
            board_data()
    out = {"review, default week": sample(lambda: client.get("/review"), runs)[0],
           "review, a month": sample(lambda: client.get("/review", query_string=month), runs)[0],
           "board data": sample(board, max(runs, 21))[0]}
    with app.app_context():
        from shopfloor.extensions import db

        db.engine.dispose()
    return out


def compare(where: list[str], baseline: str, rounds: int, runs: int) -> None:
    """Alternating rounds: the baseline's code, then this checkout's, each in a child process."""
    sides = {"baseline": os.path.abspath(baseline), "this": ROOT}
    seen: dict[str, list[dict]] = {k: [] for k in sides}
    for _ in range(rounds):
        for name, code in sides.items():
            out = subprocess.run([sys.executable, __file__, *where, "--runs", str(runs), "--code", code,
                                  "--pages-only"], check=True, capture_output=True, text=True).stdout
            seen[name].append(json.loads(out.strip().splitlines()[-1]))
    print(f"baseline {sides['baseline']} against this checkout, {rounds} alternating rounds (median ms per round):")
    for page in seen["this"][0]:
        before = [r[page] for r in seen["baseline"]]
        after = [r[page] for r in seen["this"]]
        ratio = statistics.median(a / b for a, b in zip(after, before))
        print(f"  {page:<22} baseline {' '.join(f'{v:7.1f}' for v in before)}   this {' '.join(f'{v:7.1f}' for v in after)}"
              f"   this / baseline {ratio:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--postgres", help="the database history_gen.py wrote")
    where.add_argument("--sqlite", help="the file history_gen.py wrote")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--baseline", help="a checkout of the code to compare against, alternating (see above)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each side with --baseline")
    ap.add_argument("--code", help=argparse.SUPPRESS)          # a child's checkout (compare)
    ap.add_argument("--pages-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    url = a.postgres or f"sqlite:///{a.sqlite}"
    if a.pages_only:
        if a.code:
            common.use_code(a.code)
        print(json.dumps(pages_only(url, a.runs)))
        return
    run(url, a.runs)
    if a.baseline:
        where = ["--postgres", a.postgres] if a.postgres else ["--sqlite", a.sqlite]
        compare(where, a.baseline, a.rounds, a.runs)


if __name__ == "__main__":
    main()
