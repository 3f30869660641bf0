"""``F.embedding`` and ``nn.Embedding`` against PyTorch: outputs and weight gradients (float32
and float64), repeated ids, padding_idx (a zero gradient), scale_grad_by_freq, max_norm,
from_pretrained (freeze, padding_idx that does not zero the row), init, repr, state_dict both
ways, second derivatives, and error parity (out-of-range ids, float ids, bad padding_idx).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]

IDS = np.array([[1, 4, 4, 0], [9, 4, 1, 2]])  # repeated ids: their gradients must add up


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(padding_idx=4), dict(padding_idx=-1),
                                    dict(scale_grad_by_freq=True),
                                    dict(scale_grad_by_freq=True, padding_idx=1)],
                         ids=["plain", "padding_idx", "padding_idx_negative", "scale_grad_by_freq",
                              "scale_and_padding"])
def test_functional_embedding_matches_torch(kwargs, dtype, device):
    compare_with_torch(lambda lib, w, i: lib.nn.functional.embedding(i, w, **kwargs),
                       randn(10, 3), IDS, dtype=dtype, device=device)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4), (0,)])
def test_any_index_shape(shape, device):
    ids = np.random.default_rng(1).integers(0, 7, size=shape)
    compare_with_torch(lambda lib, w, i: lib.nn.functional.embedding(i, w), randn(7, 2), ids,
                       dtype="float64", device=device)


def test_int32_indices():
    w = tinynn.tensor(randn(6, 2), requires_grad=True)
    out = tinynn.nn.functional.embedding(tinynn.tensor([1, 5], dtype=tinynn.int32), w)
    assert out.shape == (2, 2)
    assert_close(out, w.detach()[[1, 5]])


def test_gradient_is_a_scatter_add_of_repeated_rows():
    w = tinynn.tensor(randn(5, 2), requires_grad=True)
    tinynn.nn.functional.embedding(tinynn.tensor([3, 3, 3, 0]), w).sum().backward()
    assert np.array_equal(w.grad.numpy(), np.array([[1, 1], [0, 0], [0, 0], [3, 3], [0, 0]], float))


def test_padding_row_gets_zero_gradient_but_its_value_is_used():
    emb = tinynn.nn.Embedding(5, 2, padding_idx=0)
    assert np.all(emb.weight.detach().numpy()[0] == 0)
    with tinynn.no_grad():
        emb.weight[0] = tinynn.tensor([1.0, 2.0])
    out = emb(tinynn.tensor([0, 0, 2]))
    assert np.array_equal(out.detach().numpy()[0], np.array([1.0, 2.0], np.float32))
    out.sum().backward()
    assert np.all(emb.weight.grad.numpy()[0] == 0)
    assert np.all(emb.weight.grad.numpy()[2] == 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_module_matches_torch_with_state_dict_both_ways(dtype):
    torch_dtype = getattr(torch, dtype)
    theirs = torch.nn.Embedding(10, 4, padding_idx=2, dtype=torch_dtype)
    ours = tinynn.nn.Embedding(10, 4, padding_idx=2, dtype=getattr(tinynn, dtype))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    ids = np.array([[2, 3, 3], [9, 2, 0]])
    out_t, out_o = theirs(torch.tensor(ids)), ours(tinynn.tensor(ids))
    assert_close(out_o, out_t)
    g = randn(2, 3, 4, seed=3).astype(dtype)
    out_t.backward(torch.tensor(g))
    out_o.backward(tinynn.tensor(g))
    assert_close(ours.weight.grad, theirs.weight.grad)
    # and back: a fresh PyTorch module loads tinynn's weights
    again = torch.nn.Embedding(10, 4, padding_idx=2, dtype=torch_dtype)
    again.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in ours.state_dict().items()})
    assert_close(again.weight, ours.weight)


def test_init_is_standard_normal_with_padding_row_zero():
    tinynn.manual_seed(0)
    w = tinynn.nn.Embedding(2000, 50, padding_idx=-3).weight.detach().numpy()
    assert w.dtype == np.float32
    assert np.all(w[1997] == 0)
    rest = np.delete(w, 1997, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01  # 99,950 samples: 5 sigma ~ 0.02/sqrt(...)


def test_attributes_and_repr_match_torch():
    for kwargs in [{}, dict(padding_idx=-1), dict(max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)]:
        t, o = torch.nn.Embedding(5, 3, **kwargs), tinynn.nn.Embedding(5, 3, **kwargs)
        assert repr(o) == repr(t)
        assert o.padding_idx == t.padding_idx
        assert (o.num_embeddings, o.embedding_dim) == (t.num_embeddings, t.embedding_dim)


def test_from_pretrained_freeze_and_padding_idx_does_not_zero_the_row():
    table = randn(4, 2)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), padding_idx=1)
    ours = tinynn.nn.Embedding.from_pretrained(tinynn.tensor(table), padding_idx=1)
    assert repr(ours) == repr(theirs)
    assert ours.weight.requires_grad is theirs.weight.requires_grad is False
    assert_close(ours.weight, theirs.weight)  # row 1 is kept, not zeroed
    assert np.all(ours.weight.detach().numpy()[1] == table[1])

    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, padding_idx=1)
    ours = tinynn.nn.Embedding.from_pretrained(tinynn.tensor(table), freeze=False, padding_idx=1)
    ids = np.array([1, 2, 1, 3])
    theirs(torch.tensor(ids)).pow(2).sum().backward()
    ours(tinynn.tensor(ids)).pow(2).sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad)
    assert np.all(ours.weight.grad.numpy()[1] == 0)


def test_from_pretrained_shares_the_tensor():
    table = tinynn.randn(3, 2)
    emb = tinynn.nn.Embedding.from_pretrained(table)
    with tinynn.no_grad():
        table[0, 0] = 42.0
    assert emb.weight[0, 0].item() == 42.0


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_max_norm_renormalises_the_rows_it_reads_in_place(norm_type):
    table = randn(6, 3) * 3
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, max_norm=1.5,
                                                norm_type=norm_type)
    ours = tinynn.nn.Embedding.from_pretrained(tinynn.tensor(table), freeze=False, max_norm=1.5,
                                               norm_type=norm_type)
    ids = np.array([0, 2, 2, 5])
    out_t, out_o = theirs(torch.tensor(ids)), ours(tinynn.tensor(ids))
    assert_close(out_o, out_t)
    assert_close(ours.weight, theirs.weight)  # rows 1, 3, 4 untouched, the others rescaled
    assert np.array_equal(ours.weight.detach().numpy()[[1, 3, 4]], table[[1, 3, 4]])
    out_t.sum().backward()
    out_o.sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad)


def test_embedding_gradcheck_and_gradgradcheck():
    w = tinynn.tensor(randn(6, 3), requires_grad=True)
    ids = tinynn.tensor([[0, 5, 5], [2, 0, 1]])
    fn = lambda w: tinynn.nn.functional.embedding(ids, w).tanh()  # noqa: E731
    assert gradcheck(fn, (w,))
    assert gradgradcheck(fn, (w,))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer the
    # derivative, so a numerical check must disagree): those are compared with PyTorch above.
    # Their backward is still linear in grad_output, and its own backward must be its adjoint.
    for kwargs in [dict(padding_idx=5), dict(scale_grad_by_freq=True)]:
        g = tinynn.tensor(randn(2, 3, 3, seed=4), requires_grad=True)
        v = tinynn.tensor(randn(6, 3, seed=5))
        out = tinynn.nn.functional.embedding(ids, w, **kwargs)
        (gw,) = tinynn.autograd.grad(out, w, g, create_graph=True)
        (gg,) = tinynn.autograd.grad(gw, g, v)
        # <J^T g, v> = <g, J v>: the second backward applied to v, dotted with g
        assert np.isclose(float((gw * v).sum()), float((g * gg).sum()), rtol=1e-12)


def test_grad_fn_name_matches_torch():
    w = tinynn.randn(3, 2, requires_grad=True)
    out = tinynn.nn.functional.embedding(tinynn.tensor([0, 1]), w)
    assert type(out.grad_fn).__name__ == "EmbeddingBackward0"


# ---- errors: PyTorch's exception types, messages that start as PyTorch's ----

def _both_raise(fn):
    """The same exception type, and tinynn's message starts as PyTorch's (its first 40 characters)."""
    ours, theirs = assert_same_error(fn)
    assert str(ours).startswith(str(theirs).split(" (")[0][:40])
    return ours


@pytest.mark.parametrize("weight_shape, ids", [((0, 3), 0), ((0, 0), [0]), ((0, 3), [[0]]),
                                                ((1, 0), 1), ((3, 0), [-1])])  # rows of no values
def test_bad_index_into_an_empty_table_is_a_runtime_error_like_torch(weight_shape, ids):
    """Any index into a table of no rows, or one out of range in a table of rows of no values."""
    assert_same_error(lambda lib: lib.nn.functional.embedding(lib.tensor(ids), lib.zeros(weight_shape)))
    # (no index at all is fine)
    assert tinynn.nn.functional.embedding(tinynn.tensor([], dtype=tinynn.int64), tinynn.zeros(0, 3)).shape == (0, 3)


@pytest.mark.parametrize("ids", [[7], [-1], [[0, 9]]])
def test_out_of_range_index_is_an_index_error(ids):
    err = _both_raise(lambda lib: lib.nn.functional.embedding(lib.tensor(ids), lib.zeros(7, 2)))
    assert "index out of range in self" in str(err)


@pytest.mark.parametrize("make", [lambda lib: lib.tensor([1.0]), lambda lib: lib.tensor([True])],
                         ids=["float", "bool"])
def test_non_integer_indices_raise_runtime_error(make):
    err = _both_raise(lambda lib: lib.nn.functional.embedding(make(lib), lib.zeros(4, 2)))
    assert "Long, Int" in str(err)


def test_bad_weight_and_padding_idx():
    _both_raise(lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.zeros(4)))
    _both_raise(lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.zeros(4, 2), padding_idx=4))
    for p in [5, -6]:
        _both_raise(lambda lib: lib.nn.Embedding(5, 3, padding_idx=p))
    _both_raise(lambda lib: lib.nn.Embedding.from_pretrained(lib.zeros(4)))


def test_module_out_of_range_index():
    emb = tinynn.nn.Embedding(3, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(tinynn.tensor([3]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.embedding(lib.tensor([0]), lib.zeros(0), padding_idx=1),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0]), lib.zeros(3), padding_idx=-4),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0]), lib.zeros(0, 2), padding_idx=0),
    lambda lib: lib.nn.Embedding(0, 2, padding_idx=0),
], ids=["1d_weight_padding_idx_beyond", "1d_weight_negative_padding_idx_beyond", "no_rows_padding_idx_0",
        "module_no_rows_padding_idx_0"])
def test_padding_idx_is_checked_before_the_weights_rank_like_torch(call):
    """PyTorch checks a padding_idx other than 0 against weight.size(0) first (an
    AssertionError), then the weight's rank; a padding_idx of 0 is not checked."""
    assert_same_error(call)
