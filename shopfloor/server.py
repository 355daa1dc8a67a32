"""The HTTP server `make run` starts (and the tests and the benchmarks, through the same command):

    python -m shopfloor.server --host 0.0.0.0 --port 8000

It runs granian over WSGI (`app:app`), its command line built from `config.ServerSettings` (the only place
server settings are read). Granian reads every request in its event loop and hands the app a whole request,
so clients that send slowly, stall or stay idle on a kept-alive connection hold no thread that runs the app.
A client gets `header_timeout` seconds to send its request head, then its connection is closed.

Granian binds one address per server, either plain or TLS. A second granian serves HTTPS on SHOPFLOOR_TLS_PORT
(8443) beside plain HTTP, with SHOPFLOOR_TLS_CERT and SHOPFLOOR_TLS_KEY when they are set, else with this
machine's own certificate (instance/tls, made or renewed here before it is served and checked every 6 hours
while it is: shopfloor/lan/certificates.py).
Beside them runs the background worker (`flask --app app worker`, shopfloor/worker.py), so configured webhooks
are posted and closed days' figures kept with nothing more to start; SHOPFLOOR_WORKER=0 leaves it out (for a
deployment that runs one worker apart, or none). The worker is restarted WORKER_RESTART_SECONDS after it ends; it
never takes the web server down with it.
This process waits for its children, passes SIGTERM/SIGINT on and stops them all if a granian ends. With
SHOPFLOOR_TLS=0 and SHOPFLOOR_WORKER=0 there is nothing to supervise and it replaces itself with granian
(exec). The app is told the HTTP port (SHOPFLOOR_PORT), so the addresses it gives phones (ticket QRs, /setup)
are the ones the banner printed.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading

from shopfloor.config import ServerSettings, child_environment, instance_path
from shopfloor.lan import certificates

RENEW_CHECK_SECONDS = 6 * 3600
WORKER_RESTART_SECONDS = 5
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def granian_argv(settings: ServerSettings, host: str, port: int, tls: bool = False) -> list[str]:
    """The granian command line for one listening address (plain HTTP, or HTTPS when tls)."""
    s = settings
    argv = [sys.executable, "-m", "granian", "--interface", "rsgi", "--working-dir", ROOT,
            "--host", host, "--port", str(port), "--workers", str(s.workers), "--backpressure", str(s.backpressure),
            "--http1-keep-alive" if s.keepalive else "--no-http1-keep-alive",
            "--http1-header-read-timeout", str(round(s.header_timeout * 1000)),
            "--access-log" if s.access_log else "--no-access-log",
            "--respawn-failed-workers", "--respawn-interval", "0.5",
            # Workers still busy this long after SIGTERM are killed (also those a signal caught starting up).
            "--workers-kill-timeout", str(s.stop_timeout)]
    if tls:
        argv += ["--ssl-certificate", s.tls_cert, "--ssl-keyfile", s.tls_key, "--ssl-protocol-min", "tls1.2"]
    return argv + ["app:served"]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", "worker"]


def serve(settings: ServerSettings, host: str, port: int) -> int:
    plain = granian_argv(settings, host, port)
    env = child_environment(SHOPFLOOR_PORT=str(port))
    if not settings.tls_cert and not settings.worker:
        os.execve(sys.executable, plain, env)
    if settings.lan_tls:
        certificates.ensure_here(settings.lan_tls, settings.public_base_url)
    servers = [subprocess.Popen(plain, env=env)]
    if settings.tls_cert:
        servers.append(subprocess.Popen(granian_argv(settings, host, settings.tls_port, tls=True), env=env))
    worker = subprocess.Popen(worker_argv(), cwd=ROOT, env=env) if settings.worker else None

    stopping = threading.Event()

    def stop(signum, _frame):
        if not stopping.is_set():  # a second signal during granian's shutdown would make it respawn its workers
            stopping.set()
            for p in servers + ([worker] if worker else []):
                p.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if settings.lan_tls:
        threading.Thread(target=keep_certificate, args=(settings, servers[1], stopping), daemon=True).start()
    while True:
        pid, status = os.wait()
        if worker is None or pid != worker.pid:
            break  # a granian ended (or the worker, with the server stopping already): the server ends
        worker.returncode = os.waitstatus_to_exitcode(status)
        if stopping.is_set():
            continue
        print(f"shopfloor: the background worker ended ({worker.returncode}); restarting it in "
              f"{WORKER_RESTART_SECONDS} s", file=sys.stderr)
        if stopping.wait(WORKER_RESTART_SECONDS):
            worker = None
        else:
            worker = subprocess.Popen(worker_argv(), cwd=ROOT, env=env)
    stop(signal.SIGTERM, None)
    for p in servers + ([worker] if worker else []):
        if p.pid != pid and p.returncode is None:
            p.wait()
    return os.waitstatus_to_exitcode(status)


def keep_certificate(settings: ServerSettings, tls: subprocess.Popen, stopping: threading.Event) -> None:
    """While serving, the machine's own certificate is checked every RENEW_CHECK_SECONDS (renewed 30 days before
    its end, or when a LAN address changed) and a renewed one reaches the HTTPS server's workers."""
    while not stopping.wait(RENEW_CHECK_SECONDS):
        try:
            refresh_certificate(settings, tls, stopping)
        except (OSError, ValueError) as e:  # e.g. a full disk: the certificate in place is served until next time
            print(f"shopfloor: the HTTPS certificate could not be renewed: {e}", file=sys.stderr)


def refresh_certificate(settings: ServerSettings, tls: subprocess.Popen,
                        stopping: threading.Event | None = None) -> str:
    """Renew the certificate if due; granian respawns its workers on SIGHUP and they load the new files
    (connections in flight finish on the old workers; no SIGHUP once the server is stopping, when it would
    respawn them). Why it was renewed, or ""."""
    reason = certificates.ensure_here(settings.lan_tls, settings.public_base_url).renewed
    if reason and not (stopping and stopping.is_set()):
        tls.send_signal(signal.SIGHUP)
    return reason


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m shopfloor.server", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=8000)
    a = ap.parse_args(argv)
    return serve(ServerSettings.from_env(instance_path()), a.host, a.port)


if __name__ == "__main__":
    raise SystemExit(main())
