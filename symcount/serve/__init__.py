"""``symcount serve``: a local web playground over the public API.

:mod:`.server` is the HTTP side (the standard library's ThreadingHTTPServer),
:mod:`.handlers` the JSON API, :mod:`.graph` the graph the page draws, and
``static/`` the page itself (plain HTML, CSS and JavaScript modules, with
KaTeX vendored by ``tools/vendor_web.py``). See docs/cli.md ("serve").
"""

from __future__ import annotations

__all__ = ["Playground", "make_server"]


def make_server(host: str = "127.0.0.1", port: int = 8765, **kw):
    """A :class:`~symcount.serve.server.Playground` bound to ``host:port``
    (port 0: any free one), not yet serving: call ``serve_forever()``."""
    from .server import Playground

    return Playground((host, port), **kw)


def __getattr__(name):
    if name == "Playground":
        from .server import Playground

        return Playground
    raise AttributeError(name)
