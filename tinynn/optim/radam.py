"""``RAdam``: Adam whose adaptive step is switched on gradually, as the variance of its estimate allows (Liu et al., 2020)."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_adam_hyperparameters, _check_unsupported


class RAdam(Optimizer):
    r"""RAdam, exactly as ``torch.optim.RAdam``.

    For each parameter theta with gradient g, at step t:

    * weight decay:   g <- g + lambda theta (or, decoupled, theta <- theta (1 - lr lambda))
    * moments:        m_t = beta1 m_{t-1} + (1 - beta1) g,  v_t = beta2 v_{t-1} + (1 - beta2) g^2
    * bias-corrected: m^_t = m_t / (1 - beta1^t)
    * SMA length:     rho_inf = 2 / (1 - beta2) - 1,  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    * if rho_t > 5:   theta <- theta - lr m^_t r_t sqrt(1 - beta2^t) / (sqrt(v_t) + eps), with
                      r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    * else:           theta <- theta - lr m^_t  (plain momentum SGD)

    In the first steps v_t rests on a handful of gradients and its variance is large; RAdam
    takes SGD-with-momentum steps until rho_t, the length of the average, passes 5, and then
    scales Adam's step by the rectification r_t, which grows towards 1: a warmup that needs
    no schedule.

    Args:
        lr: default 1e-3. betas: default (0.9, 0.999). eps: default 1e-8.
        weight_decay: lambda, default 0. decoupled_weight_decay: AdamW's form of the decay.
        maximize: ascend instead. foreach, capturable: accepted for compatibility (no effect).

    State per parameter (made at its first step): ``step``, ``exp_avg``, ``exp_avg_sq``.

    Raises:
        ValueError: for a Tensor lr of more than one element, and for an lr, eps or
            weight_decay below 0 or a beta outside [0, 1), with PyTorch's messages.
        NotImplementedError: for ``differentiable=True``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        _check_unsupported(foreach, differentiable, None)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_radam``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, weight_decay = float(group["lr"]), group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _creation.tensor(0.0)
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_avg_sq"] = _creation.zeros_like(p)
                grad = -p.grad if group["maximize"] else p.grad
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                state["step"] += 1
                step = state["step"].item()
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                exp_avg.lerp_(grad, 1 - beta1)                                    # m_t
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)      # v_t
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1              # m^_t
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
                    p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
                else:
                    p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
        return loss
