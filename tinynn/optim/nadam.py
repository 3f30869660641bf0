"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), with the momentum schedule of the paper."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_adam_hyperparameters, _check_unsupported


class NAdam(Optimizer):
    r"""NAdam, exactly as ``torch.optim.NAdam``.

    For each parameter theta with gradient g, at step t:

    * weight decay:      g <- g + lambda theta (or, decoupled, theta <- theta (1 - lr lambda))
    * momentum schedule: mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),  psi = momentum_decay
    * moments:           m_t = beta1 m_{t-1} + (1 - beta1) g,  v_t = beta2 v_{t-1} + (1 - beta2) g^2
    * denominator:       d = sqrt(v_t / (1 - beta2^t)) + eps
    * step:              theta <- theta - lr (1 - mu_t) / (1 - prod_{i<=t} mu_i) g / d
                                        - lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i) m_t / d

    Nesterov's idea: step with the momentum of the *next* step (mu_{t+1} m_t), plus the
    current gradient's share; the products of the mu are Adam's bias correction for a
    momentum that changes from step to step.

    Args:
        lr: default 2e-3. betas: default (0.9, 0.999). eps: default 1e-8.
        weight_decay: lambda, default 0. momentum_decay: psi, default 4e-3.
        decoupled_weight_decay: AdamW's form of the decay. maximize: ascend instead.
        foreach, capturable: accepted for compatibility (no effect).

    State per parameter (made at its first step): ``step``, ``mu_product`` (a float32 0-d
    tensor, as in PyTorch), ``exp_avg``, ``exp_avg_sq``.

    Raises:
        ValueError: for a Tensor lr of more than one element, and for an lr, eps,
            weight_decay or momentum_decay below 0 or a beta outside [0, 1), with PyTorch's messages.
        NotImplementedError: for ``differentiable=True``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_unsupported(foreach, differentiable, None)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_nadam``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _creation.tensor(0.0)
                    state["mu_product"] = _creation.tensor(1.0)
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_avg_sq"] = _creation.zeros_like(p)
                grad = -p.grad if group["maximize"] else p.grad
                exp_avg, exp_avg_sq, mu_product = state["exp_avg"], state["exp_avg_sq"], state["mu_product"]
                state["step"] += 1
                step = state["step"].item()
                bias_correction2 = 1 - beta2 ** step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))             # mu_t
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))  # mu_{t+1}
                mu_product *= mu                                     # (in float32, as PyTorch's)
                exp_avg.lerp_(grad, 1 - beta1)                                           # m_t
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)             # v_t
                denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
                mu_product_next = mu_product.item() * mu_next
                p.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product.item()))
                p.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
        return loss
