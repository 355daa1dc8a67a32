"""Gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS)."""
import multiprocessing
import os

workers = int(os.environ.get("SHOPFLOOR_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("SHOPFLOOR_THREADS", 4))
# Connections one worker holds at once. A low cap (e.g. 17 for 32 busy clients on 2 workers) spreads
# keep-alive clients evenly and cuts tail latency, but clients beyond the cap wait for a free slot,
# so the default stays high; see README "Benchmarks".
# Phones scan every few seconds at most, so a short keep-alive frees idle connections quickly.
worker_connections = int(os.environ.get("SHOPFLOOR_WORKER_CONNECTIONS", 1000))
keepalive = int(os.environ.get("SHOPFLOOR_KEEPALIVE", 5))
timeout = 60
accesslog = os.environ.get("SHOPFLOOR_ACCESS_LOG") or None


def post_fork(server, worker):
    # Threads of one worker share the GIL; a shorter switch interval hands it over sooner,
    # which keeps the slowest requests close to the typical ones under load.
    import gc
    import sys

    sys.setswitchinterval(float(os.environ.get("SHOPFLOOR_SWITCH_INTERVAL", "0.001")))
    # Long-lived start-up objects leave the collector's view, and young collections run less often:
    # fewer pauses in the middle of requests.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
