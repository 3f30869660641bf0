"""``Linear`` (y = x W^T + b) and ``Identity``."""
from __future__ import annotations

import math
from typing import Any

from ... import _creation
from ..._tensor import Tensor
from .. import init
from ..functional.linear import linear
from ..parameter import Parameter
from .module import Module


class Identity(Module):
    """Return the input unchanged (a placeholder; its arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """A fully connected layer: y = x W^T + b.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: whether to learn an additive bias. Default: True.
        device: only "cpu" (or None) in tinynn.
        dtype: the parameters' dtype (default: the default dtype, float32).

    Shape:
        input: (..., in_features); output: (..., out_features).

    Attributes:
        weight: (out_features, in_features), initialised from U(-k, k) with
            k = 1 / sqrt(in_features) (``kaiming_uniform_(a=sqrt(5))``, as PyTorch).
        bias: (out_features,), from U(-k, k) with the same k.

    Example:
        >>> m = Linear(20, 30)
        >>> m(tinynn.randn(128, 20)).shape
        tinynn.Size([128, 30])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default init: kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
