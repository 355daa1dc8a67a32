"""The Flask (WSGI) app served through granian's RSGI interface, each request read whole before the app runs.

Granian's own WSGI interface hands the app a body that is still arriving: a client that sends its body one
byte at a time holds the thread that runs the app until it ends (granian has no body timeout). Here the
body is read in granian's event loop, where waiting costs no thread, within `body_timeout` seconds and up
to `max_body` bytes (else 408 / 413 and the connection is closed); only then does the app run, in the
event loop's thread (one request at a time per process, like a thread pool of one) or, with more than one
app thread, in a pool of them. Request heads are read by granian itself (its header timeout).
"""
from __future__ import annotations

import asyncio
import gc
import io
import sys
from concurrent.futures import ThreadPoolExecutor

_CLOSE = [("content-type", "text/plain; charset=utf-8"), ("connection", "close")]
_SKIP = {"content-type", "content-length"}  # WSGI names these without the HTTP_ prefix


class _TooLarge(Exception):
    pass


def settle_process() -> None:
    """A serving process's interpreter settings, once the app is loaded (each granian worker; the benchmarks that
    time pages in process do the same, to measure what the server serves)."""
    # The event loop and the WAL upkeep thread share the interpreter lock with the app: a short switch
    # interval hands it over sooner, which keeps the slowest requests close to the typical ones.
    sys.setswitchinterval(0.001)
    # Long-lived start-up objects leave the collector's view, and young collections run less often:
    # fewer pauses in the middle of requests (a full collection over the loaded app took ~90 ms).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class BufferedWSGI:
    def __init__(self, wsgi_app, app_threads: int = 1, body_timeout: float = 10.0, max_body: int = 1 << 20):
        self.wsgi_app = wsgi_app
        self.pool = ThreadPoolExecutor(app_threads, thread_name_prefix="app") if app_threads > 1 else None
        self.body_timeout = body_timeout
        self.max_body = max_body

    def __rsgi_init__(self, loop) -> None:
        """Granian calls this once in each worker process, before its first request."""
        settle_process()

    async def __rsgi__(self, scope, proto) -> None:
        if scope.proto != "http":  # websockets: not served
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await self._body(scope, proto)
        except TimeoutError:
            proto.response_bytes(408, _CLOSE, b"Request body not received in time.\n")
            return
        except _TooLarge:
            proto.response_bytes(413, _CLOSE, b"Request body too large.\n")
            return
        except Exception:  # the client went away while sending (granian's protocol errors)
            return
        environ = self._environ(scope, body)
        if self.pool is None:
            status, headers, data = self._call(environ)
        else:
            status, headers, data = await asyncio.get_running_loop().run_in_executor(self.pool, self._call, environ)
        proto.response_bytes(status, headers, data)

    async def _body(self, scope, proto) -> bytes:
        length = scope.headers.get("content-length")
        if length is None and "chunked" not in scope.headers.get("transfer-encoding", ""):
            return b""
        if length is not None:
            if not length.isdigit() or int(length) > self.max_body:
                raise _TooLarge
            return await proto() if int(length) else b""
        parts, size = [], 0
        async for chunk in proto:
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            parts.append(chunk)
        return b"".join(parts)

    def _environ(self, scope, body: bytes) -> dict:
        host, _, port = scope.server.rpartition(":")
        client, _, client_port = scope.client.rpartition(":")
        environ = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            # WSGI carries the decoded path's bytes as latin-1 text.
            "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": client,
            "REMOTE_PORT": client_port,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": self.pool is not None,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in scope.headers.items():
            key = name.upper().replace("-", "_")
            if name in _SKIP:
                environ[key] = value
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        if scope.authority and "HTTP_HOST" not in environ:  # HTTP/2 sends :authority, not Host
            environ["HTTP_HOST"] = scope.authority
        return environ

    def _call(self, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
        started = {}

        def start_response(status, headers, exc_info=None):
            if exc_info and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"], started["headers"] = status, headers

        result = self.wsgi_app(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(started["status"][:3]), started["headers"], data
