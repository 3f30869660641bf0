"""How ``Module.register_full_backward_hook`` sees a module's gradients (PyTorch's ``BackwardHook``).

A full backward hook is ``hook(module, grad_input, grad_output)``: the gradients with
respect to the module's positional inputs and its outputs, once all of them are known.
Per-tensor hooks fire one tensor at a time, so instead the module's inputs and outputs
are each passed through one identity node, ``BackwardHookFunction``, whose backward
receives the gradients of *all* its tensors at once:

    inputs -> [identity] -> forward -> [identity] -> outputs
                  ^                         ^
     grad_input known here:       grad_output known here:
     call the hooks (they may     remember it (the pre-hooks may
     replace grad_input)          replace it)

Backward reaches the output node first, then (after the module's own ops) the input node.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

from ..._tensor import Tensor
from ...autograd.function import Function


class BackwardHookFunction(Function):
    """The identity on several tensors; backward hands their gradients to ``on_backward``,
    which returns the gradients to pass on."""

    @staticmethod
    def forward(ctx, on_backward: Callable, *tensors: Tensor) -> tuple:
        ctx.on_backward = on_backward
        ctx.set_materialize_grads(False)  # an unused output's gradient stays None, as in PyTorch
        return tensors

    @staticmethod
    def backward(ctx, *grads: Tensor | None) -> tuple:
        return (None, *ctx.on_backward(grads))  # None (no gradient) passes through as None


def _wrap(values: tuple, on_backward: Callable) -> tuple:
    """``values`` with each tensor that requires grad replaced by its identity-node output."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    if not positions:
        return values
    wrapped = BackwardHookFunction.apply(on_backward, *(values[i] for i in positions))
    values = list(values)
    for i, tensor in zip(positions, wrapped):
        values[i] = tensor
    return tuple(values)


def _spread(grads: tuple, positions: list, size: int) -> tuple:
    """One entry per argument: the gradients at ``positions``, None elsewhere."""
    out = [None] * size
    for i, grad in zip(positions, grads):
        out[i] = grad
    return tuple(out)


class BackwardHook:
    """Connects one call of a module to its full backward (pre-)hooks.

    Args:
        module: the module being called.
        hooks: its ``hook(module, grad_input, grad_output)`` functions.
        pre_hooks: its ``hook(module, grad_output)`` functions (called first).
    """

    def __init__(self, module: Any, hooks: list, pre_hooks: list) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_output: tuple | None = None
        self.n_inputs = 0
        self.input_positions: list = []

    def setup_input_hook(self, args: tuple) -> tuple:
        """Route the positional tensor inputs that require grad through an identity node."""
        self.n_inputs = len(args)
        self.input_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        return _wrap(args, self._on_input_grads)

    def setup_output_hook(self, result: Any) -> Any:
        """Route the output tensor(s) through an identity node; return the new output."""
        outputs = result if isinstance(result, tuple) else (result,)
        self.output_positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        self.n_outputs = len(outputs)
        wrapped = _wrap(outputs, self._on_output_grads)
        return wrapped if isinstance(result, tuple) else wrapped[0]

    def _on_output_grads(self, grads: tuple) -> tuple:
        grad_output = _spread(grads, self.output_positions, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _checked(result, len(grad_output), "grad_output")
        self.grad_output = grad_output
        if not self.input_positions and self.hooks:  # no input gradient will come: call the hooks now
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                          "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
                          "details.", stacklevel=2)
            for hook in self.hooks:
                hook(self.module, (None,) * self.n_inputs, grad_output)
        return tuple(grad_output[i] for i in self.output_positions)

    def _on_input_grads(self, grads: tuple) -> tuple:
        grad_input = _spread(grads, self.input_positions, self.n_inputs)
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, self.n_inputs, "grad_input")
        return tuple(grad_input[i] for i in self.input_positions)


def _checked(result: Any, expected: int, name: str) -> tuple:
    """A hook's replacement gradients, which must have one entry per original one.

    Raises:
        RuntimeError: "Backward hook returned an invalid number of grad_input, got 2, but expected 1".
    """
    result = result if isinstance(result, tuple) else (result,)
    if len(result) != expected:
        raise RuntimeError(f"Backward hook returned an invalid number of {name}, got {len(result)}, "
                           f"but expected {expected}")
    return result
