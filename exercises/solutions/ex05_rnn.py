"""Reference solutions for exercises/ex05_rnn.ipynb (recurrent cells, BPTT, clipping,
sampling, the embedding's backward, and truncated BPTT with the library).

The real versions in tinynn: tinynn/nn/modules/rnn.py (rnn_cell_step, lstm_cell_step),
tinynn/nn/utils/clip_grad.py (clip_grad_norm_) and tinynn/nn/functional/sparse.py
(EmbeddingDenseBackward). BPTT is what tinynn's autograd engine does with the unrolled loop.
"""
from __future__ import annotations

import numpy as np


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh): (B, I), (B, H) -> (B, H)."""
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step, gates in PyTorch's order i, f, g, o along the 4H rows."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh        # (B, 4H)
    i, f, g, o = np.split(z, 4, axis=1)              # four (B, H) blocks
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    c_next = f * c + i * g
    return o * np.tanh(c_next), c_next


def rnn_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, grad_output):
    """The gradients of sum(grad_output * hs) for a tanh RNN run over x (T, B, I) from h0."""
    hs = [h0]
    for x_t in x:                                    # forward: keep every state
        hs.append(rnn_cell_forward(x_t, hs[-1], W_ih, W_hh, b_ih, b_hh))
    grad_x = np.zeros_like(x)
    grad_W_ih, grad_W_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    grad_b = np.zeros_like(b_ih)
    delta = np.zeros_like(h0)                        # dL/dh_t from the steps after t
    for t in range(len(x) - 1, -1, -1):              # h_{t+1} = hs[t + 1] reads x[t], hs[t]
        d = (grad_output[t] + delta) * (1 - hs[t + 1] ** 2)   # dL/da: (B, H)
        grad_x[t] = d @ W_ih
        grad_W_ih += d.T @ x[t]
        grad_W_hh += d.T @ hs[t]
        grad_b += d.sum(0)
        delta = d @ W_hh
    return grad_x, delta, grad_W_ih, grad_W_hh, grad_b, grad_b.copy()


def clip_grad_norm(grads, max_norm):
    """Scale all gradients by min(1, max_norm / (total + 1e-6)); return them and the norm."""
    total = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * np.asarray(scale, dtype=g.dtype) for g in grads], total


def sample_with_temperature(logits, temperature, u):
    """p = softmax(logits / T) per row; index = first k with cumsum(p)[k] > u (inverse CDF)."""
    z = logits / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))     # shifted: no overflow
    probs = e / e.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probs, axis=1)
    index = (cumulative > u[:, None]).argmax(axis=1)
    index[~(cumulative[:, -1] > u)] = logits.shape[1] - 1   # u within rounding of 1
    return probs, index.astype(np.int64)


def embedding_backward(indices, grad_output, num_embeddings, padding_idx):
    """Scatter-add each gradient row into the row it was read from; none for padding_idx."""
    grad = np.zeros((num_embeddings, grad_output.shape[-1]), dtype=grad_output.dtype)
    flat = indices.reshape(-1)                       # (N,)
    rows = grad_output.reshape(flat.size, -1)        # (N, D)
    if padding_idx is not None:
        rows = rows * (flat != padding_idx)[:, None]
    np.add.at(grad, flat, rows)
    return grad


def train_tbptt(lib, model, optimizer, stream, chunk_length, max_norm):
    """Truncated BPTT over stream (B, N): one optimizer step per chunk; returns the losses."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    for start in range(0, length - 1, chunk_length):
        end = min(start + chunk_length, length - 1)          # the last chunk may be shorter
        inputs, targets = stream[:, start:end], stream[:, start + 1:end + 1]
        logits, state = model(inputs, state)                  # carried from the last chunk
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        if isinstance(state, tuple):                          # LSTM: (h, c)
            state = tuple(s.detach() for s in state)
        else:                                                 # RNN, GRU: h
            state = state.detach()
        losses.append(loss.item())
    return losses
