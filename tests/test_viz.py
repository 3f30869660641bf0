"""tinynn.viz: the backward graph as text and as a matplotlib drawing.

The graph read by viz is autograd's own (``grad_fn`` / ``next_functions``), so the same
expression must give the same text in tinynn and in PyTorch.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import tinynn  # noqa: E402
from tinynn.viz import draw_graph, graph_text  # noqa: E402

DTYPES = ["float32", "float64"]


def _leaves(lib, dtype: str):
    d = getattr(lib, dtype)
    a = lib.tensor([1.0, 2.0, 3.0], dtype=d, requires_grad=True)
    b = lib.tensor([4.0, 5.0, 6.0], dtype=d, requires_grad=True)
    return a, b


def _node_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == "node"]


def _arrows(ax) -> list:
    return [t for t in ax.texts if t.get_gid() == "edge"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_graph_text_of_a_times_b_plus_a(dtype):
    a, b = _leaves(tinynn, dtype)
    assert graph_text((a * b + a).sum(), params={"a": a, "b": b}) == (
        "SumBackward0\n"
        "└── AddBackward0\n"
        "    ├── MulBackward0\n"
        "    │   ├── AccumulateGrad a\n"
        "    │   └── AccumulateGrad b\n"
        "    └── AccumulateGrad a"
    )


def test_graph_text_labels_unnamed_leaves_with_their_shape():
    a = tinynn.ones(2, 3, requires_grad=True)
    assert graph_text((a * 2).sum()) == (
        "SumBackward0\n"
        "└── MulBackward0\n"
        "    └── AccumulateGrad [2, 3]"
    )


def test_graph_text_prints_a_reused_intermediate_once_in_full():
    a, b = _leaves(tinynn, "float64")
    y = a * b
    assert graph_text((y.tanh() + y * 2).sum(), params={"a": a, "b": b}) == (
        "SumBackward0\n"
        "└── AddBackward0\n"
        "    ├── TanhBackward0\n"
        "    │   └── MulBackward0\n"
        "    │       ├── AccumulateGrad a\n"
        "    │       └── AccumulateGrad b\n"
        "    └── MulBackward0\n"
        "        └── MulBackward0 (see above)"
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("expression", [
    lambda a, b: (a * b + a).sum(),
    lambda a, b: ((a * b).tanh() + (a * b) * 2).mean(),
    lambda a, b: (a.exp() / (b + 1)).sum(),
    lambda a, b: ((a - b) ** 2).mean() + a.sigmoid().sum(),
])
def test_graph_text_is_the_same_as_for_torch(expression, dtype):
    ours, theirs = _leaves(tinynn, dtype), _leaves(torch, dtype)
    expected = graph_text(expression(*theirs), params=dict(zip("ab", theirs)))
    assert graph_text(expression(*ours), params=dict(zip("ab", ours))) == expected


def test_draw_graph_has_one_box_per_node_and_one_arrow_per_edge():
    a, b = _leaves(tinynn, "float32")
    fig, ax = plt.subplots()
    returned = draw_graph((a * b + a).sum(), ax=ax, params={"a": a, "b": b})
    fig.canvas.draw()  # lay out the arrows (they are positioned relative to the boxes)
    assert returned is ax
    assert sorted(_node_labels(ax)) == sorted([
        "SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad\na", "AccumulateGrad\nb",
    ])
    # Sum->Add, Add->Mul, Add->a, Mul->a, Mul->b
    assert len(_arrows(ax)) == 5
    plt.close(fig)


def test_draw_graph_puts_the_root_on_top_and_each_edge_downwards():
    a, b = _leaves(tinynn, "float32")
    ax = draw_graph((a * b + a).sum(), params={"a": a, "b": b})
    y = {t.get_text(): t.get_position()[1] for t in ax.texts if t.get_gid() == "node"}
    assert y["SumBackward0"] > y["AddBackward0"] > y["MulBackward0"] > y["AccumulateGrad\na"]
    # a is reached from Add directly and through Mul: it sits below both
    assert y["AccumulateGrad\na"] == y["AccumulateGrad\nb"]
    plt.close(ax.figure)


def test_draw_graph_draws_both_edges_of_an_input_used_twice():
    a = tinynn.tensor([1.0, 2.0], requires_grad=True)
    y = a * 3
    ax = draw_graph((y + y).sum())
    assert len(_arrows(ax)) == 4  # Sum->Add, Add->Mul twice, Mul->a
    plt.close(ax.figure)


def test_draw_graph_is_deterministic():
    def layout():
        a, b = _leaves(tinynn, "float32")
        y = a * b
        ax = draw_graph((y.tanh() + y * a).sum(), params={"a": a, "b": b})
        result = [(t.get_text(), t.get_position()) for t in ax.texts if t.get_gid() == "node"]
        plt.close(ax.figure)
        return result

    assert layout() == layout()


def test_graph_of_a_leaf_raises_value_error():
    a = tinynn.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="no backward graph"):
        graph_text(a)
    with pytest.raises(ValueError, match="no backward graph"):
        draw_graph(a)
