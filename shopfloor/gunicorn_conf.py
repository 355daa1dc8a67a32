"""Gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS or the SHOPFLOOR_* variables)."""
import gc
import sys

from shopfloor.config import ServerSettings
from shopfloor.gunicorn_worker import assign_slot, release_slot

_settings = ServerSettings.from_env()
workers = _settings.workers
# Gunicorn's threaded worker, with connections spread evenly over the processes (see gunicorn_worker).
worker_class = "shopfloor.gunicorn_worker.BalancedThreadWorker"
threads = _settings.threads
worker_connections = _settings.worker_connections
# Phones scan every few seconds at most, so a short keep-alive frees idle connections quickly.
keepalive = _settings.keepalive
timeout = 60
accesslog = _settings.access_log

pre_fork = assign_slot
child_exit = release_slot

# A kept-alive connection is closed after this many requests (like nginx's keepalive_requests), so
# that over a shift clients move to whichever worker has room. 0 keeps them open.
_REQUESTS_PER_CONNECTION = _settings.requests_per_connection


def pre_request(worker, req):
    if _REQUESTS_PER_CONNECTION and req.req_number % _REQUESTS_PER_CONNECTION == 0:
        req.must_close = True


def post_fork(server, worker):
    # Threads of one worker share the GIL; a shorter switch interval hands it over sooner,
    # which keeps the slowest requests close to the typical ones under load.
    sys.setswitchinterval(_settings.switch_interval)
    # Long-lived start-up objects leave the collector's view, and young collections run less often:
    # fewer pauses in the middle of requests.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
