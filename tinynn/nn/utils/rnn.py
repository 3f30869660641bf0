"""Variable-length batches for recurrent networks (mirrors ``torch.nn.utils.rnn``).

A batch of sequences of different lengths is either *padded* into one (T, B, *) tensor, or
*packed*: the time steps laid end to end, step t holding only the ``batch_sizes[t]``
sequences still running. Packing needs the batch sorted by decreasing length (so the
running sequences are always the first rows); ``sorted_indices`` remembers that sort and
``unsorted_indices`` undoes it. An RNN given a PackedSequence never steps a sequence past its
end, so its final state is the state at each sequence's true last step::

    lengths [3, 1, 2]  ->  sorted order [0, 2, 1], batch_sizes [3, 2, 1]
    padded (T=3, B=3)        packed data (6 rows)
      a0 b0 c0               a0 c0 b0 | a1 c1 | a2
      a1 .  c1               (step 0)   (step 1) (step 2)
      a2 .  .

Packing and padding are each other's adjoint: the gradient of ``pack`` is ``pad`` (with
zeros at the padding) and the gradient of ``pad`` is ``pack``. Both are one Function that
reads or writes the rows ``(t_index[n], b_index[n])`` of the padded tensor.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ... import _dtype
from ..._functions.shape import cat
from ..._tensor import Tensor
from ...autograd.function import Function


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """A packed batch of variable-length sequences (build it with :func:`pack_padded_sequence`
    or :func:`pack_sequence`, never by hand).

    Attributes:
        data: ``(N, *)``, N = sum of the lengths: step 0 of every sequence, then step 1 of those
            still running, and so on (sequences in ``sorted_indices`` order).
        batch_sizes: (T,) int64 on the CPU: how many sequences run at each step.
        sorted_indices: (B,) int64, or None: row k of each step is sequence
            ``sorted_indices[k]`` of the original batch.
        unsorted_indices: (B,) int64, or None: the inverse permutation.

    It is a named tuple, so ``data, batch_sizes, sorted_indices, unsorted_indices = packed``
    works, as in PyTorch.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise TypeError("PackedSequence needs batch_sizes (build it with pack_padded_sequence)")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """A PackedSequence with ``data.to(*args, **kwargs)`` (the index tensors are unchanged)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtype.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtype.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=_dtype.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=_dtype.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=_dtype.int32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _invert_permutation(permutation: Tensor) -> Tensor:
    inverse = np.empty_like(permutation._data)
    inverse[permutation._data] = np.arange(permutation._data.size, dtype=inverse.dtype)
    return Tensor._make(inverse)


def _packed_positions(batch_sizes: np.ndarray, sorted_indices: np.ndarray | None) -> tuple:
    """For each packed row n: its time step t_index[n] and its column b_index[n] in the
    original (unsorted) batch. Both (N,) int64."""
    t_index = np.repeat(np.arange(batch_sizes.size), batch_sizes)           # (N,)
    starts = np.cumsum(batch_sizes) - batch_sizes                           # (T,) first row of step t
    column = np.arange(t_index.size) - np.repeat(starts, batch_sizes)       # (N,) rank within step
    b_index = column if sorted_indices is None else sorted_indices[column]  # (N,)
    return t_index, b_index


class PackPaddedSequence(Function):
    """data[n] = padded[t_index[n], b_index[n]]  (reads N rows of a (T, B, *) tensor);
    dL/dpadded = zeros with g[n] written back at (t_index[n], b_index[n]) (each position is
    read at most once, so writing is adding)."""

    @staticmethod
    def forward(ctx, padded, t_index, b_index):
        ctx.shape, ctx.t_index, ctx.b_index = padded.shape, t_index, b_index
        return padded._data[t_index, b_index]  # (N, *)

    @staticmethod
    def backward(ctx, grad_output):
        return PadPackedSequence.apply(grad_output, ctx.t_index, ctx.b_index, ctx.shape, 0.0), None, None


class PadPackedSequence(Function):
    """padded = full(shape, padding_value) with padded[t_index[n], b_index[n]] = data[n];
    dL/ddata[n] = g[t_index[n], b_index[n]] (the padding received no data, so no gradient)."""

    @staticmethod
    def forward(ctx, data, t_index, b_index, shape, padding_value):
        ctx.t_index, ctx.b_index = t_index, b_index
        out = np.full(tuple(shape), padding_value, dtype=data._data.dtype)  # (T, B, *)
        out[t_index, b_index] = data._data
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return PackPaddedSequence.apply(grad_output, ctx.t_index, ctx.b_index), None, None, None, None


def _lengths_array(lengths: Tensor | Sequence[int]) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch of variable-length sequences.

    Args:
        input: ``(T, B, *)`` padded sequences, or ``(B, T, *)`` with ``batch_first``.
        lengths: the B lengths (a list or a 1-D integer tensor), each in [1, T].
        batch_first: whether ``input`` is ``(B, T, *)``.
        enforce_sorted: if True, ``lengths`` must be in decreasing order (no permutation is
            stored); if False the batch is sorted here (a stable sort, as PyTorch's) and the
            permutation is kept in ``sorted_indices``/``unsorted_indices``.

    Returns:
        a :class:`PackedSequence` whose ``data`` is differentiable with respect to ``input``.

    Raises:
        RuntimeError: if ``lengths`` is not sorted while ``enforce_sorted`` is True, has a
            length <= 0 or > T, or has not B entries.
    """
    lengths_np = _lengths_array(lengths)
    if batch_first:
        input = input.transpose(0, 1)  # (T, B, *)
    steps, batch = input.shape[0], input.shape[1]
    if enforce_sorted:
        if lengths_np.size != batch:
            raise RuntimeError(
                f"Expected `len(lengths)` to be equal to batch_size, but got {lengths_np.size} (batch_size={batch})"
            )
        if np.any(np.diff(lengths_np) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                "requirement if you do not need ONNX exportability."
            )
        sorted_np = None
    else:
        # As PyTorch: the batch is the first len(lengths) sequences (it selects them by index)
        if lengths_np.size > batch:
            raise RuntimeError(f"INDICES element is out of DATA bounds: {lengths_np.size} lengths for a batch of "
                               f"{batch} sequences (input of shape {list(input.shape)})")
        sorted_np = np.argsort(-lengths_np, kind="stable")                 # (B,) longest first
    if lengths_np.size and lengths_np.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"
        )
    if lengths_np.size and lengths_np.max() > steps:
        raise RuntimeError(
            f"a length ({int(lengths_np.max())}) is larger than the padded sequence length T={steps} "
            f"of an input of shape {list(input.shape)} (with batch_first={batch_first})"
        )
    sorted_lengths = lengths_np if sorted_np is None else lengths_np[sorted_np]
    max_length = int(sorted_lengths[0]) if sorted_lengths.size else 0
    batch_sizes = (sorted_lengths[None, :] > np.arange(max_length)[:, None]).sum(1)  # (T,)
    t_index, b_index = _packed_positions(batch_sizes, sorted_np)
    data = PackPaddedSequence.apply(input, t_index, b_index)                # (N, *)
    sorted_indices = None if sorted_np is None else Tensor._make(sorted_np.astype(np.int64))
    return PackedSequence(data, Tensor._make(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: a padded batch, in the original order, and the lengths.

    Args:
        sequence: a PackedSequence.
        batch_first: return ``(B, T, *)`` instead of ``(T, B, *)``.
        padding_value: the value of the padded positions.
        total_length: pad to this T (at least the longest length) instead of the longest length.

    Returns:
        A tuple ``(padded, lengths)``: the padded batch, ``(T, B, *)`` or ``(B, T, *)``, and the
        lengths, ``(B,)`` int64, both in the original batch order.

    Raises:
        ValueError: if ``total_length`` is shorter than the longest sequence.
    """
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    max_length = batch_sizes.size
    if total_length is not None:
        if total_length < max_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_length}"
            )
        max_length = total_length
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    sorted_np = None if sequence.sorted_indices is None else sequence.sorted_indices._data
    t_index, b_index = _packed_positions(batch_sizes, sorted_np)
    shape = (max_length, batch) + tuple(data.shape[1:])
    padded = PadPackedSequence.apply(data, t_index, b_index, shape, padding_value)  # (T, B, *)
    sorted_lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)      # (B,)
    lengths = sorted_lengths if sorted_np is None else sorted_lengths[sequence.unsorted_indices._data]
    if batch_first:
        padded = padded.transpose(0, 1)  # (B, T, *)
    return padded, Tensor._make(lengths.astype(np.int64))


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into one ``(T, B, *)`` tensor (T = max L_i), padded.

    Args:
        sequences: B tensors ``(L_i, *)`` with the same trailing shape and dtype.
        batch_first: return ``(B, T, *)``.
        padding_value: the value of the padding.
        padding_side: "right" (the default) or "left": where the padding goes.

    Raises:
        RuntimeError: for an empty list, or trailing shapes that differ.
        ValueError: for another ``padding_side``.
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if s.ndim == 0 or tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                f"pad_sequence: every sequence needs the trailing shape {list(trailing)} of the first, "
                f"but sequence {i} has shape {list(s.shape)}"
            )
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)      # (B,)
    steps = int(lengths.max())
    b_index = np.repeat(np.arange(lengths.size), lengths)                    # (N,)
    t_index = np.arange(b_index.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    if padding_side == "left":
        t_index = t_index + (steps - lengths)[b_index]
    data = cat(sequences, 0)                                                 # (N, *)
    shape = (steps, lengths.size) + trailing
    padded = PadPackedSequence.apply(data, t_index, b_index, shape, padding_value)  # (T, B, *)
    return padded.transpose(0, 1) if batch_first else padded


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """Split a padded ``(T, B, *)`` batch back into B tensors ``(L_i, *)``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)  # (B, T, *)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Split a PackedSequence back into its list of sequences ``(L_i, *)``, original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
