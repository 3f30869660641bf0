"""Datasets and the DataLoader against ``torch.utils.data``: batching, drop_last, collation
of tensors, numbers, numpy arrays, tuples, dicts and namedtuples, custom collate_fn,
reproducible shuffling with a seeded generator, random_split, WeightedRandomSampler,
an IterableDataset in a DataLoader, and the errors.

Shuffled orders are not compared with PyTorch's (the random streams differ by design);
they are checked to be permutations, reproducible from the seed, and different per epoch.
"""
from __future__ import annotations

from collections import defaultdict, namedtuple

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close
from tinynn.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split


def as_numpy_tree(obj):
    """A batch with every tensor (either library) replaced by its numpy array, for comparison."""
    if isinstance(obj, (tinynn.Tensor, torch.Tensor)):
        return ("tensor", str(obj.dtype).split(".")[-1], obj.detach().cpu().numpy().tolist()
                if isinstance(obj, torch.Tensor) else obj.numpy().tolist())
    if isinstance(obj, dict):
        return {k: as_numpy_tree(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__,) + tuple(as_numpy_tree(v) for v in obj)
    if isinstance(obj, (list, tuple)):
        return type(obj).__name__, [as_numpy_tree(v) for v in obj]
    return obj


def batches(lib, dataset_fn, **kwargs):
    return [as_numpy_tree(b) for b in lib.utils.data.DataLoader(dataset_fn(lib), **kwargs)]


def tensor_dataset(lib):
    return lib.utils.data.TensorDataset(lib.arange(10).reshape(5, 2).float(), lib.arange(5))


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (2, False), (2, True), (5, False), (7, True), (7, False)])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    kwargs = dict(batch_size=batch_size, drop_last=drop_last)
    assert batches(tinynn, tensor_dataset, **kwargs) == batches(torch, tensor_dataset, **kwargs)
    assert len(DataLoader(tensor_dataset(tinynn), **kwargs)) == \
        len(torch.utils.data.DataLoader(tensor_dataset(torch), **kwargs))


SAMPLE_KINDS = {
    "numbers": lambda lib: [(1, 2.0, True), (3, 4.5, False), (5, 6.0, True)],
    "strings_and_dicts": lambda lib: [{"id": "a", "x": [1, 2], "y": 0.5}, {"id": "b", "x": [3, 4], "y": 1.5}],
    "numpy_arrays": lambda lib: [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "numpy_scalars": lambda lib: [np.float32(1.5), np.float32(2.5), np.int64(3)],
    "lists": lambda lib: [[np.float64(1.0), 2], [np.float64(3.0), 4]],
    "tensors_in_dicts": lambda lib: [{"img": lib.ones(3), "label": lib.tensor(1)}, {"img": lib.zeros(3), "label": lib.tensor(0)}],
}


@pytest.mark.parametrize("kind", sorted(SAMPLE_KINDS))
def test_default_collate_matches_torch(kind):
    assert batches(tinynn, SAMPLE_KINDS[kind], batch_size=2) == batches(torch, SAMPLE_KINDS[kind], batch_size=2)


def test_namedtuple_samples_stay_namedtuples():
    Point = namedtuple("Point", ["x", "y"])
    data = lambda lib: [Point(1.0, 2), Point(3.0, 4)]  # noqa: E731
    assert batches(tinynn, data, batch_size=2) == batches(torch, data, batch_size=2)


def test_samples_of_different_lengths_raise_like_torch():
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
            list(lib.utils.data.DataLoader([[1, 2], [3]], batch_size=2))


def test_uncollatable_samples_raise_type_error_like_torch():
    with pytest.raises(TypeError) as ours:
        list(DataLoader([object()]))
    with pytest.raises(TypeError) as theirs:
        list(torch.utils.data.DataLoader([object()]))
    assert str(ours.value) == str(theirs.value)


def test_custom_collate_fn_receives_the_list_of_samples():
    seen = []
    loader = DataLoader(list(range(7)), batch_size=3, collate_fn=lambda samples: seen.append(samples) or len(samples))
    assert list(loader) == [3, 3, 1] and seen == [[0, 1, 2], [3, 4, 5], [6]]


def test_batch_size_none_yields_single_converted_samples_like_torch():
    data = lambda lib: [np.array([1.0, 2.0]), np.array([3.0, 4.0])]  # noqa: E731
    assert batches(tinynn, data, batch_size=None) == batches(torch, data, batch_size=None)


def test_dataloader_without_batching_converts_like_torch():
    """``batch_size=None``: each sample is converted, tuples come back as lists, numpy scalars as tensors."""
    class Pairs:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float64), np.int64(i), float(i), "s"

    ours = list(tinynn.utils.data.DataLoader(Pairs(), batch_size=None))
    theirs = list(torch.utils.data.DataLoader(Pairs(), batch_size=None))
    assert [type(s) for s in ours] == [type(s) for s in theirs] == [list] * 3
    for o, t in zip(ours, theirs):
        assert [type(v).__name__ for v in o] == [type(v).__name__ for v in t]
        assert_close(o[0], t[0])
        assert_close(o[1], t[1])
        assert o[2:] == t[2:]


def test_shuffle_with_a_seeded_generator_is_a_reproducible_permutation():
    data = TensorDataset(tinynn.arange(100))

    def epochs(seed):
        loader = DataLoader(data, batch_size=16, shuffle=True, generator=tinynn.Generator().manual_seed(seed))
        return [np.concatenate([b[0].numpy() for b in loader]) for _ in range(2)]

    first, again, other = epochs(0), epochs(0), epochs(1)
    assert sorted(first[0].tolist()) == list(range(100))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))     # same seed, same epochs
    assert not np.array_equal(first[0], first[1])                        # each epoch reshuffles
    assert not np.array_equal(first[0], other[0])                        # another seed, another order


def test_shuffle_without_generator_follows_manual_seed():
    data = list(range(50))
    tinynn.manual_seed(3)
    a = [int(x) for b in DataLoader(data, batch_size=10, shuffle=True) for x in b]
    tinynn.manual_seed(3)
    b = [int(x) for b in DataLoader(data, batch_size=10, shuffle=True) for x in b]
    assert a == b and sorted(a) == data and a != data


def test_shuffle_keeps_inputs_and_labels_together():
    X = tinynn.arange(40).reshape(20, 2).float()
    y = tinynn.arange(20)
    loader = DataLoader(TensorDataset(X, y), batch_size=6, shuffle=True, generator=tinynn.Generator().manual_seed(0))
    for xb, yb in loader:
        assert_close(xb[:, 0], (yb * 2).float())


def test_drop_last_with_shuffle_drops_the_short_batch():
    loader = DataLoader(list(range(10)), batch_size=4, shuffle=True, drop_last=True,
                        generator=tinynn.Generator().manual_seed(0))
    sizes = [len(b) for b in loader]
    assert sizes == [4, 4] and len(loader) == 2


def test_num_workers_above_zero_is_a_documented_deviation():
    with pytest.raises(NotImplementedError, match="num_workers=0"):
        DataLoader(list(range(3)), num_workers=2)


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.DataLoader(range(3), num_workers=-1),
    lambda lib: lib.utils.data.DataLoader(range(3), shuffle=True, sampler=[0, 1]),
    lambda lib: lib.utils.data.DataLoader(range(3), batch_size=0),
    lambda lib: lib.utils.data.DataLoader(range(3), batch_sampler=[[0, 1]], batch_size=2),
], ids=["negative_workers", "shuffle_and_sampler", "zero_batch", "batch_sampler_and_batch_size"])
def test_loader_option_errors_match_torch(make):
    with pytest.raises(ValueError) as ours:
        make(tinynn)
    with pytest.raises(ValueError) as theirs:
        make(torch)
    assert str(ours.value) == str(theirs.value)


def test_sampler_and_batch_sampler_options():
    assert [b.tolist() for b in DataLoader(list(range(6)), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])] == \
        [[5, 4], [3, 2], [1, 0]]
    assert [b.tolist() for b in DataLoader(list(range(6)), batch_sampler=[[0, 5], [2]])] == [[0, 5], [2]]


def test_tensor_dataset_indexing_and_size_check_like_torch():
    ds = tensor_dataset(tinynn)
    x, y = ds[2]
    assert x.tolist() == [4.0, 5.0] and y.item() == 2 and len(ds) == 5
    for lib in (tinynn, torch):
        with pytest.raises(AssertionError, match="Size mismatch between tensors"):
            lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4))


def test_custom_dataset_subclass():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return float(i * i), i

    xs, ys = next(iter(DataLoader(Squares(), batch_size=5)))
    assert xs.dtype is tinynn.float64 and xs.tolist() == [0.0, 1.0, 4.0, 9.0, 16.0] and ys.tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(NotImplementedError):
        Dataset()[0]


def test_concat_datasets_with_plus():
    both = TensorDataset(tinynn.arange(3)) + TensorDataset(tinynn.arange(3, 5))
    assert len(both) == 5 and both[3][0].item() == 3 and both[-1][0].item() == 4


@pytest.mark.parametrize("lengths, expected", [([3, 7], [3, 7]), ([0.33, 0.33, 0.34], [4, 3, 3]), ([0.5, 0.5], [5, 5])])
def test_random_split_lengths_match_torch(lengths, expected):
    ours = random_split(list(range(10)), lengths, generator=tinynn.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(list(range(10)), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs] == expected
    assert sorted(i for s in ours for i in s.indices) == list(range(10))


def test_random_split_is_reproducible_and_subsets_index_the_dataset():
    a = random_split(list(range(20)), [5, 15], generator=tinynn.Generator().manual_seed(1))
    b = random_split(list(range(20)), [5, 15], generator=tinynn.Generator().manual_seed(1))
    assert a[0].indices == b[0].indices and isinstance(a[0], Subset)
    assert [a[0][i] for i in range(5)] == a[0].indices


def test_random_split_bad_lengths_raise_like_torch():
    for lengths in ([3, 3], [0.5, 0.6]):
        with pytest.raises(ValueError) as ours:
            random_split(list(range(10)), lengths)
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.random_split(list(range(10)), lengths)
        assert str(ours.value) == str(theirs.value)


def test_subset_of_tensor_dataset_batches_like_torch():
    def loader(lib):
        return lib.utils.data.DataLoader(lib.utils.data.Subset(tensor_dataset(lib), [4, 0, 2]), batch_size=2)

    assert [as_numpy_tree(b) for b in loader(tinynn)] == [as_numpy_tree(b) for b in loader(torch)]


# -- WeightedRandomSampler and IterableDataset -----------------------------------------------
def test_weighted_random_sampler_draws_by_weight():
    weights = [0.0, 1.0, 3.0, 0.0, 6.0]
    sampler = tinynn.utils.data.WeightedRandomSampler(weights, num_samples=20000,
                                                      generator=tinynn.Generator().manual_seed(0))
    draws = np.array(list(sampler))
    assert len(sampler) == len(draws) == 20000
    counts = np.bincount(draws, minlength=5) / len(draws)
    assert counts[0] == counts[3] == 0.0
    np.testing.assert_allclose(counts, np.array(weights) / 10, atol=0.02)  # sampling noise ~0.004
    again = tinynn.utils.data.WeightedRandomSampler(weights, 20000, generator=tinynn.Generator().manual_seed(0))
    assert list(again) == draws.tolist()
    assert sampler.weights.dtype == tinynn.float64
    without = tinynn.utils.data.WeightedRandomSampler(weights, 3, replacement=False)
    assert sorted(without) == [1, 2, 4]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_weighted_random_sampler_errors_match_torch(lib):
    sampler_cls = lib.utils.data.WeightedRandomSampler
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        sampler_cls([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=1"):
        sampler_cls([1.0, 2.0], 2, replacement=1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        sampler_cls([[1.0, 2.0]], 2)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        list(sampler_cls([1.0, 0.0, 2.0], 4, replacement=False))
    assert sorted(sampler_cls([1.0, 0.0, 2.0], 3, replacement=False))[1:] == [1, 2]
    assert list(sampler_cls([1.0, 0.0, 2.0], 3, replacement=False))[2] == 1  # the zero weight comes last


def make_stream(lib, n: int, with_len: bool):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            assert lib.utils.data.get_worker_info() is None
            return iter([(lib.tensor([float(i), float(i * i)]), i) for i in range(n)])

    if with_len:
        Stream.__len__ = lambda self: n
    return Stream()


def stream_batches(lib, **kwargs) -> list:
    loader = lib.utils.data.DataLoader(make_stream(lib, 7, True), **kwargs)
    out = [(x.tolist(), y.tolist() if hasattr(y, "tolist") else y) for x, y in loader]
    return out, len(loader)


@pytest.mark.parametrize("kwargs", [{}, dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=7), dict(batch_size=None)])
def test_iterable_dataset_in_a_dataloader_matches_torch(kwargs):
    assert stream_batches(tinynn, **kwargs) == stream_batches(torch, **kwargs)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_iterable_dataset_errors_match_torch(lib):
    data = make_stream(lib, 4, False)
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        lib.utils.data.DataLoader(data, shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        lib.utils.data.DataLoader(data, sampler=[0, 1])
    with pytest.raises(TypeError):
        len(lib.utils.data.DataLoader(data))
    chained = make_stream(lib, 2, True) + make_stream(lib, 3, True)
    assert isinstance(chained, lib.utils.data.ChainDataset) and len(chained) == 5
    assert [y for _, y in chained] == [0, 1, 0, 1, 2]


class TaggedList(list):
    """A list subclass: default_collate keeps the samples' sequence type."""


COLLATE_CONTAINERS = {
    "strings_in_tuples_stay_a_tuple": lambda lib: [(1, "a"), (2, "b")],
    "strings_in_namedtuples_stay_a_tuple": lambda lib: [Pair(1, "a"), Pair(2, "b")],
    "strings_in_lists_stay_a_tuple": lambda lib: [[1, "a"], [2, "b"]],
    "list_subclass_keeps_its_type": lambda lib: [TaggedList([1, 2]), TaggedList([3, 4])],
    "defaultdict_keeps_its_type": lambda lib: [defaultdict(int, a=1), defaultdict(int, a=2)],
    "tensors_of_two_dtypes_promote": lambda lib: [lib.tensor([1]), lib.tensor([1.5])],
}
Pair = namedtuple("Pair", "x label")


@pytest.mark.parametrize("kind", sorted(COLLATE_CONTAINERS))
def test_default_collate_output_containers_match_torch(kind):
    results = [lib.utils.data.default_collate(COLLATE_CONTAINERS[kind](lib)) for lib in (tinynn, torch)]
    assert type(results[0]).__name__ == type(results[1]).__name__
    assert as_numpy_tree(results[0]) == as_numpy_tree(results[1])  # a tuple of strings stays one


@pytest.mark.parametrize("samples", [
    lambda lib: [lib.ones(2), lib.ones(3)],
    lambda lib: [np.ones(2), np.ones(3)],
], ids=["tensors", "numpy_arrays"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_default_collate_of_different_shapes_raises_stack_error_like_torch(lib, samples):
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        lib.utils.data.default_collate(samples(lib))


@pytest.mark.parametrize("array", [np.array(["a"]), np.array([1, "a"], dtype=object)], ids=["str", "object"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_default_collate_of_string_or_object_arrays_names_the_dtype_like_torch(lib, array):
    with pytest.raises(TypeError, match=f"found {array.dtype}$"):
        lib.utils.data.default_collate([array, array])


@pytest.mark.parametrize("kwargs", [dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True)],
                         ids=["negative_timeout", "prefetch_factor", "persistent_workers"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_worker_options_without_workers_raise_like_torch(lib, kwargs):
    with pytest.raises(ValueError):
        lib.utils.data.DataLoader(tensor_dataset(lib), **kwargs)


@pytest.mark.parametrize("name", ["batch_size", "sampler", "batch_sampler", "drop_last", "dataset"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_setting_batching_options_after_construction_raises_like_torch(lib, name):
    loader = lib.utils.data.DataLoader(tensor_dataset(lib), batch_size=2)
    with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
        setattr(loader, name, None)
    loader.collate_fn = lambda batch: batch  # the other attributes stay settable


@pytest.mark.parametrize("lengths", [[-0.5, 1.5], [1.5, -0.5]])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_random_split_fraction_outside_0_1_raises_like_torch(lib, lengths):
    with pytest.raises(ValueError, match="is not between 0 and 1"):
        lib.utils.data.random_split(range(10), lengths)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_random_split_warns_about_an_empty_split_like_torch(lib):
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        subsets = lib.utils.data.random_split(range(1), [0.5, 0.5])
    assert [len(s) for s in subsets] == [1, 0]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_random_sampler_non_bool_replacement_raises_type_error_like_torch(lib):
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        lib.utils.data.RandomSampler(range(5), replacement=1)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_concat_dataset_refuses_an_iterable_dataset_like_torch(lib):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        lib.utils.data.ConcatDataset([range(2), Stream()])
