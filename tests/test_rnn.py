"""``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and the cells against PyTorch.

Every case builds the module in both libraries, copies PyTorch's weights into tinynn with
``load_state_dict``, feeds the same input (and initial states), back-propagates the same
random gradient through the output and the final states, and compares: the output, the
final states, and the gradients of the input, the initial states and every parameter.
float32 and float64, with the tolerances of ``tinynn.testing`` (float32: rtol 1.3e-6, atol
1e-5; float64: rtol 1e-7, atol 1e-7). Also: weights loaded the other way, parameter names
and order, init, repr, dropout between layers, gradcheck, and error parity.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.testing import assert_close, disable_tf32
from tinynn.utils.convert import state_dict_from_torch

from helpers import assert_same_error

DTYPES = ["float32", "float64"]
I, H = 3, 4  # input and hidden sizes of every case


pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),  # no overflow/invalid warnings from numpy
    # PyTorch's (not tinynn's) note that its oneDNN kernels do not do LSTM projections
    pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN:UserWarning"),
]


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def make_pair(cls: str, dtype: str, **kwargs):
    """The module in PyTorch (its own init) and in tinynn, with PyTorch's weights copied in."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(I, H, dtype=getattr(torch, dtype), **kwargs)
    ours = getattr(tinynn.nn, cls)(I, H, dtype=getattr(tinynn, dtype), **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    return theirs, ours


def leaf(lib, array: np.ndarray, device: str = "cpu"):
    if lib is torch:
        return torch.tensor(array, requires_grad=True, device=device)
    return lib.tensor(array, requires_grad=True)


def flat(out) -> list:
    """(output, h_n) or (output, (h_n, c_n)) -> [output, h_n(, c_n)]; unpacks PackedSequence data."""
    result = []
    for item in out:
        if isinstance(item, (tuple, list)) and not hasattr(item, "batch_sizes"):
            result += list(item)
        elif hasattr(item, "batch_sizes"):
            result.append(item.data)
        else:
            result.append(item)
    return result


def compare_runs(theirs, ours, x: np.ndarray, states: list[np.ndarray] | None, dtype: str,
                 prepare=lambda lib, x: x, seed: int = 1, device: str = "cpu"):
    """Run both modules, backprop the same gradients, compare outputs and all gradients.

    The PyTorch module runs on ``device`` (moved there; TF32 off on CUDA)."""
    if device == "cuda":
        disable_tf32()
        theirs.to(device)
    results = {}
    for lib, module in ((torch, theirs), (tinynn, ours)):
        xs = leaf(lib, x.astype(dtype), device)
        hs = None if states is None else [leaf(lib, s.astype(dtype), device) for s in states]
        hx = None if hs is None else (hs[0] if len(hs) == 1 else tuple(hs))
        outs = flat(module(prepare(lib, xs), hx) if hx is not None else module(prepare(lib, xs)))
        g = rng(seed)
        grads = [g.standard_normal(tuple(o.shape)).astype(dtype) for o in outs]
        grads = [torch.tensor(a, device=device) if lib is torch else lib.tensor(a) for a in grads]
        lib.autograd.backward(outs, grads)
        results[lib.__name__] = (outs, xs, hs, dict(module.named_parameters()))
    t_outs, t_x, t_hs, t_params = results["torch"]
    o_outs, o_x, o_hs, o_params = results["tinynn"]
    for k, (a, b) in enumerate(zip(o_outs, t_outs)):
        assert_close(a, b, name=["output", "h_n", "c_n"][k])
    assert_close(o_x.grad, t_x.grad, name="grad of input")
    for k, (a, b) in enumerate(zip(o_hs or [], t_hs or [])):
        assert_close(a.grad, b.grad, name=f"grad of initial state {k}")
    assert list(o_params) == list(t_params)
    for name in t_params:
        assert_close(o_params[name].grad, t_params[name].grad, name=f"grad of {name}")


MODULE_CASES = {
    "plain": {},
    "no_bias": dict(bias=False),
    "batch_first": dict(batch_first=True),
    "two_layers": dict(num_layers=2),
    "bidirectional": dict(bidirectional=True),
    "three_layers_bidirectional_batch_first": dict(num_layers=3, bidirectional=True, batch_first=True),
}
EXTRA_CASES = {
    "RNN": {"relu": dict(nonlinearity="relu"), "relu_two_layers_bidirectional":
            dict(nonlinearity="relu", num_layers=2, bidirectional=True)},
    "LSTM": {"proj": dict(proj_size=2), "proj_two_layers_bidirectional":
             dict(proj_size=3, num_layers=2, bidirectional=True),
             "proj_no_bias_batch_first": dict(proj_size=2, bias=False, batch_first=True)},
    "GRU": {},
}
ALL_CASES = [(cls, name, kwargs) for cls in ("RNN", "LSTM", "GRU")
             for name, kwargs in {**MODULE_CASES, **EXTRA_CASES[cls]}.items()]


def state_shapes(cls: str, kwargs: dict, batch: int | None) -> list[tuple]:
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    width = kwargs.get("proj_size") or H
    lead = (layers,) if batch is None else (layers, batch)
    shapes = [lead + (width,)]
    if cls == "LSTM":
        shapes.append(lead + (H,))
    return shapes


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,name,kwargs", ALL_CASES, ids=[f"{c}-{n}" for c, n, _ in ALL_CASES])
def test_module_matches_torch_without_initial_state(cls, name, kwargs, dtype, device):
    theirs, ours = make_pair(cls, dtype, **kwargs)
    shape = (2, 5, I) if kwargs.get("batch_first") else (5, 2, I)
    compare_runs(theirs, ours, rng(2).standard_normal(shape), None, dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,name,kwargs", ALL_CASES, ids=[f"{c}-{n}" for c, n, _ in ALL_CASES])
def test_module_matches_torch_with_initial_state(cls, name, kwargs, dtype, device):
    theirs, ours = make_pair(cls, dtype, **kwargs)
    shape = (3, 4, I) if kwargs.get("batch_first") else (4, 3, I)
    states = [rng(3 + k).standard_normal(s) for k, s in enumerate(state_shapes(cls, kwargs, 3))]
    compare_runs(theirs, ours, rng(2).standard_normal(shape), states, dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,kwargs", [("RNN", {}), ("LSTM", dict(num_layers=2)), ("GRU", dict(bidirectional=True)),
                                        ("LSTM", dict(proj_size=2, batch_first=True))])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input(cls, kwargs, with_state, dtype):
    theirs, ours = make_pair(cls, dtype, **kwargs)
    states = None
    if with_state:
        states = [rng(3 + k).standard_normal(s) for k, s in enumerate(state_shapes(cls, kwargs, None))]
    compare_runs(theirs, ours, rng(2).standard_normal((6, I)), states, dtype)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_long_sequence_float64(cls):
    """100 steps: the unrolled graph is deep; gradients still agree (and no recursion limit)."""
    theirs, ours = make_pair(cls, "float64", num_layers=2)
    compare_runs(theirs, ours, rng(5).standard_normal((100, 2, I)), None, "float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_one_between_layers_matches_torch(dtype):
    """dropout=1 zeroes the first layer's output in training: deterministic, so comparable."""
    theirs, ours = make_pair("LSTM", dtype, num_layers=2, dropout=1.0)
    compare_runs(theirs, ours, rng(2).standard_normal((4, 2, I)), None, dtype)


def test_dropout_between_layers_only_in_training():
    _, ours = make_pair("GRU", "float64", num_layers=2, dropout=0.5)
    theirs, plain = make_pair("GRU", "float64", num_layers=2)
    ours.load_state_dict(plain.state_dict())
    x = tinynn.tensor(rng(2).standard_normal((4, 2, I)))
    ours.eval()
    assert_close(ours(x)[0], plain(x)[0])  # eval: no dropout
    ours.train()
    tinynn.manual_seed(0)
    first = ours(x)[0]
    assert not np.allclose(first.detach().numpy(), plain(x)[0].detach().numpy())
    # the last layer's output itself is never dropped: no exact zeros in it
    assert np.all(first.detach().numpy() != 0)


def test_dropout_warning_and_value_checks():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        tinynn.nn.LSTM(3, 4, dropout=0.5)
    for bad in [1.5, -0.1, True]:
        with pytest.raises(ValueError, match="dropout should be a number in range"):
            tinynn.nn.RNN(3, 4, dropout=bad)


# ---- cells ----

CELL_CASES = [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")), ("RNNCell", dict(bias=False)),
              ("LSTMCell", {}), ("LSTMCell", dict(bias=False)), ("GRUCell", {}), ("GRUCell", dict(bias=False))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,kwargs", CELL_CASES)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cell_matches_torch(cls, kwargs, batched, with_state, dtype):
    theirs, ours = make_pair(cls, dtype, **kwargs)
    lead = (3,) if batched else ()
    states = None
    if with_state:
        states = [rng(4 + k).standard_normal(lead + (H,)) for k in range(2 if cls == "LSTMCell" else 1)]
    results = {}
    for lib, module in ((torch, theirs), (tinynn, ours)):
        x = leaf(lib, rng(2).standard_normal(lead + (I,)).astype(dtype))
        hs = None if states is None else [leaf(lib, s.astype(dtype)) for s in states]
        out = module(x) if hs is None else module(x, hs[0] if len(hs) == 1 else tuple(hs))
        outs = list(out) if isinstance(out, tuple) else [out]
        g = rng(7)
        lib.autograd.backward(outs, [lib.tensor(g.standard_normal(tuple(o.shape)).astype(dtype)) for o in outs])
        results[lib.__name__] = (outs, x, hs, dict(module.named_parameters()))
    (t_outs, t_x, t_hs, t_p), (o_outs, o_x, o_hs, o_p) = results["torch"], results["tinynn"]
    for a, b in zip(o_outs, t_outs):
        assert_close(a, b)
    assert_close(o_x.grad, t_x.grad)
    for a, b in zip(o_hs or [], t_hs or []):
        assert_close(a.grad, b.grad)
    for name in t_p:
        assert_close(o_p[name].grad, t_p[name].grad, name=name)


def test_cell_loop_equals_module():
    """Unrolling an LSTMCell by hand over time gives nn.LSTM's output (same weights)."""
    lstm = tinynn.nn.LSTM(I, H, dtype=tinynn.float64)
    cell = tinynn.nn.LSTMCell(I, H, dtype=tinynn.float64)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = tinynn.tensor(rng(2).standard_normal((6, 2, I)))
    h = c = tinynn.zeros(2, H, dtype=tinynn.float64)
    outs = []
    for t in range(6):
        h, c = cell(x[t], (h, c))
        outs.append(h)
    output, (h_n, c_n) = lstm(x)
    assert_close(tinynn.stack(outs), output)
    assert_close(c, c_n[0])


# ---- parameters: names, order, shapes, init, state_dict both ways, repr ----

@pytest.mark.parametrize("cls,kwargs", [("RNN", dict(num_layers=2, bidirectional=True)),
                                        ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)),
                                        ("GRU", dict(bias=False, num_layers=3)), ("LSTMCell", {}), ("GRUCell", {})])
def test_parameter_names_shapes_and_loading_into_torch(cls, kwargs):
    theirs = getattr(torch.nn, cls)(I, H, **kwargs)
    ours = getattr(tinynn.nn, cls)(I, H, **kwargs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for name, p in theirs.named_parameters():
        assert_close(ours.get_parameter(name), p)


def test_init_is_uniform_within_one_over_sqrt_hidden():
    tinynn.manual_seed(0)
    lstm = tinynn.nn.LSTM(50, 400, num_layers=2)
    bound = 1 / math.sqrt(400)
    for name, p in lstm.named_parameters():
        values = p.detach().numpy()
        assert values.dtype == np.float32
        assert values.min() >= -bound and values.max() <= bound, name
        assert values.max() > 0.99 * bound and values.min() < -0.99 * bound, name  # spread over the range
    assert len(lstm.all_weights) == 2 and len(lstm.all_weights[0]) == 4


@pytest.mark.parametrize("cls,args,kwargs", [
    ("RNN", (3, 4), {}), ("RNN", (3, 4, 2, "relu", False, True), dict(dropout=0.25, bidirectional=True)),
    ("LSTM", (3, 4), dict(proj_size=2, num_layers=2, bidirectional=True)), ("GRU", (3, 4, 2), dict(dropout=0.2)),
    ("RNNCell", (3, 4), dict(nonlinearity="relu")), ("LSTMCell", (3, 4), dict(bias=False)), ("GRUCell", (3, 4), {}),
])
def test_repr_and_attributes_match_torch(cls, args, kwargs):
    theirs = getattr(torch.nn, cls)(*args, **kwargs)
    ours = getattr(tinynn.nn, cls)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    for attr in ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
                 "proj_size", "mode", "nonlinearity"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_module_to_double_keeps_working():
    lstm = tinynn.nn.LSTM(I, H).double()
    out, (h, c) = lstm(tinynn.tensor(rng(1).standard_normal((3, 2, I))))
    assert out.dtype == h.dtype == c.dtype == tinynn.float64


# ---- higher-order gradients (everything is built from differentiable ops) ----

@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_layer_gradcheck_and_gradgradcheck(cls):
    module = getattr(tinynn.nn, cls)(2, 3, dtype=tinynn.float64)
    x = tinynn.tensor(rng(3).standard_normal((3, 2, 2)), requires_grad=True)
    fn = lambda x: module(x)[0]  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_grad_flows_to_initial_states_of_packed_sequences_in_original_order():
    """With enforce_sorted=False, h0 is given (and h_n returned) in the caller's batch order."""
    from torch.nn.utils.rnn import pack_padded_sequence as torch_pack

    from tinynn.nn.utils.rnn import pack_padded_sequence as tinynn_pack
    theirs, ours = make_pair("LSTM", "float64", num_layers=2, bidirectional=True)
    lengths = [2, 5, 3, 5]
    states = [rng(8).standard_normal((4, 4, H)), rng(9).standard_normal((4, 4, H))]
    packers = {"torch": torch_pack, "tinynn": tinynn_pack}
    compare_runs(theirs, ours, rng(2).standard_normal((5, 4, I)), states, "float64",
                 prepare=lambda lib, x: packers[lib.__name__](x, lengths, enforce_sorted=False))


# ---- errors: PyTorch's exception types and messages ----

def both_raise(fn, match: str | None = None):
    ours, theirs = assert_same_error(fn)
    ours_text = str(ours).replace("tinynn.", "torch.")  # dtypes print as tinynn.float32
    assert ours_text == str(theirs) if match is None else match in ours_text
    return ours


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_wrong_input_rank(cls):
    for shape in [(1, 5, 2, 3), (3,)]:
        both_raise(lambda lib: getattr(lib.nn, cls)(3, 4)(lib.zeros(*shape)))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("shape", [(5, 2, 7), (5, 7)])
def test_input_size_mismatch(cls, shape):
    both_raise(lambda lib: getattr(lib.nn, cls)(3, 4)(lib.zeros(*shape)))


@pytest.mark.parametrize("cls", ["RNN", "GRU"])
@pytest.mark.parametrize("x_shape,h_shape", [((5, 2, 3), (2, 2, 4)), ((5, 2, 3), (1, 3, 4)),
                                             ((5, 2, 3), (1, 2, 5)), ((5, 2, 3), (2, 4)),
                                             ((5, 3), (1, 1, 4)), ((5, 3), (2, 4))])
def test_wrong_hidden_shape(cls, x_shape, h_shape):
    both_raise(lambda lib: getattr(lib.nn, cls)(3, 4)(lib.zeros(*x_shape), lib.zeros(*h_shape)))


@pytest.mark.parametrize("h_shape,c_shape", [((1, 2, 4), (1, 2, 5)), ((2, 2, 4), (1, 2, 4)), ((2, 4), (2, 4)),
                                             ((1, 2, 2), (1, 2, 4))])
def test_lstm_wrong_hidden_shapes(h_shape, c_shape):
    both_raise(lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 3), (lib.zeros(*h_shape), lib.zeros(*c_shape))))


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_lstm_hx_of_other_than_two_states_raises_as_torch(count, batched):
    """PyTorch reads hx[1] (IndexError for one state) and its kernel wants exactly two
    (RuntimeError for three; an unbatched input drops the third silently in PyTorch, tinynn raises)."""
    x_shape, h_shape = ((5, 2, 3), (1, 2, 4)) if batched else ((5, 3), (1, 4))
    call = lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(*x_shape), tuple(lib.zeros(*h_shape) for _ in range(count)))
    if batched or count == 1:
        ours = both_raise(call, match="(h_0, c_0)")
        assert f"got {count}" in str(ours)
    else:
        with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
            call(tinynn)


@pytest.mark.parametrize("count", [1, 3])
def test_lstm_cell_hx_of_other_than_two_states_raises_as_torch(count):
    ours = both_raise(lambda lib: lib.nn.LSTMCell(3, 4)(lib.zeros(2, 3), tuple(lib.zeros(2, 4) for _ in range(count))),
                      match="lstm_cell expects two hidden states")
    assert f"got {count}" in str(ours)


def test_lstm_proj_hidden_shape():
    both_raise(lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(lib.zeros(5, 2, 3), (lib.zeros(1, 2, 4), lib.zeros(1, 2, 4))))


def test_dtype_mismatch():
    both_raise(lambda lib: lib.nn.GRU(3, 4)(lib.zeros(5, 2, 3, dtype=lib.float64)))


def test_empty_sequence():
    both_raise(lambda lib: lib.nn.RNN(3, 4)(lib.zeros(0, 2, 3)))


@pytest.mark.parametrize("kwargs", [dict(hidden_size=0), dict(num_layers=0), dict(nonlinearity="sigmoid"),
                                    dict(proj_size=2), dict(bias=1), dict(batch_first=None), dict(input_size=0)])
def test_constructor_errors_rnn(kwargs):
    args = dict(input_size=3, hidden_size=4)
    args.update(kwargs)
    both_raise(lambda lib: lib.nn.RNN(**args))


@pytest.mark.parametrize("proj_size", [4, 5, -1])
def test_constructor_errors_proj(proj_size):
    both_raise(lambda lib: lib.nn.LSTM(3, 4, proj_size=proj_size))


@pytest.mark.parametrize("cls,call", [
    ("RNNCell", lambda lib, m: m(lib.zeros(2, 5))),
    ("RNNCell", lambda lib, m: m(lib.zeros(2, 3), lib.zeros(3, 4))),
    ("RNNCell", lambda lib, m: m(lib.zeros(2, 3), lib.zeros(2, 5))),
    ("RNNCell", lambda lib, m: m(lib.zeros(1, 2, 3))),
    ("RNNCell", lambda lib, m: m(lib.zeros(2, 3), lib.zeros(1, 2, 4))),
    ("GRUCell", lambda lib, m: m(lib.zeros(3), lib.zeros(2, 4))),
    ("GRUCell", lambda lib, m: m(lib.zeros(2, 3), lib.zeros(4))),
    ("LSTMCell", lambda lib, m: m(lib.zeros(2, 3), (lib.zeros(2, 4), lib.zeros(2, 5)))),
    ("LSTMCell", lambda lib, m: m(lib.zeros(2, 3), lib.zeros(2, 4))),
    ("LSTMCell", lambda lib, m: m(lib.zeros(2, 3, 1))),
])
def test_cell_errors(cls, call):
    both_raise(lambda lib: call(lib, getattr(lib.nn, cls)(3, 4)))


def test_programs_run_unchanged_with_tinynn_as_torch():
    """A typical PyTorch snippet, run with either library as ``torch``."""
    def program(torch):
        torch.manual_seed(0)
        rnn = torch.nn.GRU(input_size=3, hidden_size=5, num_layers=2, batch_first=True, bidirectional=True)
        x = torch.randn(4, 7, 3)
        output, h_n = rnn(x)
        last = torch.cat([h_n[-2], h_n[-1]], dim=1)
        return tuple(output.shape), tuple(h_n.shape), tuple(last.shape)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert program(tinynn) == program(torch)
