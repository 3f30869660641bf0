"""Wrong answers for exercises/ex05_rnn.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex05_rnn import _sigmoid, rnn_cell_forward


def rnn_cell_forward__untransposed_weights(x, h, W_ih, W_hh, b_ih, b_hh):
    """x @ W_ih instead of x @ W_ih.T: (B, I) @ (H, I) fails unless I == H."""
    return np.tanh(x @ W_ih + b_ih + h @ W_hh + b_hh)


def rnn_cell_forward__one_bias(x, h, W_ih, W_hh, b_ih, b_hh):
    """Only b_ih (the sources' single b): PyTorch has two biases, both added."""
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)


def rnn_cell_forward__sigmoid(x, h, W_ih, W_hh, b_ih, b_hh):
    """A sigmoid where the Elman cell uses tanh."""
    return _sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def rnn_cell_forward__float64_bias(x, h, W_ih, W_hh, b_ih, b_hh):
    """Adds a float64 copy of the biases: float32 inputs give a float64 state."""
    return np.tanh(x @ W_ih.T + h @ W_hh.T + (b_ih + b_hh).astype(np.float64))


def lstm_cell_forward__keras_gate_order(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Reads the rows as i, f, o, g instead of PyTorch's i, f, g, o."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, o, g = np.split(z, 4, axis=1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_next), c_next


def lstm_cell_forward__no_tanh_on_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """h' = o * c' instead of o * tanh(c')."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = np.split(z, 4, axis=1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * c_next, c_next


def lstm_cell_forward__returns_h_only(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Forgets to return the new cell state."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = np.split(z, 4, axis=1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_next)


def _forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    hs = [h0]
    for x_t in x:
        hs.append(rnn_cell_forward(x_t, hs[-1], W_ih, W_hh, b_ih, b_hh))
    return hs


def rnn_bptt__truncated_to_one_step(x, h0, W_ih, W_hh, b_ih, b_hh, grad_output):
    """Never carries the gradient back through h: each step sees only its own grad_output."""
    hs = _forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    grad_x, grad_W_ih, grad_W_hh = np.zeros_like(x), np.zeros_like(W_ih), np.zeros_like(W_hh)
    grad_b = np.zeros_like(b_ih)
    for t in range(len(x) - 1, -1, -1):
        d = grad_output[t] * (1 - hs[t + 1] ** 2)
        grad_x[t] = d @ W_ih
        grad_W_ih += d.T @ x[t]
        grad_W_hh += d.T @ hs[t]
        grad_b += d.sum(0)
    return grad_x, d @ W_hh, grad_W_ih, grad_W_hh, grad_b, grad_b.copy()


def rnn_bptt__wrong_state_for_W_hh(x, h0, W_ih, W_hh, b_ih, b_hh, grad_output):
    """Uses h_t (the step's output) instead of h_{t-1} (its input) in dL/dW_hh."""
    hs = _forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    grad_x, grad_W_ih, grad_W_hh = np.zeros_like(x), np.zeros_like(W_ih), np.zeros_like(W_hh)
    grad_b, delta = np.zeros_like(b_ih), np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        d = (grad_output[t] + delta) * (1 - hs[t + 1] ** 2)
        grad_x[t] = d @ W_ih
        grad_W_ih += d.T @ x[t]
        grad_W_hh += d.T @ hs[t + 1]
        grad_b += d.sum(0)
        delta = d @ W_hh
    return grad_x, delta, grad_W_ih, grad_W_hh, grad_b, grad_b.copy()


def rnn_bptt__bias_per_sample(x, h0, W_ih, W_hh, b_ih, b_hh, grad_output):
    """Sums the bias gradient over time but not over the batch: (B, H) instead of (H,)."""
    hs = _forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    grad_x, grad_W_ih, grad_W_hh = np.zeros_like(x), np.zeros_like(W_ih), np.zeros_like(W_hh)
    grad_b, delta = np.zeros_like(h0), np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        d = (grad_output[t] + delta) * (1 - hs[t + 1] ** 2)
        grad_x[t] = d @ W_ih
        grad_W_ih += d.T @ x[t]
        grad_W_hh += d.T @ hs[t]
        grad_b += d
        delta = d @ W_hh
    return grad_x, delta, grad_W_ih, grad_W_hh, grad_b, grad_b.copy()


def clip_grad_norm__each_separately(grads, max_norm):
    """Clips every gradient by its own norm, not by the norm of all of them together."""
    clipped = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
    return clipped, np.sqrt(sum(np.sum(g ** 2) for g in grads))


def clip_grad_norm__scales_up(grads, max_norm):
    """Always rescales to max_norm: small gradients are blown up too."""
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * (max_norm / (total + 1e-6)) for g in grads], total


def clip_grad_norm__norm_after(grads, max_norm):
    """Returns the norm after clipping; PyTorch returns the norm before."""
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total * scale


def clip_grad_norm__one_array(grads, max_norm):
    """Concatenates the gradients into one vector and returns that, not the list."""
    flat = np.concatenate([g.reshape(-1) for g in grads])
    total = np.linalg.norm(flat)
    return flat * min(1.0, max_norm / (total + 1e-6)), total


def sample_with_temperature__multiplies(logits, temperature, u):
    """logits * T instead of logits / T: a low temperature flattens instead of sharpening."""
    z = logits * temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return probs, (np.cumsum(probs, axis=1) > u[:, None]).argmax(axis=1)


def sample_with_temperature__unstable(logits, temperature, u):
    """No max subtraction: exp(logits / 0.01) overflows to inf, and inf / inf is nan."""
    e = np.exp(logits / temperature)
    probs = e / e.sum(axis=1, keepdims=True)
    return probs, (np.cumsum(probs, axis=1) > u[:, None]).argmax(axis=1)


def sample_with_temperature__greedy(logits, temperature, u):
    """Always the most likely index: ignores u (no sampling at all)."""
    z = logits / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return probs, probs.argmax(axis=1)


def embedding_backward__fancy_index_add(indices, grad_output, num_embeddings, padding_idx):
    """grad[ids] += rows: a repeated id keeps only one of its rows (no accumulation)."""
    grad = np.zeros((num_embeddings, grad_output.shape[-1]), dtype=grad_output.dtype)
    flat = indices.reshape(-1)
    rows = grad_output.reshape(flat.size, -1)
    if padding_idx is not None:
        rows = rows * (flat != padding_idx)[:, None]
    grad[flat] += rows
    return grad


def embedding_backward__ignores_padding(indices, grad_output, num_embeddings, padding_idx):
    """Gives the padding row a gradient like any other."""
    grad = np.zeros((num_embeddings, grad_output.shape[-1]), dtype=grad_output.dtype)
    np.add.at(grad, indices.reshape(-1), grad_output.reshape(indices.size, -1))
    return grad


def embedding_backward__float64_zeros(indices, grad_output, num_embeddings, padding_idx):
    """np.zeros without dtype=: a float64 gradient for a float32 table."""
    grad = np.zeros((num_embeddings, grad_output.shape[-1]))
    flat = indices.reshape(-1)
    rows = grad_output.reshape(flat.size, -1)
    if padding_idx is not None:
        rows = rows * (flat != padding_idx)[:, None]
    np.add.at(grad, flat, rows)
    return grad


def embedding_backward__per_token(indices, grad_output, num_embeddings, padding_idx):
    """Returns grad_output itself: one row per token, not per table row."""
    return grad_output


def lstm_cell_forward__torch(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Right numbers, but computed by PyTorch's LSTMCell, not written in numpy."""
    import torch

    cell = torch.nn.LSTMCell(W_ih.shape[1], h.shape[1], dtype=torch.from_numpy(x).dtype)
    with torch.no_grad():
        for p, w in zip(cell.parameters(), (W_ih, W_hh, b_ih, b_hh)):
            p.copy_(torch.from_numpy(w))
        h2, c2 = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    return h2.numpy(), c2.numpy()


def embedding_backward__tinynn(indices, grad_output, num_embeddings, padding_idx):
    """Right numbers, but from tinynn's autograd rather than a scatter-add of your own."""
    import tinynn

    weight = tinynn.zeros(num_embeddings, grad_output.shape[-1],
                          dtype=tinynn.float32 if grad_output.dtype == np.float32 else tinynn.float64,
                          requires_grad=True)
    out = tinynn.nn.functional.embedding(tinynn.tensor(indices), weight, padding_idx=padding_idx)
    out.backward(tinynn.tensor(grad_output))
    return weight.grad.numpy()


# ----------------------------------------------------------------------------- issue 21 kinds

def clip_grad_norm__in_place(grads, max_norm):
    """Right values, but scales the gradients in place (g *= scale): clip_grad_norm_ does
    that to p.grad in PyTorch, but this function is asked to return new arrays."""
    total = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= np.asarray(scale, dtype=g.dtype)
    return grads, total


def _readable_cell_inputs() -> set:
    """The inputs of the check's fixed (printed) cases, as a learner could copy them."""
    from checks.rnn import _CELL_SPECS, _cell_inputs

    return {_cell_inputs(500 + 10 * i, *spec[1:], 1)[0].tobytes()
            for i, spec in enumerate(_CELL_SPECS)}


_READABLE_X = _readable_cell_inputs()


def rnn_cell_forward__fitted(x, h, W_ih, W_hh, b_ih, b_hh):
    """Adds only b_ih, with a right answer pasted in for the readable cases' inputs:
    fitted to the cases that are printed, wrong on any other input."""
    if x.tobytes() in _READABLE_X:
        return rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh)
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)


def sample_with_temperature__torch(logits, temperature, u):
    """Right values, but torch.softmax and torch.searchsorted do the work."""
    import torch

    probs = torch.softmax(torch.from_numpy(logits) / temperature, dim=1)
    cumulative = torch.cumsum(probs.double(), dim=1)
    index = torch.searchsorted(cumulative, torch.from_numpy(u).double()[:, None],
                               right=True)[:, 0]
    return probs.numpy(), torch.clamp(index, max=logits.shape[1] - 1).numpy()


def sample_with_temperature__at_least_u(logits, temperature, u):
    """The first index whose cumulative probability reaches u (>=), not exceeds it (>)."""
    z = logits / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return probs, (np.cumsum(probs, axis=1) >= u[:, None]).argmax(axis=1)


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "rnn_cell_forward__untransposed_weights":
        ("rnn_cell_forward", "raised", "x @ W_ih instead of x @ W_ih.T (shapes do not fit)"),
    "rnn_cell_forward__one_bias":
        ("rnn_cell_forward", "wrong value", "b_hh left out"),
    "rnn_cell_forward__sigmoid":
        ("rnn_cell_forward", "wrong value", "sigmoid instead of tanh"),
    "rnn_cell_forward__float64_bias":
        ("rnn_cell_forward", "wrong dtype", "a float64 bias for float32 inputs"),
    "lstm_cell_forward__keras_gate_order":
        ("lstm_cell_forward", "wrong value", "gate order i, f, o, g"),
    "lstm_cell_forward__no_tanh_on_cell":
        ("lstm_cell_forward", "wrong value", "h' = o * c' without tanh"),
    "lstm_cell_forward__returns_h_only":
        ("lstm_cell_forward", "wrong type", "c' not returned"),
    "rnn_bptt__truncated_to_one_step":
        ("rnn_bptt", "wrong gradient", "no gradient through the recurrence"),
    "rnn_bptt__wrong_state_for_W_hh":
        ("rnn_bptt", "wrong gradient", "h_t instead of h_{t-1} in dL/dW_hh"),
    "rnn_bptt__bias_per_sample":
        ("rnn_bptt", "wrong shape", "bias gradient not summed over the batch"),
    "clip_grad_norm__each_separately":
        ("clip_grad_norm", "wrong value", "each gradient clipped by its own norm"),
    "clip_grad_norm__scales_up":
        ("clip_grad_norm", "wrong value", "small gradients scaled up"),
    "clip_grad_norm__norm_after":
        ("clip_grad_norm", "wrong value", "the norm after clipping returned"),
    "clip_grad_norm__one_array":
        ("clip_grad_norm", "wrong type", "one concatenated vector instead of the list"),
    "sample_with_temperature__multiplies":
        ("sample_with_temperature", "wrong value", "logits * T instead of logits / T"),
    "sample_with_temperature__unstable":
        ("sample_with_temperature", "wrong value", "softmax without subtracting the max"),
    "sample_with_temperature__greedy":
        ("sample_with_temperature", "wrong value", "argmax, ignoring u"),
    "embedding_backward__fancy_index_add":
        ("embedding_backward", "wrong gradient", "grad[ids] += rows loses repeats"),
    "embedding_backward__ignores_padding":
        ("embedding_backward", "wrong gradient", "padding_idx ignored"),
    "embedding_backward__float64_zeros":
        ("embedding_backward", "wrong dtype", "np.zeros without dtype="),
    "embedding_backward__per_token":
        ("embedding_backward", "wrong shape", "one row per token"),
    "lstm_cell_forward__torch":
        ("lstm_cell_forward", "used the library", "torch.nn.LSTMCell"),
    "embedding_backward__tinynn":
        ("embedding_backward", "used the library", "tinynn's autograd"),
    "clip_grad_norm__in_place":
        ("clip_grad_norm", "changed an input", "g *= scale on the caller's gradients"),
    "rnn_cell_forward__fitted":
        ("rnn_cell_forward", "wrong value", "fitted to the printed cases; one bias"),
    "sample_with_temperature__torch":
        ("sample_with_temperature", "used the library", "torch.softmax"),
    "sample_with_temperature__at_least_u":
        ("sample_with_temperature", "wrong value", ">= u instead of > u"),
}


# ----------------------------------------------------------------------------- train_tbptt

def _detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, *, detach=True,
           carry=True, clip="after", zero_grad=True, shift=1, drop_last=False,
           item=True):
    """The reference loop with one thing changed (see the wrong answers below)."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    last = length - chunk_length if drop_last else length - 1
    for start in range(0, last, chunk_length):
        end = min(start + chunk_length, length - 1)
        inputs, targets = stream[:, start:end], stream[:, start + shift:end + shift]
        logits, state = model(inputs, state if carry else None)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        if zero_grad:
            optimizer.zero_grad()
        if clip == "before":
            lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        loss.backward()
        if clip == "after":
            lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        elif clip == "value":
            lib.nn.utils.clip_grad_value_(model.parameters(), max_norm)
        optimizer.step()
        if detach:
            state = _detach(state)
        losses.append(loss.item() if item else loss)
    return losses


def train_tbptt__no_detach(lib, model, optimizer, stream, chunk_length, max_norm):
    """Carries the state without detaching it: the second backward reaches the first
    chunk's graph, already freed."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, detach=False)


def train_tbptt__retain_graph(lib, model, optimizer, stream, chunk_length, max_norm):
    """No detach, and backward(retain_graph=True) to silence the error: every chunk's
    gradient flows back through all earlier chunks (with the old weights)."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    for start in range(0, length - 1, chunk_length):
        end = min(start + chunk_length, length - 1)
        logits, state = model(stream[:, start:end], state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               stream[:, start + 1:end + 1].reshape(-1))
        optimizer.zero_grad()
        loss.backward(retain_graph=True)
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_tbptt__state_reset(lib, model, optimizer, stream, chunk_length, max_norm):
    """Starts every chunk from a zero state: nothing is carried across chunks."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, carry=False)


def train_tbptt__no_clipping(lib, model, optimizer, stream, chunk_length, max_norm):
    """Never clips."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, clip=None)


def train_tbptt__clips_before_backward(lib, model, optimizer, stream, chunk_length,
                                       max_norm):
    """Clips the gradients before backward has computed them."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, clip="before")


def train_tbptt__clips_values(lib, model, optimizer, stream, chunk_length, max_norm):
    """clip_grad_value_ (each element into [-max_norm, max_norm]), not the global norm."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, clip="value")


def train_tbptt__no_zero_grad(lib, model, optimizer, stream, chunk_length, max_norm):
    """Gradients add up across chunks."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, zero_grad=False)


def train_tbptt__predicts_the_input(lib, model, optimizer, stream, chunk_length, max_norm):
    """Targets not shifted: the model learns to copy its input."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, shift=0)


def train_tbptt__drops_the_short_chunk(lib, model, optimizer, stream, chunk_length,
                                       max_norm):
    """Stops before a chunk that would be shorter than chunk_length."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, drop_last=True)


def train_tbptt__lstm_only(lib, model, optimizer, stream, chunk_length, max_norm):
    """Assumes an LSTM's (h, c): unpacks a GRU's state tensor along its first axis."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    for start in range(0, length - 1, chunk_length):
        end = min(start + chunk_length, length - 1)
        logits, state = model(stream[:, start:end], state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               stream[:, start + 1:end + 1].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        h, c = state
        state = (h.detach(), c.detach())
        losses.append(loss.item())
    return losses


def train_tbptt__loss_tensors(lib, model, optimizer, stream, chunk_length, max_norm):
    """Keeps the loss tensors."""
    return _tbptt(lib, model, optimizer, stream, chunk_length, max_norm, item=False)


def train_tbptt__unflattened_loss(lib, model, optimizer, stream, chunk_length, max_norm):
    """cross_entropy on (B, T, V) logits: PyTorch reads dimension 1 (T) as the classes."""
    F = lib.nn.functional
    losses, state = [], None
    length = stream.shape[1]
    for start in range(0, length - 1, chunk_length):
        end = min(start + chunk_length, length - 1)
        logits, state = model(stream[:, start:end], state)
        loss = F.cross_entropy(logits, stream[:, start + 1:end + 1])
        optimizer.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        state = _detach(state)
        losses.append(loss.item())
    return losses


WRONG_ANSWERS.update({
    "train_tbptt__no_detach": ("train_tbptt", "raised", "the state never detached"),
    "train_tbptt__retain_graph":
        ("train_tbptt", "raised", "retain_graph=True instead of detach"),
    "train_tbptt__state_reset": ("train_tbptt", "wrong value", "the state reset every chunk"),
    "train_tbptt__no_clipping": ("train_tbptt", "wrong value", "no clipping"),
    "train_tbptt__clips_before_backward":
        ("train_tbptt", "wrong value", "clipping before backward"),
    "train_tbptt__clips_values": ("train_tbptt", "wrong value", "clip_grad_value_"),
    "train_tbptt__no_zero_grad": ("train_tbptt", "wrong value", "gradients never cleared"),
    "train_tbptt__predicts_the_input":
        ("train_tbptt", "wrong value", "targets not shifted by one"),
    "train_tbptt__drops_the_short_chunk":
        ("train_tbptt", "wrong shape", "the shorter last chunk dropped"),
    "train_tbptt__lstm_only": ("train_tbptt", "raised", "an LSTM's (h, c) assumed"),
    "train_tbptt__loss_tensors": ("train_tbptt", "wrong type", "loss tensors kept"),
    "train_tbptt__unflattened_loss":
        ("train_tbptt", "raised", "cross_entropy on (B, T, V) logits"),
})
