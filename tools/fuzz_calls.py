"""The fuzz campaign's calls (tools/fuzz.py): layer calls built from each
rule's argument specification, values given to the API, and the command
line's sample; each case a pure function of the seed and its index, as in
tools/fuzz_inputs.py."""

from __future__ import annotations

import random

from fuzz_inputs import EXTREMES, rules

# layer names given by name=: plain, and what breaks a terminal, a
# spreadsheet, Markdown, HTML or LaTeX
NAMES = [
    "n",
    "conv0",
    "'a b'",
    "'<i>x</i>'",
    "'=1+2'",
    "'\x1b]0;PWNED\x07'",
    "'a\rb'",
    "'~\\x'",
    "'\u6f22\u5b57'",
    "'  '",
    "'x|y'",
    "'{}'",
]


# layer rules by their argument specification ------------------------------------------

INPUTS = {
    "keras": [
        "input(8)",
        "input(6, 8)",
        "input(6, 6, 4)",
        "input(4, 6, 6, 3)",
        "input(t, f)",
        "input(h, w, c)",
        "input(None, 8)",
        "input(None, 6, 6)",
    ],
    "torch": [
        "input(8)",
        "input(4, 8)",
        "input(3, 6, 6)",
        "input(2, 3, 6, 6)",
        "input(c, t)",
        "input(c, h, w)",
        "input(None, 8)",
        "input(3, None, 6)",
        "input(None, 6, 6)",
    ],
}


def plausible(arg, convention: str) -> str:
    """A value the argument's kind accepts."""
    kind, rank = arg.kind, arg.rank or 1
    if arg.choices:
        return arg.choices[0]
    return {
        "dim": "4",
        "dims": "2",
        "dims0": "0",
        "pads": "1",
        "axis": "-1",
        "axes": "-1",
        "bool": "true",
        "number": "0.5",
        "shape": "(-1, 2)" if rank else "(2, -1)",
        "layer": "LSTM(4)" if convention == "keras" else "Linear(4)",
        "value": "relu",
        "ints": "1",
        "numbers": "2",
        "padding": "1",
        "sizes": "2",
        "enum": "same",
    }.get(kind, "1")


def odd_values(arg, convention: str) -> list[str]:
    """Values of the argument's kind at its edges, and values of other kinds."""
    rank = arg.rank or 2
    out = list(EXTREMES)
    out += [
        "(" + ", ".join(["2"] * rank) + ")",
        "(" + ", ".join(["u"] * rank) + ")",
        "(" + ", ".join(["0"] * rank) + ")",
        "(" + ", ".join(["-1"] * rank) + ")",
        "(" + ", ".join(["None"] * rank) + ")",
        "(" + ", ".join(["2"] * (rank + 1)) + ")",
        "((1, 2), (3, 4))",
        "[1, 2]",
        "false",
        "same",
        "valid",
        "'SAME'",
        "sme",
        "relu",
        "Dense(3)",
        "LSTM(4, return_sequences=true)",
        "Linear(4)",
        "Add()",
        "Bidirectional(LSTM(2))",
        "-u",
        "u // 2",
        "ceil(u / 3)",
        "max(u, 3)",
        "u ** 2",
        "2 ** 200",
        "1 / 3",
        "-0.0",
        '""',
        "x1",
    ]
    out += [f"'{c}'" for c in arg.choices] + [c.upper() for c in arg.choices]
    return out


def spec_cases(n: int, seed: int) -> list[tuple[str, str]]:
    """(key, text): a walk over (convention, rule, argument, value) so that
    every rule's every argument meets every odd value once the count allows;
    the rest of each call plausible, the input of a rank the rule takes."""
    table = []
    for convention in ("keras", "torch"):
        for name, rule in rules(convention).items():
            table.append((convention, name, rule))
    out = []
    for i in range(n):
        rnd = random.Random(f"{seed}/spec/{i}")
        convention, name, rule = table[i % len(table)]
        out.append(
            (
                f"{convention}:{name}#{i}",
                _spec_program(convention, name, rule, i // len(table), rnd),
            )
        )
    return out


def _spec_program(convention, name, rule, round_, rnd) -> str:
    from symcount.ops.spec import REQUIRED

    args = list(rule.args)
    positional, keywords = [], []
    target = args[round_ % len(args)] if args and round_ % 5 != 4 else None
    for arg in args:
        if arg is target:
            value = rnd.choice(odd_values(arg, convention))
        elif arg.default is REQUIRED and arg.name != rule.infer:
            value = plausible(arg, convention)
        elif rnd.random() < 0.15:
            value = rnd.choice([plausible(arg, convention), *odd_values(arg, convention)])
        else:
            continue
        if arg.default is REQUIRED and not keywords and rnd.random() < 0.8:
            positional.append(value)
        else:
            keywords.append(f"{arg.name}={value}")
    if rnd.random() < 0.05:
        keywords.append(f"{rnd.choice(sorted(rule.ignored) or ['bogus'])}=zeros")
    if rnd.random() < 0.1:
        keywords.append(f"name={rnd.choice(NAMES)}")
    call = f"{name}({', '.join(positional + keywords)})"
    header = "convention torch\n" if convention == "torch" else ""
    shape = rnd.choice(INPUTS[convention])
    lo, hi = rule.inputs
    if lo >= 2 or (hi >= 2 and rnd.random() < 0.3):
        k = lo if rnd.random() < 0.7 else rnd.choice([1, lo + 1, 3])
        names = [f"x{j}" for j in range(k)]
        lines = [f"{v} = {shape}" for v in names]
        return header + "\n".join(lines) + f"\n{call}({', '.join(names)})\n"
    tail = rnd.choice(
        ["", "", "", " -> Flatten", " -> Dense(2)" if convention == "keras" else " -> Flatten"]
    )
    if rnd.random() < 0.1:  # inside a block, a repeat or a residual
        wrap = rnd.choice(
            [f"repeat 2 {{ {call} }}", f"residual {{ {call} }}", f"repeat u {{ {call} }}"]
        )
        return f"{header}{shape}\n{wrap}{tail}\n"
    return f"{header}{shape} -> {call}{tail}\n"


# values given to the API ---------------------------------------------------------

VALUE_OBJECTS = [
    64,
    1,
    0,
    -1,
    10**59,
    10**61,
    True,
    None,
    2.5,
    "64",
    "u",
    "2*u",
    "__import__('symcount_fuzz_canary')",
    b"8",
    (3,),
    [4],
]


def value_cases(n: int, seed: int) -> list[tuple[str, dict]]:
    base = [
        "input(t, f) -> LSTM(u)",
        "input(max(u, 3)) -> Dense(2)",
        "input(d) -> Dense(u) -> Dense(u, use_bias=false) -> Dense(10)",
        "convention torch; input(c, h, w) -> Conv2d(u, 3) -> Flatten",
    ]
    out = []
    for i in range(n):
        rnd = random.Random(f"{seed}/values/{i}")
        value = rnd.choice(VALUE_OBJECTS)
        how = rnd.choice(["values", "subs"])
        out.append((f"{how}#{i}", {"text": rnd.choice(base), how: {"u": value}}))
    return out


# the command line ------------------------------------------------------------------

CLI_VARIANTS = [
    ["summary"],
    ["summary", "--ascii"],
    ["summary", "--format", "json"],
    ["summary", "--format", "markdown"],
    ["summary", "--format", "csv"],
    ["summary", "--expand", "--width", "40"],
    ["summary", "--latex"],
    ["summary", "--latex", "--standalone"],
    ["explain"],
    ["explain", "--latex"],
    ["diff"],
    ["diff", "--format", "json"],
    ["summary", "--set", "u=64"],
    ["summary", "--set", "u=0"],
    ["summary", "--set", "u=9223372036854775807"],
    ["explain", "--layer", "dense"],
]


def cli_cases(n: int, seed: int, texts: list[str]) -> list[tuple[str, dict]]:
    """The command on texts of the other families: inline, on standard input, from a file."""
    out = []
    for i in range(n):
        rnd = random.Random(f"{seed}/cli/{i}")
        variant = list(rnd.choice(CLI_VARIANTS))
        text = rnd.choice(texts)
        how = rnd.choice(["-e", "-e", "-", "file"])
        out.append((f"cli{how}#{i}", {"argv": variant, "how": how, "text": text}))
    return out
