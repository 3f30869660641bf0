"""``Adam``: adaptive moment estimation (Kingma & Ba, 2015), with bias correction and AMSGrad."""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _check_adam_hyperparameters, _check_unsupported


class Adam(Optimizer):
    r"""Adam, exactly as ``torch.optim.Adam``.

    For each parameter theta with gradient g_t at step t = 1, 2, ...:

    * weight decay:         g_t <- g_t + lambda theta  (L2, added to the gradient; AdamW
      instead shrinks theta directly: theta <- theta (1 - lr lambda))
    * first moment:         m_t = beta1 m_{t-1} + (1 - beta1) g_t
    * second moment:        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    * bias correction:      m^_t = m_t / (1 - beta1^t),   v^_t = v_t / (1 - beta2^t)
    * AMSGrad (optional):   v^_t uses vmax_t = max(vmax_{t-1}, v_t) instead of v_t
    * the step:             theta <- theta - lr m^_t / (sqrt(v^_t) + eps)

    m and v start at 0, so early averages are biased towards 0; dividing by 1 - beta^t
    undoes that. The code computes it as PyTorch does: step_size = lr / (1 - beta1^t) and
    denom = sqrt(v_t) / sqrt(1 - beta2^t) + eps.

    Args:
        params: parameters (or parameter groups) to optimize.
        lr: learning rate (a number, or a one-element Tensor). Default: 1e-3.
        betas: (beta1, beta2). Default: (0.9, 0.999).
        eps: added to the denominator. Default: 1e-8.
        weight_decay: lambda. Default: 0.
        amsgrad: use the AMSGrad variant. Default: False.
        maximize: ascend instead of descend. Default: False.
        decoupled_weight_decay: AdamW's weight decay. Default: False.
        foreach, capturable, differentiable, fused: accepted for compatibility (no effect).

    Raises:
        ValueError: "Invalid learning rate: ...", "Tensor lr must be 1-element", "Invalid epsilon value: ...",
            "Invalid beta parameter at index 0: ...", "Invalid weight_decay value: ...",
            "betas must be either both floats or both Tensors" (e.g. for ``betas=(0, 0.9)``).
            ``betas`` is stored as a tuple, as in PyTorch.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 amsgrad: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam_hyperparameters(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")  # (0, 0.9) too, as in PyTorch
        _check_unsupported(foreach, differentiable, fused)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, amsgrad: bool) -> dict:
        """Step 0: m = v = 0 (and vmax = 0 for AMSGrad); ``step`` is a float32 0-d tensor, as in PyTorch."""
        state = self.state[p]
        state["step"] = _creation.tensor(0.0)
        state["exp_avg"] = _creation.zeros_like(p)
        state["exp_avg_sq"] = _creation.zeros_like(p)
        if amsgrad:
            state["max_exp_avg_sq"] = _creation.zeros_like(p)
        return state

    @no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once (PyTorch's ``_single_tensor_adam``).

        The arithmetic runs on the parameters' numpy arrays, in place, with one scratch
        array per parameter: the same operations as PyTorch's fused ``lerp_``, ``addcmul_``
        and ``addcdiv_``, but without a temporary array for each of them (allocating large
        arrays is what made a tensor-op version twice as slow).
        """
        loss = self._run_closure(closure)
        # inf or nan gradients give inf or nan updates (IEEE), silently, as in PyTorch:
        # numpy's warnings are off for the whole step (np.errstate costs about a
        # microsecond, so it is entered once per step, not once per parameter)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for group in self.param_groups:
                lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]  # lr may be a Tensor
                weight_decay, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p] if self.state[p] else self._init_state(p, amsgrad)
                    param, grad = p._data, p.grad._data
                    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                    if maximize:
                        grad = -grad
                    step_t = state["step"]._data                             # t <- t + 1 (a float32 0-d
                    step_t += 1                                              # tensor, as in PyTorch)
                    t = float(step_t)

                    if weight_decay != 0:
                        if group["decoupled_weight_decay"]:
                            param *= 1 - lr * weight_decay                   # AdamW: theta (1 - lr lambda)
                        else:
                            grad = grad + weight_decay * param               # Adam: g + lambda theta

                    scratch = np.empty_like(param)
                    np.subtract(grad, m, out=scratch)                        # m_t = beta1 m + (1 - beta1) g,
                    scratch *= 1 - beta1                                     # as m + (1 - beta1)(g - m)
                    m += scratch
                    v *= beta2                                               # v_t = beta2 v + (1 - beta2) g^2
                    np.multiply(grad, grad, out=scratch)
                    scratch *= 1 - beta2
                    v += scratch

                    bias_correction1 = 1 - beta1 ** t
                    bias_correction2 = 1 - beta2 ** t
                    step_size = lr / bias_correction1
                    if amsgrad:
                        v_max = state["max_exp_avg_sq"]._data
                        np.maximum(v_max, v, out=v_max)                      # vmax_t = max(vmax_{t-1}, v_t)
                        v = v_max
                    np.sqrt(v, out=scratch)                                  # sqrt(v^_t) + eps
                    scratch /= bias_correction2 ** 0.5                       #   = sqrt(v_t) / sqrt(1 - beta2^t) + eps
                    scratch += eps
                    np.divide(m, scratch, out=scratch)                       # theta <- theta - lr m^_t / (sqrt(v^_t) + eps)
                    scratch *= -step_size                                    #   with m^_t = m_t / (1 - beta1^t)
                    param += scratch
                    p._bump_version()
        return loss
