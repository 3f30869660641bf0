"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""
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
