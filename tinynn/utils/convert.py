"""Move state dicts between PyTorch and tinynn, so training can continue in either library.

Both libraries use the same state-dict keys and tensor layouts (``Linear.weight`` is
(out_features, in_features) in both), so conversion is only a change of tensor type. The
functions walk nested dicts, lists and tuples, so optimizer state dicts convert too.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from .._tensor import Tensor


def _map(obj: Any, convert_tensor, is_tensor) -> Any:
    if is_tensor(obj):
        return convert_tensor(obj)
    if isinstance(obj, dict):
        return (OrderedDict if isinstance(obj, OrderedDict) else dict)(
            (k, _map(v, convert_tensor, is_tensor)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map(v, convert_tensor, is_tensor) for v in obj)
    return obj


def state_dict_from_torch(state_dict: Any) -> Any:
    """A copy of a PyTorch state dict (of a model or optimizer) with tinynn tensors.

    Tensors are copied to the CPU (from any device) with the same dtype and shape.

    Raises:
        TypeError: for a dtype tinynn does not have (bfloat16, complex, uint16/32/64, float8...).
    """
    import torch

    supported = {torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                 torch.float16, torch.float32, torch.float64}

    def convert(t: "torch.Tensor") -> Tensor:
        if t.dtype == torch.bfloat16:
            raise TypeError("bfloat16 has no numpy equivalent: convert with .float() first")
        if t.dtype not in supported:
            raise TypeError(f"tinynn has no {t.dtype} (see book/deviations.md, 'Dtypes covered'): "
                            "convert the tensor to a supported dtype first")
        return Tensor._make(t.detach().cpu().numpy().copy())

    return _map(state_dict, convert, lambda x: isinstance(x, torch.Tensor))


def state_dict_to_torch(state_dict: Any, device: Any = "cpu") -> Any:
    """A copy of a tinynn state dict (of a model or optimizer) with PyTorch tensors on ``device``."""
    import torch

    return _map(state_dict, lambda t: torch.from_numpy(np.array(t._data, copy=True)).to(device),
                lambda x: isinstance(x, Tensor))
