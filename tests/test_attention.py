"""``F.scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention`` against PyTorch.

Outputs, attention weights and the gradients of every input, mask and parameter are compared
after copying PyTorch's weights with ``load_state_dict``, in float32 and float64 (tolerances:
``tinynn.testing.TOLERANCES``, PyTorch's own ``assert_close`` defaults). Masks of every kind:
boolean and float, broadcast over batch and heads, causal with L != S, fully masked rows
(SDPA gives 0, ``MultiheadAttention`` with weights gives nan, as PyTorch). Errors: the
exception type PyTorch raises, with a message that names the shapes.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]


def bool_mask(*shape: int, seed: int = 0, p: float = 0.3) -> np.ndarray:
    return np.random.default_rng(seed).random(shape) > p


def sdpa(lib):
    return lib.nn.functional.scaled_dot_product_attention


# -- scaled dot-product attention ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 4, 5, 8), (4, 5, 8), (3, 6, 6, 8), (1, 2, 3, 7, 4, 8)])
def test_sdpa_plain_matches_torch(shape, dtype, device):
    *lead, L, S, E = shape
    q, k, v = randn(*lead, L, E, seed=1), randn(*lead, S, E, seed=2), randn(*lead, S, E, seed=3)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v), q, k, v, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape", [(4, 5), (2, 1, 4, 5), (1, 3, 4, 5), (2, 3, 4, 5), (1, 5), (3, 1, 5)])
def test_sdpa_bool_mask_broadcasts_over_batch_and_heads(mask_shape, dtype, device):
    q, k, v = randn(2, 3, 4, 8, seed=1), randn(2, 3, 5, 8, seed=2), randn(2, 3, 5, 6, seed=3)
    mask = bool_mask(*mask_shape, seed=4)
    compare_with_torch(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m), q, k, v, mask,
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape", [(4, 5), (2, 1, 4, 5), (2, 3, 4, 5)])
def test_sdpa_float_mask_is_added_and_gets_a_gradient(mask_shape, dtype, device):
    q, k, v = randn(2, 3, 4, 8, seed=1), randn(2, 3, 5, 8, seed=2), randn(2, 3, 5, 8, seed=3)
    mask = randn(*mask_shape, seed=5)
    mask[..., 0, 1] = -np.inf
    compare_with_torch(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m), q, k, v, mask,
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("L,S", [(5, 5), (3, 6), (6, 3)])
def test_sdpa_is_causal_is_tril_of_L_by_S(L, S, dtype, device):
    q, k, v = randn(2, 2, L, 4, seed=1), randn(2, 2, S, 4, seed=2), randn(2, 2, S, 4, seed=3)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v, is_causal=True), q, k, v,
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_is_causal_and_mask_together_combine(dtype, device):
    q, k, v = randn(2, 2, 4, 4, seed=1), randn(2, 2, 5, 4, seed=2), randn(2, 2, 5, 4, seed=3)
    mask = bool_mask(4, 5, seed=7, p=0.5)
    compare_with_torch(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m, is_causal=True), q, k, v,
                       mask, dtype=dtype, device=device)
    # A float mask that does not require grad combines too (PyTorch's math path, taken when the
    # mask requires grad, raises instead; tinynn always combines).
    fmask = randn(4, 5, seed=8)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v, is_causal=True,
                                                      attn_mask=lib.tensor(fmask, dtype=q.dtype, device=q.device)),
                       q, k, v, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_scale_and_value_width(dtype, device):
    q, k, v = randn(2, 4, 8, seed=1), randn(2, 5, 8, seed=2), randn(2, 5, 3, seed=3)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v, scale=0.7), q, k, v, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_row_gives_zero_and_zero_gradient(kind, dtype, device):
    q, k, v = randn(2, 2, 4, 4, seed=1), randn(2, 2, 5, 4, seed=2), randn(2, 2, 5, 4, seed=3)
    if kind == "bool":
        mask = bool_mask(4, 5, seed=3)
        mask[1] = False
        mask[:, 0] = True
        mask[1] = False
    else:
        mask = randn(4, 5, seed=3)
        mask[1] = -np.inf
    compare_with_torch(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m), q, k, v, mask,
                       dtype=dtype, device=device)
    out = sdpa(tinynn)(tinynn.tensor(q), tinynn.tensor(k), tinynn.tensor(v), attn_mask=tinynn.tensor(mask))
    assert np.all(out.detach().numpy()[:, :, 1] == 0) and np.all(np.isfinite(out.detach().numpy()))


def test_sdpa_gqa_matches_torch(device):
    q, k, v = randn(2, 4, 3, 8, seed=1), randn(2, 2, 5, 8, seed=2), randn(2, 2, 5, 8, seed=3)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v, enable_gqa=True), q, k, v,
                       dtype="float64", device=device)


def test_sdpa_dropout_keeps_expectation_and_zeroes_with_p_1():
    tinynn.manual_seed(0)
    q, k = tinynn.randn(1, 1, 3, 4), tinynn.randn(1, 1, 6, 4)
    v = tinynn.ones(1, 1, 6, 1)                     # output = sum of the kept, rescaled weights
    outs = np.stack([sdpa(tinynn)(q, k, v, dropout_p=0.5).detach().numpy() for _ in range(4000)])
    assert np.abs(outs.mean(0) - 1.0).max() < 0.05  # E[sum_i m_i w_i / (1-p)] = sum_i w_i = 1
    assert outs.std(0).min() > 0.1                  # and it is random
    assert np.all(sdpa(tinynn)(q, k, v, dropout_p=1.0).detach().numpy() == 0)


def test_sdpa_second_order_gradient_matches_torch():
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 4, seed=3)

    def run(lib):
        ts = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (q, k, v)]
        out = sdpa(lib)(*ts, is_causal=True)
        g, = lib.autograd.grad((out * out).sum(), ts[0], create_graph=True)
        g.pow(2).sum().backward()
        return [t.grad for t in ts]

    for ours, theirs in zip(run(tinynn), run(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("mask_kind", ["float", "bool"])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 2, 2, 3, 4)], ids=["2-D", "3-D", "5-D"])
@pytest.mark.parametrize("mask_shape", [(), (5,)], ids=["0-D mask", "1-D mask"])
def test_sdpa_mask_of_fewer_than_two_dims_broadcasts_for_inputs_not_4d(mask_shape, shape, mask_kind):
    """PyTorch's kernel for these ranks broadcasts a (S,) or 0-D mask over the queries (only
    the fused kernel for 4-D inputs raises IndexError: see test_sdpa_errors_match_torch).
    float64 tolerances."""
    *lead, L, E = shape
    q, k, v = randn(*lead, L, E, seed=1), randn(*lead, 5, E, seed=2), randn(*lead, 5, E, seed=3)
    mask = randn(*mask_shape, seed=4) if mask_kind == "float" else np.asarray(randn(*mask_shape, seed=4) > -0.5)
    compare_with_torch(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m), q, k, v, mask, dtype="float64")


@pytest.mark.parametrize("mask_shape", [(), (5,)], ids=["0-D mask", "1-D mask"])
def test_sdpa_mask_of_fewer_than_two_dims_raises_index_error_for_4d_inputs(mask_shape):
    ours, theirs = map(str, assert_same_error(
        lambda lib: sdpa(lib)(*[lib.ones(2, 3, 5, 8)] * 3, attn_mask=lib.zeros(mask_shape))))
    assert ours.startswith(theirs) and f"{list(mask_shape)}" in ours


@pytest.mark.parametrize("query_dtype", ["float64", "float32"])
def test_sdpa_accepts_a_float32_mask_for_any_query_dtype(query_dtype, device):
    """PyTorch takes a float32 mask ("bool or float or ... the query dtype") and casts it to
    the query's dtype; its gradient comes back through the cast. Tolerances of query_dtype
    (the mask is rounded to float32 in both libraries alike)."""
    q, k, v = randn(2, 3, 4, 8, seed=1), randn(2, 3, 5, 8, seed=2), randn(2, 3, 5, 8, seed=3)
    mask = randn(4, 5, seed=5)

    def fn(lib, q, k, v, m):
        out = sdpa(lib)(q, k, v, attn_mask=m.float())
        assert out.dtype == q.dtype
        return out

    compare_with_torch(fn, q, k, v, mask, dtype=query_dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 2, 3, 4)])
def test_sdpa_with_no_keys_gives_zeros(shape, dtype, device):
    """S = 0: every query attends to nothing, so the output and the query's gradient are 0."""
    *lead, L, E = shape
    q, k, v = randn(*lead, L, E, seed=1), randn(*lead, 0, E, seed=2), randn(*lead, 0, 6, seed=3)
    compare_with_torch(lambda lib, q, k, v: sdpa(lib)(q, k, v), q, k, v, dtype=dtype, device=device)


@pytest.mark.parametrize("mask_dtype", ["uint8", "int8", "int16", "int32", "int64", "float16"])
def test_sdpa_mask_dtype_error_names_the_dtype_as_torch(mask_dtype):
    ours, theirs = assert_same_error(
        lambda lib: sdpa(lib)(*[lib.ones(3, 4)] * 3, attn_mask=lib.zeros(3, 3, dtype=getattr(lib, mask_dtype))),
        same_message=True)


def test_sdpa_errors_match_torch():
    def call(lib, qs=(2, 3, 4, 8), ks=(2, 3, 5, 8), vs=(2, 3, 5, 8), mask=None, dtype=None, **kw):
        dt = dtype or lib.float32
        q, k, v = (lib.ones(*s, dtype=dt) for s in (qs, ks, vs))
        return sdpa(lib)(q, k, v, attn_mask=mask(lib) if mask else None, **kw)

    ours, theirs = map(str, assert_same_error(
        lambda lib: call(lib, mask=lambda lib: lib.ones(3, 5, dtype=lib.bool))))
    assert "[3, 5]" in ours and "(L, S)" in ours                   # names the shapes and the fix
    assert_same_error(lambda lib: call(lib, mask=lambda lib: lib.ones(4, 5, dtype=lib.int64)))
    ours, theirs = map(str, assert_same_error(
        lambda lib: call(lib, mask=lambda lib: lib.ones(5, dtype=lib.bool))))
    assert ours.startswith(theirs) and "[5]" in ours
    ours, theirs = map(str, assert_same_error(
        lambda lib: call(lib, mask=lambda lib: lib.ones(4, 5, dtype=lib.float64))))
    assert ours == theirs
    ours, theirs = map(str, assert_same_error(lambda lib: call(lib, qs=(8,))))
    assert ours == theirs
    assert_same_error(lambda lib: call(lib, ks=(2, 3, 5, 4)))
    assert_same_error(lambda lib: call(lib, ks=(2, 2, 5, 8), vs=(2, 2, 5, 8)))
    ours, _ = map(str, assert_same_error(lambda lib: sdpa(lib)(*[lib.ones(2, 4, dtype=lib.int64)] * 3)))
    assert "found Long" in ours and ".float()" in ours     # PyTorch's text depends on its kernel
    ours, theirs = map(str, assert_same_error(lambda lib: call(lib, dropout_p=1.5)))
    assert ours == theirs
    ours, theirs = map(str, assert_same_error(
        lambda lib: sdpa(lib)(lib.ones(2, 4), lib.ones(2, 4, dtype=lib.float64), lib.ones(2, 4))))
    assert ours == theirs


# -- nn.MultiheadAttention -------------------------------------------------------------------
def make_pair(dtype: str, **kwargs):
    """A PyTorch MultiheadAttention with random weights (biases too) and tinynn's copy of it."""
    theirs = torch.nn.MultiheadAttention(**kwargs).to(getattr(torch, dtype))
    with torch.no_grad():
        for i, p in enumerate(theirs.parameters()):
            p.copy_(torch.tensor(randn(*p.shape, seed=10 + i, scale=0.4)))
    ours = tinynn.nn.MultiheadAttention(**kwargs).to(getattr(tinynn, dtype))
    ours.load_state_dict({k: tinynn.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def compare_mha(ours, theirs, inputs: list, device: str, dtype: str, call=None, self_attention=False):
    """Compare outputs, weights and the gradients of inputs, float masks and every parameter."""
    theirs.to(device)
    models = {tinynn: ours, torch: theirs}
    call = call or (lambda m, q, k, v, **kw: m(q, k, v, **kw))

    def fn(lib, *xs):
        if self_attention:
            out = call(models[lib], xs[0], xs[0], xs[0], *xs[1:])
        else:
            out = call(models[lib], *xs)
        return tuple(o for o in out if o is not None)

    compare_with_torch(fn, *inputs, dtype=dtype, device=device)
    ours_grads = {n: p.grad for n, p in ours.named_parameters()}
    theirs_grads = {n: p.grad for n, p in theirs.named_parameters()}
    assert ours_grads.keys() == theirs_grads.keys()
    for name in ours_grads:
        assert_close(ours_grads[name], theirs_grads[name], name=f"grad of {name}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_self_attention_matches_torch(batch_first, need_weights, average, dtype, device):
    ours, theirs = make_pair(dtype, embed_dim=8, num_heads=2, batch_first=batch_first)
    x = randn(3, 4, 8, seed=1)
    compare_mha(ours, theirs, [x], device, dtype, self_attention=True,
                call=lambda m, q, k, v: m(q, k, v, need_weights=need_weights, average_attn_weights=average))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_cross_attention_with_every_mask_kind(batch_first, dtype, device):
    ours, theirs = make_pair(dtype, embed_dim=12, num_heads=3, batch_first=batch_first)
    L, S, N = 4, 6, 2
    q = randn(N, L, 12, seed=1) if batch_first else randn(L, N, 12, seed=1)
    k = randn(N, S, 12, seed=2) if batch_first else randn(S, N, 12, seed=2)
    v = randn(*k.shape, seed=3)
    kpm = np.zeros((N, S), dtype=bool)
    kpm[1, 4:] = True
    attn_bool = bool_mask(L, S, seed=4, p=0.7) & ~np.eye(L, S, dtype=bool)      # True = masked out
    attn_float = randn(N * 3, L, S, seed=5)
    for need_weights in (True, False):
        compare_mha(ours, theirs, [q, k, v, kpm, attn_bool], device, dtype,
                    call=lambda m, q, k, v, kpm, am: m(q, k, v, key_padding_mask=kpm, attn_mask=am,
                                                       need_weights=need_weights))
        ours.zero_grad(), theirs.zero_grad()
        compare_mha(ours, theirs, [q, k, v, attn_float], device, dtype,
                    call=lambda m, q, k, v, am: m(q, k, v, attn_mask=am, need_weights=need_weights))
        ours.zero_grad(), theirs.zero_grad()
        fkpm = np.where(kpm, -np.inf, 0.0)
        compare_mha(ours, theirs, [q, k, v, fkpm], device, dtype,
                    call=lambda m, q, k, v, kpm: m(q, k, v, key_padding_mask=kpm, need_weights=need_weights))
        ours.zero_grad(), theirs.zero_grad()


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_causal_hint_and_unbatched(dtype, device):
    ours, theirs = make_pair(dtype, embed_dim=8, num_heads=4)
    x = randn(5, 2, 8, seed=1)
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    for need_weights in (True, False):
        compare_mha(ours, theirs, [x, causal], device, dtype, self_attention=True,
                    call=lambda m, q, k, v, am: m(q, k, v, attn_mask=am, is_causal=True, need_weights=need_weights))
        ours.zero_grad(), theirs.zero_grad()
    u = randn(5, 8, seed=2)
    kpm = np.array([False, False, False, True, True])
    compare_mha(ours, theirs, [u, kpm], device, dtype, self_attention=True,
                call=lambda m, q, k, v, kpm: m(q, k, v, key_padding_mask=kpm, average_attn_weights=False))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_kdim_vdim_bias_kv_zero_attn_no_bias(dtype, device):
    ours, theirs = make_pair(dtype, embed_dim=8, num_heads=2, kdim=5, vdim=3, add_bias_kv=True,
                             add_zero_attn=True)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    q, k, v = randn(4, 2, 8, seed=1), randn(6, 2, 5, seed=2), randn(6, 2, 3, seed=3)
    kpm = np.zeros((2, 6), dtype=bool)
    kpm[0, 5] = True
    compare_mha(ours, theirs, [q, k, v, kpm], device, dtype,
                call=lambda m, q, k, v, kpm: m(q, k, v, key_padding_mask=kpm))
    ours, theirs = make_pair(dtype, embed_dim=8, num_heads=2, bias=False)
    assert ours.in_proj_bias is None and ours.out_proj.bias is None
    compare_mha(ours, theirs, [q], device, dtype, self_attention=True)


@pytest.mark.parametrize("mask_name", ["attn_mask", "key_padding_mask"])
def test_mha_with_weights_rejects_a_float_mask_of_another_dtype(mask_name):
    """With need_weights PyTorch adds the mask in baddbmm, which needs the query's dtype."""
    models = {lib: lib.nn.MultiheadAttention(8, 2, dtype=lib.float64) for lib in (tinynn, torch)}
    x = randn(4, 2, 8)
    mask = {"attn_mask": np.zeros((4, 4), np.float32), "key_padding_mask": np.zeros((2, 4), np.float32)}[mask_name]
    ours, theirs = map(str, assert_same_error(
        lambda lib: models[lib](*[lib.tensor(x)] * 3, **{mask_name: lib.tensor(mask)})))
    assert ours.startswith(theirs) and ".to(tinynn.float64)" in ours


@pytest.mark.parametrize("mask_name", ["attn_mask", "key_padding_mask"])
def test_mha_without_weights_accepts_a_float32_mask_on_a_float64_model(mask_name, device):
    """Without need_weights the mask goes to scaled_dot_product_attention, which takes float32.
    float64 tolerances."""
    ours, theirs = make_pair("float64", embed_dim=8, num_heads=2)
    x = randn(4, 2, 8, seed=1)
    mask = randn(*{"attn_mask": (4, 4), "key_padding_mask": (2, 4)}[mask_name], seed=2)
    compare_mha(ours, theirs, [x, mask], device, "float64", self_attention=True,
                call=lambda m, q, k, v, mask: m(q, k, v, need_weights=False, **{mask_name: mask.float()}))


@pytest.mark.parametrize("wrong", ["key", "value"])
def test_mha_separate_projections_check_the_key_and_value_widths(wrong):
    models = {lib: lib.nn.MultiheadAttention(8, 2, kdim=5, vdim=6) for lib in (tinynn, torch)}
    widths = {"key": (6, 6), "value": (5, 5)}[wrong]

    def call(lib):
        k, v = (lib.ones(4, 2, w) for w in widths)
        return models[lib](lib.ones(3, 2, 8), k, v)

    assert_same_error(call, same_message=True)


def test_mha_cross_attention_with_a_wrong_memory_width_raises_torchs_error():
    """PyTorch projects key and value in one matmul when ``key is value``: its message names
    the stacked (2E, E) weight, and so does tinynn's."""
    models = {lib: lib.nn.MultiheadAttention(8, 2) for lib in (tinynn, torch)}

    def call(lib):
        memory = lib.ones(4, 2, 6)
        return models[lib](lib.ones(3, 2, 8), memory, memory)

    assert_same_error(call, same_message=True)


def test_mha_fully_masked_query_nan_with_weights_zero_without():
    ours, theirs = make_pair("float64", embed_dim=8, num_heads=2)
    x = randn(4, 2, 8, seed=1)
    kpm = np.array([[False] * 4, [True] * 4])
    for need_weights in (True, False):
        o, w = ours(*[tinynn.tensor(x)] * 3, key_padding_mask=tinynn.tensor(kpm), need_weights=need_weights)
        t, tw = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm), need_weights=need_weights)
        assert_close(o, t)
        if need_weights:
            assert np.isnan(o.detach().numpy()[:, 1]).all() and np.isnan(w.detach().numpy()[1]).all()
            assert_close(w, tw)
        else:
            assert w is None and tw is None
            assert np.isfinite(o.detach().numpy()).all()


def test_mha_parameters_layout_init_and_repr():
    torch.manual_seed(0), tinynn.manual_seed(0)
    ours, theirs = tinynn.nn.MultiheadAttention(16, 4), torch.nn.MultiheadAttention(16, 4)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert np.all(ours.in_proj_bias.detach().numpy() == 0) and np.all(ours.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (16 + 48))                                # xavier_uniform_ on (3E, E)
    w = ours.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert ours.head_dim == theirs.head_dim == 4 and ours._qkv_same_embed_dim
    assert isinstance(ours.out_proj, tinynn.nn.Linear)
    assert type(ours.out_proj).__name__ == type(theirs.out_proj).__name__


def test_mha_dropout_only_in_training():
    tinynn.manual_seed(0)
    m = tinynn.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = tinynn.randn(4, 2, 8)
    a, b = m(x, x, x)[1], m(x, x, x)[1]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    a, b = m(x, x, x)[1], m(x, x, x)[1]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy()) and np.allclose(a.detach().numpy().sum(-1), 1)


def test_mha_errors_match_torch():
    for lib in (tinynn, torch):
        lib.manual_seed(0)
    ours, theirs = map(str, assert_same_error(lambda lib: lib.nn.MultiheadAttention(10, 3)))
    assert ours.startswith(theirs) and "embed_dim=10" in ours and "num_heads=3" in ours
    ours, theirs = map(str, assert_same_error(lambda lib: lib.nn.MultiheadAttention(0, 3)))
    assert ours == theirs
    x = randn(4, 2, 8)
    models = {tinynn: tinynn.nn.MultiheadAttention(8, 2), torch: torch.nn.MultiheadAttention(8, 2)}

    def call(lib, q=(4, 2, 8), k=(4, 2, 8), v=(4, 2, 8), **masks):
        q, k, v = (lib.tensor(randn(*s).astype(np.float32)) for s in (q, k, v))
        masks = {name: lib.tensor(m) for name, m in masks.items()}
        return models[lib](q, k, v, **masks)

    cases = [dict(attn_mask=np.ones((3, 4), dtype=bool)), dict(attn_mask=np.ones((2, 4, 4), dtype=bool)),
             dict(key_padding_mask=np.ones((2, 3), dtype=bool)), dict(key_padding_mask=np.ones((3, 4), dtype=bool)),
             dict(key_padding_mask=np.ones((2, 4), dtype=np.int64)), dict(q=(4, 2, 6)),
             dict(q=(1, 4, 2, 8)), dict(v=(3, 2, 8)), dict(k=(4, 8)),
             dict(attn_mask=np.ones((2, 2, 4, 4), dtype=bool))]
    for case in cases:
        ours, theirs = map(str, assert_same_error(lambda lib: call(lib, **case)))
        assert ours.replace("tinynn.", "torch.") == theirs, case
    ours, theirs = map(str, assert_same_error(
        lambda lib: models[lib](*[lib.tensor(x.astype(np.float32))] * 3, is_causal=True)))
    assert ours == theirs


def test_mha_fused_inference_path_gives_nan_for_a_fully_masked_query_as_torch():
    """Batch-first self-attention in eval under no_grad: PyTorch's fused kernel gives nan even
    without need_weights; with autograd on (or cross-attention, or training) the output is 0."""
    ours, theirs = make_pair("float32", embed_dim=8, num_heads=2, batch_first=True)
    ours.eval(), theirs.eval()
    x = randn(2, 4, 8, seed=1).astype(np.float32)
    kpm = np.array([[False] * 4, [True] * 4])
    for grad in (False, True):
        for need_weights in (False, True):
            with torch.set_grad_enabled(grad), tinynn.set_grad_enabled(grad):
                o, w = ours(*[tinynn.tensor(x)] * 3, key_padding_mask=tinynn.tensor(kpm),
                            need_weights=need_weights)
                t, tw = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm),
                               need_weights=need_weights)
            assert_close(o.detach(), t.detach())                   # nan where PyTorch has nan
            assert np.isnan(o.detach().numpy()[1]).all() == (need_weights or not grad)
            assert (w is None) == (tw is None) == (not need_weights)
    with torch.no_grad(), tinynn.no_grad():                         # cross-attention: no fused path
        y = randn(2, 4, 8, seed=2).astype(np.float32)
        o, _ = ours(tinynn.tensor(x), tinynn.tensor(y), tinynn.tensor(y), key_padding_mask=tinynn.tensor(kpm),
                    need_weights=False)
        t, _ = theirs(torch.tensor(x), torch.tensor(y), torch.tensor(y), key_padding_mask=torch.tensor(kpm),
                      need_weights=False)
    assert_close(o, t)
    assert np.isfinite(o.numpy()).all()
