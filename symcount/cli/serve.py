"""``symcount serve``: the playground in the browser (symcount.serve)."""

from __future__ import annotations

import argparse
import errno

EPILOG = """\
examples:
  symcount serve                 # then open http://127.0.0.1:8765/
  symcount serve --port 0        # any free port (the URL printed says which)

The page: an editor with the examples, the summary with every formula
typeset, values for the symbols, explain for the layer clicked, the graph,
and solve. The model is kept in the URL (#model=...), so a link reproduces
the page. Ctrl-C stops the server. Bound to 127.0.0.1 unless --host says
otherwise; the page evaluates nothing it is sent (docs/limits.md)."""


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port is 0 to 65535")
    return n


def register(subparsers, add_model_args) -> None:
    p = subparsers.add_parser(
        "serve",
        help="a playground in the browser: type a model, watch its formulas",
        description="Start a local web page: type a model and see its summary, formulas,\n"
        "explain, graph and solve update as you type.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)"
    )
    p.add_argument(
        "--port", type=_port, default=8765, help="the port (default: 8765; 0: any free one)"
    )
    p.set_defaults(run=run, parser=p)


def run(args, parser) -> str:
    from ..errors import SymcountError
    from ..serve import make_server
    from .output import say, write

    try:
        server = make_server(args.host, args.port)
    except OSError as e:
        in_use = e.errno == errno.EADDRINUSE
        why = "the port is in use (give another with --port)" if in_use else e.strerror
        raise SymcountError(f"cannot listen on {args.host}:{args.port}: {why or e}").at(
            None, filename="symcount serve"
        ) from None
    if not server.loopback():
        say(
            f"symcount serve: warning: listening on {args.host}, not 127.0.0.1: "
            "anyone who can reach this address can use the page"
        )
    write(f"symcount playground: {server.url}  (Ctrl-C stops it)\n")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return ""
