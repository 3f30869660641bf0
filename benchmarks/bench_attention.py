"""Chapter 6's attention workloads, tinynn vs PyTorch on the CPU, one process, interleaved.

1. One ``TransformerEncoderLayer`` (d_model 128, 4 heads, feed-forward 512, dropout 0,
   batch first), forward and backward on a batch of 16 sequences of 64 tokens under a
   causal mask: gradients for the input and every parameter.
2. One training step of the chapter's small GPT (token and learned position embeddings,
   2 pre-norm layers of d_model 64 with 4 heads, tied output head; a batch of 32 names of
   12 positions, as in book/06_attention.ipynb): forward, cross-entropy, backward, AdamW.

Both libraries start from the same weights (copied with ``load_state_dict``) and see the same
batch. Timed with each library's default threads and with one thread each (ratio of
medians; below 1: tinynn is faster). Run ``python benchmarks/bench_attention.py``, or
``--profile`` to see where tinynn's time goes in the encoder layer.
"""
from __future__ import annotations

import cProfile
import pstats
import sys

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row
from tinynn.utils.convert import state_dict_from_torch


def make_layer(lib):
    return lib.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)


def make_layer_run(lib, layer, x, mask):
    def run():
        x.grad = None
        layer.zero_grad()
        out = layer(x, src_mask=mask, is_causal=True)
        out.backward(lib.ones_like(out))

    return run


def make_gpt(lib, vocab: int = 27, block_size: int = 12, d_model: int = 64, nhead: int = 4,
             num_layers: int = 2):
    """The chapter's GPT (book/06_attention.ipynb), written once for either library."""
    nn = lib.nn

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = nn.Embedding(vocab, d_model)
            self.pos_emb = nn.Embedding(block_size, d_model)
            layer = nn.TransformerEncoderLayer(d_model, nhead, 4 * d_model, dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model),
                                                enable_nested_tensor=False)
            self.lm_head = nn.Linear(d_model, vocab, bias=False)
            self.lm_head.weight = self.tok_emb.weight

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok_emb(idx) + self.pos_emb(lib.arange(T))
            mask = nn.Transformer.generate_square_subsequent_mask(T)
            return self.lm_head(self.blocks(x, mask=mask, is_causal=True))

    return GPT()


def make_gpt_step(lib, model, idx, targets):
    optimizer = lib.optim.AdamW(model.parameters(), lr=3e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        logits = model(idx)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss.backward()
        optimizer.step()

    return step


def setup():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    t_layer, n_layer = make_layer(torch), make_layer(tinynn)
    n_layer.load_state_dict(state_dict_from_torch(t_layer.state_dict()))
    x = rng.standard_normal((16, 64, 128)).astype(np.float32)
    mask = np.triu(np.full((64, 64), -np.inf, dtype=np.float32), 1)
    layer_runs = (make_layer_run(tinynn, n_layer, tinynn.tensor(x, requires_grad=True), tinynn.tensor(mask)),
                  make_layer_run(torch, t_layer, torch.tensor(x, requires_grad=True), torch.tensor(mask)))
    t_gpt, n_gpt = make_gpt(torch), make_gpt(tinynn)
    n_gpt.load_state_dict(state_dict_from_torch(t_gpt.state_dict()))
    idx = rng.integers(0, 27, (32, 12))
    targets = rng.integers(0, 27, (32, 12))
    gpt_steps = (make_gpt_step(tinynn, n_gpt, tinynn.tensor(idx), tinynn.tensor(targets)),
                 make_gpt_step(torch, t_gpt, torch.tensor(idx), torch.tensor(targets)))
    return layer_runs, gpt_steps


def measure(suffix: str = "") -> list[str]:
    layer_runs, gpt_steps = setup()
    layer = compare(*layer_runs, repeat=5, rounds=11)
    gpt = compare(*gpt_steps, repeat=10, rounds=11)
    return [row(f"TransformerEncoderLayer d_model 128, 4 heads, seq 64, batch 16: fwd+bwd{suffix}", layer),
            row(f"GPT training step (2 layers, d_model 64, 32 names x 12 chars, AdamW){suffix}", gpt)]


def main() -> list[str]:
    rows = measure()
    with one_thread():
        rows += measure(", 1 thread")
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    if "--profile" in sys.argv:
        with one_thread():
            (run, _), _ = setup()
            cProfile.run("for _ in range(20): run()", "/tmp/bench_attention.prof")
        pstats.Stats("/tmp/bench_attention.prof").sort_stats("tottime").print_stats(15)
    else:
        print(f"torch threads: {torch.get_num_threads()}")
        print(HEADER)
        for line in main():
            print(line)
