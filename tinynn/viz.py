"""Draw the backward graph of a tensor, like torchviz's ``make_dot``, with matplotlib only.

The graph is the one autograd walks in ``backward()``: start at ``tensor.grad_fn`` and
follow each node's ``next_functions`` (one edge per input that needs a gradient) down to
the ``AccumulateGrad`` nodes that write into the leaves' ``.grad``. The functions here
only read ``grad_fn``, ``next_functions``, ``name()`` and ``AccumulateGrad.variable``,
which PyTorch's graph has too, so they draw a ``torch.Tensor``'s graph just the same::

    a = tinynn.tensor([1., 2.], requires_grad=True)
    print(graph_text((a * a + a).sum()))      # the same text for torch.tensor
    draw_graph((a * a + a).sum(), params={"a": a})

Layout (deterministic, no graphviz binary): a node's *layer* is its longest distance from
the root, so every arrow points downwards; within a layer, nodes are ordered by the mean
position of the nodes that point at them (ties: the order they were first reached). An
edge that skips layers bends through a waypoint in each layer it crosses, so it goes
around the boxes there, not through them. Arrows point the way gradients flow: from a
node to the nodes of its inputs.
"""
from __future__ import annotations

from typing import Any

_LEAF_COLOR = "#cfe2f3"   # AccumulateGrad: where gradients end (torchviz colours leaves blue)
_ROOT_COLOR = "#d9ead3"   # the node of the tensor being differentiated
_NODE_COLOR = "#eeeeee"


def _edges(node: Any) -> list:
    """The nodes ``node`` sends gradient to, in input order (inputs with no gradient skipped)."""
    return [nxt for nxt, _ in getattr(node, "next_functions", ()) if nxt is not None]


def _name(node: Any) -> str:
    """The node's name (PyTorch's leaf node calls itself ``torch::autograd::AccumulateGrad``)."""
    return node.name().rsplit("::", 1)[-1]


def _is_leaf_node(node: Any) -> bool:
    return _name(node) == "AccumulateGrad"


def _leaf_label(node: Any, names: dict) -> str:
    """``"a"`` when the leaf is in ``params``, else its shape, e.g. ``"[2, 3]"``."""
    variable = node.variable
    name = names.get(id(variable))
    return name if name is not None else str(list(variable.shape))


def _root(tensor: Any) -> Any:
    if tensor.grad_fn is None:
        raise ValueError(
            "this tensor has no backward graph (grad_fn is None): it is a leaf, or was computed "
            "without any input that requires grad, or under no_grad"
        )
    return tensor.grad_fn


def _collect(root: Any) -> tuple[list, list]:
    """All nodes reachable from ``root`` (in first-reached order) and all edges (parent, child).

    Breadth-first with an explicit queue: no recursion, so deep graphs are fine.
    """
    order, edges = [root], []
    seen = {id(root)}
    queue, head = [root], 0
    while head < len(queue):
        node = queue[head]
        head += 1
        for child in _edges(node):
            edges.append((node, child))
            if id(child) not in seen:
                seen.add(id(child))
                order.append(child)
                queue.append(child)
    return order, edges


def _depths(order: list, edges: list) -> dict:
    """Each node's longest distance from the root (by id), so that every edge points downwards."""
    children: dict = {id(n): [] for n in order}
    indegree: dict = {id(n): 0 for n in order}
    for parent, child in edges:
        children[id(parent)].append(child)
        indegree[id(child)] += 1
    depth = {id(order[0]): 0}
    ready = [order[0]]
    while ready:  # Kahn's topological order: a node's depth is final once all its parents are done
        node = ready.pop(0)
        for child in children[id(node)]:
            depth[id(child)] = max(depth.get(id(child), 0), depth[id(node)] + 1)
            indegree[id(child)] -= 1
            if indegree[id(child)] == 0:
                ready.append(child)
    return depth


class _Waypoint:
    """A bend of an edge that skips layers: it takes a slot in each layer it crosses, so the
    edge is routed around the boxes of that layer instead of through them."""


def _layout(order: list, edges: list) -> tuple[dict, list, int]:
    """Positions (by id) of nodes and waypoints, each edge's route, and the number of layers.

    Rows: y = -depth. Columns: in each layer, items sorted by the mean x of the items
    above that point at them (ties: first-reached order), then spaced one unit apart.
    """
    depth = _depths(order, edges)
    n_layers = max(depth.values()) + 1
    layers: list[list] = [[] for _ in range(n_layers)]
    for node in order:
        layers[depth[id(node)]].append(node)
    above: dict = {}  # id(item) -> the items in the previous layer with an edge into it
    routes = []
    for parent, child in edges:
        route = [parent]
        for d in range(depth[id(parent)] + 1, depth[id(child)]):
            waypoint = _Waypoint()
            layers[d].append(waypoint)
            route.append(waypoint)
        route.append(child)
        for upper, lower in zip(route, route[1:]):
            above.setdefault(id(lower), []).append(upper)
        routes.append(route)
    rank = {id(item): i for i, item in enumerate(item for layer in layers for item in layer)}
    pos: dict = {}
    for d, layer in enumerate(layers):
        def barycentre(item):
            xs = [pos[id(u)][0] for u in above.get(id(item), [])]
            return (sum(xs) / len(xs) if xs else 0.0, rank[id(item)])

        ordered = sorted(layer, key=barycentre) if d else layer
        for i, item in enumerate(ordered):
            pos[id(item)] = (i - (len(ordered) - 1) / 2, -float(d))
    return pos, routes, n_layers


def _label(node: Any, names: dict) -> str:
    if _is_leaf_node(node):
        return f"AccumulateGrad\n{_leaf_label(node, names)}"
    return _name(node)


def _names(params: dict | None) -> dict:
    return {id(t): name for name, t in (params or {}).items()}


def graph_text(tensor: Any, params: dict | None = None) -> str:
    """The backward graph of ``tensor`` as an indented tree, one node per line.

    A node reached a second time (an intermediate result used twice) is printed again with
    ``(see above)`` and not expanded again, so the text stays small for any graph. Leaves
    are printed as ``AccumulateGrad`` with the name given in ``params`` or the leaf's shape.

    Args:
        tensor: a tinynn (or torch) tensor with a ``grad_fn``.
        params: optional ``{"name": leaf_tensor}`` used to label the leaves.

    Returns:
        the tree, e.g. for ``(a * b + a).sum()``::

            SumBackward0
            └── AddBackward0
                ├── MulBackward0
                │   ├── AccumulateGrad a
                │   └── AccumulateGrad b
                └── AccumulateGrad a

    Raises:
        ValueError: if ``tensor`` has no ``grad_fn``.
    """
    names = _names(params)
    root = _root(tensor)
    lines = [_name(root)]
    expanded = {id(root)}
    # An explicit stack of (node, line prefix, is it its parent's last child?), so that a
    # deep graph cannot hit the recursion limit. Children are pushed in reverse, so they
    # pop (and print) in input order.
    children = _edges(root)
    stack = [(children[i], "", i == len(children) - 1) for i in reversed(range(len(children)))]
    while stack:
        node, prefix, last = stack.pop()
        branch = "└── " if last else "├── "
        if _is_leaf_node(node):
            lines.append(f"{prefix}{branch}AccumulateGrad {_leaf_label(node, names)}")
            continue
        if id(node) in expanded:
            lines.append(f"{prefix}{branch}{_name(node)} (see above)")
            continue
        expanded.add(id(node))
        lines.append(f"{prefix}{branch}{_name(node)}")
        children = _edges(node)
        child_prefix = prefix + ("    " if last else "│   ")
        for i in reversed(range(len(children))):
            stack.append((children[i], child_prefix, i == len(children) - 1))
    return "\n".join(lines)


def draw_graph(tensor: Any, ax: Any = None, params: dict | None = None) -> Any:
    """Draw the backward graph of ``tensor`` top to bottom, root first.

    Each node is a box with its name (``MulBackward0``); each leaf is an ``AccumulateGrad``
    box labelled with its name from ``params`` (or its shape). An arrow goes from a node to
    each node in its ``next_functions``: the way the gradient flows in ``backward()``. A node
    used twice has two arrows pointing at it: its gradients are added there.

    Args:
        tensor: a tinynn (or torch) tensor with a ``grad_fn``.
        ax: the matplotlib Axes to draw into (a new figure when None).
        params: optional ``{"name": leaf_tensor}`` used to label the leaves.

    Returns:
        the matplotlib Axes. Each node is a text artist with gid ``"node"``; each edge ends
        in exactly one arrow, an annotation with gid ``"edge"``.

    Raises:
        ValueError: if ``tensor`` has no ``grad_fn``.
    """
    import matplotlib.pyplot as plt

    names = _names(params)
    order, edges = _collect(_root(tensor))
    pos, routes, n_layers = _layout(order, edges)
    widest = max(sum(1 for p in pos.values() if p[1] == -float(d)) for d in range(n_layers))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 2.2 * widest), 1.0 * n_layers + 0.8))

    pad = 0.4  # box padding, in units of the font size
    fontsize = 9
    boxes = {}
    for node in order:
        x, y = pos[id(node)]
        if _is_leaf_node(node):
            color = _LEAF_COLOR
        else:
            color = _ROOT_COLOR if node is order[0] else _NODE_COLOR
        boxes[id(node)] = ax.text(
            x, y, _label(node, names), ha="center", va="center", fontsize=fontsize,
            family="monospace", zorder=3, gid="node",
            bbox=dict(boxstyle=f"round,pad={pad}", facecolor=color, edgecolor="#555555"),
        )
    # An edge leaves the bottom of its node's text and ends at the top of the next one's;
    # shrinking by the box padding (in points) makes it start and stop at the box outlines.
    gap = pad * fontsize + 1
    seen_pairs: dict = {}
    multiplicity: dict = {}
    for route in routes:
        key = (id(route[0]), id(route[-1]))
        multiplicity[key] = multiplicity.get(key, 0) + 1
    for route in routes:
        parent, child = route[0], route[-1]
        key = (id(parent), id(child))
        k = seen_pairs[key] = seen_pairs.get(key, -1) + 1
        # an input used twice by one op (y + y) gets two arrows, bent apart so both show
        rad = 0.0 if multiplicity[key] == 1 else 0.35 * (k - (multiplicity[key] - 1) / 2)
        points = [pos[id(w)] for w in route[1:-1]]
        start = (0.5, 0.0), boxes[id(parent)]
        for point in points:  # segments through the waypoints, as plain lines
            ax.annotate("", xy=point, xycoords="data", xytext=start[0], textcoords=start[1],
                        arrowprops=dict(arrowstyle="-", color="#333333", lw=1.0, shrinkA=gap,
                                        shrinkB=0), zorder=2)
            start = point, "data"
        ax.annotate("", xy=(0.5, 1.0), xycoords=boxes[id(child)], xytext=start[0],
                    textcoords=start[1], gid="edge", zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.0, mutation_scale=12,
                                    shrinkA=gap if not points else 0, shrinkB=gap,
                                    connectionstyle=f"arc3,rad={rad}"))
    half = (widest - 1) / 2
    ax.set_xlim(-half - 0.7, half + 0.7)
    ax.set_ylim(-(n_layers - 1) - 0.5, 0.5)
    ax.set_axis_off()
    return ax
