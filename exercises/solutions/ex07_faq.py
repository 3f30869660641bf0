"""Reference solutions for exercises/ex07_faq.ipynb (custom Function and Optimizer, a
single sample through a CNN, the memory of a training step).

Chapter 7 (book/07_faq.ipynb) writes Swish, label smoothing and Lion the same way.
"""
from __future__ import annotations


def make_softplus(lib):
    """A lib.autograd.Function subclass: softplus, and its gradient sigmoid(x)."""

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            # max(x, 0) + log(1 + e^-|x|): never exponentiates a positive number
            return x.clamp(min=0) + lib.log1p(lib.exp(-x.abs()))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * lib.sigmoid(x)

    return Softplus


def make_adagrad(lib):
    """An Optimizer subclass: state_sum += g^2; p -= lr * g / (sqrt(state_sum) + eps)."""

    class Adagrad(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
            if lr < 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    if group["weight_decay"] != 0:
                        grad = grad + group["weight_decay"] * p
                    state = self.state[p]
                    if not state:
                        state["sum"] = lib.zeros_like(p)
                    state["sum"].add_(grad * grad)
                    p.sub_(group["lr"] * grad / (state["sum"].sqrt() + group["eps"]))

    return Adagrad


def classify_one(model, image):
    """The (10,) probabilities of one (8, 8) image, for a model that takes (N, 1, 8, 8)."""
    batch = image.unsqueeze(0).unsqueeze(0)         # (8, 8) -> (1, 1, 8, 8)
    logits = model(batch)                           # (1, 10)
    return logits.softmax(dim=1).squeeze(0)         # (10,)


def training_memory(layer_sizes, batch_size, optimizer, bytes_per_number):
    """(parameter, gradient, optimizer state, activation) bytes of an MLP training step."""
    parameters = sum(n_in * n_out + n_out
                     for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    buffers = {"sgd": 0, "momentum": 1, "rmsprop": 1, "adam": 2}[optimizer]
    hidden = sum(layer_sizes[1:-1])                 # each ReLU saves its output
    return (parameters * bytes_per_number, parameters * bytes_per_number,
            buffers * parameters * bytes_per_number,
            batch_size * hidden * bytes_per_number)
