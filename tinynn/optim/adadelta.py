"""``Adadelta``: a per-coordinate step size from running averages of squared gradients and updates (Zeiler)."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_tensor_lr, _check_unsupported


class Adadelta(Optimizer):
    r"""Adadelta, exactly as ``torch.optim.Adadelta`` (the optimizer of pytorch/examples' MNIST).

    For each parameter theta with gradient g:

    * weight decay:        g <- g + lambda theta
    * square average:      v_t = rho v_{t-1} + (1 - rho) g^2
    * update:              delta_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g
    * update average:      u_t = rho u_{t-1} + (1 - rho) delta_t^2
    * step:                theta <- theta - lr delta_t

    Args:
        lr: scales delta, default 1.0. rho: smoothing constant, default 0.9.
        eps: default 1e-6. weight_decay: default 0. maximize: ascend instead.

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).

    Raises:
        ValueError: "Tensor lr must be 1-element", "Invalid learning rate: ...",
            "Invalid rho value: ..." (rho outside [0, 1]),
            "Invalid epsilon value: ...", "Invalid weight_decay value: ...".
        NotImplementedError: for ``differentiable=True``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False) -> None:
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unsupported(foreach, differentiable, None)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_adadelta``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = _creation.tensor(0.0)
                    state["square_avg"] = _creation.zeros_like(p)
                    state["acc_delta"] = _creation.zeros_like(p)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)      # v_t
                std = square_avg.add(eps).sqrt_()                              # sqrt(v_t + eps)
                delta = acc_delta.add(eps).sqrt_()                             # sqrt(u_{t-1} + eps)
                delta.div_(std).mul_(grad)                                     # delta_t
                acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)      # u_t
                p.add_(delta, alpha=-lr)
        return loss
