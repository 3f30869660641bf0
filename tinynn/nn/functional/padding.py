"""``pad``: add (or with negative sizes, remove) values around the last dimensions of a tensor.

``pad`` lists (before, after) pairs starting from the *last* dimension, as PyTorch:
``pad(x, (1, 1, 2, 0))`` adds one column on each side of the last dimension and two rows
before the second-to-last.

* mode="constant" is the ``Pad`` Function. Its gradient crops: the adjoint of
  padding by (a, b) is padding by (-a, -b).
* "reflect", "replicate" and "circular" pick, for every output position, the input
  position it copies (an index array per padded dimension), and read the input with
  advanced indexing; the gradient of that read adds each output gradient back to the
  position it was copied from.
"""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function


class Pad(Function):
    """y = x with ``value`` added around it (or cropped, for negative sizes).

    y[a_1 + i_1, ..., a_k + i_k] = x[i_1, ..., i_k] where in range, ``value`` elsewhere.
    dL/dx = dL/dy cropped back: the same Function with the pads negated and value 0.
    """

    @staticmethod
    def forward(ctx, input, pads: tuple, value):
        x = input._data
        out_shape = tuple(n + a + b for n, (a, b) in zip(x.shape, pads))
        # PyTorch crops (the negative pads) before it pads: a crop larger than a dim fails,
        # even where the positive pad on its other side would make up for it
        if any(n + min(a, 0) + min(b, 0) < 0 for n, (a, b) in zip(x.shape, pads)):
            raise RuntimeError(
                f"narrow(): length must be non-negative. (pad: the negative padding in "
                f"{[p for pair in pads for p in pair]} removes more than the input of size "
                f"{list(x.shape)} has)"
            )
        out = np.full(out_shape, value, dtype=x.dtype)
        src, dst = [], []
        for n, (a, b) in zip(x.shape, pads):
            start, stop = max(-a, 0), n - max(-b, 0)            # the part of x that is kept
            src.append(slice(start, max(stop, start)))
            dst.append(slice(max(a, 0), max(a, 0) + max(stop - start, 0)))
        out[tuple(dst)] = x[tuple(src)]
        ctx.pads = pads
        return out

    @staticmethod
    def backward(ctx, grad_output):
        negated = tuple((-a, -b) for a, b in ctx.pads)
        return Pad.apply(grad_output, negated, 0), None, None


def _source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position along one padded axis, the input position it copies."""
    position = np.arange(-before, size + after)                 # in input coordinates
    if mode == "replicate":
        return np.clip(position, 0, size - 1)
    if mode == "circular":  # negative sizes crop first; the rest wraps around what is left
        first, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
        return first + (np.arange(-max(before, 0), kept + max(after, 0)) % kept)
    # reflect about the first and last element (the edge itself is not repeated)
    return (size - 1) - np.abs((size - 1) - np.abs(position))


def _check_cropped_sizes(input: Tensor, pairs: list, n_padded: int, mode: str) -> None:
    """PyTorch's checks on the output sizes of the non-constant modes when padding is negative.

    "reflect" and "replicate" refuse an output with no element in every padded dimension
    (PyTorch's rule: one empty dimension among non-empty ones is allowed) and any negative
    size; "circular" refuses a negative size, and a pad that would wrap around what the
    negative padding of the other side leaves more than once (PyTorch raises for it, or
    reads memory outside the tensor when nothing is left).

    Raises:
        RuntimeError: "input (W: 5) is too small. Calculated output W: 0", "Negative padding
            value is resulting in an empty dimension", "Padding value causes wrapping around
            more than once."
    """
    dims = range(input.ndim - n_padded, input.ndim)
    sizes = [input.shape[d] for d in dims]
    outs = [n + sum(pairs[d]) for n, d in zip(sizes, dims)]
    if mode == "circular":
        if min(outs) < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        for n, out, d in zip(sizes, outs, dims):
            before, after = pairs[d]
            kept = n - max(-before, 0) - max(-after, 0)
            if out > 0 and kept < max(before, after) <= n:  # beyond n: the caller's message
                raise RuntimeError(
                    f"Padding value causes wrapping around more than once: padding ({before}, {after}) at "
                    f"dimension {d} of input {list(input.shape)} wraps around the {kept} elements left after "
                    "the negative padding")
        return
    if max(outs) < 1 or min(outs) < 0:
        names = "DHW"[3 - n_padded:]
        raise RuntimeError(
            f"input ({', '.join(f'{a}: {n}' for a, n in zip(names, sizes))}) is too small. "
            f"Calculated output {' '.join(f'{a}: {o}' for a, o in zip(names, outs))}")


_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _fill_value(value, dtype: _dtype.dtype):
    """``value`` in the input's dtype, converted as PyTorch's constant padding does: nan,
    inf or a number beyond the dtype's range raises (and, unlike ``fill_``, so does a
    negative int for an unsigned dtype); a float is truncated towards 0 for an integer one.

    Raises:
        RuntimeError: "value cannot be converted to type ... without overflow".
    """
    if dtype.numpy_dtype.kind == "u" and isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value < 0:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow (got {value}; "
                           f"an unsigned tensor takes values from 0)")
    return _dtype.checked_scalar(value, dtype)


def pad(input: Tensor, pad: tuple, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions.

    Args:
        input: any shape (constant mode); for the other modes 2-D to 5-D, see Raises.
        pad: (left, right) for the last dimension, then (top, bottom) for the one before, and
            so on. Negative values remove elements (constant mode).
        mode: "constant" (fill with ``value``), "reflect" (mirror, without repeating the edge:
            [1 2 3] -> [3 2 1 2 3 2 1]), "replicate" (repeat the edge: [1 1 1 2 3 3 3]) or
            "circular" (wrap around: [2 3 1 2 3 1 2]).
        value: the fill value of constant mode (default 0).

    Shape:
        output: each padded dimension grows by before + after.

    Raises:
        TypeError: for a ``pad`` entry that is not an int.
        RuntimeError: for an odd-length ``pad``, or one longer than twice the rank; "reflect"
            padding not smaller than the dimension; "circular" padding larger than it, or
            larger than what its negative padding leaves; negative padding that leaves
            "reflect" or "replicate" no output (see ``_check_cropped_sizes``);
            ``value`` given with a non-constant mode; an empty dimension other than the batch
            dimension in "reflect" and "replicate" modes.
        NotImplementedError: for an unknown mode, or a non-constant mode with a pad length
            that does not fit the input's rank.
    """
    for position, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of "
                            f"type {type(p).__name__} at pos {position}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got "
            f"padding length {len(pad)} and input of dimension {input.ndim}"
        )
    # (before, after) per input dimension, first dimension first
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)][::-1]
    pairs = [(0, 0)] * (input.ndim - len(pairs)) + pairs
    if mode == "constant":
        return Pad.apply(input, tuple(pairs), 0 if value is None else _fill_value(value, input.dtype))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode in ("reflect", "replicate") and input.dtype is _dtype.bool:
        kernel = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f"\"{kernel}_pad{len(pad) // 2}d\" not implemented for 'Bool' (convert the "
                                  "input first, e.g. x.to(torch.uint8))")
    n_padded = len(pad) // 2
    if not (n_padded <= 3 and n_padded + 1 <= input.ndim <= n_padded + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n{_SUPPORTED}"
        )
    if mode in ("reflect", "replicate"):
        batch = 1 if input.ndim == n_padded + 2 else 0  # only a batch dimension may be empty
        if 0 in input.shape[batch:]:
            raise RuntimeError(
                f"Expected {n_padded + 1}D or {n_padded + 2}D (batch mode) tensor with possibly 0 batch size and "
                f"other non-zero dimensions for input, but got: {list(input.shape)}"
            )
    _check_cropped_sizes(input, pairs, n_padded, mode)
    key = []
    for dim in range(input.ndim - n_padded, input.ndim):
        size, (before, after) = input.shape[dim], pairs[dim]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({before}, {after}) at dimension {dim} of input {list(input.shape)}"
            )
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size == 0:
            raise RuntimeError(f"{mode} padding of an empty dimension (input of size {list(input.shape)})")
        index = _source_index(size, before, after, mode)
        # shape the index arrays so they broadcast to a grid: (n1, 1, 1), (n2, 1), (n3,)
        key.append(index.reshape((-1,) + (1,) * (input.ndim - 1 - dim)))
    return input[(Ellipsis, *key)]
