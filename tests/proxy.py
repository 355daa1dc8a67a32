"""A small HTTP reverse proxy for tests: the load balancer in front of several app servers.

Each client connection goes to the next backend in turn (round robin) and carries one request; the proxy adds
X-Forwarded-For (the client's address), X-Forwarded-Proto and X-Forwarded-Host as nginx or Caddy do, and
closes the connection after the answer. `served` lists which backend answered each request.
"""
from __future__ import annotations

import itertools
import socket
import socketserver
import threading


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return b"", b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head, rest


class RoundRobinProxy:
    def __init__(self, backends: list[int]):
        self.backends = backends
        self.served: list[int] = []
        self._next = itertools.cycle(backends)
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy._handle(self.request, self.client_address[0])

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, client: socket.socket, address: str) -> None:
        head, body = _read_head(client)
        if not head:
            return
        lines = head.split(b"\r\n")
        headers = [ln for ln in lines[1:] if not ln.lower().startswith((b"connection:", b"x-forwarded-"))]
        length = next((int(ln.split(b":", 1)[1]) for ln in headers if ln.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        host = next((ln.split(b":", 1)[1].strip() for ln in headers if ln.lower().startswith(b"host:")), b"")
        headers += [b"X-Forwarded-For: " + address.encode(), b"X-Forwarded-Proto: http",
                    b"X-Forwarded-Host: " + host, b"Connection: close"]
        with self._lock:
            port = next(self._next)
            self.served.append(port)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as upstream:
            upstream.sendall(b"\r\n".join([lines[0], *headers]) + b"\r\n\r\n" + body)
            while chunk := upstream.recv(65536):
                client.sendall(chunk)
