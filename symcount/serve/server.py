"""The playground's HTTP server: the standard library's ThreadingHTTPServer,
serving the page's static files and the JSON API of :mod:`.handlers`.

Bounded as the command line is (docs/limits.md): a request body past
``max_body`` bytes is refused (413) before it is read; each API request runs
under ``request_seconds`` (symcount/timelimit.py: a watchdog interrupts the
handler's thread); at most ``workers`` requests compute at once, a further
one waits briefly and is then told the server is busy (503). Bound to
127.0.0.1 by default; only requests naming this host in ``Host`` are
answered when bound to the loopback (a page elsewhere cannot reach it by a
rebound DNS name). Every answer carries a Content-Security-Policy (scripts,
styles and fonts from this server only; no inline script) and ``nosniff``.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from ..errors import SymcountError
from ..timelimit import Timeout, time_limit
from . import handlers

MAX_BODY = 8_000_000  # bytes: the command line's limit on a file (docs/limits.md)
REQUEST_SECONDS = 20.0
WORKERS = 2
BUSY_WAIT = 5.0  # seconds a request waits for a worker before it is told 503
LOOPBACK = ("127.0.0.1", "localhost", "::1")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


def static_root() -> Path:
    return Path(str(resources.files("symcount.serve") / "static"))


def examples_root() -> Path | None:
    """The shipped examples: in the wheel, ``symcount/serve/examples`` (the
    repository's ``examples/``, mapped there by pyproject.toml); in a checkout,
    ``examples/`` beside the package."""
    here = Path(str(resources.files("symcount.serve")))
    for p in (here / "examples", here.parent.parent / "examples"):
        if p.is_dir():
            return p
    return None


def examples() -> list[dict]:
    root = examples_root()
    if root is None:
        return []
    out = []
    for path in sorted(root.glob("*.sc")):
        out.append({"name": path.stem, "text": path.read_text(encoding="utf-8")})
    return out


class Playground(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port in use is an error, not shared

    def __init__(
        self,
        address=("127.0.0.1", 8765),
        *,
        max_body: int = MAX_BODY,
        request_seconds: float = REQUEST_SECONDS,
        workers: int = WORKERS,
        busy_wait: float = BUSY_WAIT,
    ):
        super().__init__(address, Handler)
        self.max_body = max_body
        self.request_seconds = request_seconds
        self.busy_wait = busy_wait
        self.slots = threading.BoundedSemaphore(workers)
        self.root = static_root().resolve()
        self.examples = examples()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def loopback(self) -> bool:
        return self.server_address[0] in LOOPBACK or self.server_address[0].startswith("127.")


class Handler(BaseHTTPRequestHandler):
    server: Playground
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "symcount"

    def log_message(self, format, *args):  # quiet: the terminal shows the URL only
        pass

    # answers ---------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj) -> None:
        body = json.dumps(obj, ensure_ascii=True).encode()
        self._send(status, body, "application/json")

    def _fail(self, status: int, message: str) -> None:
        self._json(status, {"error": {"message": message, "line": None, "column": None}})

    def _host_ok(self) -> bool:
        if not self.server.loopback():
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]") in LOOPBACK or name.startswith("127.")

    # GET: the page and its files ------------------------------------------------

    def do_GET(self) -> None:
        if not self._host_ok():
            return self._fail(HTTPStatus.FORBIDDEN, "unknown host")
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/api/examples":
            return self._json(HTTPStatus.OK, {"examples": self.server.examples})
        if path == "/":
            path = "/index.html"
        file = self._static(path)
        if file is None:
            return self._fail(HTTPStatus.NOT_FOUND, "not found")
        ctype = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        self._send(HTTPStatus.OK, file.read_bytes(), ctype or "application/octet-stream")

    do_HEAD = do_GET

    def _static(self, path: str) -> Path | None:
        """A file under static/ (never outside it, never a directory)."""
        parts = [p for p in path.split("/") if p]
        if not parts or any(p in (".", "..") or "\\" in p or p.startswith(".") for p in parts):
            return None
        file = self.server.root.joinpath(*parts).resolve()
        if not file.is_relative_to(self.server.root) or not file.is_file():
            return None
        return file

    # POST: the API -----------------------------------------------------------------

    def do_POST(self) -> None:
        self.close_connection = True  # until the body is read: it must not be taken for a request
        if not self._host_ok():
            return self._fail(HTTPStatus.FORBIDDEN, "unknown host")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._fail(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
        if length > self.server.max_body or length < 0:
            return self._fail(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is larger than {self.server.max_body:,} bytes (the limit)",
            )
        body = self.rfile.read(length)
        self.close_connection = False
        name = self.path.removeprefix("/api/")
        fn = handlers.API.get(name) if self.path.startswith("/api/") else None
        if fn is None:
            return self._fail(HTTPStatus.NOT_FOUND, "no such API call")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":  # a form on another site cannot send this type
            return self._fail(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
        try:
            req = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return self._fail(HTTPStatus.BAD_REQUEST, "the request is not JSON")
        if not isinstance(req, dict):
            return self._fail(HTTPStatus.BAD_REQUEST, "the request is not a JSON object")
        status, answer = self.server_answer(fn, req)
        self._json(status, answer)

    def server_answer(self, fn, req: dict) -> tuple[int, dict]:
        server = self.server
        if not server.slots.acquire(timeout=server.busy_wait):
            return HTTPStatus.SERVICE_UNAVAILABLE, {
                "error": {"message": "the server is busy; try again", "line": None}
            }
        try:
            return compute(fn, req, server.request_seconds)
        finally:
            server.slots.release()


def compute(fn, req: dict, seconds: float) -> tuple[int, dict]:
    """``fn(req)`` under the time limit: (HTTP status, the answer)."""
    try:
        with time_limit(seconds):
            answer = fn(req)
    except Timeout:
        message = f"did not finish within {seconds:g} s (the server's limit per request)"
        return HTTPStatus.SERVICE_UNAVAILABLE, {"error": {"message": message, "line": None}}
    except SymcountError as e:
        return HTTPStatus.BAD_REQUEST, {"error": handlers.error_object(e)}
    except handlers.RequestError as e:
        return HTTPStatus.BAD_REQUEST, {"error": {"message": str(e), "line": None}}
    except RecursionError:
        message = "the input is nested too deeply"
        return HTTPStatus.BAD_REQUEST, {"error": {"message": message, "line": None}}
    return HTTPStatus.OK, answer
