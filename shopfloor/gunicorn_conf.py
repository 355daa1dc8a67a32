"""Gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS or the SHOPFLOOR_* variables)."""
import multiprocessing
import os

from shopfloor.gunicorn_worker import assign_slot, release_slot

workers = int(os.environ.get("SHOPFLOOR_WORKERS", multiprocessing.cpu_count()))
# Gunicorn's threaded worker, with connections spread evenly over the processes (see gunicorn_worker).
worker_class = "shopfloor.gunicorn_worker.BalancedThreadWorker"
threads = int(os.environ.get("SHOPFLOOR_THREADS", 1))
worker_connections = int(os.environ.get("SHOPFLOOR_WORKER_CONNECTIONS", 1000))
# Phones scan every few seconds at most, so a short keep-alive frees idle connections quickly.
keepalive = int(os.environ.get("SHOPFLOOR_KEEPALIVE", 5))
timeout = 60
accesslog = os.environ.get("SHOPFLOOR_ACCESS_LOG") or None

pre_fork = assign_slot
child_exit = release_slot

# A kept-alive connection is closed after this many requests (like nginx's keepalive_requests), so
# that over a shift clients move to whichever worker has room. 0 keeps them open.
_REQUESTS_PER_CONNECTION = int(os.environ.get("SHOPFLOOR_REQUESTS_PER_CONNECTION", 100))


def pre_request(worker, req):
    if _REQUESTS_PER_CONNECTION and req.req_number % _REQUESTS_PER_CONNECTION == 0:
        req.must_close = True


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
