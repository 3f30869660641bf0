"""Whole Jacobians, Hessians and their products with a vector (``torch.autograd.functional``),
built on :func:`tinynn.autograd.grad`.

For ``y = f(x)`` with Jacobian ``J`` (entry ``[i, j]`` is dy_i/dx_j):

* ``vjp(f, x, v)`` is ``v^T J``: one backward pass with ``v`` as the output gradient;
* ``jvp(f, x, v)`` is ``J v``: the "double backward trick": ``g(u) = u^T J`` is linear in
  a dummy ``u``, so its vector-Jacobian product with ``v`` is ``J v``;
* ``jacobian(f, x)`` has shape ``y.shape + x.shape``: one backward pass per output element
  (no vectorisation);
* ``hessian(f, x)`` is the Jacobian of the gradient of a scalar ``f``; ``vhp`` and ``hvp``
  are ``v^T H`` and ``H v`` (the same for a symmetric Hessian), without building ``H``.

Each function takes a Tensor or a *tuple* of Tensors (a list is a ``TypeError``, as in
PyTorch) and returns tensors detached from the graph unless ``create_graph=True``; then an
input that requires grad stays connected, so the results can be differentiated with respect
to it. ``strict=True`` raises a ``RuntimeError`` where a result would be zeros because an
output does not depend on an input.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import _creation, _tensor
from .._functions.shape import stack
from . import grad as _grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

Tensor = _tensor.Tensor
TensorOrTensors = Any  # a Tensor or a tuple of Tensors


def _as_tuple(value: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_a_tuple, value as a tuple)``.

    Raises:
        TypeError: if ``value`` is not a Tensor or a tuple of Tensors (a list included).
    """
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                            f"Tensors but the {where} has type {type(el)}.")
    return is_tuple, values


def _grad_preprocess(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh leaves to differentiate with respect to, so the caller's tensors are left alone.

    With ``create_graph``, an input that requires grad is taken through ``view_as`` instead,
    which keeps it in the graph: the results can then be differentiated with respect to it.

    Raises:
        RuntimeError: if ``need_graph`` and an input is not floating point.
    """
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(need_graph)
                 for x in inputs)


def _grad_postprocess(values: tuple, create_graph: bool) -> tuple:
    """Detach the results (nested tuples too), unless they are to be differentiated again."""
    if create_graph:
        return values
    return tuple(v.detach() if isinstance(v, Tensor) else _grad_postprocess(v, False) for v in values)


def _tuple_postprocess(result: tuple, was_tuple: bool | tuple[bool, bool]) -> Any:
    """Unwrap the one-element tuples made for arguments that were not tuples."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            result = tuple(row[0] for row in result)
        return result if outer else result[0]
    return result if was_tuple else result[0]


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    """Raises ``RuntimeError`` if ``v`` does not match ``other`` in count and shapes."""
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prefix = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {el_other.size()} but got {el_v.size()}.")


_STRICT_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be "
               "computed in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with "
                "respect to input {i} is independent of the input. This is not allowed in strict mode. "
                "You should ensure that your function is twice differentiable and that the jacobian "
                "depends on the inputs (this would be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the "
               "input. This is not allowed in strict mode. You should ensure that your function is thrice "
               "differentiable and that the hessian depends on the inputs.",
}


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    """In strict mode, raise ``RuntimeError`` for a value that is None or does not require grad."""
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. "
                               "This is not allowed in strict mode.")
        if not value.requires_grad:
            raise RuntimeError(_STRICT_MESSAGES[kind].format(i=i))


def _autograd_grad(outputs: tuple, inputs: tuple, grad_outputs: tuple | None = None,
                   create_graph: bool = False, retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; all None if none does."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, grads = zip(*pairs)
    return _grad(outs, inputs, grads, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. "
            "This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs "
                  "when using the double backward trick to compute forward mode gradients. This is not "
                  "allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                         "double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Zeros (shaped like ``refs[i]``) for the None gradients; in strict mode a ``RuntimeError``."""
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = _creation.zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. "
                               "This is not allowed in strict mode when create_graph=True.")
        result.append(g)
    return tuple(result)


def _prepare_v(v: TensorOrTensors | None, others: tuple, is_others_tuple: bool, create_graph: bool,
               fn_name: str, none_message: str) -> tuple | None:
    """``v`` as a tuple matching ``others``; None only where ``others`` is one single-element tensor."""
    if v is None:
        if len(others) != 1 or others[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
    _validate_v(v, others, is_others_tuple)
    return v


_V_NONE_INPUT = ("The vector v can only be None if the input to the user-provided function is a single "
                 "Tensor with a single element.")


def vjp(func: Callable, inputs: TensorOrTensors, v: TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple:
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: shaped like the outputs; may be None only for a single-element output.
        create_graph: keep the results in the graph (to differentiate them again).
        strict: raise instead of returning zeros for an output independent of an input.

    Returns:
        ``(func(inputs), vjp)``; ``vjp`` is shaped like the inputs.

    Raises:
        TypeError: if the inputs, outputs or ``v`` are not a Tensor or a tuple of Tensors.
        RuntimeError: if ``v`` does not match the outputs, or (strict) an output does not
            depend on an input.

    Example:
        >>> out, g = vjp(lambda x: x ** 2, tinynn.tensor([1., 2.]), tinynn.ones(2))  # g = 2x
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp",
                       "The vector v can only be None if the user-provided function returns a single "
                       "Tensor with a single element.")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (_tuple_postprocess(_grad_postprocess(outputs, create_graph), is_outputs_tuple),
            _tuple_postprocess(_grad_postprocess(result, create_graph), is_inputs_tuple))


def jvp(func: Callable, inputs: TensorOrTensors, v: TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple:
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs``, by the double backward
    trick: ``u -> u^T J`` is linear in a dummy output gradient ``u``, and its own
    vector-Jacobian product with ``v`` is ``J v``.

    Args:
        func: takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: shaped like the inputs; may be None only for a single-element input.
        create_graph: keep the results in the graph (to differentiate them again).
        strict: raise instead of returning zeros for an output independent of an input.

    Returns:
        ``(func(inputs), jvp)``; ``jvp`` is shaped like the outputs.

    Raises:
        TypeError: if the inputs, outputs or ``v`` are not a Tensor or a tuple of Tensors.
        RuntimeError: if ``v`` does not match the inputs, or (strict) an output does not
            depend on an input.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp", _V_NONE_INPUT)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        dummies = tuple(_creation.zeros_like(out, requires_grad=True) for out in outputs)  # u
        grad_inputs = _autograd_grad(outputs, inputs, dummies, create_graph=True)          # u^T J
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(grad_inputs, dummies, v, create_graph=create_graph)        # J v
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (_tuple_postprocess(_grad_postprocess(outputs, create_graph), is_outputs_tuple),
            _tuple_postprocess(_grad_postprocess(result, create_graph), is_outputs_tuple))


def jacobian(func: Callable, inputs: TensorOrTensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs`` (a Tensor or a tuple of Tensors).

    Shapes: for one input and one output, ``output.shape + input.shape``. A tuple of inputs
    (or of outputs) gives a tuple (a tuple of tuples for both: ``[i][j]`` is d out_i/d in_j).
    An output that does not depend on an input gives zeros. ``vectorize`` is accepted and
    has no effect (one backward pass per output element either way).

    Raises:
        TypeError: if the inputs or outputs are not a Tensor or a tuple of Tensors.
        AssertionError: for a ``strategy`` other than "forward-mode" or "reverse-mode".
        NotImplementedError: for ``strategy="forward-mode"`` (tinynn has reverse mode only).
        RuntimeError: with ``strict=True``, if an output does not depend on an input, or
            together with ``vectorize=True``; for an input that is not floating point.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more '
                             'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError("tinynn's jacobian supports strategy='reverse-mode' only")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                              "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                               "not supported together. Please either set `strict=False` or `vectorize=False`.")
        rows = []
        for i, out in enumerate(outputs):
            per_input = [[] for _ in inputs]  # per_input[j][k] = d out.flat[k] / d inputs[j]
            for k in range(out.numel()):
                grads = _autograd_grad((out.reshape(-1)[k],), inputs, retain_graph=True,
                                       create_graph=create_graph)
                for j, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {j}. This is not allowed in strict mode.")
                        g = _creation.zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                                           f"input {i}. This is not allowed in strict mode when "
                                           "create_graph=True.")
                    per_input[j].append(g)
            rows.append(tuple(
                stack(grads_j).reshape(out.shape + x.shape) if grads_j  # (*out.shape, *x.shape)
                else _creation.zeros(out.shape + x.shape, dtype=x.dtype)
                for grads_j, x in zip(per_input, inputs)))
        return _tuple_postprocess(_grad_postprocess(tuple(rows), create_graph),
                                  (is_outputs_tuple, is_inputs_tuple))


def _single_output(func: Callable, fn_name: str, strict: bool, inputs: tuple) -> Tensor:
    """``func(*inputs)``, checked to be one single-element Tensor.

    Raises:
        TypeError: if it is not a Tensor or a tuple of Tensors.
        RuntimeError: if it is a tuple or has more than one element; (strict) if it does not
            require grad.
    """
    out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element")
    return out


def hessian(func: Callable, inputs: TensorOrTensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func`` at ``inputs``: shape ``input.shape + input.shape``
    (for a tuple of inputs, a tuple of tuples: ``[i][j]`` is d^2 f / d in_i d in_j).

    Raises:
        TypeError: if the inputs are not a Tensor or a tuple of Tensors.
        AssertionError: for an ``outer_jacobian_strategy`` that is not "forward-mode" or
            "reverse-mode".
        NotImplementedError: for ``outer_jacobian_strategy="forward-mode"``.
        RuntimeError: if ``func`` does not return a single-element tensor; with
            ``strict=True``, if the gradient does not depend on an input (a linear ``func``).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs: Tensor) -> Tensor:
        return _single_output(func, "hessian", strict, xs).squeeze()

    def gradient(*xs: Tensor) -> tuple:
        grads = jacobian(scalar_func, xs, create_graph=True)
        _check_requires_grad(grads, "jacobian", strict)
        return grads

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _tuple_postprocess(result, (is_inputs_tuple, is_inputs_tuple))


def vhp(func: Callable, inputs: TensorOrTensors, v: TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple:
    """The vector-Hessian product ``v^T H`` of a scalar ``func`` at ``inputs``: the
    vector-Jacobian product of its gradient.

    Returns:
        ``(func(inputs), vhp)``; ``vhp`` is shaped like the inputs.

    Raises:
        TypeError: if the inputs, the output or ``v`` are not a Tensor or a tuple of Tensors.
        RuntimeError: if ``func`` does not return a single-element tensor, ``v`` does not
            match the inputs, or (strict) the gradient does not depend on an input.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "vhp", _V_NONE_INPUT)
        outputs = (_single_output(func, "vhp", strict, inputs),)
        jac = _autograd_grad(outputs, inputs, create_graph=True)  # the gradient, in the graph
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return (_grad_postprocess(outputs, create_graph)[0],
            _tuple_postprocess(_grad_postprocess(result, create_graph), is_inputs_tuple))


def hvp(func: Callable, inputs: TensorOrTensors, v: TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple:
    """The Hessian-vector product ``H v`` of a scalar ``func`` at ``inputs``, by the double
    backward trick on its gradient (see :func:`jvp`). For a twice continuously
    differentiable ``func``, H is symmetric and ``hvp`` equals :func:`vhp`.

    Returns:
        ``(func(inputs), hvp)``; ``hvp`` is shaped like the inputs.

    Raises:
        TypeError: if the inputs, the output or ``v`` are not a Tensor or a tuple of Tensors.
        RuntimeError: if ``func`` does not return a single-element tensor, ``v`` does not
            match the inputs, or (strict) the gradient does not depend on an input.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "hvp", _V_NONE_INPUT)
        outputs = (_single_output(func, "hvp", strict, inputs),)
        jac = _autograd_grad(outputs, inputs, create_graph=True)                          # gradient
        _check_requires_grad(jac, "jacobian", strict)
        dummies = tuple(_creation.zeros_like(x, requires_grad=True) for x in inputs)       # u
        double_back = _autograd_grad(jac, inputs, dummies, create_graph=True)             # u^T H
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(double_back, dummies, v, create_graph=create_graph)        # H v
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return (_grad_postprocess(outputs, create_graph)[0],
            _tuple_postprocess(_grad_postprocess(result, create_graph), is_inputs_tuple))
