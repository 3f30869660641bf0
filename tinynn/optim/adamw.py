"""``AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""
from __future__ import annotations

from typing import Iterable

from .._tensor import Tensor
from .adam import Adam


class AdamW(Adam):
    r"""Adam whose weight decay shrinks the parameter directly instead of adding to the gradient.

    Each step first does theta <- theta (1 - lr lambda), then the Adam update with the
    unmodified gradient. With Adam's L2 form (g + lambda theta), the decay is divided by
    sqrt(v^) like the gradient, so parameters with large gradients are barely decayed;
    decoupling makes the decay the same for every weight. Default weight_decay is 0.01.

    Args: as :class:`Adam` (``decoupled_weight_decay`` is always True).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
