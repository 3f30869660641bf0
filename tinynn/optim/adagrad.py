"""``Adagrad``: divide each coordinate's step by the root of its summed squared gradients (Duchi et al.)."""
from __future__ import annotations

from typing import Callable, Iterable

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_tensor_lr, _check_unsupported


class Adagrad(Optimizer):
    r"""Adagrad, exactly as ``torch.optim.Adagrad``.

    For each parameter theta with gradient g, at step t:

    * weight decay:   g <- g + lambda theta
    * decayed lr:     clr = lr / (1 + (t - 1) lr_decay)
    * sum:            s_t = s_{t-1} + g^2   (s_0 = initial_accumulator_value)
    * step:           theta <- theta - clr g / (sqrt(s_t) + eps)

    Args:
        lr: default 1e-2. lr_decay, weight_decay, initial_accumulator_value: default 0.
        eps: default 1e-10. maximize: ascend instead.

    State per parameter (created with the optimizer, as PyTorch does): ``step`` and ``sum``.

    Raises:
        ValueError: "Tensor lr must be 1-element", "Invalid learning rate: ...", and likewise
            for lr_decay, weight_decay, initial_accumulator_value and eps (each must be >= 0).
        NotImplementedError: for ``differentiable=True`` or ``fused=True``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_unsupported(foreach, differentiable, fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = _creation.tensor(0.0)
            state["sum"] = _creation.full_like(p, group["initial_accumulator_value"])

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_adagrad``)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                self._init_state(p, group)  # a group added later with add_param_group
                state = self.state[p]
                state["step"] += 1
                step = state["step"].item()
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                state["sum"].addcmul_(grad, grad, value=1)
                std = state["sum"].sqrt().add_(eps)
                p.addcdiv_(grad, std, value=-clr)
        return loss
