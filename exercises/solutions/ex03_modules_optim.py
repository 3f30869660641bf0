"""Reference solutions for exercises/ex03_modules_optim.ipynb (Linear, losses, optimizers).

The real versions in tinynn: ``Linear`` in tinynn/nn/modules/linear.py (its forward and
backward in tinynn/nn/functional/linear.py), the losses in tinynn/nn/functional/loss.py, ``SGD`` in tinynn/optim/sgd.py and ``Adam`` in
tinynn/optim/adam.py.
"""
from __future__ import annotations

import numpy as np


def linear_forward(x, weight, bias):
    """y = x W^T + b, with weight of shape (out_features, in_features) as in PyTorch."""
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return y


def linear_backward(grad_output, x, weight):
    """dL/dx = G W,  dL/dW = G^T x,  dL/db = sum of G over all samples."""
    grad_x = grad_output @ weight
    g = grad_output.reshape(-1, grad_output.shape[-1])  # (N, out_features), N = all samples
    x2 = x.reshape(-1, x.shape[-1])                     # (N, in_features)
    grad_weight = g.T @ x2                              # (out_features, in_features)
    grad_bias = g.sum(axis=0)                           # (out_features,)
    return grad_x, grad_weight, grad_bias


def bce_with_logits(logits, target):
    """mean of max(z, 0) - z y + log(1 + e^{-|z|}): log(sigmoid) without overflow."""
    z, y = logits, target
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return np.mean(loss)


def _log_softmax(logits):
    m = np.max(logits, axis=1, keepdims=True)           # (N, 1)
    shifted = logits - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cross_entropy(logits, target):
    """mean over the batch of -log softmax(z)[target] = logsumexp(z) - z[target]."""
    n = logits.shape[0]
    return -np.mean(_log_softmax(logits)[np.arange(n), target])


def cross_entropy_backward(logits, target):
    """d mean-loss / dz = (softmax(z) - one_hot(target)) / N."""
    n = logits.shape[0]
    grad = np.exp(_log_softmax(logits))
    grad[np.arange(n), target] -= 1
    return grad / n


def sgd_momentum_step(param, grad, buf, lr, momentum, dampening, nesterov,
                      weight_decay):
    """One step of torch.optim.SGD; returns (new param, new momentum buffer)."""
    g = grad + weight_decay * param if weight_decay != 0 else grad
    if momentum != 0:
        if buf is None:
            buf = g.copy()  # the first step starts the buffer at g, with no dampening
        else:
            buf = momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return param - lr * g, buf


def adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
              weight_decay, amsgrad, maximize):
    """One step of torch.optim.Adam (step counts from 1); returns (param, exp_avg,
    exp_avg_sq, max_exp_avg_sq)."""
    beta1, beta2 = betas
    if maximize:
        grad = -grad                        # climb: the same step on the negated gradient
    if weight_decay != 0:
        grad = grad + weight_decay * param  # L2 penalty, added to the gradient (not AdamW)
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    if amsgrad:                             # the largest v so far, before bias correction
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        v = max_exp_avg_sq
    else:
        v = exp_avg_sq
    m_hat = exp_avg / (1 - beta1 ** step)   # bias correction: m and v start at 0
    v_hat = v / (1 - beta2 ** step)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), exp_avg, exp_avg_sq, max_exp_avg_sq


def make_mlp(lib):
    """An nn.Module class MLP(sizes) of lib (torch or tinynn) laid out as the PyTorch model
    TorchMLP: Linear layers in a ModuleList ``layers``, tanh between them."""

    class MLP(lib.nn.Module):
        def __init__(self, sizes):
            super().__init__()
            self.layers = lib.nn.ModuleList(
                [lib.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = lib.tanh(layer(x))
            return self.layers[-1](x)

    return MLP
