"""Reference solutions for exercises/ex04_cnn.ipynb (im2col convolution, max pooling, and
a training loop written against the library).

The real versions in tinynn: tinynn/nn/functional/conv.py (conv2d, im2col and its
backward) and tinynn/nn/functional/pooling.py (max pooling and its backward); the loop of
`fit` is the one that trains the network of book/04_cnn.ipynb.
"""
from __future__ import annotations

import numpy as np


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """floor((size + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def im2col(x, kh, kw, stride, padding):
    """(N, C, H, W) -> (N, C*kh*kw, out_h*out_w): one column per output position (F.unfold)."""
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((n, c, kh, kw, out_h, out_w), dtype=x.dtype)
    for i in range(kh):          # one slice per kernel offset (kh * kw of them), not per pixel
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
    return cols.reshape(n, c * kh * kw, out_h * out_w)  # (N, C*kh*kw, L)


def conv2d_forward(x, weight, bias, stride, padding):
    """out[n, o] = sum over c, i, j of weight[o, c, i, j] * x_padded[n, c, ...] + bias[o]."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    cols = im2col(x, kh, kw, stride, padding)           # (N, C_in*kh*kw, L)
    out = weight.reshape(c_out, -1) @ cols              # (N, C_out, L)
    out = out.reshape(n, c_out, out_h, out_w)           # (N, C_out, out_h, out_w)
    if bias is not None:
        out = out + bias[:, None, None]
    return out


def col2im(cols, x_shape, kh, kw, stride, padding):
    """The adjoint of im2col (F.fold): add every column entry back where it came from."""
    n, c, h, w = x_shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    cols = cols.reshape(n, c, kh, kw, out_h, out_w)     # (N, C, kh, kw, out_h, out_w)
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):      # += : overlapping windows add up
            xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += cols[:, :, i, j]
    return xp[:, :, padding:padding + h, padding:padding + w]


def conv2d_backward(grad_output, x, weight, stride, padding):
    """Through out = W_2d @ cols + b:  dW = G @ cols^T,  dcols = W_2d^T @ G,  dx = col2im(dcols)."""
    n, c_out, out_h, out_w = grad_output.shape
    _, _, kh, kw = weight.shape
    g = grad_output.reshape(n, c_out, out_h * out_w)    # (N, C_out, L)
    cols = im2col(x, kh, kw, stride, padding)           # (N, C_in*kh*kw, L)
    grad_weight = (g @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(weight.shape)
    grad_cols = weight.reshape(c_out, -1).T @ g         # (N, C_in*kh*kw, L)
    grad_x = col2im(grad_cols, x.shape, kh, kw, stride, padding)
    grad_bias = grad_output.sum(axis=(0, 2, 3))         # (C_out,)
    return grad_x, grad_weight, grad_bias


def _windows(x, kernel_size, stride):
    """Each channel as its own image: (N*C, k*k, L), one column per window."""
    n, c, h, w = x.shape
    return im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)


def maxpool2d_forward(x, kernel_size, stride):
    """The largest value in each kernel_size x kernel_size window (no padding)."""
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kernel_size, stride)
    out_w = conv_output_size(w, kernel_size, stride)
    return _windows(x, kernel_size, stride).max(axis=1).reshape(n, c, out_h, out_w)


def maxpool2d_backward(grad_output, x, kernel_size, stride):
    """Each window's gradient goes to its first maximum; overlapping windows add up."""
    n, c, h, w = x.shape
    cols = _windows(x, kernel_size, stride)             # (N*C, k*k, L)
    first_max = cols.argmax(axis=1)[:, None, :]         # (N*C, 1, L): argmax picks the first
    grad_cols = np.zeros_like(cols)
    np.put_along_axis(grad_cols, first_max, grad_output.reshape(n * c, 1, -1), axis=1)
    return col2im(grad_cols, (n * c, 1, h, w), kernel_size, kernel_size, stride, 0).reshape(x.shape)


def fit(lib, model, optimizer, train_loader, test_loader, epochs):
    """Train for `epochs` passes over train_loader; return (losses, test accuracy)."""
    F = lib.nn.functional
    losses = []
    for _ in range(epochs):
        model.train()                       # BatchNorm: normalise with each batch's statistics
        for images, labels in train_loader:
            optimizer.zero_grad()           # else the gradients of every batch add up
            loss = F.cross_entropy(model(images), labels)   # raw logits, mean over the batch
            loss.backward()
            optimizer.step()
            losses.append(loss.item())      # a float: a tensor would keep the graph alive
    model.eval()                            # BatchNorm: use (and keep) the running statistics
    correct = total = 0
    with lib.no_grad():                     # no graph: testing needs no gradients
        for images, labels in test_loader:
            correct += int((model(images).argmax(dim=1) == labels).sum())
            total += len(labels)
    return losses, correct / total
