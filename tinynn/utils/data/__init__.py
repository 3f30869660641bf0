"""``tinynn.utils.data``: datasets, samplers and the DataLoader (mirrors ``torch.utils.data``)."""
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
