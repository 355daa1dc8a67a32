"""Where a scan request's work goes in the app process, in instructions counted by valgrind's callgrind.

Wall and CPU times on this shared machine move by a third between runs a few minutes apart; instruction counts of
the same requests move by about 2 %, so a change of a few percent in the app's own work shows here when the
throughput benches cannot tell it from noise.

One Python process runs under callgrind, counting only around the measured requests. The scan POSTs go through the
whole WSGI app as a phone sends them (the signed-in session's cookie, the CSRF header, a JSON body, the headers
Chrome on Android sends), each a new scan that is logged (201), then again with parts taken out, to say where the
instructions go:

    whole request                   the app as `make run` serves it (less granian, which is not Python)
    without the scan                record_scan answers a fixed new scan at once: its rules, its SQL and the
                                    driver are what the difference costs (the view still reads the body and checks
                                    the CSRF token)
    without the scan and the hooks  and none of the app's before / after / teardown request hooks (rate limit,
                                    remember-me, the route guard, form-once, headers...): Flask itself, the
                                    session cookie, the view's CSRF check and the JSON body and answer are left
    --each-hook                     also: without the scan and each hook alone, and without the view's CSRF check
    bare stack                      bench/bare_app.py, the ceiling scan_bench.py measures: Flask + the driver and
                                    one conditional INSERT, the same bodies

Parts are taken out in this process only, for the measurement. Not counted: granian (scan_bench.py measures the
whole server's CPU) and the database server's own work (scan_cpu.py measures PostgreSQL's).

    .venv/bin/python bench/scan_instructions.py [--postgres URL] [--requests 50] [--each-hook]

It needs valgrind (apt-get install -y valgrind); a run takes about a minute.
"""
from __future__ import annotations

import argparse
import glob
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime

import common

HERE = os.path.abspath(__file__)
WARM_UP = 20   # requests before each counted run: prepared statements, caches, the session cache
# The counted requests run in CHUNKS parts, counted apart; a part's median is the figure. A write the app makes at
# most once a minute (a session's last use, a prune) or a garbage collection lands in one part and is left out.
CHUNKS = 5
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")
BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 14; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/130.0.0.0 Mobile Safari/537.36",
           "Accept": "*/*", "Accept-Language": "en-US,en;q=0.9", "Accept-Encoding": "gzip, deflate",
           "Content-Type": "application/json", "Origin": "http://192.0.2.2:8000",
           "Referer": "http://192.0.2.2:8000/scan", "Host": "192.0.2.2:8000"}


# --- inside callgrind -----------------------------------------------------------------------------------------

def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def _count(label: str, wsgi, environs: list[dict]) -> list[str]:
    """Run environs through wsgi, the first WARM_UP uncounted, the rest counted in CHUNKS runs dumped as
    `label#i`; the statuses of the counted ones."""
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for e in environs[:WARM_UP]:
        b"".join(wsgi(e, start_response))
    statuses.clear()
    counted = environs[WARM_UP:]
    size = len(counted) // CHUNKS
    for i in range(CHUNKS):
        _control("-z")
        _control("-i", "on")
        for e in counted[i * size:(i + 1) * size]:
            b"".join(wsgi(e, start_response))
        _control("-i", "off")
        _control("-d", f"{label}#{i}")
    return statuses


def _sign_in(app, user_id: int) -> tuple[str, str]:
    """common.sign_in through the test client: the operator's session through the real sign-in form; (cookie
    header, CSRF token of the scan page)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = common.FORM_TOKEN.search(page).group(1)
    client.post("/login/pin", data={"csrf_token": token, "user_id": user_id, "pin": "123456"})
    page = client.get("/scan").get_data(as_text=True)
    token = common.PAGE_TOKEN.search(page).group(1)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return cookie, token


def child(kind: str, pg_url: str | None, requests: int, out: str, each_hook: bool) -> None:
    from werkzeug.test import EnvironBuilder

    logging.disable(logging.INFO)
    workdir = tempfile.mkdtemp(prefix="sf-instr-")
    url = common.fresh_database(kind, workdir, pg_url)
    bare_url = (common.fresh_database(kind, workdir, pg_url) if kind == "postgresql"
                else os.path.join(workdir, "bare.db"))
    n = [0]

    def environs(codes: list[str], op: int, headers: dict) -> list[dict]:
        made = []
        for _ in range(WARM_UP + requests):
            n[0] += 1
            body = json.dumps({"bundle": codes[n[0] % len(codes)], "operation": op, "qty": 1,
                               "client_id": f"instr-{n[0]}"})
            made.append(EnvironBuilder(path="/api/v1/scans", method="POST", data=body,
                                       headers=headers).get_environ())
        return made

    try:
        app = common.make_app(url)
        floor = common.build_floor(app, bundles=100)
        cookie, token = _sign_in(app, floor["operators"][0])
        headers = {**BROWSER, "Cookie": cookie, "X-CSRFToken": token}
        codes, op = floor["codes"], floor["operations"][0]
        kept = {k: {bp: list(fs) for bp, fs in getattr(app, k).items()} for k in HOOKS}
        hooks = sum(len(fs) for k in HOOKS for fs in kept[k].values())
        from shopfloor.scan import services

        record_scan = services.record_scan

        def fixed_result(**kw):   # what record_scan answers for a new scan, without its rules and SQL
            return services.ScanResult(log_id=1, created=True, bundle_id=1, bundle_code=codes[0], operation_id=op,
                                       pieces=1, created_at=datetime(2026, 12, 7, 8))

        def hooks_except(left_out) -> None:
            for k in HOOKS:
                for bp, fs in kept[k].items():
                    getattr(app, k)[bp] = [f for f in fs if f not in left_out]

        statuses = {"whole request": _count("whole request", app, environs(codes, op, headers))}
        services.record_scan = fixed_result
        statuses["without the scan"] = _count("without the scan", app, environs(codes, op, headers))
        if each_hook:   # without the scan, and each hook left out alone: what that hook costs
            for k in HOOKS:
                for bp, fs in kept[k].items():
                    for f in fs:
                        hooks_except({f})
                        name = f"without {f.__module__}.{f.__qualname__}".replace(".<locals>", "")
                        statuses[name] = _count(name, app, environs(codes, op, headers))
            hooks_except(set())   # and the view's own CSRF check (a signed token, checked against the session's)
            app.config["WTF_CSRF_ENABLED"] = False
            statuses["without the CSRF check"] = _count("without the CSRF check", app, environs(codes, op, headers))
            app.config["WTF_CSRF_ENABLED"] = True
        hooks_except({f for k in HOOKS for fs in kept[k].values() for f in fs})
        statuses["without the scan and the hooks"] = _count("without the scan and the hooks", app,
                                                           environs(codes, op, headers))
        services.record_scan = record_scan
        hooks_except(set())
        from sqlalchemy import text
        from shopfloor.extensions import db

        with app.app_context():
            logged = db.session.execute(text("SELECT count(*) FROM work_log")).scalar()
            db.engine.dispose()

        os.environ["BARE_DATABASE"] = bare_url
        sys.path.insert(0, os.path.dirname(HERE))
        import bare_app

        bare_app.create_schema()
        statuses["bare stack"] = _count("bare stack", bare_app.app, environs(codes, op, BROWSER))
        bare_app.conn().close()
        with open(out, "w") as fh:
            json.dump({"statuses": statuses, "hooks": hooks, "logged": logged}, fh)
    finally:
        common.drop_database(url)
        if kind == "postgresql":
            common.drop_database(bare_url)
        shutil.rmtree(workdir, ignore_errors=True)


# --- outside: run the child under callgrind, read its dumps ----------------------------------------------------

def _totals(prefix: str) -> dict[str, list[int]]:
    """label -> the instructions of each of its counted parts."""
    found: dict[str, list[int]] = {}
    for path in glob.glob(prefix + ".*"):
        with open(path) as fh:
            head = fh.read()
        label = re.search(r"^desc: Trigger: (?:dump )?(.+)$", head, re.M)
        total = re.search(r"^totals: (\d+)", head, re.M)
        if label and total and "#" in label.group(1):
            found.setdefault(label.group(1).strip().rsplit("#", 1)[0], []).append(int(total.group(1)))
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", help="PostgreSQL server URL; fresh databases are created and dropped")
    ap.add_argument("--requests", type=int, default=50, help="counted requests per variant")
    ap.add_argument("--each-hook", action="store_true", help="also each request hook left out alone")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    kind = "postgresql" if a.postgres else "sqlite"
    if a.child:
        child(kind, a.postgres, a.requests, a.child, a.each_hook)
        return
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is needed: apt-get install -y valgrind")
    workdir = tempfile.mkdtemp(prefix="sf-callgrind-")
    try:
        prefix, out = os.path.join(workdir, "cg.out"), os.path.join(workdir, "result.json")
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={prefix}",
                sys.executable, HERE, "--requests", str(a.requests), *(["--each-hook"] if a.each_hook else []),
                "--child", out]
        if a.postgres:
            argv[-2:-2] = ["--postgres", a.postgres]
        run = subprocess.run(argv, capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(out):
            raise SystemExit(run.stdout[-3000:] + run.stderr[-3000:])
        with open(out) as fh:
            result = json.load(fh)
        totals = _totals(prefix)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    size = a.requests // CHUNKS
    for label, statuses in result["statuses"].items():
        if len(statuses) != size * CHUNKS or any(not s.startswith("201") for s in statuses):
            raise SystemExit(f"{label}: not every counted request was a new scan (201): {sorted(set(statuses))}")
    if result["logged"] != WARM_UP + size * CHUNKS:
        raise SystemExit(f"the ledger holds {result['logged']} rows, not the {WARM_UP + size * CHUNKS} scans sent")
    per = {label: statistics.median(totals[label]) / size for label in result["statuses"]}
    whole, no_scan, bare_flask, bare = (per["whole request"], per["without the scan"],
                                        per["without the scan and the hooks"], per["bare stack"])
    print(f"scan POST, {kind}: instructions per request in the app process (callgrind; {a.requests} requests "
          f"each after {WARM_UP} uncounted, the median of {CHUNKS} parts; every one a new scan, 201)")
    rows = [("whole request", whole, f"{whole / bare:.1f} x the bare stack"),
            ("  the scan (record_scan: rules, SQL, driver)", whole - no_scan, f"{(whole - no_scan) / whole:.0%}"),
            (f"  request hooks ({result['hooks']} in the app)", no_scan - bare_flask,
             f"{(no_scan - bare_flask) / whole:.0%}"),
            ("  Flask, session, CSRF check, JSON in and out", bare_flask, f"{bare_flask / whole:.0%}"),
            ("bare stack (Flask + driver, one INSERT)", bare, "")]
    for label, value, note in rows:
        print(f"  {label:<46} {value / 1e6:5.2f} M  {note}")
    each = sorted(((no_scan - v, label[len("without "):]) for label, v in per.items()
                   if label.startswith("without ") and label not in ("without the scan", "without the scan and the hooks")),
                  reverse=True)
    if each:
        print("  each alone, left out of the request without the scan (differences under 0.03 M are noise):")
        for saved, name in each:
            print(f"    {name:<60} {saved / 1e6:5.2f} M")


if __name__ == "__main__":
    main()
