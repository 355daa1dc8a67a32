"""Static files: content-hashed URLs cached for a year, served compressed (brotli, else gzip), no build step.

At start-up (`init_app`, in every process that creates the app) each file under static/ is hashed, and
`url_for('static', filename='js/scan.js')` gives `/static/js/scan.<hash>.js`: templates are unchanged, and
a file whose bytes change gets a new URL, so a browser that keeps a hashed URL for a year never holds a
stale copy. A hashed URL serves exactly the bytes it was named after (checked when first read; a file
changed on disk since start-up answers 404 at its old URL until the server restarts and names it anew).
A directory is named by a hash of its files (`url_for('static', filename='vendor/zxing/')` gives
`/static/vendor/zxing.<hash>/`: the barcode polyfill finds its wasm under it), so files found by directory
are hashed too. A file asked for by its plain name is served as well, as it is on disk now, with `no-cache`
(the browser revalidates it with its ETag).

Compressible files are compressed once per process, on first request, and kept in memory: brotli at its
highest quality (a lower one for large files, whose highest costs seconds of CPU), gzip for browsers that
do not accept brotli; only when smaller than the file. Dynamic responses (pages, htmx fragments) are
compressed by Flask-Compress (`compress_large_answers`). Static responses go through Flask's own request
cycle, so the security headers (`headers.py`) are on every one of them, 304s included.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import threading
from dataclasses import dataclass, field

import brotli
from flask import Flask, Response, abort, current_app, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LEN = 12
COMPRESSIBLE = frozenset({".css", ".js", ".mjs", ".json", ".map", ".wasm", ".svg", ".txt", ".html",
                          ".webmanifest", ".ico"})
ENCODINGS = ("br", "gzip")  # brotli first where the browser accepts both
BROTLI_MAX_QUALITY_BELOW = 256 * 1024  # larger files: quality 9 (quality 11 costs ~4 s on the 1 MB wasm)
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LEN}}})(?P<ext>\.[^./]+)$")


def hashed_name(name: str, digest: str) -> str:
    """css/app.css -> css/app.<digest[:12]>.css (vendor/htmx.min.js -> vendor/htmx.min.<digest>.js)."""
    stem, ext = os.path.splitext(name)
    return f"{stem}.{digest[:HASH_LEN]}{ext}"


@dataclass
class Asset:
    name: str           # path under static/, with / separators
    path: str           # on disk
    digest: str         # sha256 of the bytes, hex
    stat: tuple[int, int]  # (mtime_ns, size) when hashed
    variants: dict[str, bytes] = field(default_factory=dict)  # "identity" / "br" / "gzip" -> body

    @property
    def url_name(self) -> str:
        return hashed_name(self.name, self.digest)

    def unchanged(self) -> bool:
        """The file on disk is still the one hashed (same modification time and size)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return (st.st_mtime_ns, st.st_size) == self.stat

    @property
    def compressible(self) -> bool:
        return os.path.splitext(self.name)[1].lower() in COMPRESSIBLE

    def body(self, encoding: str) -> bytes | None:
        """The file's bytes in this encoding (None: the file changed since it was hashed, or the encoding
        would not make it smaller)."""
        if encoding in self.variants:
            return self.variants[encoding] or None
        raw = self.variants.get("identity")
        if raw is None:
            with open(self.path, "rb") as fh:
                raw = fh.read()
            if hashlib.sha256(raw).hexdigest() != self.digest:
                return None
            self.variants["identity"] = raw
        if encoding == "identity":
            return raw
        if encoding == "br":
            quality = 11 if len(raw) <= BROTLI_MAX_QUALITY_BELOW else 9
            packed = brotli.compress(raw, quality=quality)
        else:
            packed = gzip.compress(raw, 9, mtime=0)
        self.variants[encoding] = packed if len(packed) < len(raw) else b""
        return self.variants[encoding] or None


class Manifest:
    """The static folder's files by plain name and by hashed name."""

    def __init__(self, folder: str, reload: bool = False):
        self.folder = folder
        self.reload = reload  # debug: a file changed on disk is hashed again when next named
        self.by_name: dict[str, Asset] = {}
        self.by_url: dict[str, Asset] = {}
        self.dirs: dict[str, str] = {}  # hashed directory name -> directory name ("vendor/zxing.<hash>")
        self._lock = threading.Lock()
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if not f.startswith("."):
                    self._add(os.path.relpath(os.path.join(root, f), folder).replace(os.sep, "/"))
        for name in {n.rsplit("/", 1)[0] for n in self.by_name if "/" in n}:
            self._dir_url_name(name)

    def _dir_url_name(self, directory: str) -> str:
        """vendor/zxing -> vendor/zxing.<hash of the names and bytes of every file under it>."""
        inside = sorted((n, a.digest) for n, a in self.by_name.items() if n.startswith(directory + "/"))
        digest = hashlib.sha256("".join(f"{n}:{d};" for n, d in inside).encode()).hexdigest()
        hashed = f"{directory}.{digest[:HASH_LEN]}"
        self.dirs[hashed] = directory
        return hashed

    def _add(self, name: str) -> Asset:
        path = os.path.join(self.folder, *name.split("/"))
        st = os.stat(path)
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        asset = Asset(name, path, digest, (st.st_mtime_ns, st.st_size))
        with self._lock:
            old = self.by_name.get(name)
            if old is not None:
                self.by_url.pop(old.url_name, None)
            self.by_name[name] = asset
            self.by_url[asset.url_name] = asset
        return asset

    def url_name(self, name: str) -> str:
        """The name url_for puts in a static URL: hashed when the file is known, else as given."""
        if name.endswith("/") and len(name) > 1:
            directory = name.rstrip("/")
            if any(n.startswith(name) for n in self.by_name):
                if self.reload:
                    for n in [n for n in self.by_name if n.startswith(name)]:
                        self.url_name(n)
                return self._dir_url_name(directory) + "/"
            return name
        asset = self.by_name.get(name)
        if asset is None:
            return name
        if self.reload and not asset.unchanged():
            if not os.path.exists(asset.path):
                return name
            asset = self._add(name)
        return asset.url_name

    def find(self, url_name: str) -> tuple[Asset | None, bool]:
        """(asset, hashed) for a name in a static URL."""
        asset = self.by_url.get(url_name)
        if asset is not None:
            return asset, True
        directory, _, rest = url_name.rpartition("/")
        while directory:
            if directory in self.dirs:  # a file under a hashed directory
                asset = self.by_name.get(f"{self.dirs[directory]}/{rest}")
                return asset, asset is not None
            directory, _, head = directory.rpartition("/")
            rest = f"{head}/{rest}"
        return self.by_name.get(url_name), False


def manifest() -> Manifest:
    return current_app.extensions["shopfloor_assets"]


def serve(filename: str):
    """The `static` endpoint: a hashed name is immutable for a year, a plain name revalidates."""
    asset, hashed = manifest().find(filename)
    if asset is None and _HASHED.match(filename):
        abort(404)  # a hashed name of bytes this server does not have
    if asset is not None and not hashed and not asset.unchanged():
        asset = None  # a plain name answers what is on disk now
    resp = respond(asset, IMMUTABLE if hashed else REVALIDATE) if asset is not None else None
    if resp is not None:
        return resp
    if hashed:
        abort(404)  # changed on disk since it was hashed: the bytes named by this URL are gone
    resp = current_app.send_static_file(filename)  # a file added or changed after start-up
    resp.headers["Cache-Control"] = REVALIDATE
    return resp


def respond(asset: Asset, cache_control: str) -> Response | None:
    """The asset in the best encoding the browser accepts, conditional (304) and ranged; None when the
    file changed on disk since it was hashed."""
    encoding = "identity"
    if asset.compressible:
        encoding = request.accept_encodings.best_match(ENCODINGS) or "identity"
    body = asset.body(encoding)
    if body is None and encoding != "identity":
        encoding, body = "identity", asset.body("identity")
    if body is None:
        return None
    resp = Response(body, mimetype=mimetypes.guess_type(asset.name)[0] or "application/octet-stream")
    if encoding != "identity":
        resp.headers["Content-Encoding"] = encoding
    if asset.compressible:
        resp.vary.add("Accept-Encoding")
    resp.set_etag(f"{asset.digest[:32]}-{encoding}")
    resp.headers["Cache-Control"] = cache_control
    return resp.make_conditional(request, accept_ranges=True, complete_length=len(body))


def version() -> str:
    """One hash of every static file's bytes: it changes whenever any file does."""
    names = manifest().by_name
    return hashlib.sha256("".join(f"{n}:{a.digest};" for n, a in sorted(names.items())).encode()).hexdigest()[:HASH_LEN]


# Dynamic responses (pages, htmx fragments, JSON): Flask-Compress, brotli at a fast quality, else gzip.
# Below DYNAMIC_MIN_SIZE bytes nothing is compressed: the scan API's answers (~200 bytes) fit one TCP
# segment either way, and skipping them keeps compression off the scan's hot path.
DYNAMIC_MIN_SIZE = 1024
COMPRESS_CONFIG = {
    "COMPRESS_ALGORITHM": list(ENCODINGS),
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": DYNAMIC_MIN_SIZE,
    "COMPRESS_STREAMS": False,  # the CSV export streams row by row: left as it is
    "COMPRESS_REGISTER": False,  # registered through compress_large_answers
}
compress = Compress()


def compress_large_answers(response: Response) -> Response:
    """after_request: Flask-Compress for answers of DYNAMIC_MIN_SIZE bytes or more. A smaller answer (every
    scan API answer) returns at once: it is the same whatever the browser accepts, so it needs
    no Vary either, and the scan's hot path pays one header read."""
    length = response.content_length
    if length is not None and length < DYNAMIC_MIN_SIZE:
        return response
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    for key, value in COMPRESS_CONFIG.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.after_request(compress_large_answers)
    mimetypes.add_type("application/wasm", ".wasm")
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    app.extensions["shopfloor_assets"] = Manifest(app.static_folder,
                                                  reload=app.debug or bool(app.config.get("TEMPLATES_AUTO_RELOAD")))
    app.view_functions["static"] = serve
    app.url_defaults(_hashed_static_url)


def _hashed_static_url(endpoint: str, values: dict) -> None:
    """url_for('static', filename=...) names the file's content-hashed copy."""
    if endpoint == "static" and "filename" in values:
        values["filename"] = manifest().url_name(values["filename"])
