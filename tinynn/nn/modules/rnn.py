"""Recurrent layers: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and the multi-layer ``RNN``, ``LSTM``, ``GRU``.

Everything is built from tinynn's differentiable ops, so backpropagation through time is
just the engine walking the unrolled graph backwards. Three choices keep it fast:

* the input's contribution to the gates, ``x_t W_ih^T + b_ih``, does not depend on the
  previous state, so it is computed for all time steps in **one** matmul before the loop,
  and split into steps by one node (``SplitWithSizes``, in ``_functions/shape.py``);
* all gates share **one** matmul per step: ``h W_hh^T`` with ``W_hh`` of shape
  (G * hidden, hidden) stacks the G gates' weights (LSTM: i, f, g, o; GRU: r, z, n), and the
  result is split into the gates afterwards;
* everything after the matrix products, the gates and the state update, is one op per
  step, with its backward written out by hand: ``fused_lstm_cell`` (ten ops otherwise, in
  ``nn/functional/lstm_cell.py``) and ``fused_gru_cell`` (thirteen, ``gru_cell.py``),
  PyTorch's fused cells.

The only Python loop is over time steps. Parameter names, shapes, gate order and
initialisation are PyTorch's, so a ``state_dict`` loads either way.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable

from ... import _creation
from ..._functions.shape import SplitWithSizes, cat, stack
from ..._tensor import Tensor
from .. import init
from ..functional.dropout import dropout as _dropout
from ..functional.linear import linear
from ..functional.gru_cell import fused_gru_cell
from ..functional.lstm_cell import fused_lstm_cell
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module


def _split(x: Tensor, sizes: list[int], dim: int) -> tuple:
    if len(sizes) == 1:
        return (x,)
    return SplitWithSizes.apply(x, sizes, dim)


# ---------------------------------------------------------------------------------------------
# One time step of each cell. ``gates_x`` is the input's share x_t W_ih^T + b_ih, already
# computed for every step; the recurrent share is one matmul with W_hh.
# ---------------------------------------------------------------------------------------------

def rnn_cell_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None,
                  nonlinearity: str = "tanh") -> Tensor:
    """h' = f(x W_ih^T + b_ih + h W_hh^T + b_hh), f = tanh or relu.  Shapes: (B, H) -> (B, H)."""
    pre = gates_x + linear(h, w_hh, b_hh)  # (B, H)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell_step(gates_x: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None,
                   w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step, PyTorch's gate order i, f, g, o.  Shapes: h (B, P), c (B, H) -> same.

    P = H, or ``proj_size`` when the hidden state is projected by ``w_hr`` (P, H).
    """
    gates = gates_x + linear(h, w_hh, b_hh)        # (B, 4H): all four gates, one matmul
    h, c = fused_lstm_cell(gates, c)                # the rest, one op: i, f, o = sigmoid and
                                                    # g = tanh of the four (B, H) blocks,
                                                    # c = f * c + i * g, h = o * tanh(c)
    if w_hr is not None:
        h = linear(h, w_hr)                         # (B, P): the projection
    return h, c


def gru_cell_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One GRU step, PyTorch's gate order r, z, n.  Shapes: (B, H) -> (B, H).

    The reset gate multiplies the whole recurrent term of the candidate, bias included:
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
    """
    gates_h = linear(h, w_hh, b_hh)                 # (B, 3H): the recurrent share, one matmul
    return fused_gru_cell(gates_x, gates_h, h)      # the rest, one op: r = sigmoid(x_r + h_r),
                                                    # z = sigmoid(x_z + h_z),
                                                    # n = tanh(x_n + r * h_n),
                                                    # h' = (1 - z) * n + z * h


# ---------------------------------------------------------------------------------------------
# The loop over time, for one layer and one direction.
# ---------------------------------------------------------------------------------------------

def _run_direction(step: Callable, gates_x: tuple, batch_sizes: list[int], state: tuple,
                   reverse: bool) -> tuple[list, tuple]:
    """Run ``step`` over the time steps, forwards or backwards.

    ``gates_x[t]`` is (batch_sizes[t], G) and ``state`` a tuple of (B, *) initial states
    (h, or h and c). With a packed batch the sizes shrink over time: a sequence that ended
    keeps its last state, which is its final state. Returns the outputs of every step
    ((batch_sizes[t], P) each, in time order) and the final states (B, *).
    """
    steps = len(batch_sizes)
    outputs = [None] * steps
    if not reverse:
        finished = []  # the final states of sequences that ended, latest first
        for t in range(steps):
            running = batch_sizes[t]
            if running < state[0].shape[0]:
                finished.append(tuple(s[running:] for s in state))  # rows that just ended
                state = tuple(s[:running] for s in state)
            state = step(gates_x[t], *state)
            outputs[t] = state[0]
        if finished:
            parts = [state] + finished[::-1]
            state = tuple(cat([p[k] for p in parts], 0) for k in range(len(state)))
        return outputs, state
    initial = state
    if batch_sizes[-1] < initial[0].shape[0]:
        state = tuple(s[:batch_sizes[-1]] for s in initial)
    for t in range(steps - 1, -1, -1):
        running, current = batch_sizes[t], state[0].shape[0]
        if running > current:  # longer sequences start their backward pass here
            state = tuple(cat([s, s0[current:running]], 0) for s, s0 in zip(state, initial))
        state = step(gates_x[t], *state)
        outputs[t] = state[0]
    return outputs, state


# ---------------------------------------------------------------------------------------------
# The multi-layer modules.
# ---------------------------------------------------------------------------------------------

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU` (PyTorch's ``RNNBase``).

    Args:
        mode: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU".
        input_size: features of each input step.
        hidden_size: features of the hidden state.
        num_layers: recurrent layers stacked, each feeding the next. Default 1.
        bias: whether each layer has ``bias_ih`` and ``bias_hh``. Default True.
        batch_first: input and output are ``(B, T, *)`` instead of ``(T, B, *)``. Default False.
        dropout: dropout applied to each layer's output except the last's (training only).
        bidirectional: a second pass runs backwards in time; outputs are concatenated.
        proj_size: LSTM only: project h to this size with ``weight_hr`` (0: no projection).

    Parameters (for layer k, with ``_reverse`` appended for the backward direction):
        ``weight_ih_l{k}`` (G*H, in), ``weight_hh_l{k}`` (G*H, P), ``bias_ih_l{k}`` (G*H,),
        ``bias_hh_l{k}`` (G*H,), ``weight_hr_l{k}`` (P, H) with ``proj_size``; G gates
        (1, 4 or 3), in = input_size for layer 0 and P * num_directions above, P = proj_size or
        H. All initialised from U(-1/sqrt(H), 1/sqrt(H)).

    Raises:
        ValueError: for a dropout outside [0, 1], sizes <= 0, a bad proj_size.
        TypeError: for a non-bool ``bias``/``batch_first`` or a non-int size.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {"weight_ih": (gate_size, layer_input_size), "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for name, shape in shapes.items():
                    setattr(self, name + suffix, Parameter(_creation.empty(shape, device=device, dtype=dtype)))
                    names.append(name + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction, as PyTorch's ``all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch uses it to lay weights out for cuDNN)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- argument checks, with PyTorch's exception types and messages --

    def _check_input(self, input: Tensor, packed: bool) -> None:
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})"
            )
        expected = 2 if packed else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )

    def _expected_hidden_size(self, batch: int, cell: bool = False) -> tuple[int, int, int]:
        width = self.proj_size if self.proj_size > 0 and not cell else self.hidden_size
        return (self.num_layers * (2 if self.bidirectional else 1), batch, width)

    @staticmethod
    def _check_hidden_size(hx: Tensor, expected: tuple, name: str = "hidden") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {name} size {expected}, got {list(hx.shape)}")

    # -- the computation --

    def _step_function(self, layer_names: list[str]) -> Callable:
        """One step of the cell of one layer and direction, with that layer's weights bound."""
        params = {name.split("_l")[0]: getattr(self, name) for name in layer_names}
        w_hh, b_hh, w_hr = params["weight_hh"], params.get("bias_hh"), params.get("weight_hr")
        if self.mode == "LSTM":
            return lambda gates_x, h, c: lstm_cell_step(gates_x, h, c, w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return lambda gates_x, h: (gru_cell_step(gates_x, h, w_hh, b_hh),)
        nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
        return lambda gates_x, h: (rnn_cell_step(gates_x, h, w_hh, b_hh, nonlinearity),)

    def _run(self, data: Tensor, batch_sizes: list[int], hx: tuple) -> tuple[Tensor, tuple]:
        """All layers and directions over time-major rows ``data`` (N, in), N = sum(batch_sizes).

        Returns the last layer's output rows (N, directions * P) and the final states, each
        (layers * directions, B, *).
        """
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in hx]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                names = self._all_weights[index]
                w_ih = getattr(self, names[0])
                b_ih = getattr(self, names[2]) if self.bias else None
                gates_x = _split(linear(data, w_ih, b_ih), batch_sizes, 0)  # (batch_sizes[t], G*H) per step
                state = tuple(h[index] for h in hx)                         # (B, *) each
                steps, state = _run_direction(self._step_function(names), gates_x, batch_sizes, state,
                                              reverse=direction == 1)
                outputs.append(cat(steps, 0) if len(steps) > 1 else steps[0])  # (N, P)
                for k, s in enumerate(state):
                    finals[k].append(s)
            data = cat(outputs, 1) if directions == 2 else outputs[0]  # (N, directions * P)
            if self.dropout and self.training and layer < self.num_layers - 1:
                data = _dropout(data, self.dropout, True)
        return data, tuple(stack(f, 0) for f in finals)

    def _forward(self, input: Tensor | PackedSequence, hx: tuple | None, cell_state: bool):
        """Shared forward: ``hx`` is a tuple (h0,) or (h0, c0), or None for zeros."""
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = [int(b) for b in batch_sizes_t._data]
            batch = batch_sizes[0]
            batched = True
        else:
            if input.dim() not in (2, 3):
                got = f"{input.dim()}D tensor instead" if name == "RNN" else f"{input.dim()}D instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {got}")
            batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not batched:
                input = input.unsqueeze(batch_dim)
            if hx is not None:
                ranks = [h.dim() for h in hx]
                want = 3 if batched else 2
                if any(r != want for r in ranks):
                    kind = "batched 3-D" if batched else "unbatched 2-D"
                    if cell_state:
                        raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                           f"({ranks[0]}-D, {ranks[1]}-D) tensors")
                    raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {ranks[0]}-D tensor")
                if not batched:
                    hx = tuple(h.unsqueeze(1) for h in hx)
            batch = input.shape[0] if self.batch_first else input.shape[1]
            data = input
        self._check_input(data, packed)
        if hx is None:
            hx = tuple(_creation.zeros(self._expected_hidden_size(batch, cell=k == 1), dtype=data.dtype)
                       for k in range(2 if cell_state else 1))
        else:
            for k, h in enumerate(hx):
                label = f"hidden[{k}]" if cell_state else "hidden"
                self._check_hidden_size(h, self._expected_hidden_size(batch, cell=k == 1), label)
                if h.dtype != data.dtype:
                    raise RuntimeError(f"mat1 and mat2 must have the same dtype (the input is {data.dtype}, "
                                       f"the initial state {label} is {h.dtype})")
            if packed and sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)  # to the packed (sorted) order

        if packed:
            output, finals = self._run(data, batch_sizes, hx)
            if unsorted_indices is not None:
                finals = tuple(f.index_select(1, unsorted_indices) for f in finals)  # original order
            return PackedSequence(output, batch_sizes_t, sorted_indices, unsorted_indices), finals

        if self.batch_first:
            data = data.transpose(0, 1)  # (T, B, in)
        steps = data.shape[0]
        if steps == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        rows = data.reshape(steps * batch, self.input_size)  # (T*B, in), time-major
        output, finals = self._run(rows, [batch] * steps, hx)
        output = output.reshape(steps, batch, output.shape[-1])  # (T, B, directions * P)
        if self.batch_first:
            output = output.transpose(0, 1)  # (B, T, directions * P)
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            finals = tuple(f.squeeze(1) for f in finals)
        return output, finals


class RNN(RNNBase):
    """An Elman RNN: h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), f = tanh or relu.

    Args (as PyTorch, positional order included):
        input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
        dropout=0.0, bidirectional=False, device=None, dtype=None. See :class:`RNNBase`.

    Shape:
        input: (T, B, in), (B, T, in) with ``batch_first``, (T, in) unbatched, or a
        :class:`~tinynn.nn.utils.rnn.PackedSequence`. h_0: (layers * directions, B, H) or
        (layers * directions, H) unbatched; zeros if None.
        output: (T, B, directions * H) (or as the input's layout), or a PackedSequence;
        h_n: like h_0, the state after each sequence's last step.

    Raises:
        ValueError: for an input that is not 2-D or 3-D, a dtype different from the weights',
            or an unknown ``nonlinearity``.
        RuntimeError: for a wrong ``input_size`` or h_0 shape (naming the expected shape).

    Example:
        >>> rnn = RNN(10, 20, 2)
        >>> output, hn = rnn(tinynn.randn(5, 3, 10), tinynn.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (tinynn.Size([5, 3, 20]), tinynn.Size([2, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), cell_state=False)
        return output, h_n


class LSTM(RNNBase):
    """A long short-term memory network, PyTorch's gate order (i, f, g, o)::

        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)         o = sigmoid(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g                              h' = o * tanh(c')   (then h' W_hr^T with proj_size)

    Args (as PyTorch): input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
        dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None.

    Shape:
        input: as :class:`RNN`. (h_0, c_0): (layers * directions, B, P) and
        (layers * directions, B, H) (no B unbatched), P = proj_size or H; zeros if None.
        Returns output (..., directions * P) and (h_n, c_n).

    Raises:
        ValueError: for an input that is not 2-D or 3-D, or a dtype different from the
            weights' (as :class:`RNN`).
        RuntimeError: for a wrong ``input_size`` or hidden-state shape; the messages name
            ``hidden[0]`` (h) or ``hidden[1]`` (c) and the expected shape. Also for an ``hx``
            of more than two tensors.
        IndexError: for an ``hx`` of fewer than two tensors (as PyTorch, which reads ``hx[1]``).
        TypeError: for an ``hx`` that is not a tuple or list.

    Example:
        >>> lstm = LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(tinynn.randn(5, 3, 10))
        >>> output.shape, hn.shape, cn.shape
        (tinynn.Size([5, 3, 20]), tinynn.Size([2, 3, 20]), tinynn.Size([2, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None):
        if hx is not None and not isinstance(hx, (tuple, list)):
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), not {type(hx).__name__}")
        if hx is not None and len(hx) < 2:    # PyTorch reads hx[1]: IndexError
            raise IndexError(f"tuple index out of range: LSTM's hx must be a tuple (h_0, c_0), got {len(hx)} "
                             "tensor(s)")
        if hx is not None and len(hx) > 2:
            raise RuntimeError(f"lstm expects two hidden states, (h_0, c_0), got {len(hx)}")
        output, (h_n, c_n) = self._forward(input, None if hx is None else tuple(hx), cell_state=True)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """A gated recurrent unit network, PyTorch's gate order (r, z, n)::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h

    Args (as PyTorch): input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
        dropout=0.0, bidirectional=False, device=None, dtype=None.

    Shape and Raises: as :class:`RNN`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), cell_state=False)
        return output, h_n


# ---------------------------------------------------------------------------------------------
# Single cells: one time step, the loop left to the caller.
# ---------------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """Parameters shared by the cells: ``weight_ih`` (G*H, in), ``weight_hh`` (G*H, H),
    ``bias_ih``/``bias_hh`` (G*H,), all from U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, name: str, input: Tensor, hx: tuple | None) -> tuple:
        """Checks as PyTorch's cells; returns (batched, input (B, in), hx tuple of (B, H))."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for k, h in enumerate(hx):
                if h.dim() not in (1, 2):
                    label = "hidden" if len(hx) == 1 else f"hx[{k}]"
                    raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        if hx is None:
            zeros = _creation.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)
            return batched, input, (zeros,) * (2 if name == "LSTMCell" else 1)
        if not batched:
            hx = tuple(h.unsqueeze(0) for h in hx)
        for k, h in enumerate(hx):
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                   f"{self.hidden_size}")
        return batched, input, hx


class RNNCell(RNNCellBase):
    """One Elman step: h' = f(x W_ih^T + b_ih + h W_hh^T + b_hh), f = tanh or relu.

    Args: input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None.

    Shape:
        input (B, in) or (in,); hx (B, H) or (H,), zeros if None; returns h' like hx.

    Raises:
        ValueError: for an input or hx that is not 1-D or 2-D.
        RuntimeError: for an input_size, batch size or hidden_size that does not match.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        batched, input, (h,) = self._prepare("RNNCell", input, None if hx is None else (hx,))
        gates_x = linear(input, self.weight_ih, self.bias_ih)
        h = rnn_cell_step(gates_x, h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gate order i, f, g, o; see :class:`LSTM`).

    Args: input_size, hidden_size, bias=True, device=None, dtype=None.

    Shape:
        input (B, in) or (in,); hx = (h, c), each (B, H) or (H,), zeros if None;
        returns (h', c').

    Raises:
        TypeError: if hx is not a tuple.
        RuntimeError: if hx does not hold exactly two tensors; otherwise as :class:`RNNCell`.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and not isinstance(hx, (tuple, list)):
            raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not "
                            f"{type(hx).__name__}")
        if hx is not None and len(hx) != 2:
            raise RuntimeError(f"lstm_cell expects two hidden states, (h, c), got {len(hx)}")
        batched, input, (h, c) = self._prepare("LSTMCell", input, None if hx is None else tuple(hx))
        gates_x = linear(input, self.weight_ih, self.bias_ih)
        h, c = lstm_cell_step(gates_x, h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gate order r, z, n; see :class:`GRU`).

    Args: input_size, hidden_size, bias=True, device=None, dtype=None.

    Shape and Raises: as :class:`RNNCell`.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched, input, (h,) = self._prepare("GRUCell", input, None if hx is None else (hx,))
        gates_x = linear(input, self.weight_ih, self.bias_ih)
        h = gru_cell_step(gates_x, h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
