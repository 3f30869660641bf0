"""``nn.utils.rnn`` against PyTorch: pad_sequence, pack_padded_sequence (enforce_sorted both
ways, batch_first), pad_packed_sequence (total_length, padding_value), pack_sequence,
unpack/unpad; gradients through packing; PackedSequence fed to RNN/LSTM/GRU (outputs, final
states in the caller's batch order, gradients of input, states and every parameter); errors.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as torch_rnn

import tinynn
import tinynn.nn.utils.rnn as tinynn_rnn
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]
LIBS = {"torch": torch_rnn, "tinynn": tinynn_rnn}

pytestmark = pytest.mark.filterwarnings(
    "ignore:LSTM with projections is not supported with oneDNN:UserWarning")


def utils(lib):
    return LIBS[lib.__name__]


LENGTH_CASES = {"sorted": ([5, 4, 4, 2, 1], True), "unsorted": ([2, 5, 1, 4, 4], False),
                "sorted_but_not_enforced": ([5, 4, 4, 2, 1], False), "ties": ([3, 5, 3, 5, 3], False),
                "all_equal": ([5, 5, 5, 5, 5], True), "shorter_than_T": ([3, 1, 2, 3, 2], False)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("case", sorted(LENGTH_CASES))
def test_pack_padded_sequence_matches_torch(case, batch_first, dtype, device):
    lengths, enforce_sorted = LENGTH_CASES[case]
    shape = (5, 5, 3) if batch_first else (5, 5, 3)

    def fn(lib, x):
        packed = utils(lib).pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        return packed.data

    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)
    for lib in (torch, tinynn):
        packed = utils(lib).pack_padded_sequence(lib.zeros(*shape), lengths, batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
        if lib is torch:
            expected = packed
        else:
            assert_close(packed.batch_sizes, expected.batch_sizes, name="batch_sizes")
            assert packed.batch_sizes.dtype == tinynn.int64
            for name in ("sorted_indices", "unsorted_indices"):
                if getattr(expected, name) is None:
                    assert getattr(packed, name) is None
                else:
                    assert_close(getattr(packed, name), getattr(expected, name), name=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [None, 7])
@pytest.mark.parametrize("case", ["sorted", "unsorted", "ties"])
def test_pad_packed_sequence_round_trip_matches_torch(case, batch_first, total_length, dtype, device):
    lengths, enforce_sorted = LENGTH_CASES[case]

    def fn(lib, x):
        packed = utils(lib).pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        padded, out_lengths = utils(lib).pad_packed_sequence(packed, batch_first=batch_first, padding_value=-2.5,
                                                             total_length=total_length)
        return padded * 2, out_lengths

    compare_with_torch(fn, randn(5, 5, 2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side, dtype, device):
    def fn(lib, a, b, c):
        return utils(lib).pad_sequence([a, b, c], batch_first=batch_first, padding_value=0.5,
                                       padding_side=padding_side)

    compare_with_torch(fn, randn(3, 2), randn(5, 2, seed=1), randn(1, 2, seed=2), dtype=dtype, device=device)
    compare_with_torch(lambda lib, a, b: utils(lib).pad_sequence([a, b], batch_first=batch_first),
                       randn(2), randn(4, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_sequence_and_unpack(enforce_sorted):
    seqs = [randn(4, 2), randn(3, 2, seed=1), randn(1, 2, seed=2)]
    if not enforce_sorted:
        seqs = [seqs[1], seqs[2], seqs[0]]

    def fn(lib, *xs):
        packed = utils(lib).pack_sequence(list(xs), enforce_sorted=enforce_sorted)
        return (packed.data,) + tuple(utils(lib).unpack_sequence(packed))

    compare_with_torch(fn, *seqs, dtype="float64")


def test_unpad_sequence():
    def fn(lib, x):
        return tuple(utils(lib).unpad_sequence(x, lib.tensor([3, 1, 2]), batch_first=True))

    compare_with_torch(fn, randn(3, 4, 2), dtype="float64")


def test_packed_sequence_is_a_named_tuple_with_to():
    packed = tinynn_rnn.pack_padded_sequence(tinynn.zeros(3, 2, 1), [3, 2])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert sorted_indices is None and unsorted_indices is None
    assert packed.double().data.dtype == tinynn.float64 and packed.to(tinynn.float64).data.dtype == tinynn.float64
    assert tinynn.nn.utils.rnn.PackedSequence is tinynn_rnn.PackedSequence
    assert type(packed.data.grad_fn).__name__ == "NoneType"
    x = tinynn.zeros(3, 2, 1, requires_grad=True)
    assert type(tinynn_rnn.pack_padded_sequence(x, [3, 2]).data.grad_fn).__name__ == "PackPaddedSequenceBackward0"


# ---- PackedSequence through the recurrent modules ----

MODULES = [("RNN", {}), ("RNN", dict(nonlinearity="relu", num_layers=2)), ("LSTM", {}),
           ("LSTM", dict(num_layers=2, bidirectional=True)), ("LSTM", dict(proj_size=2, bidirectional=True)),
           ("GRU", {}), ("GRU", dict(num_layers=2, bidirectional=True, bias=False))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,kwargs", MODULES)
@pytest.mark.parametrize("case", ["sorted", "unsorted", "ties"])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_modules_on_packed_sequences(cls, kwargs, case, with_state, dtype):
    lengths, enforce_sorted = LENGTH_CASES[case]
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(3, 4, dtype=getattr(torch, dtype), **kwargs)
    ours = getattr(tinynn.nn, cls)(3, 4, dtype=getattr(tinynn, dtype), **kwargs)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    widths = [kwargs.get("proj_size") or 4] + ([4] if cls == "LSTM" else [])
    states = [randn(layers, 5, w, seed=10 + k) for k, w in enumerate(widths)] if with_state else []
    modules = {"torch": theirs, "tinynn": ours}

    def fn(lib, x, *hs):
        packed = utils(lib).pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        module = modules[lib.__name__]
        hx = None if not hs else (hs[0] if len(hs) == 1 else tuple(hs))
        out, final = module(packed) if hx is None else module(packed, hx)
        padded, _ = utils(lib).pad_packed_sequence(out)
        finals = final if isinstance(final, tuple) else (final,)
        return (out.data, padded) + finals

    compare_with_torch(fn, randn(5, 5, 3), *states, dtype=dtype)
    # and every parameter's gradient (compare_with_torch checked the inputs')
    for name, p in theirs.named_parameters():
        assert_close(ours.get_parameter(name).grad, p.grad, name=f"grad of {name}")


def test_final_state_is_each_sequences_last_real_step():
    """h_n of a packed batch equals the output at each sequence's own last step, in caller order."""
    gru = tinynn.nn.GRU(3, 4, dtype=tinynn.float64)
    lengths = [2, 5, 3]
    packed = tinynn_rnn.pack_padded_sequence(tinynn.tensor(randn(5, 3, 3)), lengths, enforce_sorted=False)
    out, h_n = gru(packed)
    padded, out_lengths = tinynn_rnn.pad_packed_sequence(out)
    assert out_lengths.tolist() == lengths
    for b, n in enumerate(lengths):
        assert_close(h_n[0, b], padded[n - 1, b])
        assert np.all(padded[n:, b].detach().numpy() == 0)


# ---- errors ----

def both_raise(fn):
    ours, theirs = assert_same_error(fn)
    # the same message, or PyTorch's first words followed by tinynn's details
    assert str(ours).startswith(str(theirs).split(",")[0])


@pytest.mark.parametrize("lengths,enforce_sorted", [([2, 4, 1], True), ([4, 0, 1], True), ([4, 2], True),
                                                    ([4, 2, 1, 1], False)])
def test_pack_errors(lengths, enforce_sorted):
    both_raise(lambda lib: utils(lib).pack_padded_sequence(lib.zeros(4, 3, 1), lengths, enforce_sorted=enforce_sorted))


def test_fewer_lengths_than_the_batch_without_enforce_sorted_takes_the_first_sequences():
    compare_with_torch(lambda lib, x: utils(lib).pack_padded_sequence(x, [2, 4], enforce_sorted=False).data,
                       randn(4, 3, 2), dtype="float64")


def test_length_beyond_padded_length_is_an_error():
    with pytest.raises(RuntimeError, match="larger than the padded sequence length"):
        tinynn_rnn.pack_padded_sequence(tinynn.zeros(4, 2, 1), [5, 2])


def test_pad_packed_total_length_too_short():
    both_raise(lambda lib: utils(lib).pad_packed_sequence(
        utils(lib).pack_padded_sequence(lib.zeros(4, 2, 1), [4, 2]), total_length=3))


def test_pad_sequence_errors():
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        tinynn_rnn.pad_sequence([])
    with pytest.raises(RuntimeError, match="trailing shape"):
        tinynn_rnn.pad_sequence([tinynn.zeros(2, 3), tinynn.zeros(4, 2)])


def test_packed_hidden_state_with_wrong_batch():
    both_raise(lambda lib: lib.nn.GRU(1, 2)(utils(lib).pack_padded_sequence(lib.zeros(4, 2, 1), [4, 2]),
                                            lib.zeros(1, 3, 2)))


def _classifier_program(torch, weights=None):
    """A typical PyTorch text classifier: padded ids, packed, 2-layer bidirectional LSTM."""
    nn, utils = torch.nn, torch.nn.utils.rnn
    torch.manual_seed(0)

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(30, 8, padding_idx=0)
            self.lstm = nn.LSTM(8, 6, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
            self.fc = nn.Linear(12, 3)
            for name, param in self.lstm.named_parameters():
                if "weight_hh" in name:
                    nn.init.orthogonal_(param)
                elif "bias" in name:
                    param.data.fill_(0)
                    param.data[param.size(0) // 4:param.size(0) // 2].fill_(1.0)  # forget gate

        def forward(self, x, lengths):
            packed = utils.pack_padded_sequence(self.embedding(x), lengths.cpu(), batch_first=True,
                                                enforce_sorted=False)
            packed_out, (h, c) = self.lstm(packed)
            out, out_lengths = utils.pad_packed_sequence(packed_out, batch_first=True)
            return self.fc(torch.cat((h[-2], h[-1]), dim=1)), out, out_lengths

    rng = np.random.default_rng(0)
    seqs = [torch.tensor(rng.integers(1, 30, n)) for n in [5, 3, 7, 2]]
    x = utils.pad_sequence(seqs, batch_first=True, padding_value=0)
    model = Classifier()
    if weights is not None:
        model.load_state_dict(weights)
    model.eval()
    logits, out, out_lengths = model(x, torch.tensor([len(s) for s in seqs]))
    nn.functional.cross_entropy(logits, torch.tensor([0, 2, 1, 0])).backward()
    return model, logits, out, out_lengths


def test_a_typical_packed_classifier_runs_unchanged_and_matches_torch():
    theirs, *expected = _classifier_program(torch)
    ours, *got = _classifier_program(tinynn, state_dict_from_torch(theirs.state_dict()))
    for a, b in zip(got, expected):
        assert_close(a, b)
    for name, p in theirs.named_parameters():
        assert_close(ours.get_parameter(name).grad, p.grad, name=f"grad of {name}")
    assert np.all(ours.embedding.weight.grad.numpy()[0] == 0)  # padding_idx
