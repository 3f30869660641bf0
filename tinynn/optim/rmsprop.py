"""``RMSprop``: divide the gradient by a running root-mean-square of its recent values (Hinton)."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_tensor_lr, _check_unsupported


class RMSprop(Optimizer):
    r"""RMSprop, exactly as ``torch.optim.RMSprop``.

    For each parameter theta with gradient g:

    * weight decay:       g <- g + lambda theta
    * square average:     v_t = alpha v_{t-1} + (1 - alpha) g^2
    * centered (option):  gbar_t = alpha gbar_{t-1} + (1 - alpha) g;  v~ = v_t - gbar_t^2, else v~ = v_t
    * denominator:        d = sqrt(v~) + eps
    * update:             theta <- theta - lr g / d, or with momentum mu:
                          b_t = mu b_{t-1} + g / d;  theta <- theta - lr b_t

    Args:
        lr: Default 1e-2. alpha: smoothing constant, default 0.99. eps: default 1e-8.
        weight_decay, momentum: default 0. centered: default False.

    Raises:
        ValueError: "Tensor lr must be 1-element", "Invalid learning rate: ..." and likewise for
            eps, momentum, weight_decay and alpha.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_unsupported(foreach, differentiable, None)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_rmsprop``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = _creation.tensor(0.0)
                    state["square_avg"] = _creation.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _creation.zeros_like(p)
                    if centered:
                        state["grad_avg"] = _creation.zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)   # v_t
                if centered:
                    grad_avg = state["grad_avg"]
                    grad_avg.lerp_(grad, 1 - alpha)                            # gbar_t
                    avg = (square_avg - grad_avg * grad_avg).sqrt_()                # sqrt(v_t - gbar_t^2)
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)                                            # d
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).addcdiv_(grad, avg)                     # b_t
                    p.add_(buf, alpha=-lr)
                else:
                    p.addcdiv_(grad, avg, value=-lr)
        return loss
