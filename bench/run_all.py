"""Run every benchmark and print its figures (make bench). PostgreSQL runs too when BENCH_POSTGRES_URL is set."""
from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    pg = os.environ.get("BENCH_POSTGRES_URL", "")
    extra = ["--postgres", pg] if pg else []
    runs = [["tickets_bench.py"], ["page_weight.py"], ["scan_bench.py", *extra], ["board_bench.py", *extra]]
    status = 0
    for args in runs:
        print(f"== {args[0]}", flush=True)
        status |= subprocess.call([sys.executable, os.path.join(HERE, args[0]), *args[1:]], cwd=HERE)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
