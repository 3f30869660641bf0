"""Instance normalisation layers: ``InstanceNorm1d`` and ``InstanceNorm2d`` (see ``F.instance_norm``)."""
from __future__ import annotations

import warnings
from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .batchnorm import _NormBase


class _InstanceNorm(_NormBase):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, for each channel of each sample
    over its spatial positions (Ulyanov et al., 2016): the statistics of one image, not of
    the batch, so an image's contrast does not depend on the others.

    Unlike batch norm, the defaults are ``affine=False`` and ``track_running_stats=False``:
    each instance's own statistics in training and evaluation alike. With
    ``track_running_stats=True``, running estimates are kept in training and used in
    evaluation. A sample without its batch dim (C, ...) is normalised as a batch of one.

    Raises:
        ValueError: for an input of the wrong rank, or (with ``affine``) a channel count
            other than ``num_features``; without ``affine`` that is only warned about, as in
            PyTorch (the statistics do not need it).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _get_no_batch_dim(self) -> int:
        raise NotImplementedError

    def _apply_instance_norm(self, input: Tensor) -> Tensor:
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        feature_dim = input.dim() - self._get_no_batch_dim()
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        if input.dim() == self._get_no_batch_dim():
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L), or (C, L) without the batch: statistics per (sample, channel) over L.

    Raises:
        ValueError: "expected 2D or 3D input (got 4D input)".
    """

    def _get_no_batch_dim(self) -> int:
        return 2

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W), or (C, H, W) without the batch: statistics per (sample, channel) over H, W.

    Raises:
        ValueError: "expected 3D or 4D input (got 2D input)".
    """

    def _get_no_batch_dim(self) -> int:
        return 3

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")
