"""Chapter 5's recurrent networks, tinynn vs PyTorch on the CPU, one process, interleaved.

1. One training step of a 1-layer LSTM (input 64, hidden 128, sequence 32, batch 32):
   forward, mean-squared error against a fixed target, backward, Adam step.
2. One training step of the chapter's character model (Embedding(27, 16) -> LSTM(16, 128)
   -> Linear(128, 27), sequences of 12 characters, batch 64, cross-entropy, Adam).
3. The first workload with a GRU in place of the LSTM.

Both libraries start from the same weights (``load_state_dict``) and see the same batch.
Each is timed with default threads and with one thread each (PyTorch's intra-op pool and
numpy's BLAS). Run
``python benchmarks/bench_rnn.py`` for the table, ``--profile`` to see where tinynn's time goes.
"""
from __future__ import annotations

import sys

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row
from tinynn.utils.convert import state_dict_from_torch

VOCAB, EMBED, HIDDEN, STEPS, BATCH = 27, 16, 128, 12, 64


class CharModel:
    """Built for either library: ``CharModel.build(torch)`` or ``CharModel.build(tinynn)``."""

    @staticmethod
    def build(lib):
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(VOCAB, EMBED)
                self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
                self.head = nn.Linear(HIDDEN, VOCAB)

            def forward(self, ids):
                out, _ = self.lstm(self.embed(ids))  # (B, T, H)
                return self.head(out)                # (B, T, V)

        return Model()


def make_sequence_step(lib, model, x, target):
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        out, _ = model(x)
        loss = lib.nn.functional.mse_loss(out, target)
        loss.backward()
        optimizer.step()

    return step


def make_char_step(lib, model, ids, next_ids):
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        logits = model(ids)                                           # (B, T, V)
        loss = loss_fn(logits.reshape(-1, VOCAB), next_ids.reshape(-1))
        loss.backward()
        optimizer.step()

    return step


def setup():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    x = rng.standard_normal((32, 32, 64)).astype(np.float32)        # (T, B, in)
    target = rng.standard_normal((32, 32, 128)).astype(np.float32)  # (T, B, H)
    theirs = torch.nn.LSTM(64, 128)
    ours = tinynn.nn.LSTM(64, 128)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    t_lstm = make_sequence_step(tinynn, ours, tinynn.tensor(x), tinynn.tensor(target))
    p_lstm = make_sequence_step(torch, theirs, torch.tensor(x), torch.tensor(target))

    ids = rng.integers(0, VOCAB, (BATCH, STEPS + 1))
    theirs = CharModel.build(torch)
    ours = CharModel.build(tinynn)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    t_char = make_char_step(tinynn, ours, tinynn.tensor(ids[:, :-1]), tinynn.tensor(ids[:, 1:]))
    p_char = make_char_step(torch, theirs, torch.tensor(ids[:, :-1]), torch.tensor(ids[:, 1:]))
    return t_lstm, p_lstm, t_char, p_char


def setup_gru():
    """The LSTM workload's data and shapes, with ``nn.GRU(64, 128)``."""
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    x = rng.standard_normal((32, 32, 64)).astype(np.float32)
    target = rng.standard_normal((32, 32, 128)).astype(np.float32)
    theirs, ours = torch.nn.GRU(64, 128), tinynn.nn.GRU(64, 128)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    return (make_sequence_step(tinynn, ours, tinynn.tensor(x), tinynn.tensor(target)),
            make_sequence_step(torch, theirs, torch.tensor(x), torch.tensor(target)))


def measure(suffix: str = "") -> list[str]:
    t_lstm, p_lstm, t_char, p_char = setup()
    return [row(f"LSTM training step (64->128, T=32, B=32, Adam){suffix}",
                compare(t_lstm, p_lstm, repeat=5, rounds=11)),
            row(f"char model step (Embedding->LSTM(16,128)->Linear, T=12, B=64, Adam){suffix}",
                compare(t_char, p_char, repeat=5, rounds=11)),
            row(f"GRU training step (64->128, T=32, B=32, Adam){suffix}",
                compare(*setup_gru(), repeat=5, rounds=11))]


def main() -> list[str]:
    """Both workloads with each library's default threads, then with one thread each."""
    rows = measure()
    with one_thread():
        rows += measure(", 1 thread each")
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(HEADER)
    for line in main():
        print(line, flush=True)
    if "--profile" in sys.argv:
        from bench_cnn import profile

        t_lstm, _, _, _ = setup()
        with one_thread():
            profile(t_lstm, n=20)
