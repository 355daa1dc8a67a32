"""Gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS)."""
import multiprocessing
import os

workers = int(os.environ.get("SHOPFLOOR_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("SHOPFLOOR_THREADS", 4))
keepalive = 30
timeout = 60
accesslog = os.environ.get("SHOPFLOOR_ACCESS_LOG") or None
