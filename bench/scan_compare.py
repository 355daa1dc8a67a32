"""Scan throughput of this checkout against a baseline checkout, measured in the same run.

Each round runs bench/scan_bench.py (this checkout's bench, same floor and load) once on the baseline's
code and once on this code, the order alternating between rounds, for SQLite and (with --postgres) for
PostgreSQL. The machine is shared and noisy, so read the ratios: the median of the per-round ratios
(new / baseline), the ratio of the medians, and the app server's CPU time per request, which other
load on the machine stretches far less than wall time.

    .venv/bin/python bench/scan_compare.py --baseline ../baseline --rounds 4 --cpu-rounds 4 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres --pg-database bench_ledger
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def measure(code: str, kind: str, a, env: dict | None = None) -> dict:
    args = [sys.executable, os.path.join(HERE, "scan_bench.py"), "--json", "--code", code,
            "--seconds", str(a.seconds), "--bundles", str(a.bundles), "--port", str(a.port)]
    if kind == "postgresql":
        args += ["--only-postgres", "--postgres", a.postgres, "--pg-database", a.pg_database]
    out = subprocess.run(args, cwd=HERE, capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"scan_bench failed on {code} ({kind}):\n{out.stderr[-3000:]}\n{out.stdout[-2000:]}")
    return json.loads(lines[-1])


def measure_cpu(code: str, kind: str, a) -> dict:
    args = [sys.executable, os.path.join(HERE, "scan_cpu.py"), "--code", code, "--scans", str(a.cpu_scans)]
    if kind == "postgresql":
        args += ["--postgres", a.postgres, "--pg-database", a.pg_database]
    out = subprocess.run(args, cwd=HERE, capture_output=True, text=True)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"scan_cpu failed on {code} ({kind}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def compare_cpu(kind: str, a) -> None:
    """CPU per scan in process (app + database backend), alternating; the figure noise disturbs least."""
    codes = {"baseline": os.path.abspath(a.baseline), "new": ROOT}
    runs: dict[str, list[dict]] = {"baseline": [], "new": []}
    for i in range(a.cpu_rounds):
        for tag in (("baseline", "new") if i % 2 == 0 else ("new", "baseline")):
            r = measure_cpu(codes[tag], kind, a)
            runs[tag].append(r)
            print(f"{kind:<10} cpu round {i + 1}  {tag:<9} app {r['app_cpu_us']:5.0f} us  db {r['db_cpu_us']:5.0f} us"
                  f"  (wall {r['wall_us']:5.0f} us) per scan", flush=True)
    med = {t: (statistics.median(r["app_cpu_us"] for r in runs[t]),
               statistics.median(r["app_cpu_us"] + r["db_cpu_us"] for r in runs[t])) for t in runs}
    print(f"{kind:<10} CPU per scan: baseline app {med['baseline'][0]:.0f} us (app+db {med['baseline'][1]:.0f}), "
          f"new app {med['new'][0]:.0f} us (app+db {med['new'][1]:.0f}); ratio new/baseline app "
          f"{med['new'][0] / med['baseline'][0]:.3f}, app+db {med['new'][1] / med['baseline'][1]:.3f} "
          f"(below 1 is cheaper)", flush=True)


def line(tag: str, r: dict) -> str:
    return (f"{tag:<9} {r['rps']:8.0f} req/s  p50 {r['p50']:5.1f}  p99 {r['p99']:5.1f} ms  "
            f"app CPU {r['cpu_us']:4.0f} us/req  errors {r['errors']}"
            f"  409 {r['refused_409']}  rows {r['rows']} = pieces {r['pieces']} = counters {r['progress']}")


def compare(kind: str, a, variants: dict[str, tuple[str, dict]] | None = None) -> None:
    """Alternate rounds of each variant (tag: (checkout, extra environment)); ratios are second / first."""
    variants = variants or {"baseline": (os.path.abspath(a.baseline), {}), "new": (ROOT, {})}
    first, second = list(variants)
    runs: dict[str, list[dict]] = {first: [], second: []}
    for i in range(a.rounds):
        order = (first, second) if i % 2 == 0 else (second, first)
        for tag in order:
            code, env = variants[tag]
            r = measure(code, kind, a, env)
            runs[tag].append(r)
            print(f"{kind:<10} round {i + 1}  " + line(tag, r), flush=True)
    base, new = ([r["rps"] for r in runs[t]] for t in (first, second))
    ratios = [n / b for n, b in zip(new, base)]
    p99b, p99n = ([r["p99"] for r in runs[t]] for t in (first, second))
    print(f"{kind:<10} {first} median {statistics.median(base):8.0f} req/s (p99 {statistics.median(p99b):.1f} ms)  "
          f"{second} median {statistics.median(new):8.0f} req/s (p99 {statistics.median(p99n):.1f} ms)")
    print(f"{kind:<10} req/s ratio {second}/{first}: per round {', '.join(f'{r:.3f}' for r in ratios)}; "
          f"median of ratios {statistics.median(ratios):.3f}; ratio of medians "
          f"{statistics.median(new) / statistics.median(base):.3f}", flush=True)
    p99_ratios = [n / b for n, b in zip(p99n, p99b)]
    print(f"{kind:<10} p99 ratio {second}/{first}: per round {', '.join(f'{r:.3f}' for r in p99_ratios)}; "
          f"median of ratios {statistics.median(p99_ratios):.3f} (below 1 is faster)", flush=True)
    cpub, cpun = ([r["cpu_us"] for r in runs[t]] for t in (first, second))
    print(f"{kind:<10} app server CPU per request (noise-resistant): {first} median {statistics.median(cpub):.0f} us, "
          f"{second} median {statistics.median(cpun):.0f} us, ratio {second}/{first} "
          f"{statistics.median(cpun) / statistics.median(cpub):.3f} (below 1 is cheaper)", flush=True)


def compare_durable(a) -> None:
    """SQLite with synchronous=NORMAL (the default) against SHOPFLOOR_DURABLE=1 (synchronous=FULL), this code."""
    compare("sqlite", a, {"normal": (ROOT, {"SHOPFLOOR_DURABLE": "0"}), "durable": (ROOT, {"SHOPFLOOR_DURABLE": "1"})})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True, help="checkout of the code to compare against")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=12)
    ap.add_argument("--bundles", type=int, default=3000)
    ap.add_argument("--port", type=int, default=8191)
    ap.add_argument("--postgres", help="PostgreSQL server URL")
    ap.add_argument("--pg-database", default="bench_ledger", help="throw-away database, re-created per run")
    ap.add_argument("--only-postgres", action="store_true")
    ap.add_argument("--cpu-rounds", type=int, default=0, help="also compare CPU per scan in process (scan_cpu.py)")
    ap.add_argument("--cpu-scans", type=int, default=3000)
    ap.add_argument("--no-http", action="store_true", help="only the CPU comparison")
    a = ap.parse_args()
    kinds = ([] if a.only_postgres else ["sqlite"]) + (["postgresql"] if a.postgres else [])
    for kind in kinds:
        if not a.no_http:
            compare(kind, a)
        if a.cpu_rounds:
            compare_cpu(kind, a)


if __name__ == "__main__":
    main()
