"""The contract: PyTorch code inside the covered subset runs unchanged with ``import tinynn as torch``.

Each snippet below is ordinary PyTorch source. It is executed twice with ``exec``: once with
``torch`` bound to PyTorch and once with ``torch`` bound to tinynn, on the same numpy data
(``data``) and with ``device`` set to the reference device (always "cpu" for tinynn). The
values each run leaves in ``result`` are compared.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

SNIPPETS = {}


def snippet(name: str):
    def register(source: str) -> str:
        SNIPPETS[name] = textwrap.dedent(source)
        return source

    return register


snippet("creation_and_broadcasting")("""
    x = torch.tensor(data["x"], dtype=torch.float32, device=device)      # (4, 3)
    bias = torch.arange(3, device=device) * 0.5                            # int64 * float -> float32
    centered = x - x.mean(dim=0, keepdim=True)
    scaled = centered / (x.std(dim=0, keepdim=True) + 1e-5)
    table = torch.ones(4, 1, device=device) * torch.linspace(0, 1, 3, device=device)  # (4, 1) * (3,)
    mask = scaled > 0
    result = {
        "scaled": scaled + bias,
        "table": table,
        "positives": mask.sum(),
        "rows": torch.stack([x[0], x[-1]]).t().contiguous().view(-1),
        "where": torch.where(mask, scaled, torch.zeros_like(scaled)),
        "dtype": str(scaled.dtype).split(".")[-1],
        "shape": list(torch.cat([x, x[:1]], dim=0).shape),
    }
""")

snippet("gradient_descent_line_fit")("""
    x = torch.tensor(data["line_x"], dtype=torch.float32, device=device)
    y = 2 * x + 1 + torch.tensor(data["noise"], dtype=torch.float32, device=device)
    w = torch.zeros(1, requires_grad=True, device=device)
    b = torch.zeros(1, requires_grad=True, device=device)
    lr = 0.1
    losses = []
    for step in range(200):
        y_pred = x * w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())
    result = {"w": w.detach(), "b": b.detach(), "first_loss": losses[0], "last_loss": losses[-1],
              "is_leaf": w.is_leaf and b.is_leaf}
""")

snippet("matrix_regression_with_data_update")("""
    X = torch.tensor(data["x"], dtype=torch.float64, device=device)          # (4, 3)
    target = torch.tensor(data["target"], dtype=torch.float64, device=device)
    W = torch.zeros(3, 2, dtype=torch.float64, device=device, requires_grad=True)
    for _ in range(50):
        loss = ((X @ W - target) ** 2).sum() / X.shape[0]
        grad_W, = torch.autograd.grad(loss, W)
        W.data -= 0.05 * grad_W
    result = {"W": W.detach(), "loss": loss.detach()}
""")

snippet("second_derivative")("""
    x = torch.tensor(data["points"], dtype=torch.float64, device=device, requires_grad=True)
    y = (x ** 3 + torch.sin(x) * x).sum()
    dy, = torch.autograd.grad(y, x, create_graph=True)
    d2y, = torch.autograd.grad(dy.sum(), x)
    result = {"dy": dy.detach(), "d2y": d2y, "expected_d2y": 6 * x.detach() + 2 * torch.cos(x.detach()) - x.detach() * torch.sin(x.detach())}
""")

snippet("custom_function")("""
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    x = torch.tensor(data["points"], dtype=torch.float64, device=device, requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    ok = torch.autograd.gradcheck(Cube.apply, (x.detach().clone().requires_grad_(True),))
    result = {"y": y.detach(), "grad": x.grad, "gradcheck": ok, "name": y.grad_fn.name()}
""")

snippet("softmax_cross_entropy_by_hand")("""
    logits = torch.tensor(data["logits"], dtype=torch.float32, device=device, requires_grad=True)   # (5, 4)
    labels = torch.tensor(data["labels"], device=device)                                            # int64
    log_probs = logits - logits.logsumexp(dim=1, keepdim=True)
    loss = -log_probs[torch.arange(logits.shape[0], device=device), labels].mean()
    loss.backward()
    accuracy = (logits.argmax(dim=1) == labels).float().mean()
    result = {"loss": loss.detach(), "grad": logits.grad, "accuracy": accuracy,
              "probs": torch.softmax(logits.detach(), dim=1)}
""")

snippet("no_grad_decorator_and_detach")("""
    @torch.no_grad()
    def evaluate(w, x):
        return (x @ w).relu().sum()

    w = torch.tensor(data["w"], dtype=torch.float32, device=device, requires_grad=True)
    x = torch.tensor(data["x"], dtype=torch.float32, device=device)
    score = evaluate(w, x)
    hidden = (x @ w).tanh()
    frozen = hidden.detach()
    out = (hidden * frozen).sum()
    out.backward()
    result = {"score": score, "score_requires_grad": score.requires_grad, "grad": w.grad,
              "grad_mode": torch.is_grad_enabled()}
""")

snippet("accumulation_and_retain_graph")("""
    x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    h = x * 2
    h.retain_grad()
    y = (h ** 2).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    result = {"first": first, "accumulated": x.grad, "h_grad": h.grad}
""")

snippet("indexing_and_in_place")("""
    x = torch.tensor(data["x"], dtype=torch.float32, device=device)
    y = x.clone()
    y[y < 0] = 0.0
    y[:, 0] = -1.0
    y[1] += 10
    z = x.clone()
    z.mul_(2).add_(1)
    rows = x[torch.tensor([2, 0], device=device)]
    result = {"y": y, "z": z, "rows": rows, "col": x[:, 1], "corner": x[-1, -1].item(),
              "chunks": [c.shape[0] for c in torch.arange(7, device=device).chunk(3)]}
""")


def _data() -> dict:
    rng = np.random.default_rng(0)
    return {
        "x": rng.standard_normal((4, 3)),
        "target": rng.standard_normal((4, 2)),
        "w": rng.standard_normal((3, 2)),
        "line_x": rng.uniform(-1, 1, 20),
        "noise": 0.01 * rng.standard_normal(20),
        "points": np.array([0.5, -1.0, 2.0]),
        "logits": rng.standard_normal((5, 4)),
        "labels": rng.integers(0, 4, 5),
    }


def run_snippet(name: str, lib, device: str) -> dict:
    namespace = {"torch": lib, "data": _data(), "device": device}
    exec(compile(SNIPPETS[name], f"<snippet {name}>", "exec"), namespace)  # noqa: S102  (our own source)
    return namespace["result"]


def _compare(ours, theirs, key: str) -> None:
    if isinstance(theirs, (torch.Tensor,)):
        assert isinstance(ours, tinynn.Tensor), f"{key}: tinynn returned {type(ours).__name__}"
        assert_close(ours, theirs, name=key)
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-6), key
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), key
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _compare(o, t, f"{key}[{i}]")
    else:
        assert ours == theirs, key


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippet_runs_unchanged_and_matches_torch(name, device):
    theirs = run_snippet(name, torch, device)
    ours = run_snippet(name, tinynn, "cpu")
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        _compare(ours[key], theirs[key], key)


def test_line_fit_converges_to_the_true_line():
    result = run_snippet("gradient_descent_line_fit", tinynn, "cpu")
    assert result["w"].item() == pytest.approx(2.0, abs=0.05)
    assert result["b"].item() == pytest.approx(1.0, abs=0.05)
    assert result["last_loss"] < result["first_loss"] / 100


def test_second_derivative_equals_the_formula():
    result = run_snippet("second_derivative", tinynn, "cpu")
    assert_close(result["d2y"], result["expected_d2y"])


def test_import_tinynn_as_torch_module_level_names():
    """The names these snippets use exist at the same places."""
    for name in ("tensor", "zeros", "ones", "arange", "linspace", "stack", "cat", "where", "no_grad",
                 "softmax", "sin", "cos", "zeros_like", "is_grad_enabled", "float32", "float64"):
        assert hasattr(tinynn, name) and hasattr(torch, name), name
    for name in ("grad", "backward", "Function", "gradcheck", "gradgradcheck"):
        assert hasattr(tinynn.autograd, name) and hasattr(torch.autograd, name), name
