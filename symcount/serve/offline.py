"""The playground's API without a server, for the static build.

``tools/build_static.py`` makes a folder of plain files that runs the page
entirely in the browser: Pyodide in a Web Worker (static/worker.js) with the
wheels of symcount, SymPy, mpmath and Lark. The worker hands each request to
:func:`answer`, which runs the same handlers, time limit and errors as the
server (symcount/serve/server.py's ``compute``), so a static page answers
what ``symcount serve`` answers. Pyodide has no threads, so the time limit
falls back to the loops' cooperative checks (symcount/timelimit.py); the
page bounds the rest by stopping the worker (static/api.js).
"""

from __future__ import annotations

import json
from http import HTTPStatus

from . import handlers
from .server import MAX_BODY, compute

SECONDS = 20.0  # per request, as the server's default


def answer(name: str, text: str) -> str:
    """The JSON ``{"status": ..., "body": ...}`` of API call ``name`` for the
    request ``text`` (JSON): what the server would send, status included."""
    fn = handlers.API.get(name)
    if fn is None:
        status, body = HTTPStatus.NOT_FOUND, _error(f"no such call: {name!r}")
    elif len(text) > MAX_BODY or len(text.encode("utf-8")) > MAX_BODY:
        message = f"the request is larger than {MAX_BODY:,} bytes"
        status, body = HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(message)
    else:
        try:
            req = json.loads(text)
        except ValueError:
            req = None
        if isinstance(req, dict):
            status, body = compute(fn, req, SECONDS)
        else:
            status, body = HTTPStatus.BAD_REQUEST, _error("the request is not a JSON object")
    return json.dumps({"status": int(status), "body": body})


def _error(message: str) -> dict:
    return {"error": {"message": message, "line": None, "column": None}}
