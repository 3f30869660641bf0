"""``Optimizer``: parameter groups, per-parameter state, and their state dict (mirrors ``torch.optim``).

An optimizer holds

* ``param_groups``: a list of dicts, each with ``"params"`` (a list of tensors) and the
  hyperparameters for them (``"lr"``, ``"momentum"``...), so different layers can have
  different learning rates;
* ``state``: ``parameter -> dict`` of what the algorithm remembers between steps (a
  momentum buffer, Adam's moving averages, the step count).

Subclasses implement ``step()``: one plain loop over the parameters of each group, under
``no_grad``, updating every parameter in place.
"""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterable

from .._tensor import Tensor, _zero_grads
from ..autograd import grad_mode


class _RequiredParameter:
    """Marks a hyperparameter without a default (``lr`` of a bare ``Optimizer``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class for optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs (``model.named_parameters()``:
            the names are kept in each group's ``"param_names"`` and in the state dict), or of
            dicts (parameter groups) such as
            ``[{"params": model.base.parameters()}, {"params": model.head.parameters(), "lr": 1e-3}]``.
        defaults: the hyperparameters for groups that do not set them.

    Raises:
        TypeError: if ``params`` is a single Tensor, or holds something that is not a Tensor.
        ValueError: if it is empty, holds a non-leaf tensor (one that does not retain its
            grad), a tensor appears in two groups, or names are given for some tensors only.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {params.type().replace('torch.', 'tinynn.')}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own hyperparameters; the defaults fill the rest).

        The params may be ``(name, tensor)`` pairs (from ``named_parameters()``): the names
        go to ``param_group["param_names"]``.

        Raises:
            TypeError: for a set of params (its order changes between runs) or a non-Tensor.
            ValueError: for a non-leaf tensor that does not retain its grad, a missing
                required hyperparameter, a parameter already in another group, names for
                only some of the params, or a group with names in an optimizer whose groups
                have none (or the other way round).
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        names = [param[0] for param in param_group["params"] if isinstance(param, tuple)]
        param_group["params"] = [param[1] if isinstance(param, tuple) else param for param in param_group["params"]]
        if names:
            if len(names) != len(param_group["params"]):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(param).__name__)
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, "
                          "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                with_names = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {with_names} to the optimizer")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to None (default), or to zeros."""
        _zero_grads([p for group in self.param_groups for p in group["params"]], set_to_none)

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter once from its ``.grad``. Subclasses implement it."""
        raise NotImplementedError

    @staticmethod
    def _run_closure(closure: Callable[[], Any] | None) -> Any:
        """Re-evaluate the loss with grad enabled, if a closure is given (as PyTorch does)."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # -- state dict: PyTorch's format, parameters replaced by their index ------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.

        Parameters are numbered 0, 1, ... in the order they appear across the groups, so
        the dict holds no tensor identities and can be loaded into another optimizer with
        parameters in the same order. The state's tensors are shared, not copied.
        """
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict) -> dict:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict()``.

        Floating-point state tensors are cast to their parameter's dtype (except ``"step"``).
        The saved groups are deep-copied: changing the dict afterwards does not change the
        optimizer. A group keeps its ``"param_names"`` unless the saved group has its own.

        Raises:
            ValueError: if the number of groups, or of parameters in a group, differs.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param: Tensor, value: Any, key: str | None = None) -> Any:
            if isinstance(value, Tensor):
                if key != "step" and param.is_floating_point() and value.is_floating_point():
                    return value.to(param.dtype)
                return value
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group:
                saved.setdefault("param_names", group["param_names"])
        self.state, self.param_groups = state, saved_groups

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _check_tensor_lr(lr: float | Tensor) -> None:
    """A learning rate may be a Tensor (as in PyTorch), with one element.

    Raises:
        ValueError: "Tensor lr must be 1-element".
    """
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check_adam_hyperparameters(lr: float | Tensor, eps: float, betas: tuple, weight_decay: float) -> None:
    """The checks of the Adam family (Adam, AdamW, Adamax, NAdam, RAdam), in PyTorch's order
    and words.

    Raises:
        ValueError: "Tensor lr must be 1-element", "Invalid learning rate: ...", "Invalid
            epsilon value: ...", "Invalid beta parameter at index 0: ..." (each beta must be
            in [0, 1)), "Invalid weight_decay value: ..." (lr, eps and weight_decay >= 0).
    """
    _check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _check_unsupported(foreach: bool | None, differentiable: bool, fused: bool | None) -> None:
    """tinynn runs one plain loop (PyTorch's single-tensor path): no fused or differentiable steps.

    ``foreach`` is accepted and ignored (it only changes speed in PyTorch, not results).
    """
    if differentiable:
        raise NotImplementedError("tinynn optimizers do not support differentiable=True")
    if fused:
        raise NotImplementedError("tinynn optimizers do not support fused=True (there is no fused kernel)")
