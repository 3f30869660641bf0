"""The backward engine: run every node's backward once, in topological order.

Why an order at all? A tensor used twice (``y = x * x``, or a weight shared by two
layers) receives gradient from two places. Its node may pass gradient on only after
*all* of it has arrived. So the engine first counts, for each node, how many edges lead
into it (its dependencies), then runs a node only when that count reaches zero. This is
Kahn's topological sort, done with an explicit stack: no recursion, so a graph that is
thousands of nodes deep (a long RNN) does not hit Python's recursion limit.
"""
from __future__ import annotations

from .. import _dtype
from . import grad_mode
from .function import AccumulateGrad, _gradient_edge


def _dependencies(roots: list) -> dict:
    """Count, for every node reachable from ``roots``, how many edges point to it."""
    dependencies: dict = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            if next_node in dependencies:
                dependencies[next_node] += 1
            else:  # first seen: count it, and walk on through it (a root is walked already)
                dependencies[next_node] = 1
                if next_node not in roots:
                    stack.append(next_node)
    return dependencies


def _accumulate(buffer: list, index: int, grad) -> None:
    buffer[index] = grad if buffer[index] is None else buffer[index] + grad


def _sum_to_input(grad, input_shape: tuple, input_dtype):
    """Undo broadcasting and match the input's dtype: the engine's one place for it.

    ``input_shape`` and ``input_dtype`` are the numpy shape and dtype the input had.
    """
    if grad._data.shape != input_shape:
        grad = grad.sum_to_size(input_shape)
    if grad._data.dtype != input_dtype:
        grad = grad.to(_dtype._FROM_NUMPY[input_dtype])
    return grad


def run_backward(roots: list, grad_roots: list, retain_graph: bool, create_graph: bool,
                 inputs: list | None = None, allow_unused: bool = False):
    """Propagate ``grad_roots`` from ``roots`` (tensors) back through the graph.

    With ``inputs=None`` (``tensor.backward()``), gradients are accumulated into the
    ``.grad`` of leaf tensors. With ``inputs`` (``autograd.grad``), the gradients with
    respect to those tensors are returned and no ``.grad`` is touched.
    """
    # Where each wanted input's gradient will show up: (node, output_nr).
    capture: dict = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not t.requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
            node, nr = _gradient_edge(t)
            capture.setdefault((id(node), nr), []).append(i)
    captured = [None] * (len(inputs) if inputs is not None else 0)

    buffers: dict = {}
    root_nodes = []
    for tensor, grad in zip(roots, grad_roots):
        node, nr = _gradient_edge(tensor)
        if node not in buffers:
            buffers[node] = [None] * node.num_outputs
            root_nodes.append(node)
        _accumulate(buffers[node], nr, grad)

    dependencies = _dependencies(root_nodes)
    ready = [n for n in root_nodes if n not in dependencies]
    previous_mode = grad_mode._grad_enabled
    grad_mode._grad_enabled = create_graph  # record the backward pass only if asked
    try:
        while ready:
            node = ready.pop()
            # a node's buffer holds at least one gradient; a node without one got None
            # from every backward that reached it: nothing flows through it, as in PyTorch
            grad_outputs = buffers.pop(node, None)
            if capture and grad_outputs is not None:
                for nr, g in enumerate(grad_outputs):
                    for i in capture.get((id(node), nr), ()):
                        captured[i] = g
            if type(node) is AccumulateGrad:
                if inputs is None and grad_outputs is not None:
                    grad = grad_outputs.pop()  # let go of it, so the leaf may take it without a copy
                    node.variable._accumulate_grad(grad, create_graph)
                continue
            if grad_outputs is None:
                grad_inputs = (None,) * len(node.next_functions)
            else:
                if node._pre_hooks or node._retained:
                    grad_outputs = _run_tensor_hooks(node, grad_outputs)
                if node.num_outputs > 1 and node._materialize_grads:
                    grad_outputs = _materialize(node, grad_outputs)
                grad_inputs = node._call_backward(grad_outputs)
            if not retain_graph:
                node._release()
            for (next_node, nr), grad, meta in zip(node.next_functions, grad_inputs, node._input_meta):
                if next_node is None:
                    continue
                if grad is not None:
                    if grad._data.shape != meta[0] or grad._data.dtype is not meta[1]:
                        grad = _sum_to_input(grad, *meta)
                    buffer = buffers.get(next_node)
                    if buffer is None:
                        buffer = buffers[next_node] = [None] * next_node.num_outputs
                    buffer[nr] = grad if buffer[nr] is None else buffer[nr] + grad
                count = dependencies[next_node] - 1
                dependencies[next_node] = count
                if count == 0:
                    ready.append(next_node)
            grad_inputs = grad = None  # only the buffers hold the gradients now (see AccumulateGrad)
    finally:
        grad_mode._grad_enabled = previous_mode

    if inputs is not None:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        return tuple(captured)
    return None


def _run_tensor_hooks(node, grad_outputs: list) -> list:
    """Hooks registered on non-leaf tensors (``register_hook``) and ``retain_grad``."""
    grad_outputs = list(grad_outputs)
    for nr, hooks in node._pre_hooks.items():
        if nr < 0 or grad_outputs[nr] is None:
            continue
        for hook in hooks:
            result = hook(grad_outputs[nr])
            if result is not None:
                grad_outputs[nr] = result
    for nr, ref in node._retained.items():
        tensor = ref()
        if tensor is not None and grad_outputs[nr] is not None:
            g = grad_outputs[nr] if grad_mode._grad_enabled else grad_outputs[nr].detach()
            tensor.grad = g.clone() if tensor.grad is None else tensor.grad + g
    return grad_outputs


def _materialize(node, grad_outputs: list) -> list:
    """Replace missing output gradients by zeros (PyTorch's default)."""
    from .. import _creation

    if all(g is not None for g in grad_outputs):
        return grad_outputs
    return [
        g if g is not None else _creation.zeros(shape, dtype=_dtype._FROM_NUMPY[dtype])
        for g, (shape, dtype) in zip(grad_outputs, node._output_meta)
    ]
