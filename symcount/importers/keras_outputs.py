"""How many tensors each call of a Keras layer returns, read from a saved
config (docs/keras_json.md): a tensor's ``keras_history`` is ``[layer,
node, index]``, and a layer with several outputs (an RNN with
``return_state=True``, a Bidirectional with ``merge_mode=None``, attention
asked for its scores) is written as an unpacking, ``out, h, c = ...``, one
name per output; the evaluator checks the count against the layer's rule.

The count is the layer's own (its config says it), else one more than the
highest index the model uses: a tensor no later layer reads still has to be
named."""

from __future__ import annotations

# states an RNN layer (or cell) returns with return_state=True
STATES = {
    "LSTM": 2,
    "LSTMCell": 2,
    "ConvLSTM1D": 2,
    "ConvLSTM2D": 2,
    "ConvLSTM3D": 2,
    "GRU": 1,
    "GRUCell": 1,
    "SimpleRNN": 1,
    "SimpleRNNCell": 1,
}


def _states(layer) -> int | None:
    if not isinstance(layer, dict):
        return None
    kind, config = layer.get("class_name"), layer.get("config")
    if not isinstance(config, dict):
        return None
    if kind == "RNN":
        return _states(config.get("cell"))
    if kind == "StackedRNNCells":
        cells = [_states(c) for c in config.get("cells") or []]
        return sum(cells) if cells and None not in cells else None
    return STATES.get(kind)


def declared(layer, node) -> int:
    """The tensors one call of ``layer`` returns, as its config and call say."""
    kind, config = layer.get("class_name"), layer.get("config")
    config = config if isinstance(config, dict) else {}
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    if kind == "MultiHeadAttention" and isinstance(kwargs, dict):
        return 2 if kwargs.get("return_attention_scores") is True else 1
    if kind in ("Functional", "Model"):  # a nested model: one tensor per output
        outs = config.get("output_layers")
        return len(outs) if isinstance(outs, list) and outs and isinstance(outs[0], list) else 1
    if kind == "Bidirectional":
        inner = config.get("layer")
        states = _states(inner) or 0
        inner_config = inner.get("config") if isinstance(inner, dict) else None
        returns = isinstance(inner_config, dict) and inner_config.get("return_state") is True
        outputs = 2 if config.get("merge_mode") is None else 1
        return outputs + (2 * states if returns else 0)
    if config.get("return_state") is True:
        return 1 + (_states(layer) or 0)
    return 1


def model_outputs(config) -> list[list]:
    """A functional model's output_layers as its layers' calls are numbered:
    Keras numbers a nested Functional's calls from 1 there (its own graph is
    node 0: models/functional.py, ``kept_nodes = 1``), from 0 in keras_history."""
    outs = config.get("output_layers")
    if not isinstance(outs, list) or not outs:
        return []
    refs = [outs] if isinstance(outs[0], str) else [r for r in outs if _ref(r)]
    layers = config.get("layers") if isinstance(config.get("layers"), list) else []
    functional = {
        la.get("name")
        for la in layers
        if isinstance(la, dict) and la.get("class_name") == "Functional"
    }
    return [[n, i - 1 if n in functional and i > 0 else i, k] for n, i, k in refs]


def used_indices(config) -> dict[tuple, int]:
    """(layer, node) -> the highest output index the model reads of that call:
    its layers' inputs (keras_history) and its outputs."""
    out: dict[tuple, int] = {}
    layers = config.get("layers") if isinstance(config.get("layers"), list) else []
    stack = [la.get("inbound_nodes") for la in layers if isinstance(la, dict)]
    refs = list(model_outputs(config))
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if v.get("class_name") == "__keras_tensor__" and isinstance(v.get("config"), dict):
                refs.append(v["config"].get("keras_history"))
            else:
                stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    for ref in refs:
        if _ref(ref):
            key = (ref[0], ref[1])
            out[key] = max(out.get(key, 0), ref[2])
    return out


def _ref(v) -> bool:
    return (
        isinstance(v, list)
        and len(v) == 3
        and isinstance(v[0], str)
        and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in v[1:])
    )
