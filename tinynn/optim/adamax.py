"""``Adamax``: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2015, section 7.1)."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._functions.elementwise import maximum
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_adam_hyperparameters, _check_unsupported


class Adamax(Optimizer):
    r"""Adamax, exactly as ``torch.optim.Adamax``.

    For each parameter theta with gradient g, at step t:

    * weight decay:    g <- g + lambda theta
    * first moment:    m_t = beta1 m_{t-1} + (1 - beta1) g
    * infinity norm:   u_t = max(beta2 u_{t-1}, abs(g) + eps)
    * step:            theta <- theta - lr / (1 - beta1^t) m_t / u_t

    The second moment of Adam, an average of g^2, becomes a decaying maximum of abs(g): no
    square root, and no bias correction for it (a maximum is not biased towards 0).

    Args:
        lr: default 2e-3. betas: (beta1, beta2), default (0.9, 0.999). eps: default 1e-8.
        weight_decay: lambda, default 0. maximize: ascend instead.
        foreach, capturable: accepted for compatibility (no effect).

    State per parameter (made at its first step): ``step``, ``exp_avg`` (m), ``exp_inf`` (u).

    Raises:
        ValueError: "Tensor lr must be 1-element", "Invalid learning rate: ...", "Invalid
            epsilon value: ...", "Invalid beta parameter at index 0: ..." (each beta in
            [0, 1)), "Invalid weight_decay value: ...".
        NotImplementedError: for ``differentiable=True``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        _check_unsupported(foreach, differentiable, None)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_adamax``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _creation.tensor(0.0)
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_inf"] = _creation.zeros_like(p)
                grad = -p.grad if group["maximize"] else p.grad
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                exp_avg.lerp_(grad, 1 - beta1)                                    # m_t
                maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)   # u_t
                clr = lr / (1 - beta1 ** state["step"].item())
                p.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss
