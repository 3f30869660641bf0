"""Checks for exercises/ex02_autograd.ipynb: the backward of broadcasting, mul, tanh, sum,
matmul and softmax, and the topological order backward runs in.

The expected gradients come from PyTorch's autograd on the same inputs: the check builds
the forward in torch with ``requires_grad=True`` inputs, calls ``backward(grad_output)``,
and reads each input's ``.grad``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .core import (Case, CheckResult, Mismatch, Output, _what_came_back, fresh_seeds, randn,
                   run_check)

_SHAPE_TIP = ("A gradient has the shape of its input. Where an input was broadcast, sum the "
              "gradient back to the input's shape (your sum_to_shape from exercise 1).")


def _autograd(forward, arrays, grad_output):
    """PyTorch's gradients of ``forward(*arrays)`` for the given ``grad_output``."""
    inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    forward(*inputs).backward(torch.tensor(grad_output))
    return tuple(t.grad.numpy() for t in inputs)


def _random_shape(rng, ndim_low=1, ndim_high=3, size_high=5) -> tuple:
    ndim = int(rng.integers(ndim_low, ndim_high + 1))
    return tuple(int(n) for n in rng.integers(1, size_high, ndim))


def _broadcast_partner(rng, shape) -> tuple:
    """A shape that broadcasts against ``shape``: some sizes set to 1, leading ones dropped."""
    partner = tuple(1 if rng.random() < 0.4 else n for n in shape)
    return partner[int(rng.integers(0, len(shape) + 1)):]


def _sum_to_shape_answer(grad, shape):
    x = torch.zeros(shape, dtype=torch.from_numpy(grad).dtype, requires_grad=True)
    x.expand(grad.shape).backward(torch.from_numpy(grad))  # autograd sums back to x's shape
    return x.grad.numpy()


def check_sum_to_shape(fn: Callable, verbose: bool = True) -> CheckResult:
    """sum_to_shape(grad, shape) -> grad summed back to ``shape`` (undoing broadcasting)."""
    specs = [("summed over a leading dimension", (3, 4), (4,), np.float64),
             ("summed over a size-1 dimension, kept as size 1", (3, 4), (3, 1), np.float64),
             ("both at once", (2, 3, 4), (3, 1), np.float64),
             ("down to a scalar (0-d)", (2, 3), (), np.float64),
             ("nothing to undo", (3, 4), (3, 4), np.float64),
             ("size-1 dimensions in both shapes", (2, 1, 4), (1, 1, 4), np.float64),
             ("float32 keeps its dtype", (5, 3), (1, 3), np.float32),
             ("float32, a leading dimension and a size-1 one", (2, 5, 3), (5, 1), np.float32)]
    for seed in fresh_seeds(3):
        rng = np.random.default_rng(seed)
        grad_shape = _random_shape(rng, 1, 4)
        specs.append((f"random (seed {seed})", grad_shape, _broadcast_partner(rng, grad_shape),
                      (np.float64, np.float32)[int(rng.integers(2))]))
    cases = [Case(f"{label}: {grad_shape} -> {shape}",
                  (randn(300 + i, grad_shape, dtype), shape), reference=_sum_to_shape_answer)
             for i, (label, grad_shape, shape, dtype) in enumerate(specs)]
    return run_check("sum_to_shape", fn, cases, [Output("result")], ["grad", "shape"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "Sum over the leading dimensions that shape does not "
                                          "have, and with keepdims=True over the dimensions "
                                          "where shape has size 1 but grad does not."})


def _mul_answer(g, x, y):
    return _autograd(lambda a, b: a * b, (x, y), g)


def check_mul_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """mul_backward(grad_output, x, y) -> (grad_x, grad_y) for z = x * y."""
    specs = [("same shapes", (3, 4), (3, 4), np.float64),
             ("broadcast: a column times a row", (3, 1), (4,), np.float64),
             ("a 0-d x times a matrix", (), (2, 3), np.float64),
             ("3-d times 2-d", (2, 3, 4), (3, 1), np.float64),
             ("float32, same shapes", (3, 4), (3, 4), np.float32),
             ("float32, broadcast on both sides", (3, 1), (1, 4), np.float32),
             ("float32, a matrix times a 0-d y", (2, 3), (), np.float32)]
    for seed in fresh_seeds(3):
        rng = np.random.default_rng(seed)
        x_shape = _random_shape(rng, 1, 4)
        y_shape = _broadcast_partner(rng, x_shape)
        if rng.random() < 0.5:
            x_shape, y_shape = y_shape, x_shape
        specs.append((f"random (seed {seed})", x_shape, y_shape,
                      (np.float64, np.float32)[int(rng.integers(2))]))
    cases = []
    for i, (label, x_shape, y_shape, dtype) in enumerate(specs):
        x, y = randn(310 + 3 * i, x_shape, dtype), randn(311 + 3 * i, y_shape, dtype)
        g = randn(312 + 3 * i, np.broadcast_shapes(x_shape, y_shape), dtype)
        cases.append(Case(f"{label}: x {x_shape}, y {y_shape}", (g, x, y), reference=_mul_answer))
    outputs = [Output("grad_x", "gradient"), Output("grad_y", "gradient")]
    return run_check("mul_backward", fn, cases, outputs, ["grad_output", "x", "y"],
                     verbose=verbose, tips={"wrong shape": _SHAPE_TIP}, numpy_only=True)


def check_tanh_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """tanh_backward(grad_output, x) -> grad_x for y = tanh(x)."""
    extreme = np.array([[-1e4, -20.0, 0.0], [0.5, 20.0, 1e4]], dtype=np.float32)
    specs = [("a matrix", randn(320, (3, 4))),
             ("0-d", np.array(0.7)),
             ("x as large as +-20 and +-1e4 (float32)", extreme),
             ("x as large as +-400 (float64)", np.array([-400.0, -30.0, 0.0, 30.0, 400.0])),
             ("float32", randn(321, 5, np.float32)),
             ("float32, 0-d", np.array(-1.25, dtype=np.float32))]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed}), scaled by 3",
                      randn(seed, _random_shape(rng), (np.float64, np.float32)[seed % 2], 3.0)))
    cases = []
    for i, (label, x) in enumerate(specs):
        g = randn(330 + i, x.shape, x.dtype)
        cases.append(Case(label, (g, x),
                          reference=lambda g, x: _autograd(torch.tanh, (x,), g)[0],
                          tip=("For large |x|, tanh(x) is exactly +-1 and its slope is 0. "
                               "Formulas with exp(2x) overflow there (inf / inf = nan); "
                               "np.tanh does not.") if "large" in label else None))
    return run_check("tanh_backward", fn, cases, [Output("grad_x", "gradient")],
                     ["grad_output", "x"], verbose=verbose, numpy_only=True)


def _sum_answer(g, shape, dim, keepdim):
    x = torch.zeros(shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
    out = x.sum() if dim is None else x.sum(dim=dim, keepdim=keepdim)
    out.backward(torch.from_numpy(g))
    return x.grad.numpy()


def check_sum_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """sum_backward(grad_output, input_shape, dim, keepdim) -> grad of x.sum(dim, keepdim)."""
    specs = [("over dim 1, keepdim=False", (3, 4), 1, False, np.float64),
             ("over dim 0, keepdim=True", (3, 4), 0, True, np.float64),
             ("a square matrix over dim 1, keepdim=False", (4, 4), 1, False, np.float64),
             ("over two dims (0, 2)", (2, 3, 4), (0, 2), False, np.float64),
             ("over two dims (0, 2), keepdim=True", (2, 3, 4), (0, 2), True, np.float64),
             ("over everything (dim=None): a 0-d result", (3, 4), None, False, np.float64),
             ("negative dim -1, keepdim=True", (2, 3, 4), -1, True, np.float64),
             ("float32, dim -2", (2, 3, 4), -2, False, np.float32),
             ("float32, dims (1, -1), keepdim=True", (2, 3, 4), (1, -1), True, np.float32),
             ("float32, dim=None", (2, 3), None, False, np.float32)]
    for seed in fresh_seeds(3):
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 1, 4)
        dims = tuple(int(d) - len(shape) * int(rng.integers(2))
                     for d in rng.choice(len(shape), int(rng.integers(1, len(shape) + 1)),
                                         replace=False))
        specs.append((f"random (seed {seed})", shape, dims if len(dims) > 1 else dims[0],
                      bool(rng.integers(2)), (np.float64, np.float32)[int(rng.integers(2))]))
    cases = []
    for i, (label, shape, dim, keepdim, dtype) in enumerate(specs):
        x = torch.zeros(shape)
        out_shape = tuple((x.sum() if dim is None else x.sum(dim=dim, keepdim=keepdim)).shape)
        g = randn(340 + i, out_shape, dtype)
        cases.append(Case(f"{label}: input shape {shape}", (g, shape, dim, keepdim),
                          reference=_sum_answer))
    return run_check("sum_backward", fn, cases, [Output("grad_x", "gradient")],
                     ["grad_output", "input_shape", "dim", "keepdim"], verbose=verbose,
                     numpy_only=True,
                     tips={"raised ValueError": "If the shapes do not broadcast: with "
                                                "keepdim=False the summed dimensions are gone "
                                                "from grad_output. Put them back as size 1 "
                                                "(np.expand_dims) before broadcasting.",
                           "wrong gradient": "With keepdim=False the summed dimensions are gone "
                                             "from grad_output. Put them back as size 1 "
                                             "(np.expand_dims) before broadcasting: broadcasting "
                                             "aligns from the right, which is the wrong place."})


def check_matmul_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """matmul_backward(grad_output, a, b) -> (grad_a, grad_b) for C = a @ b."""
    specs = [("2-d: (2, 3) @ (3, 4)", (2, 3), (3, 4), np.float64),
             ("square: (3, 3) @ (3, 3)", (3, 3), (3, 3), np.float64),
             ("one row times one column: (1, 3) @ (3, 1)", (1, 3), (3, 1), np.float64),
             ("a batch of a's: (5, 2, 3) @ (3, 4)", (5, 2, 3), (3, 4), np.float64),
             ("float32: (4, 3) @ (3, 2)", (4, 3), (3, 2), np.float32),
             ("float32, a batch of a's: (2, 4, 3) @ (3, 3)", (2, 4, 3), (3, 3), np.float32)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        n, k, m = (int(v) for v in rng.integers(1, 6, 3))
        batch = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(0, 2))))
        specs.append((f"random (seed {seed}): {batch + (n, k)} @ {(k, m)}", batch + (n, k),
                      (k, m), (np.float64, np.float32)[int(rng.integers(2))]))
    cases = []
    for i, (label, a_shape, b_shape, dtype) in enumerate(specs):
        a, b = randn(350 + 3 * i, a_shape, dtype), randn(351 + 3 * i, b_shape, dtype)
        g = randn(352 + 3 * i, np.matmul(a, b).shape, dtype)
        cases.append(Case(label, (g, a, b),
                          reference=lambda g, a, b: _autograd(torch.matmul, (a, b), g)))
    outputs = [Output("grad_a", "gradient"), Output("grad_b", "gradient")]
    return run_check("matmul_backward", fn, cases, outputs, ["grad_output", "a", "b"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "grad_a has a's shape and grad_b has b's. The same b "
                                          "multiplies every matrix in a batch, so its gradient "
                                          "sums over the batch. On a 3-d array .T reverses all "
                                          "three axes: use np.swapaxes(a, -1, -2)."})


def _softmax_backward_answer(g, y, dim, x):
    xt = torch.tensor(x, requires_grad=True)
    torch.softmax(xt, dim).backward(torch.from_numpy(g))
    return xt.grad.numpy()


def check_softmax_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """softmax_backward(grad_output, output, dim) -> grad_x for output = softmax(x, dim)."""
    specs = [("2-d, over the last dimension", randn(360, (4, 5)), -1),
             ("2-d, over the first dimension", randn(361, (4, 5)), 0),
             ("3-d, over the middle dimension", randn(362, (2, 3, 4)), 1),
             ("one element along dim", randn(363, (3, 1)), 1),
             ("outputs of 0 and 1 from logits of 1e4 (float32)",
              np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]], dtype=np.float32), -1),
             ("float32", randn(364, (3, 4), np.float32), -1),
             ("float32, 3-d over dim 0", randn(365, (3, 2, 2), np.float32), 0)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 1, 3)
        specs.append((f"random (seed {seed})",
                      randn(seed, shape, (np.float64, np.float32)[seed % 2], 2.0),
                      int(rng.integers(-len(shape), len(shape)))))
    cases = []
    for i, (label, x, dim) in enumerate(specs):
        y = torch.softmax(torch.from_numpy(x), dim).numpy()
        g = randn(370 + i, x.shape, x.dtype)
        cases.append(Case(label, (g, y, dim),
                          reference=lambda g, y, dim, x=x: _softmax_backward_answer(g, y, dim, x)))
    return run_check("softmax_backward", fn, cases, [Output("grad_x", "gradient")],
                     ["grad_output", "output", "dim"], verbose=verbose, numpy_only=True,
                     tips={"wrong gradient": "Each output depends on every input along dim, so "
                                             "the Jacobian is not diagonal: "
                                             "dL/dx = y * (g - sum(g * y, dim, keepdims=True))."})


# ----------------------------------------------------------------------------- topo_sort

class Node:
    """A value in a small computation graph, for the topo_sort exercise.

    Attributes:
        name: a label ("x", "w", "loss").
        op: "leaf", "add", "mul" or "tanh".
        inputs: the nodes it was computed from (a tuple; the same node may appear twice,
            as in ``x * x``).
        value: its value (a float).

    Make nodes with the class methods: ``x = Node.leaf("x", 0.5)``,
    ``y = Node.mul("y", x, x)``, ``Node.add(...)``, ``Node.tanh("t", y)``.
    """

    def __init__(self, name: str, op: str, inputs: tuple, value: float):
        self.name, self.op, self.inputs, self.value = name, op, tuple(inputs), float(value)

    @classmethod
    def leaf(cls, name: str, value: float) -> "Node":
        return cls(name, "leaf", (), value)

    @classmethod
    def add(cls, name: str, a: "Node", b: "Node") -> "Node":
        return cls(name, "add", (a, b), a.value + b.value)

    @classmethod
    def mul(cls, name: str, a: "Node", b: "Node") -> "Node":
        return cls(name, "mul", (a, b), a.value * b.value)

    @classmethod
    def tanh(cls, name: str, a: "Node") -> "Node":
        return cls(name, "tanh", (a,), np.tanh(a.value))

    def local_gradients(self) -> list:
        """[(input, d self / d input)] for each input, in order."""
        if self.op == "add":
            return [(self.inputs[0], 1.0), (self.inputs[1], 1.0)]
        if self.op == "mul":
            a, b = self.inputs
            return [(a, b.value), (b, a.value)]
        if self.op == "tanh":
            return [(self.inputs[0], 1.0 - self.value ** 2)]
        return []

    def __repr__(self) -> str:
        return f"Node({self.name!r})"


def _reachable(root: Node) -> list:
    seen, stack, nodes = {id(root)}, [root], []
    while stack:
        node = stack.pop()
        nodes.append(node)
        for parent in node.inputs:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return nodes


def _torch_leaf_grads(root: Node) -> dict:
    """d root / d leaf for every leaf, by PyTorch's autograd on the same graph."""
    tensors: dict = {}
    for node in reversed(_topo_reference(root)):  # inputs before the nodes made from them
        if node.op == "leaf":
            tensors[id(node)] = torch.tensor(node.value, dtype=torch.float64, requires_grad=True)
        elif node.op == "add":
            tensors[id(node)] = tensors[id(node.inputs[0])] + tensors[id(node.inputs[1])]
        elif node.op == "mul":
            tensors[id(node)] = tensors[id(node.inputs[0])] * tensors[id(node.inputs[1])]
        else:
            tensors[id(node)] = torch.tanh(tensors[id(node.inputs[0])])
    tensors[id(root)].backward()
    return {id(n): (n.name, float(tensors[id(n)].grad) if tensors[id(n)].grad is not None else 0.0)
            for n in _reachable(root) if n.op == "leaf"}


def _topo_reference(root: Node) -> list:
    """Kahn's algorithm, as in tinynn/autograd/engine.py: root first, inputs after users."""
    users: dict = {}
    for node in _reachable(root):
        for parent in node.inputs:
            users[id(parent)] = users.get(id(parent), 0) + 1
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node.inputs:
            users[id(parent)] -= 1
            if users[id(parent)] == 0:
                ready.append(parent)
    return order


def _backward_in_order(order: list, root: Node) -> dict:
    """Run backward visiting nodes in ``order`` (each passes its gradient on once)."""
    grads = {id(n): 0.0 for n in order}
    grads[id(root)] = 1.0
    for node in order:
        for parent, local in node.local_gradients():
            grads[id(parent)] += grads[id(node)] * local
    return grads


@dataclass
class TopoAnswer:
    root: Node
    nodes: list
    leaf_grads: dict


def _compare_topo(name, kind, got, expected: TopoAnswer):
    if got is None:
        raise Mismatch("wrong type", "returned None; expected a list of nodes. Did you forget `return`?")
    if not isinstance(got, (list, tuple)):
        fix = "wrap it in list(...)" if hasattr(got, "__next__") else "return a list"
        raise Mismatch("wrong type", f"returned {_what_came_back(got)}; expected a list of "
                       f"nodes: {fix}")
    order = list(got)
    by_id = {id(n): n for n in expected.nodes}
    counts: dict = {}
    for item in order:
        if not isinstance(item, Node):
            raise Mismatch("wrong type", f"the list contains {item!r} ({type(item).__name__}); "
                           "expected Node objects")
        if id(item) not in by_id:
            raise Mismatch("wrong value", f"the list contains {item!r}, which the root does not depend on")
        counts[id(item)] = counts.get(id(item), 0) + 1
    for node in expected.nodes:
        if counts.get(id(node), 0) == 0:
            raise Mismatch("wrong value", f"{node!r} is missing from the order",
                           [f"Every node the root depends on must appear once ({len(expected.nodes)} "
                            f"nodes here; the list has {len(order)})."])
        if counts[id(node)] > 1:
            raise Mismatch("wrong value", f"{node!r} appears {counts[id(node)]} times; each node must "
                           "appear once", ["A node used twice is still visited once: backward "
                                           "adds up all its gradient first, then passes it on."])
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            if position[id(parent)] < position[id(node)]:
                grads = _backward_in_order(order, expected.root)
                details = [f"{parent!r} is at position {position[id(parent)]}, {node!r} at "
                           f"{position[id(node)]}: {parent.name} would pass its gradient on "
                           f"before {node.name} has added its share to it."]
                for leaf_id, (leaf_name, want) in expected.leaf_grads.items():
                    if not np.isclose(grads[leaf_id], want, rtol=1e-9, atol=1e-12):
                        details.append(f"Backward in your order gives d root/d {leaf_name} = "
                                       f"{grads[leaf_id]:.6g}; PyTorch's autograd gives {want:.6g}.")
                        break
                raise Mismatch("wrong order", f"{parent!r} comes before {node!r}, which was "
                               f"computed from it", details)
    grads = _backward_in_order(order, expected.root)
    for leaf_id, (leaf_name, want) in expected.leaf_grads.items():
        if not np.isclose(grads[leaf_id], want, rtol=1e-9, atol=1e-12):
            raise Mismatch("wrong gradient", f"backward in your order gives d root/d {leaf_name} = "
                           f"{grads[leaf_id]:.6g}; PyTorch's autograd gives {want:.6g}")


def _random_graph(seed: int, size: int) -> Node:
    """4 leaves, then ``size`` random add/mul/tanh nodes, then a sum of the last 6."""
    rng = np.random.default_rng(seed)
    nodes = [Node.leaf(f"p{i}", float(rng.uniform(-1, 1))) for i in range(4)]
    for i in range(size):
        op = ("add", "mul", "tanh")[int(rng.integers(3))]
        picks = [nodes[int(j)] for j in rng.integers(0, len(nodes), size=2)]
        nodes.append(Node.tanh(f"n{i}", picks[0]) if op == "tanh"
                     else getattr(Node, op)(f"n{i}", *picks))
    root = nodes[-1]
    for node in nodes[-6:-1]:  # make sure the random graph is wide and shared
        root = Node.add(f"sum_{node.name}", root, node)
    return root


def _graphs() -> list:
    """(label, root) for each test graph; built fresh for every check."""
    graphs = []
    x = Node.leaf("x", 0.5)
    graphs.append(("a single leaf (the root has no inputs)", x))

    x, w = Node.leaf("x", 0.5), Node.leaf("w", -1.5)
    a = Node.tanh("a", x)
    b = Node.mul("b", a, w)
    graphs.append(("a chain: tanh(tanh(x) * w)", Node.tanh("loss", b)))

    x = Node.leaf("x", 0.8)
    graphs.append(("a node used twice: y = x * x", Node.mul("y", x, x)))

    x, w = Node.leaf("x", 0.3), Node.leaf("w", 2.0)
    a, b = Node.tanh("a", x), Node.mul("b", x, w)
    graphs.append(("a diamond: x feeds two nodes that meet again", Node.add("loss", a, b)))

    w = Node.leaf("w", 0.7)
    x = Node.mul("x", w, w)
    c = Node.tanh("c", Node.tanh("b", x))
    graphs.append(("a shortcut: x feeds the root directly and through b and c",
                   Node.add("loss", c, x)))

    graphs.append(("a random graph of 35 nodes with shared inputs", _random_graph(8, 26)))
    for seed in fresh_seeds(2):
        graphs.append((f"a random graph (seed {seed})", _random_graph(seed, 40)))

    w = Node.leaf("w", 1.1)
    node = Node.leaf("h0", 0.1)
    for i in range(1, 5_000):  # h_i = tanh(w * h_{i-1}): one weight shared by every step
        node = Node.tanh(f"h{i}", Node.mul(f"wh{i}", w, node))
    graphs.append(("a chain 10,000 nodes deep, like a long RNN sharing one weight w", node))
    return graphs


def check_topo_sort(fn: Callable, verbose: bool = True) -> CheckResult:
    """topo_sort(root) -> every node once, root first, each node before the nodes it used."""
    cases = []
    for label, root in _graphs():
        tip = None
        if "10,000" in label:
            tip = ("Python allows about 1,000 nested calls. Keep your own stack (a list) "
                   "instead of recursing.")
        cases.append(Case(label, (root,), tip=tip, copy_args=False,
                          reference=lambda root: TopoAnswer(root, _reachable(root),
                                                            _torch_leaf_grads(root))))
    return run_check("topo_sort", fn, cases, [Output("order", compare=_compare_topo)], ["root"],
                     verbose=verbose, numpy_only=True,
                     tips={"changed an input": "topo_sort only reads the graph: backward runs "
                                               "on the same nodes afterwards, so node.inputs "
                                               "must stay as they were (copy a list before "
                                               "popping from it)."})


# ----------------------------------------------------------------------------- make_sigmoid

_GRAD_OUTPUT_SHARED = ("grad_output belongs to the engine: when a tensor feeds two ops, "
                       "one gradient buffer can reach both backwards. Return a new tensor, "
                       "grad_output * ..., not grad_output.mul_(...).")


def _unchanged(tensor, original: np.ndarray, headline: str, why: str) -> None:
    """Raise "changed an input" when ``tensor`` no longer holds ``original``."""
    from tinynn.testing import to_numpy

    now = to_numpy(tensor.detach())
    if now.shape != original.shape or not np.array_equal(now, original, equal_nan=True):
        raise Mismatch("changed an input", headline, [why])


def _sigmoid_driver(fn: Callable) -> Callable:
    """Build the learner's Function in ``lib``, run it forward, backward and backward again."""
    import inspect

    import tinynn
    from tinynn.testing import to_numpy

    libs = {"torch": torch, "tinynn": tinynn}

    def make_sigmoid(lib_name, x, grad_output, grad_grad):
        lib = libs[lib_name]
        cls = fn(lib)
        if not (inspect.isclass(cls) and issubclass(cls, lib.autograd.Function)):
            raise Mismatch("wrong type", f"make_sigmoid({lib_name}) returned {_what_came_back(cls)}"
                           "; expected a class, a subclass of lib.autograd.Function",
                           ["Define the class inside make_sigmoid and return the class itself "
                            "(not an instance, not Sigmoid.apply(...))."])
        xt = lib.tensor(x, requires_grad=True)
        y = cls.apply(xt)
        _unchanged(xt, x, "forward wrote into x", "x belongs to the caller (and to the rest "
                   "of the graph): compute a new tensor, lib.sigmoid(x), not x.sigmoid_().")
        if type(y) is not type(xt):
            raise Mismatch("wrong type", f"Sigmoid.apply returned {_what_came_back(y)}; expected "
                           f"a {lib_name} tensor", ["forward returns a tensor of lib."])
        if y.grad_fn is None:
            raise Mismatch("wrong gradient", "the output has no grad_fn: it is not in the graph",
                           ["Call it as Sigmoid.apply(x); forward returns a tensor."])
        incoming = lib.tensor(grad_output)
        (grad_x,) = lib.autograd.grad(y, xt, grad_outputs=incoming, create_graph=True)
        _unchanged(incoming, grad_output, "backward wrote into grad_output",
                   _GRAD_OUTPUT_SHARED)
        if grad_x.grad_fn is None:
            raise Mismatch("wrong gradient", "the gradient has no grad_fn, so it has no "
                           "derivative of its own",
                           ["Write backward with lib's tensor operations on the saved tensors "
                            "(grad_output * y * (1 - y)), not with numpy: then autograd can "
                            "differentiate the backward too (create_graph=True)."])
        (second,) = lib.autograd.grad(grad_x, xt, grad_outputs=lib.tensor(grad_grad))
        if x.dtype == np.float64:
            try:
                ok = lib.autograd.gradcheck(cls.apply, (lib.tensor(x, requires_grad=True),))
            except Exception as error:  # noqa: BLE001  (torch raises GradcheckError)
                ok, why = False, f" ({type(error).__name__})"
            else:
                why = ""
            if not ok:
                raise Mismatch("wrong gradient", f"{lib_name}.autograd.gradcheck fails{why}: "
                               "backward does not match finite differences of forward")
        return to_numpy(y), to_numpy(grad_x), to_numpy(second)

    make_sigmoid.__name__ = getattr(fn, "__name__", "make_sigmoid")
    return make_sigmoid


def _sigmoid_answer(lib_name, x, grad_output, grad_grad):
    xt = torch.tensor(x, requires_grad=True)
    (grad_x,) = torch.autograd.grad(torch.sigmoid(xt), xt, torch.from_numpy(grad_output),
                                    create_graph=True)
    (second,) = torch.autograd.grad(grad_x, xt, torch.from_numpy(grad_grad))
    return torch.sigmoid(xt).detach().numpy(), grad_x.detach().numpy(), second.numpy()


def check_make_sigmoid(fn: Callable, verbose: bool = True) -> CheckResult:
    """make_sigmoid(lib) -> a lib.autograd.Function computing sigmoid, in torch and tinynn:
    output, gradient and second derivative against torch.sigmoid, and gradcheck."""
    specs = [("a matrix", randn(390, (3, 4))),
             ("0-d", np.array(0.25)),
             ("x as large as +-800 (float64): the output is exactly 0 or 1",
              np.array([-800.0, -30.0, 0.0, 30.0, 800.0])),
             ("float32", randn(391, 5, np.float32, 3.0))]
    for seed in fresh_seeds(1):
        specs.append((f"random (seed {seed}), scaled by 4", randn(seed, (2, 3), scale=4.0)))
    cases = []
    for i, (label, x) in enumerate(specs):
        g, v = randn(392 + 2 * i, x.shape, x.dtype), randn(393 + 2 * i, x.shape, x.dtype)
        for lib_name in ("torch", "tinynn"):
            cases.append(Case(f"{label} ({lib_name})", (lib_name, x, g, v),
                              reference=_sigmoid_answer))
    outputs = [Output("output"), Output("grad_x", "gradient"),
               Output("second derivative", "gradient")]
    return run_check("make_sigmoid", _sigmoid_driver(fn) if callable(fn) else fn, cases,
                     outputs, ["lib", "x", "grad_output", "grad_of_grad"], verbose=verbose,
                     tips={"wrong gradient": "backward returns grad_output * y * (1 - y), with "
                                             "y the output saved in forward "
                                             "(ctx.save_for_backward(y); (y,) = "
                                             "ctx.saved_tensors), in lib's tensor operations."})
