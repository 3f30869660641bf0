"""``tinynn.utils.data``: datasets, samplers and the DataLoader (mirrors ``torch.utils.data``)."""
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)


def get_worker_info() -> None:
    """Always None: tinynn loads data in the main process (PyTorch returns None there too)."""
    return None
