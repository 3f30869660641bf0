"""``Parameter`` and ``Buffer``: Tensors that a Module registers when they are assigned to
its attributes, as learnable weights and as state that is not learned."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module parameter (mirrors ``torch.nn.Parameter``).

    Assigning a Parameter to a Module attribute (``self.weight = Parameter(...)``) registers
    it: it then appears in ``module.parameters()`` and in the ``state_dict``. It shares memory
    with ``data`` and requires grad by default. Results of operations on a Parameter are
    plain Tensors.

    Args:
        data: the initial values (an empty tensor if None).
        requires_grad: whether the parameter requires gradient. Default: True.

    Example:
        >>> w = Parameter(tinynn.zeros(2, 3))
        >>> w.requires_grad
        True
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        array = np.empty(0, dtype=np.float32) if data is None else data._data
        param = object.__new__(cls)
        param._data = array  # shared with ``data``, as in PyTorch
        param.requires_grad = requires_grad
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything is done in __new__ (Tensor.__init__ would replace the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor that a Module registers as a buffer when assigned to one of its attributes
    (mirrors ``torch.nn.Buffer``): module state that is not learned, like BatchNorm's
    ``running_mean``. ``self.x = Buffer(t)`` does what ``self.register_buffer("x", t)`` does.

    Args:
        data: the values (shared, detached from ``data``'s history; an empty tensor if None).
        persistent: whether the buffer is part of the module's ``state_dict``. Default: True.

    (PyTorch's ``Buffer(t)`` is a plain Tensor that ``isinstance`` recognises as a Buffer;
    tinynn's is an instance of this subclass. ``isinstance`` checks agree.)
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        buffer = object.__new__(cls)
        buffer._data = np.empty(0, dtype=np.float32) if data is None else data._data  # shared, as in PyTorch
        buffer.persistent = persistent
        if data is not None and data.requires_grad:
            buffer.requires_grad = True  # (a new leaf: data's history is not kept)
        return buffer

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # everything is done in __new__ (Tensor.__init__ would replace the data)
