"""``Embedding``: a learnable lookup table from integer ids to vectors."""
from __future__ import annotations

from typing import Any

from ... import _creation
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import init
from ..functional.sparse import embedding
from ..parameter import Parameter
from .module import Module


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``forward(ids)`` returns
    ``weight[ids]``.

    Equivalent to multiplying a one-hot vector by ``weight``, but computed (and
    differentiated) as a row lookup: the backward scatter-adds each gradient row into the row
    it came from (see :func:`tinynn.nn.functional.embedding`).

    Args:
        num_embeddings: size of the vocabulary V.
        embedding_dim: size D of each vector.
        padding_idx: if given, this row is initialised to zeros and never receives a gradient
            (use it for the padding token). Negative values count from the end.
        max_norm: if given, rows looked up with a norm above ``max_norm`` are rescaled to it,
            in place, before the lookup.
        norm_type: the p of the p-norm for ``max_norm``. Default 2.
        scale_grad_by_freq: divide gradients by the frequency of each id in the mini-batch.
        sparse: must be False (tinynn has no sparse gradients).
        device: only "cpu" (or None) in tinynn.
        dtype: the table's dtype (default: the default dtype, float32).

    Shape:
        input: integer tensor of any shape S; output: ``(*S, D)``.

    Attributes:
        weight: (V, D), initialised from N(0, 1) (as PyTorch), the ``padding_idx`` row zeroed.

    Raises:
        AssertionError: "Padding_idx must be within num_embeddings" (PyTorch's type).
        IndexError: in forward, for an id outside [0, V).

    Example:
        >>> emb = Embedding(10, 3, padding_idx=0)
        >>> emb(tinynn.tensor([[0, 2, 4], [4, 3, 9]])).shape
        tinynn.Size([2, 3, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                if padding_idx >= num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
            elif padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if sparse:
            raise NotImplementedError("tinynn has no sparse gradients: use Embedding(..., sparse=False)")
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(_creation.empty((num_embeddings, embedding_dim), device=device, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) for every row, then zeros for the ``padding_idx`` row (PyTorch's init)."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq=True"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose table is ``embeddings`` (V, D), shared, not copied.

        Args:
            freeze: if True (the default) the table is not trained (``requires_grad=False``).
            padding_idx: as in the constructor, except that the row is *not* zeroed: only its
                gradient is (PyTorch's behaviour).

        Raises:
            AssertionError: "Embeddings parameter is expected to be 2-dimensional".
        """
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
