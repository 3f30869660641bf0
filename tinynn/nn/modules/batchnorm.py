"""Batch normalisation layers: ``BatchNorm1d`` and ``BatchNorm2d`` (see ``F.batch_norm``)."""
from __future__ import annotations

from typing import Any

from ... import _creation, _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


class _NormBase(Module):
    """What batch and instance normalisation layers share (PyTorch's ``_NormBase``): the
    affine parameters weight (init 1) and bias (init 0), and the running estimates.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance. Default: 1e-5.
        momentum: weight of the newest batch in the running estimates, or None for a
            cumulative average. Default: 0.1.
        affine: learn weight and bias. Default: True.
        track_running_stats: keep running_mean (init 0), running_var (init 1) and
            num_batches_tracked buffers. Default: True.
        bias: with affine, also learn the bias. Default: True.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(_creation.empty(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", _creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", _creation.tensor(0, dtype=_dtype.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics; weight = 1 and bias = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel.

    In training mode E[x] and Var[x] are the batch's (over N and the spatial axes), and the
    running estimates are updated:

        running_mean <- (1 - momentum) running_mean + momentum * batch mean
        running_var  <- (1 - momentum) running_var  + momentum * unbiased batch variance

    With ``momentum=None`` the running estimates are the plain average of all batches so
    far (the factor is 1 / num_batches_tracked). In evaluation mode (``model.eval()``) the
    running estimates are used instead, so a prediction does not depend on the rest of the
    batch. With ``track_running_stats=False`` batch statistics are used in both modes.
    Arguments: see :class:`_NormBase`.
    """

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            factor = 1.0 / int(self.num_batches_tracked) if self.momentum is None else self.momentum
        # batch statistics in training, and in eval when there are no running estimates
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over a (N, C) batch of vectors or a (N, C, L) batch of sequences.

    Statistics per channel c, over N (and L); see :class:`BatchNorm2d` for the formulas and
    arguments.

    Raises:
        ValueError: "expected 2D or 3D input (got 4D input)"; in training, "Expected more
            than 1 value per channel when training" for a single (1, C) sample.
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over a (N, C, H, W) batch of feature maps: statistics per channel over N, H, W.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel. In training mode E[x]
    and Var[x] are the batch's, and the running estimates are updated:

        running_mean <- (1 - momentum) running_mean + momentum * batch mean
        running_var  <- (1 - momentum) running_var  + momentum * unbiased batch variance

    With ``momentum=None`` they are the plain average over all batches so far. In
    evaluation mode (``model.eval()``) the running estimates are used instead.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance. Default: 1e-5.
        momentum: weight of the newest batch in the running estimates, or None for a
            cumulative average. Default: 0.1.
        affine: learn weight (init 1) and bias (init 0). Default: True.
        track_running_stats: keep running_mean (init 0), running_var (init 1) and
            num_batches_tracked buffers; if False, batch statistics are used in eval too.
            Default: True.
        device: only "cpu" (or None) in tinynn.
        dtype: the dtype of the parameters and running estimates (default float32).
        bias: with affine, also learn the bias. Default: True.

    Raises:
        ValueError: "expected 4D input (got 3D input)" (BatchNorm2d needs a batch axis).

    Example:
        >>> bn = BatchNorm2d(10)
        >>> bn(tinynn.randn(8, 10, 5, 5)).shape
        tinynn.Size([8, 10, 5, 5])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")
