"""Checks for exercises/ex05_rnn.ipynb: an RNN cell, an LSTM cell (PyTorch's gate order),
backpropagation through time, clipping by the global norm, temperature sampling, the
embedding's scatter-add backward, and (with the library) truncated BPTT on census names.

References: ``torch.nn.RNNCell``, ``torch.nn.LSTMCell`` and ``torch.nn.RNN`` (with the
weights given to the learner copied in), PyTorch's autograd for every gradient,
``torch.nn.utils.clip_grad_norm_``, ``torch.softmax`` + ``torch.searchsorted`` for sampling,
and ``F.embedding``'s backward; for ``train_tbptt``, the reference loop in the same library
from the same weights (see ``training.py``). Every answer is computed after the learner's call, from a
private copy of the inputs; every input is seeded and printed as the code that makes it;
each check ends with cases drawn anew on each run.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from . import training
from .core import (Case, CheckResult, Mismatch, Output, compare_arrays, fresh_seeds, randn,
                   register, run_check)

# (label, batch, input size, hidden size, dtype, how to scale the inputs)
_CELL_SPECS = [
    ("batch of 3, input 4, hidden 5", 3, 4, 5, np.float64, 1.0),
    ("batch of 1", 1, 3, 2, np.float64, 1.0),
    ("input size equal to hidden size", 2, 4, 4, np.float64, 1.0),
    ("hidden state of zeros (the first step)", 2, 3, 4, np.float64, 0.0),
    ("large inputs: the units saturate", 2, 3, 4, np.float64, 30.0),
    ("float32", 4, 6, 3, np.float32, 1.0),
    ("float32, hidden state of zeros", 2, 3, 4, np.float32, 0.0),
    ("float32, large inputs: the units saturate", 3, 2, 3, np.float32, 30.0),
]


def _cell_specs() -> list:
    """The fixed specs, then two drawn at random on each run."""
    specs = list(_CELL_SPECS)
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        batch, n_in, hidden = (int(n) for n in rng.integers(1, 7, 3))
        dtype = np.float32 if seed % 2 else np.float64
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""), batch,
                      n_in, hidden, dtype, 1.0))
    return specs


def _dtype_name(dtype) -> str:
    return np.dtype(dtype).name


def _zeros(shape, dtype) -> np.ndarray:
    return register(np.zeros(shape, dtype), f"np.zeros({tuple(shape)!r}, "
                    f"dtype=np.{_dtype_name(dtype)})")


def _cell_inputs(seed, batch, n_in, hidden, dtype, scale, gates):
    """x, h (zeros when scale is 0) and W_ih, W_hh, b_ih, b_hh (scaled by 1/sqrt(H))."""
    bound = float(1 / np.sqrt(hidden))
    x = randn(seed, (batch, n_in), dtype, scale or 1.0)
    h = randn(seed + 1, (batch, hidden), dtype) if scale else _zeros((batch, hidden), dtype)
    weights = [randn(seed + 2 + j, shape, dtype, bound) for j, shape in
               enumerate([(gates * hidden, n_in), (gates * hidden, hidden), (gates * hidden,),
                          (gates * hidden,)])]
    return x, h, weights


def _load(module, weights):
    with torch.no_grad():
        for p, w in zip(module.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    return module


def check_rnn_cell_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh) -> nn.RNNCell's next hidden state."""
    cases = []
    for i, (label, batch, n_in, hidden, dtype, scale) in enumerate(_cell_specs()):
        x, h, weights = _cell_inputs(500 + 10 * i, batch, n_in, hidden, dtype, scale, 1)
        cases.append(Case(label, (x, h, *weights), reference=_rnn_cell_answer))
    return run_check("rnn_cell_forward", fn, cases, [Output("h_next")],
                     ["x", "h", "W_ih", "W_hh", "b_ih", "b_hh"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong shape": "x is (B, I) and W_ih is (H, I): the product is "
                                          "x @ W_ih.T, (B, H). Same for h @ W_hh.T.",
                           "raised ValueError": "x is (B, I) and W_ih is (H, I): the product "
                                                "is x @ W_ih.T, (B, H). Same for h @ W_hh.T.",
                           "wrong value": "h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh): both "
                                          "biases, and tanh (not a sigmoid)."})


def check_lstm_cell_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h', c') as nn.LSTMCell."""
    cases = []
    for i, (label, batch, n_in, hidden, dtype, scale) in enumerate(_cell_specs()):
        x, h, weights = _cell_inputs(600 + 10 * i, batch, n_in, hidden, dtype, scale, 4)
        c = randn(609 + 10 * i, (batch, hidden), dtype) if scale else \
            _zeros((batch, hidden), dtype)
        cases.append(Case(label, (x, h, c, *weights), reference=_lstm_cell_answer))
    return run_check("lstm_cell_forward", fn, cases, [Output("h_next"), Output("c_next")],
                     ["x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong value": "PyTorch's gate order along the 4H rows is i, f, g, o "
                                          "(input, forget, cell candidate, output): "
                                          "i, f, g, o = np.split(z, 4, axis=1); g uses tanh, "
                                          "the other three a sigmoid; h' = o * tanh(c')."})


# (label, T, B, I, H, dtype)
_BPTT_SPECS = [
    ("T=4, batch 2, input 3, hidden 5", 4, 2, 3, 5, np.float64),
    ("a single time step", 1, 3, 2, 4, np.float64),
    ("batch of 1", 5, 1, 3, 3, np.float64),
    ("a long sequence (T=12)", 12, 2, 2, 3, np.float64),
    ("float32", 3, 4, 3, 2, np.float32),
    ("float32, a single time step", 1, 2, 3, 4, np.float32),
]


def check_rnn_bptt(fn: Callable, verbose: bool = True) -> CheckResult:
    """rnn_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, grad_output) ->
    (grad_x, grad_h0, grad_W_ih, grad_W_hh, grad_b_ih, grad_b_hh), as autograd through nn.RNN."""
    specs = list(_BPTT_SPECS)
    for seed in fresh_seeds(2):
        steps, batch, n_in, hidden = (int(n) for n in
                                      np.random.default_rng(seed).integers(1, 7, 4))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""), steps,
                      batch, n_in, hidden, np.float32 if seed % 2 else np.float64))
    cases = []
    for i, (label, steps, batch, n_in, hidden, dtype) in enumerate(specs):
        base = 700 + 10 * i
        bound = float(1 / np.sqrt(hidden))
        weights = [randn(base + 2 + j, s, dtype, bound) for j, s in
                   enumerate([(hidden, n_in), (hidden, hidden), (hidden,), (hidden,)])]
        cases.append(Case(label, (randn(base, (steps, batch, n_in), dtype),
                                  randn(base + 1, (batch, hidden), dtype), *weights,
                                  randn(base + 6, (steps, batch, hidden), dtype)),
                          reference=_rnn_bptt_answer))
    names = ["grad_x", "grad_h0", "grad_W_ih", "grad_W_hh", "grad_b_ih", "grad_b_hh"]
    return run_check("rnn_bptt", fn, cases, [Output(n, "gradient") for n in names],
                     ["x", "h0", "W_ih", "W_hh", "b_ih", "b_hh", "grad_output"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong gradient": "Loop t = T-1 down to 0 carrying delta = dL/dh_t "
                                             "from later steps: d = (grad_output[t] + delta) * "
                                             "(1 - h_t**2), then delta = d @ W_hh. The weight "
                                             "gradients sum d^T h_{t-1} and d^T x_t over t.",
                           "wrong shape": "Each gradient has the shape of its input; the bias "
                                          "gradients are summed over the batch and the steps."})


def _compare_array_list(name: str, kind: str, got, expected):
    if not isinstance(got, (list, tuple)):
        raise Mismatch("wrong type", f"{name} is a {type(got).__name__}; expected a list of "
                       f"{len(expected)} arrays, one per gradient")
    if len(got) != len(expected):
        raise Mismatch("wrong type", f"{name} holds {len(got)} arrays; expected "
                       f"{len(expected)}")
    for k, (g, e) in enumerate(zip(got, expected)):
        compare_arrays(f"{name}[{k}]", kind, g, e)


def _compare_scalar(name: str, kind: str, got, expected):
    try:
        value = np.asarray(got)
    except Exception:  # noqa: BLE001
        value = None
    if value is None or value.shape != () or value.dtype.kind not in "iuf":
        raise Mismatch("wrong type", f"{name} is {got!r}; expected one number")
    compare_arrays(name, kind, value.astype(expected.dtype), expected)


def check_clip_grad_norm(fn: Callable, verbose: bool = True) -> CheckResult:
    """clip_grad_norm(grads, max_norm) -> (clipped grads, total norm before clipping), as
    torch.nn.utils.clip_grad_norm_."""
    specs = [("three gradients, joint norm far above max_norm", [(3, 4), (5,), (2, 2)], 1.0,
              10.0, np.float64),
             ("joint norm below max_norm: nothing changes", [(3, 4), (5,)], 100.0, 1.0,
              np.float64),
             ("each gradient below max_norm, their joint norm above it", [(4,)] * 4, 1.5, 0.4,
              np.float64),
             ("a single gradient", [(6, 2)], 0.5, 3.0, np.float64),
             ("max_norm 5 with norm 20", [(10,), (3, 3)], 5.0, 4.0, np.float64),
             ("float32", [(3, 4), (4,)], 1.0, 5.0, np.float32),
             ("float32, joint norm below max_norm: nothing changes", [(2, 3), (3,)], 50.0, 1.0,
              np.float32)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        shapes = [tuple(int(n) for n in rng.integers(1, 5, int(rng.integers(1, 3))))
                  for _ in range(int(rng.integers(1, 4)))]
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""), shapes,
                      float(rng.uniform(0.5, 4.0)), float(rng.uniform(0.2, 3.0)),
                      np.float32 if seed % 2 else np.float64))
    cases = []
    for i, (label, shapes, max_norm, scale, dtype) in enumerate(specs):
        grads = [randn(800 + 10 * i + j, s, dtype, scale) for j, s in enumerate(shapes)]
        tip = None
        if "each gradient below" in label:
            tip = ("The norm is the norm of all gradients together, as one long vector, not "
                   "of each gradient on its own.")
        elif "nothing changes" in label:
            tip = "Scale by min(1, max_norm / (total_norm + 1e-6)): never scale gradients up."
        cases.append(Case(label, (grads, max_norm), reference=_clip_grad_norm_answer, tip=tip))
    return run_check("clip_grad_norm", fn, cases,
                     [Output("clipped", compare=_compare_array_list),
                      Output("total_norm", compare=_compare_scalar)],
                     ["grads", "max_norm"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "total_norm = sqrt(sum of every squared entry of "
                                          "every gradient), measured before clipping; every "
                                          "gradient is multiplied by min(1, max_norm / "
                                          "(total_norm + 1e-6))."})


def _uniform(seed, n, dtype) -> np.ndarray:
    u = np.random.default_rng(seed).uniform(0, 1, n).astype(dtype)
    return register(u, f"np.random.default_rng({seed}).uniform(0, 1, {n})"
                       f".astype(np.{_dtype_name(dtype)})")


def check_sample_with_temperature(fn: Callable, verbose: bool = True) -> CheckResult:
    """sample_with_temperature(logits, temperature, u) -> (probs, index): softmax(logits / T)
    per row, and for each row the first index whose cumulative probability exceeds u."""
    specs = [("temperature 1", (3, 6), 1.0, 1.0, np.float64),
             ("temperature 0.5: sharper", (4, 5), 0.5, 1.0, np.float64),
             ("temperature 2: flatter", (2, 7), 2.0, 1.0, np.float64),
             ("temperature 0.01 with logits near 100: exp overflows unless shifted", (3, 4),
              0.01, 100.0, np.float64),
             ("one row of 27 characters", (1, 27), 0.8, 2.0, np.float64),
             ("float32", (3, 5), 1.5, 1.0, np.float32),
             ("float32, temperature 0.05 with logits near 10: exp overflows unless shifted",
              (2, 6), 0.05, 10.0, np.float32),
             ("u equal to a cumulative probability, and u = 0 where the first probabilities "
              "are exactly 0: the first index that exceeds u", "exact", 0.01, 1.0, np.float64),
             ("float32, u equal to a cumulative probability", "exact", 0.01, 1.0,
              np.float32)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      tuple(int(n) for n in rng.integers(1, 9, 2)),
                      float(rng.choice([0.5, 0.8, 1.0, 1.5, 2.0])), 2.0,
                      np.float32 if seed % 2 else np.float64))
    cases = []
    for i, (label, shape, temperature, scale, dtype) in enumerate(specs):
        if shape == "exact":  # row 0: p = 1/4 each (cumsums 1/4, 1/2, ...: exact in binary)
            logits = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 50.0, 0.0],
                               [2.0, 2.0, 2.0, 2.0]], dtype)   # row 1: p = (0, 0, 1, 0)
            u = np.array([0.5, 0.0, 0.25], dtype)
        else:
            logits = randn(900 + 2 * i, shape, dtype, scale)
            u = _uniform(901 + 2 * i, shape[0], dtype)
        tip = None
        if "overflows" in label:
            tip = ("Subtract each row's maximum before exp (softmax does not change): logits "
                   "/ 0.01 are in the thousands.")
        elif "exceeds" in label or "cumulative" in label:
            tip = ("The sample is the first k with cumsum(p)[k] > u, strictly: where the "
                   "cumulative sum equals u, take the next index (side='right').")
        cases.append(Case(label, (logits, temperature, u), reference=_sample_answer, tip=tip))
    return run_check("sample_with_temperature", fn, cases, [Output("probs"), Output("index")],
                     ["logits", "temperature", "u"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Divide the logits by the temperature (a low "
                                          "temperature sharpens), softmax each row, then take "
                                          "the first index k with cumsum(p)[k] > u: np.cumsum "
                                          "and (cum > u).argmax or np.searchsorted(cum, u, "
                                          "side='right')."})


def _ids(seed, high, shape) -> np.ndarray:
    ids = np.random.default_rng(seed).integers(0, high, shape)
    return register(ids, f"np.random.default_rng({seed}).integers(0, {high}, {shape!r})")


def check_embedding_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """embedding_backward(indices, grad_output, num_embeddings, padding_idx) -> dL/dweight."""
    specs = [("every id once", np.array([3, 0, 1, 2]), 5, 3, None, np.float64),
             ("repeated ids: their gradients add up", np.array([[1, 4, 4], [4, 0, 1]]), 6, 2,
              None, np.float64),
             ("padding_idx 0 gets no gradient", np.array([[0, 2, 0], [1, 0, 2]]), 4, 3, 0,
              np.float64),
             ("ids never read keep a zero gradient", np.array([7, 7]), 10, 2, None,
              np.float64),
             ("a batch of sequences (B, T) of ids", _ids(55, 27, (4, 6)), 27, 5, 26,
              np.float64),
             ("float32", np.array([[2, 2, 1]]), 3, 4, None, np.float32),
             ("float32, padding_idx 1 gets no gradient", np.array([[1, 2, 1], [0, 1, 2]]), 3,
              2, 1, np.float32),
             ("ids of three dimensions (2, 2, 3)", _ids(56, 5, (2, 2, 3)), 5, 2, None,
              np.float64),
             ("one id, a 0-d array: grad_output is (D,)", np.array(3), 5, 3, None,
              np.float64)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        num = int(rng.integers(2, 12))
        shape = tuple(int(n) for n in rng.integers(1, 6, int(rng.integers(1, 3))))
        padding_idx = int(rng.integers(0, num)) if seed % 3 else None
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      _ids(seed, num, shape), num, int(rng.integers(1, 5)), padding_idx,
                      np.float32 if seed % 2 else np.float64))
    cases = []
    for i, (label, ids, num, dim, padding_idx, dtype) in enumerate(specs):
        g = randn(950 + i, tuple(ids.shape) + (dim,), dtype)
        tip = None
        if "repeated" in label:
            tip = ("grad[indices] += g reads all rows first and writes once per distinct id, "
                   "so repeats are lost: use np.add.at(grad, indices, g).")
        cases.append(Case(label, (ids, g, num, padding_idx),
                          reference=_embedding_backward_answer, tip=tip))
    return run_check("embedding_backward", fn, cases, [Output("grad_weight", "gradient")],
                     ["indices", "grad_output", "num_embeddings", "padding_idx"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "The gradient has the table's shape: "
                                          "(num_embeddings, D), D = grad_output.shape[-1]."})


# ---- PyTorch's answers, computed from (a private copy of) each case's inputs ----

def _torch_dtype(array):
    return torch.float64 if array.dtype == np.float64 else torch.float32


def _rnn_cell_answer(x, h, *weights):
    cell = _load(torch.nn.RNNCell(x.shape[1], h.shape[1], dtype=_torch_dtype(x)), weights)
    return cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()


def _lstm_cell_answer(x, h, c, *weights):
    cell = _load(torch.nn.LSTMCell(x.shape[1], h.shape[1], dtype=_torch_dtype(x)), weights)
    h2, c2 = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    return h2.detach().numpy(), c2.detach().numpy()


def _rnn_bptt_answer(x, h0, W_ih, W_hh, b_ih, b_hh, g):
    rnn = _load(torch.nn.RNN(x.shape[2], h0.shape[1], dtype=_torch_dtype(x)),
                (W_ih, W_hh, b_ih, b_hh))
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h0[None], requires_grad=True)
    output, _ = rnn(xt, ht)
    output.backward(torch.from_numpy(g))
    return (xt.grad.numpy(), ht.grad.numpy()[0]) + tuple(p.grad.numpy()
                                                         for p in rnn.parameters())


def _clip_grad_norm_answer(grads, max_norm):
    params = [torch.zeros(g.shape, dtype=_torch_dtype(g), requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], total.detach().numpy()


def _sample_answer(logits, temperature, u):
    probs = torch.softmax(torch.from_numpy(logits) / temperature, dim=1)
    cumulative = torch.cumsum(probs.double(), dim=1)
    index = torch.searchsorted(cumulative, torch.from_numpy(u).double()[:, None],
                               right=True)[:, 0]
    index = torch.clamp(index, max=logits.shape[1] - 1)  # u within rounding of 1: the last index
    return probs.numpy(), index.numpy()


def _embedding_backward_answer(ids, g, num, padding_idx):
    weight = torch.zeros((num, g.shape[-1]), dtype=_torch_dtype(g), requires_grad=True)
    out = F.embedding(torch.from_numpy(ids), weight, padding_idx=padding_idx)
    out.backward(torch.from_numpy(g))
    return weight.grad.numpy()


# ----------------------------------------------------------------------------- train_tbptt

_CHARS = ".abcdefghijklmnopqrstuvwxyz"  # id 0 is the boundary token, as in chapter 5
_NAMES: dict = {}


def _census_names() -> list:
    """The 5,163 distinct first names of the 1990 US census (the ``names`` package, as in
    chapter 5), lower case, in a fixed shuffled order."""
    if "all" not in _NAMES:
        import os

        import names

        folder = os.path.dirname(names.__file__)
        words = set()
        for filename in ("dist.female.first", "dist.male.first"):
            with open(os.path.join(folder, filename)) as f:
                words.update(line.split()[0].lower() for line in f)
        words = sorted(words)
        order = np.random.default_rng(0).permutation(len(words))
        _NAMES["all"] = [words[i] for i in order]
    return _NAMES["all"]


def name_stream(first: int, count: int, rows: int) -> np.ndarray:
    """Names ``first`` to ``first + count`` written one after another, each followed by the
    boundary token (".mary.john.ann..."), as ids, cut into ``rows`` equal rows: (rows, N)."""
    words = _census_names()[first:first + count]
    ids = [0] + [_CHARS.index(ch) for word in words for ch in word + "."]
    length = len(ids) // rows
    return np.array(ids[:rows * length], dtype=np.int64).reshape(rows, length)


def char_rnn(lib, kind="LSTM", embed=8, hidden=16, num_layers=1):
    """The exercise's model: Embedding -> LSTM or GRU (batch_first) -> Linear, 27 symbols;
    ``model(ids, state)`` returns ``(logits, state)``."""
    nn = lib.nn

    class CharRNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(len(_CHARS), embed)
            self.rnn = getattr(nn, kind)(embed, hidden, num_layers=num_layers,
                                         batch_first=True)
            self.head = nn.Linear(hidden, len(_CHARS))

        def forward(self, ids, state=None):
            output, state = self.rnn(self.embed(ids), state)
            return self.head(output), state

    return CharRNN()


def _tbptt_setup(lib_name, setup):
    lib = training.library(lib_name)
    kind, embed, hidden, layers = setup["model"]
    make = lambda lib: char_rnn(lib, kind, embed, hidden, layers)  # noqa: E731
    model = training.copy_torch_model(training.seeded_torch_model(make, setup["init_seed"]),
                                      make, lib)
    if setup["dtype"] == "float64":
        model = model.double()
    name, options = setup["optimizer"]
    optimizer = getattr(lib.optim, name)(model.parameters(), **options)
    stream = lib.tensor(name_stream(*setup["names"]))
    return lib, model, optimizer, stream, setup["chunk_length"], setup["max_norm"]


def _tbptt_reference(lib, model, optimizer, stream, chunk_length, max_norm):
    """The loop the exercise asks for (the same as the reference solution)."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    for start in range(0, length - 1, chunk_length):
        end = min(start + chunk_length, length - 1)
        logits, state = model(stream[:, start:end], state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               stream[:, start + 1:end + 1].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else \
            state.detach()
        losses.append(loss.item())
    return losses


def _held_out_loss(lib, model) -> float:
    """Cross-entropy, nats per character, on 500 names the training never sees."""
    stream = lib.tensor(name_stream(0, 500, 10))
    model.eval()
    with lib.no_grad():
        logits, _ = model(stream[:, :-1])
        return lib.nn.functional.cross_entropy(logits.reshape(-1, len(_CHARS)),
                                               stream[:, 1:].reshape(-1)).item()


def _tbptt_driver(fn: Callable) -> Callable:
    def train_tbptt(lib_name, setup):
        lib, model, optimizer, stream, chunk_length, max_norm = _tbptt_setup(lib_name, setup)
        losses = training.as_losses(fn(lib, model, optimizer, stream, chunk_length, max_norm),
                                    "chunk")
        training.same_dtype(model, setup["dtype"])
        state = training.model_state(model)
        held_out = _held_out_loss(lib, model) if setup["threshold"] else None
        return losses, state, held_out
    train_tbptt.__name__ = getattr(fn, "__name__", "train_tbptt")
    return train_tbptt


def _tbptt_answer(lib_name, setup):
    if setup["threshold"]:  # the run on real data: judged by its held-out loss
        return None, None, setup["threshold"]
    lib, model, optimizer, stream, chunk_length, max_norm = _tbptt_setup(lib_name, setup)
    losses = _tbptt_reference(lib, model, optimizer, stream, chunk_length, max_norm)
    tolerance = training.tolerance(setup["dtype"])
    return (dict(values=np.array(losses), per="chunk", **tolerance),
            dict(values=training.model_state(model), **tolerance), None)


def _compare_held_out(name, kind, got, threshold):
    if not got < threshold:
        raise Mismatch("wrong value", f"after training, the model scores {got:.3f} nats per "
                       f"character on 500 held-out names; this run must get below "
                       f"{threshold:.2f}")


def check_train_tbptt(fn: Callable, verbose: bool = True) -> CheckResult:
    """train_tbptt(lib, model, optimizer, stream, chunk_length, max_norm) -> losses, one per
    chunk, compared with the reference loop from the same weights on the same names."""
    def setup(dtype, model, optimizer, names, chunk_length, max_norm, seed, threshold=0.0):
        return dict(dtype=dtype, model=model, optimizer=optimizer, names=names,
                    chunk_length=chunk_length, max_norm=max_norm, init_seed=seed,
                    threshold=threshold)

    lstm, adam = ("LSTM", 8, 16, 1), ("Adam", dict(lr=1e-2))
    specs = [
        ("an LSTM, no clipping needed (max_norm 1e3), float64",
         setup("float64", lstm, adam, (500, 24, 4), 10, 1e3, 50)),
        ("clipping at max_norm 0.05 (every step is clipped), float64",
         setup("float64", lstm, ("SGD", dict(lr=0.5)), (520, 20, 3), 8, 0.05, 51)),
        ("the last chunk is shorter, float64",
         setup("float64", lstm, adam, (540, 10, 2), 7, 1.0, 52)),
        ("a GRU: its state is one tensor, not a tuple, float64",
         setup("float64", ("GRU", 8, 16, 1), adam, (560, 16, 4), 6, 1.0, 53)),
        ("an LSTM of 2 layers, float64",
         setup("float64", ("LSTM", 6, 12, 2), adam, (580, 16, 3), 9, 0.5, 54)),
        ("float32", setup("float32", lstm, adam, (600, 16, 4), 10, 1.0, 55)),
    ]
    for seed in fresh_seeds(1):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed}), float64",
                      setup("float64", (str(rng.choice(["LSTM", "GRU"])), 8, 12,
                                        int(rng.integers(1, 3))), adam,
                            (int(rng.integers(600, 5000)), int(rng.integers(6, 14)),
                             int(rng.integers(1, 5))), int(rng.integers(3, 12)),
                            float(rng.choice([0.1, 1.0, 1e3])), seed % 1000)))
    def chunks(spec) -> str:
        length = name_stream(*spec["names"]).shape[1]
        size = spec["chunk_length"]
        count, last = -(-(length - 1) // size), (length - 1) % size
        return f"{count} chunks of {size}" + (f", the last of {last}" if last else "")

    cases = [Case(f"{label}; {chunks(spec)} ({lib_name})", (lib_name, spec),
                  reference=_tbptt_answer,
                  tip=("The state is whatever the model returns: a tuple (h, c) for an LSTM, "
                       "one tensor for a GRU. Detach each tensor in it.")
                  if "GRU" in label else None)
             for label, spec in specs for lib_name in training.LIB_NAMES]
    real = setup("float32", ("LSTM", 16, 48, 1), ("Adam", dict(lr=2e-2)), (500, 2500, 32),
                 20, 1.0, 7, threshold=2.5)
    cases += [Case("real names: 2,500 census names in chunks of 20, then below 2.5 nats per "
                   f"character on 500 others ({lib_name})", (lib_name, real),
                   reference=_tbptt_answer) for lib_name in training.LIB_NAMES]
    training.warm_up(lambda name: _tbptt_reference(*_tbptt_setup(name, setup(
        "float32", lstm, adam, (0, 4, 2), 4, 1.0, 0))), [(n,) for n in training.LIB_NAMES])
    outputs = [Output("losses", compare=training.compare_losses),
               Output("model", compare=training.compare_state),
               Output("held-out loss", compare=_compare_held_out)]
    return run_check("train_tbptt", _tbptt_driver(fn) if callable(fn) else fn, cases,
                     outputs, ["lib", "setup"], verbose=verbose,
                     tips={"wrong value": "Per chunk: logits, state = model(inputs, state); "
                                          "loss = F.cross_entropy(logits.reshape(-1, V), "
                                          "targets.reshape(-1)); zero_grad, backward, "
                                          "clip_grad_norm_(model.parameters(), max_norm), "
                                          "step; then detach the state for the next chunk.",
                           "raised RuntimeError": "Backward through a chunk that was already "
                                                  "backpropagated: detach the state after "
                                                  "each chunk (h.detach(), for each tensor "
                                                  "of an LSTM's (h, c)).",
                           "wrong shape": "One loss per chunk: chunks start at 0, "
                                          "chunk_length, 2 * chunk_length, ... while a next "
                                          "character is left; the last may be shorter."})
