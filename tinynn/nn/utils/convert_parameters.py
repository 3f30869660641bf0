"""``parameters_to_vector`` and ``vector_to_parameters``: all parameters as one flat vector and back."""
from __future__ import annotations

from typing import Iterable

from ..._functions.shape import cat
from ..._tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the parameters, each flattened, into one vector (differentiable).

    Shape:
        output: (total number of elements,).
    """
    return cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (the inverse of
    ``parameters_to_vector``). Each parameter's ``.data`` becomes a view of ``vec``.

    Raises:
        TypeError: if ``vec`` is not a Tensor.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected tinynn.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[pointer:pointer + count].view_as(param).data
        pointer += count
