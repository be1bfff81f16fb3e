"""``symcount serve``: the playground's HTTP API against a real server on an
ephemeral port (in a thread), read with urllib; the numbers are the ones
``symcount summary`` prints, and the bounds are those of docs/limits.md."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from symcount import cli
from symcount.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# about 4 s to evaluate on an idle core: past both servers' limits (1.5 s, 3 s)
SLOW = "input(64)\nrepeat 10000 {\n  Dense(64)\n  Dense(64)\n  Dense(64)\n  Dense(64)\n}\n"
LIMIT = 1.5  # seconds per request on the test server
MAX_BODY = 200_000


def example(name: str) -> str:
    return (EXAMPLES / f"{name}.sc").read_text()


def _running(**kw):
    s = make_server("127.0.0.1", 0, **kw)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s


@pytest.fixture(scope="module")
def server():
    """The default bounds (20 s a request: ample on a loaded machine), a small body cap."""
    s = _running(max_body=MAX_BODY)
    yield s
    s.shutdown()
    s.server_close()


@pytest.fixture
def quick():
    """A server whose requests stop after LIMIT seconds."""
    s = _running(request_seconds=LIMIT)
    yield s
    s.shutdown()
    s.server_close()


def post(server, name: str, body, *, ctype="application/json", headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        server.url + f"api/{name}",
        data=data,
        headers={"Content-Type": ctype, **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def get(server, path: str, headers=None):
    req = urllib.request.Request(server.url + path.lstrip("/"), headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def cli_text(capsys, *argv) -> str:
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


# evaluate: the numbers the command line prints -----------------------------------


def test_mnist_totals_rows_and_formulas(server):
    status, r = post(server, "evaluate", {"text": example("mnist_cnn")})
    assert status == 200
    totals = {t["name"]: t for t in r["totals"]}
    assert totals["params"]["value"] == 2_663_678
    assert totals["params"]["text"] == "2,663,678"
    assert totals["params"]["latex"] == "2{,}663{,}678"
    assert totals["non_trainable"]["value"] == 0
    rows = {row["name"]: row for row in r["rows"]}
    assert list(rows) == ["conv2d", "conv2d_1", "flatten", "dense", "dense_1"]
    conv = rows["conv2d_1"]
    assert conv["counts"]["params"]["value"] == 7_812
    assert conv["shape"] == {"text": "(None, 24, 24, 36)", "latex": r"24 \times 24 \times 36"}
    assert conv["formula"] == (
        r"\left(k_{h} k_{w} c_{\text{in}} + 1\right) \, \mathrm{filters}"
        r" = \left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36"
    )
    assert conv["line"] == 20
    assert r["symbols"] == [] and r["free"] == []
    assert r["total_equation"].startswith(r"N_{\text{params}} = 240 + 7{,}812")


# (example, page options, the CLI's flags)
CASES = [
    ("mnist_cnn", {}, []),
    ("mnist_cnn", {"compute": True, "memory": True}, ["--compute", "--memory"]),
    ("stacked_lstm_symbolic", {"values": {"u": 64}}, ["--set", "u=64"]),
    ("stacked_lstm_symbolic", {}, []),
    ("torch_mnist_cnn", {"memory": True, "dtype": "bfloat16"}, ["--memory", "--dtype", "bfloat16"]),
    ("lstm_symbolic", {"values": {"u": 64, "f": "6"}}, ["--set", "u=64,f=6"]),
    ("torch_resnet50", {"convention": "torch"}, ["--convention", "torch"]),
]


@pytest.mark.parametrize(("name", "options", "flags"), CASES)
def test_totals_are_the_summary_commands(server, capsys, name, options, flags):
    """Every totals line the page shows is a line ``symcount summary`` prints."""
    status, r = post(server, "evaluate", {"text": example(name), **options})
    assert status == 200, r
    text = cli_text(capsys, "summary", str(EXAMPLES / f"{name}.sc"), *flags)
    printed = [line.strip() for line in text.splitlines()]  # the table may indent them
    for line in r["totals_lines"]:
        assert line in printed, (line, text)
    assert len(r["rows"]) >= len(r["columns"]) >= 1


def test_values_for_every_symbol_give_numbers(server):
    status, r = post(server, "evaluate", {"text": example("stacked_lstm_symbolic")})
    assert r["symbols"] == ["u"] and r["free"] == ["u"]
    assert r["totals"][0]["text"] == "2*u*(u + 1) + 4*u*(u + 7) + 4*u*(2*u + 1) + 6*u + 6"
    # a value for a symbol the text no longer has (the page keeps its input) is no error
    status, r = post(
        server, "evaluate", {"text": example("stacked_lstm_symbolic"), "values": {"u": 64, "w": 3}}
    )
    assert status == 200
    assert r["values"] == {"u": 64} and r["free"] == [] and r["symbols"] == ["u"]
    assert r["totals"][0]["value"] == 59_910
    assert {row["name"]: row["counts"]["params"]["value"] for row in r["rows"]}["lstm"] == 18_176


def test_compute_and_memory_columns(server):
    status, r = post(server, "evaluate", {"text": example("mnist_cnn"), "compute": True})
    assert [c["heading"] for c in r["columns"]] == ["Param #", "MACs", "FLOPs"]
    totals = {t["name"]: t["value"] for t in r["totals"]}
    assert totals["macs"] == 7_280_480 and totals["flops"] == 14_560_960
    assert r["compute_note"].startswith("Compute: FLOPs = 2 x MACs")
    status, r = post(server, "evaluate", {"text": example("mnist_cnn"), "memory": True})
    assert status == 200
    assert {t["name"]: t["value"] for t in r["totals"]}["param_bytes"] == 10_654_712


# errors: where they are, as the command line prints them ------------------------

ERRORS = [
    # text, line, column, a part of the message
    ("input(3) -> Dense(10**61)", 1, 19, "number too large (limit 10**60)"),
    ("input(28, 28, 1)\nConv2D(24, 3)\nDense(q, bogus=3)\n", 3, 10, "no keyword 'bogus'"),
    ("input(4)\nDense(8\n", 2, 8, "unexpected end of input"),
    ("input(4) -> Dnse(3)", 1, 13, "Dnse"),
    ("input(4, 4) -> Conv2D(8, 5)", 1, 16, ""),
]


@pytest.mark.parametrize(("text", "line", "column", "part"), ERRORS)
def test_an_error_comes_back_at_its_line_and_column(server, capsys, text, line, column, part):
    status, r = post(server, "evaluate", {"text": text})
    assert status == 400
    err = r["error"]
    assert (err["line"], err["column"]) == (line, column), err
    assert part in err["message"]
    # the same text and position the command line prints (there the file is <expr>)
    assert cli.main(["summary", "-e", text]) == 2
    printed = capsys.readouterr().err
    assert err["text"].replace("model:", "<expr>:", 1) == printed.rstrip("\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": 3}, "'text' must be str"),
        ({"text": "input(3)", "convention": "jax"}, "'convention' must be one of keras, torch"),
        ({"text": "input(3)", "values": []}, "'values' must be dict"),
        ({"text": "input(3) -> Dense(u)", "values": {"u": "x1"}}, "is not a positive integer"),
        ({"text": "input(3) -> Dense(u)", "values": {"u": 0}}, "positive"),
        ({"text": "input(3) -> Dense(u)", "values": {"u": "9" * 5000}}, "number too large"),
    ],
)
def test_a_malformed_request_is_a_clear_400(server, body, message):
    status, r = post(server, "evaluate", body)
    assert status == 400
    assert message in r["error"]["message"]


# explain, solve, graph -------------------------------------------------------------


def test_explain_is_the_explain_commands(server, capsys):
    status, r = post(server, "explain", {"text": example("mnist_cnn"), "layer": "conv2d_1"})
    assert status == 200
    printed = cli_text(capsys, "explain", str(EXAMPLES / "mnist_cnn.sc"), "--layer", "conv2d_1")
    assert r["lines"] == printed.rstrip("\n").split("\n")
    assert r["latex"].startswith(r"\begin{alignat*}")
    assert r"= 7{,}812" in r["latex"]
    status, r = post(server, "explain", {"text": example("mnist_cnn"), "layer": "conv2d_9"})
    assert status == 400 and "no layer 'conv2d_9'" in r["error"]["message"]


SOLVES = [
    # request (beyond the text), the answers' values, their counts
    ({"mode": "params", "target": 59910, "unknowns": ["u"]}, [{"u": 64}], [59_910]),
    ({"mode": "params", "target": "59,910"}, [{"u": 64}], [59_910]),
    ({"mode": "at_most", "target": 60000, "multiple_of": 16}, [{"u": 64}], [59_910]),
    ({"mode": "at_least", "target": 60000, "where": ["u in 1..100"]}, [{"u": 65}], [61_756]),
]


@pytest.mark.parametrize(("req", "values", "counts"), SOLVES)
def test_solve(server, req, values, counts):
    status, r = post(server, "solve", {"text": example("stacked_lstm_symbolic"), **req})
    assert status == 200, r
    assert [s["values"] for s in r["solutions"]] == values
    assert [s["count"] for s in r["solutions"]] == counts
    assert r["text"][0] == "total params = 14*u**2 + 40*u + 6"


def test_solve_text_is_the_solve_commands(server, capsys):
    status, r = post(
        server,
        "solve",
        {"text": example("stacked_lstm_symbolic"), "mode": "at_most", "target": 1_000_000},
    )
    assert status == 200
    printed = cli_text(
        capsys, "solve", str(EXAMPLES / "stacked_lstm_symbolic.sc"), "--at-most", "1000000"
    )
    assert r["text"] == printed.rstrip("\n").split("\n")


def test_solve_mistakes(server):
    text = example("stacked_lstm_symbolic")
    status, r = post(server, "solve", {"text": text, "mode": "params", "target": "lots"})
    assert status == 400 and r["error"]["message"] == "the target 'lots' is not a positive integer"
    status, r = post(
        server, "solve", {"text": text, "mode": "params", "target": 5, "where": ["u <"]}
    )
    assert status == 400 and r["error"]["line"] is None
    assert r["error"]["message"].startswith("--where 'u <': expected a number, a name or '('")
    assert r["error"]["text"].endswith("\n    u <\n       ^")  # the caret in the condition
    status, r = post(server, "solve", {"text": text, "target": 5})
    assert status == 400 and "'mode' is required" in r["error"]["message"]


def test_graph_folds_blocks_and_shows_shared_layers_and_merges(server):
    status, g = post(server, "graph", {"text": example("shared_lstm")})
    assert status == 200
    kinds = [(n["label"], n["kind"], n["calls"], n["rank"]) for n in g["nodes"]]
    assert kinds == [
        ("input 1", "input", 0, 0),
        ("input 2", "input", 0, 0),
        ("lstm", "shared", 2, 1),
        ("concatenate", "merge", 1, 2),
        ("dense", "layer", 1, 3),
    ]
    assert {(e["from"], e["to"]) for e in g["edges"]} == {
        ("input0", "layer0"),
        ("input1", "layer0"),
        ("layer0", "layer1"),
        ("layer1", "layer2"),
    }
    status, g = post(server, "evaluate", {"text": example("resnet50"), "graph": True})
    nodes = g["graph"]["nodes"]
    groups = [n["label"] for n in nodes if n["kind"] == "group"]
    assert len(nodes) == 13 and groups == ["stack", "stack_1", "stack_2", "stack_3"]
    assert [n["rank"] for n in nodes] == list(range(13))  # a chain, one node a rank


# bounds ---------------------------------------------------------------------------


def test_a_body_over_the_cap_is_413_unread(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.putrequest("POST", "/api/evaluate")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()  # no body sent: the answer comes without reading one
    r = conn.getresponse()
    assert r.status == 413
    assert "larger than 200,000 bytes" in json.loads(r.read())["error"]["message"]
    conn.close()
    status, _ = post(server, "evaluate", {"text": "input(3) -> Dense(2)" + " " * (MAX_BODY - 100)})
    assert status == 200


def test_a_slow_request_stops_at_the_time_limit(quick):
    server = quick
    start = time.monotonic()
    status, r = post(server, "evaluate", {"text": SLOW})
    took = time.monotonic() - start
    assert status == 503
    assert r["error"]["message"] == "did not finish within 1.5 s (the server's limit per request)"
    assert took < LIMIT + 2.0
    status, r = post(server, "evaluate", {"text": "input(3) -> Dense(2)"})  # the server goes on
    assert status == 200 and r["totals"][0]["value"] == 8


def _until_busy(s, seconds: float = 30.0) -> None:
    """Wait until every worker slot of server ``s`` is taken."""
    end = time.monotonic() + seconds
    while s.slots.acquire(blocking=False):
        s.slots.release()
        assert time.monotonic() < end, "the slow request never took its worker"
        time.sleep(0.01)


def test_work_beyond_the_workers_is_told_busy():
    s = _running(request_seconds=3.0, workers=1, busy_wait=0.1)
    try:
        answers = []
        slow = threading.Thread(target=lambda: answers.append(post(s, "evaluate", {"text": SLOW})))
        slow.start()
        _until_busy(s)  # the slow one has its worker (however loaded the machine)
        status, r = post(s, "evaluate", {"text": "input(3) -> Dense(2)"})
        assert status == 503 and r["error"]["message"] == "the server is busy; try again"
        slow.join()
        assert answers[0][0] == 503  # the slow one stopped at its limit
    finally:
        s.shutdown()
        s.server_close()


@pytest.mark.parametrize(
    ("body", "ctype", "status", "message"),
    [
        (b'{"text": "input(3)"}', "text/plain", 415, "send application/json"),
        (b"{not json", "application/json", 400, "not JSON"),
        (b"[1, 2]", "application/json", 400, "not a JSON object"),
    ],
)
def test_what_is_not_a_json_request_is_refused(server, body, ctype, status, message):
    got, r = post(server, "evaluate", body, ctype=ctype)
    assert got == status and message in r["error"]["message"]


def test_an_unknown_call_is_404(server):
    assert post(server, "eval", {"text": "x"})[0] == 404


def test_one_connection_carries_request_after_request(server):
    """Keep-alive: a refused request's body is read (or the connection closed),
    never taken for the next request."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    headers = {"Content-Type": "application/json"}
    for path, status in [("/api/nope", 404), ("/api/evaluate", 200), ("/api/evaluate", 200)]:
        conn.request("POST", path, json.dumps({"text": "input(3) -> Dense(2)"}), headers)
        r = conn.getresponse()
        assert r.status == status
        r.read()
    conn.close()


def test_requests_at_once_each_get_their_own_answer(server):
    """The threads share the parser and the caches: each answer is its model's."""
    names = ["mnist_cnn", "vgg16", "stacked_lstm", "resnet50", "shared_lstm", "mlp"] * 2
    import symcount

    want = {n: symcount.parse(example(n)).total for n in set(names)}
    got: dict = {}

    def ask(i, n):
        got[i] = post(server, "evaluate", {"text": example(n)})

    threads = [threading.Thread(target=ask, args=(i, n)) for i, n in enumerate(names)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, n in enumerate(names):
        status, r = got[i]
        assert status == 200, (n, r)
        assert r["totals"][0]["value"] == want[n], n


# the page's files and headers ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "ctype", "part"),
    [
        ("/", "text/html; charset=utf-8", b'<script type="module" src="app.js">'),
        ("/app.js", "text/javascript; charset=utf-8", b"import * as api"),
        ("/vendor/katex/katex.min.js", "text/javascript; charset=utf-8", b"katex"),
        ("/vendor/katex/katex.min.css", "text/css; charset=utf-8", b"KaTeX_Main"),
        ("/vendor/katex/fonts/KaTeX_Main-Regular.woff2", "font/woff2", b"wOF2"),
    ],
)
def test_static_files_and_their_headers(server, path, ctype, part):
    status, headers, body = get(server, path)
    assert status == 200
    assert headers["Content-Type"] == ctype
    assert part in body
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/vendor", "/.hidden", "/nope.js"]
)
def test_nothing_outside_the_static_files_is_served(server, path):
    assert get(server, path)[0] == 404


def test_another_host_name_is_refused(server):
    """A page elsewhere that rebinds its DNS name to 127.0.0.1 names itself in Host."""
    assert get(server, "/", {"Host": "attacker.example"})[0] == 403
    assert post(server, "evaluate", {"text": "input(3)"}, headers={"Host": "x.example"})[0] == 403
    assert get(server, "/", {"Host": f"localhost:{server.server_address[1]}"})[0] == 200


def test_the_examples_are_served(server):
    status, _, body = get(server, "/api/examples")
    assert status == 200
    examples = {e["name"]: e["text"] for e in json.loads(body)["examples"]}
    assert examples["mnist_cnn"] == example("mnist_cnn")
    assert set(examples) == {p.stem for p in EXAMPLES.glob("*.sc")}


# the command -------------------------------------------------------------------------


def _start(*args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "symcount", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_serve_prints_its_url_and_ctrl_c_exits_cleanly():
    p = _start("--port", "0")
    try:
        line = p.stdout.readline()
        assert line.startswith("symcount playground: http://127.0.0.1:")
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        assert out == ""  # the URL line was read above
    finally:
        p.kill()
    assert p.returncode == 130
    assert err == "symcount: interrupted\n"


def test_a_port_in_use_is_a_clear_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"symcount serve: error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(give another with --port)\n"
    )


def test_another_host_is_warned_about():
    p = _start("--host", "0.0.0.0", "--port", "0")
    try:
        assert p.stdout.readline().startswith("symcount playground: http://0.0.0.0:")
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
    finally:
        p.kill()
    assert err.startswith("symcount serve: warning: listening on 0.0.0.0, not 127.0.0.1")


def test_a_bad_port_is_a_usage_error(capsys):
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert "a port is 0 to 65535" in capsys.readouterr().err


@pytest.mark.parametrize("expand", [False, True])
def test_rows_are_the_summarys_with_blocks_closed_or_open(server, expand):
    import symcount

    status, r = post(server, "evaluate", {"text": example("vgg16"), "expand": expand})
    assert status == 200
    model = symcount.parse(example("vgg16"))
    want = [(d, row.name) for d, row in model.walk(expand=expand)]
    assert [(row["depth"], row["name"]) for row in r["rows"]] == want
    assert len(want) == (32 if expand else 9)
    assert r["rows"][0]["label"] == "vgg_block (vgg_block)" and r["rows"][0]["group"]
