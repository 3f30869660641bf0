"""``SGD``: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Callable, Iterable

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_tensor_lr, _check_unsupported


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), exactly as ``torch.optim.SGD``.

    For each parameter theta with gradient g, at step t:

    * weight decay (an L2 penalty):   g <- g + lambda theta
    * momentum mu, dampening tau:     b_1 = g;   b_t = mu b_{t-1} + (1 - tau) g
    * the direction:                  d = g + mu b_t (nesterov)  or  d = b_t
    * the update:                     theta <- theta - lr d

    Without momentum, d = g and the update is theta <- theta - lr g. The buffer starts at
    g itself (not at 0), so the first step is a plain gradient step.

    Args:
        params: parameters (or parameter groups) to optimize.
        lr: learning rate (a number, or a one-element Tensor). Default: 1e-3.
        momentum: mu. Default: 0.
        dampening: tau. Default: 0.
        weight_decay: lambda. Default: 0.
        nesterov: use Nesterov momentum. Default: False.
        maximize: ascend instead of descend. Default: False.
        foreach, differentiable, fused: accepted for compatibility; see ``_check_unsupported``.

    Raises:
        ValueError: "Invalid learning rate: -1" (and likewise for momentum and weight_decay),
            "Tensor lr must be 1-element",
            or nesterov without momentum or with dampening.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported(foreach, differentiable, fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_sgd``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if maximize else p.grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)           # g + lambda theta
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:                                  # b_1 = g
                        buf = grad.clone().detach()
                        state["momentum_buffer"] = buf
                    else:                                            # b_t = mu b_{t-1} + (1 - tau) g
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    grad = grad.add(buf, alpha=momentum) if nesterov else buf
                p.add_(grad, alpha=-lr)                              # theta <- theta - lr d
        return loss
