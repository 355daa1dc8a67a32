"""Gunicorn's threaded worker, with keep-alive connections spread evenly over the worker processes.

Phones keep their connection open between scans, and gunicorn lets whichever worker wakes first
accept a new connection. Over a shift one process can end up serving twice as many phones as the
other, and those phones wait twice as long. Here every worker publishes how many connections it
holds in a small shared table, and a worker only accepts while it holds at most one more than the
least loaded live worker, so connections settle evenly without any fixed cap on their number.

New connections also wait in the poller, not in a worker thread, until their first request arrives,
so idle connections (browsers open some ahead of time) never hold a thread; and a client that stops
sending or reading in the middle of a request (a phone walking out of Wi-Fi range) is dropped after
CLIENT_TIMEOUT seconds of silence instead of holding its thread for good.

Written against gunicorn 27.0.1 (pinned in requirements.txt): it relies on ThreadWorker reading
`self.worker_connections` on every turn of its loop to decide whether to accept.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

from shopfloor.config import ServerSettings

SLOTS = 64
SLACK = 1  # connections a worker may hold above the least loaded one
STALE = 0.5  # seconds: a worker that has not looked at its sockets for this long is left out
CLIENT_TIMEOUT = ServerSettings.from_env().client_timeout

# Created on import, in the arbiter, before any worker forks: shared by all workers.
_conns = multiprocessing.RawArray(ctypes.c_int, SLOTS)
_seen = multiprocessing.RawArray(ctypes.c_double, SLOTS)  # time.monotonic() of each worker's last turn
_pids = multiprocessing.RawArray(ctypes.c_int, SLOTS)


def assign_slot(server, worker) -> None:
    """pre_fork hook (arbiter): give the new worker a free slot in the shared table."""
    used = {getattr(w, "slot", None) for w in server.WORKERS.values()}
    worker.slot = next(i for i in range(SLOTS) if i not in used)
    _pids[worker.slot] = 0


def release_slot(server, worker) -> None:
    """child_exit hook (arbiter): the slot's worker is gone."""
    slot = getattr(worker, "slot", None)
    if slot is not None and _pids[slot] == worker.pid:
        _pids[slot] = 0


def allowed_connections(slot: int, mine: int, cap: int, now: float) -> int:
    """How many connections the worker in `slot` may hold now (it accepts while it holds fewer)."""
    least = mine
    for i in range(SLOTS):
        if i != slot and _pids[i] and now - _seen[i] <= STALE:
            least = min(least, _conns[i])
    return min(cap, least + SLACK + 1)


class _TimedSocket(socket.socket):
    """A client socket whose blocking mode (used while a thread reads a request and writes its
    answer) gives up after CLIENT_TIMEOUT seconds without progress."""

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(CLIENT_TIMEOUT)
        else:
            super().setblocking(False)


class BalancedThreadWorker(ThreadWorker):
    slot = None

    def init_process(self):
        if self.slot is not None:
            _conns[self.slot] = 0
            _seen[self.slot] = time.monotonic()
            _pids[self.slot] = os.getpid()
        super().init_process()

    @property
    def worker_connections(self) -> int:
        if self.slot is None:
            return self._cap
        now = time.monotonic()
        _conns[self.slot] = self.nr_conns
        _seen[self.slot] = now
        return allowed_connections(self.slot, self.nr_conns, self._cap, now)

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._cap = value

    def accept(self, listener):
        try:
            client, addr = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        client = _TimedSocket(client.family, client.type, client.proto, fileno=client.detach())
        self.nr_conns += 1
        conn = TConn(self.cfg, client, addr, listener.getsockname())  # sets the socket non-blocking
        conn.timeout = time.monotonic() + (self.cfg.keepalive or 5)
        self.pending_conns.append(conn)
        self.poller.register(client, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))
