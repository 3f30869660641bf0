"""The functions that chapter 7 (07_faq.ipynb) runs in other processes.

They live in a module, not in the notebook, because the processes are started with
"spawn": a fresh Python interpreter that imports this module and unpickles its
arguments. Forking a Jupyter kernel is not safe: the kernel runs several threads, and a
child forked while one of them holds a lock can wait on it forever.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as TF

import tinynn
import tinynn.nn.functional as NF


def digits_mlp(lib):
    """The 64-32-10 MLP of chapter 7, in ``lib`` (torch or tinynn)."""
    nn = lib.nn
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def flat_grad(model) -> torch.Tensor:
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def ddp_worker(rank, world_size, port, state, x, y, out):
    """One DDP process: its share of (x, y); writes its all-reduced gradient to out[rank]."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}",
                            rank=rank, world_size=world_size)
    model = digits_mlp(torch).double()
    model.load_state_dict(state)
    ddp_model = torch.nn.parallel.DistributedDataParallel(model)
    share = len(x) // world_size
    mine = slice(rank * share, (rank + 1) * share)
    TF.cross_entropy(ddp_model(x[mine]), y[mine]).backward()   # all-reduce in here
    out[rank] = flat_grad(model)
    dist.destroy_process_group()


def tinynn_worker(rank, pipe, results, state, x, y):
    """All-reduce by hand: send my gradient to the other process, average with theirs.

    ``state`` holds numpy arrays: tinynn tensors refuse to be pickled.
    """
    model = digits_mlp(tinynn).double()
    model.load_state_dict({name: tinynn.tensor(value) for name, value in state.items()})
    share = len(x) // 2
    mine = slice(rank * share, (rank + 1) * share)
    NF.cross_entropy(model(tinynn.tensor(x[mine])), tinynn.tensor(y[mine])).backward()
    grads = [p.grad.numpy() for p in model.parameters()]
    pipe.send(grads)
    theirs = pipe.recv()
    # Both add rank 0's gradient first, so both get the same bits.
    averaged = [(g + h) / 2 if rank == 0 else (h + g) / 2
                for g, h in zip(grads, theirs)]
    results.put((rank, np.concatenate([a.ravel() for a in averaged])))


def hogwild_worker(rank, model, x, y, steps):
    """SGD on (x, y) that writes straight into the shared parameters, without a lock."""
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(rank)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        batch = torch.randint(len(x), (32,), generator=generator)
        optimizer.zero_grad()
        TF.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
