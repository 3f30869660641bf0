"""The Transformer modules against PyTorch: encoder and decoder layers (post- and pre-norm,
relu/gelu/callable activations, batch_first both ways, every mask kind), the stacks (deep
copies of the layer, final norm, the encoder's evaluation fast path that zeroes padded
positions), the full ``Transformer``, ``generate_square_subsequent_mask``, and weight tying.

Weights are copied from PyTorch with ``load_state_dict``; outputs and the gradients of the
inputs and of every parameter are compared in float32 and float64 (tolerances:
``tinynn.testing.TOLERANCES``).
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

from helpers import randn

DTYPES = ["float32", "float64"]


def pair(make, dtype: str):
    """``make(lib)`` in both libraries; PyTorch's random weights copied into tinynn's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # enable_nested_tensor notes
        theirs = make(torch).to(getattr(torch, dtype))
        ours = make(tinynn).to(getattr(tinynn, dtype))
    with torch.no_grad():
        for i, p in enumerate(theirs.parameters()):
            p.copy_(torch.tensor(randn(*p.shape, seed=100 + i, scale=0.3)) + (1.0 if p.ndim == 1 else 0.0))
    ours.load_state_dict({k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def compare(ours, theirs, call, inputs: list, dtype: str, device: str) -> None:
    theirs.to(device)
    models = {tinynn: ours, torch: theirs}
    compare_with_torch(lambda lib, *xs: call(models[lib], *xs), *inputs, dtype=dtype, device=device)
    ours_grads = dict(ours.named_parameters())
    theirs_grads = dict(theirs.named_parameters())
    assert ours_grads.keys() == theirs_grads.keys()
    for name in ours_grads:
        assert_close(ours_grads[name].grad, theirs_grads[name].grad, name=f"grad of {name}")


def encoder_layer(lib, **kw):
    args = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0)
    args.update(kw)
    return lib.nn.TransformerEncoderLayer(**args)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_layer_matches_torch(activation, batch_first, norm_first, dtype, device):
    def make(lib):
        act = (lambda x: lib.tanh(x) * 2) if activation == "callable" else activation
        return encoder_layer(lib, batch_first=batch_first, norm_first=norm_first, activation=act)

    ours, theirs = pair(make, dtype)
    x = randn(2, 5, 8, seed=1) if batch_first else randn(5, 2, 8, seed=1)
    compare(ours, theirs, lambda m, x: m(x), [x], dtype, device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_with_masks(batch_first, dtype, device):
    ours, theirs = pair(lambda lib: encoder_layer(lib, batch_first=batch_first), dtype)
    x = randn(2, 5, 8, seed=1) if batch_first else randn(5, 2, 8, seed=1)
    kpm = np.zeros((2, 5), dtype=bool)
    kpm[1, 3:] = True
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    compare(ours, theirs, lambda m, x, kpm: m(x, src_key_padding_mask=kpm), [x, kpm], dtype, device)
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, lambda m, x, c: m(x, src_mask=c, is_causal=True), [x, causal], dtype, device)
    ours.zero_grad(), theirs.zero_grad()
    bool_causal = np.triu(np.ones((5, 5), dtype=bool), 1)
    compare(ours, theirs, lambda m, x, c, kpm: m(x, src_mask=c, src_key_padding_mask=kpm),
            [x, bool_causal, kpm], dtype, device)
    ours.zero_grad(), theirs.zero_grad()
    per_head = randn(2 * 2, 5, 5, seed=3)
    compare(ours, theirs, lambda m, x, am: m(x, src_mask=am), [x, per_head], dtype, device)


@pytest.mark.parametrize("mask_name", ["src_mask", "src_key_padding_mask"])
def test_encoder_layer_accepts_float32_masks_on_a_float64_model(mask_name, device):
    """The layer's attention runs without weights, through scaled_dot_product_attention, which
    takes a float32 mask for float64 inputs (as PyTorch). float64 tolerances."""
    ours, theirs = pair(lambda lib: encoder_layer(lib), "float64")
    x = randn(5, 2, 8, seed=1)
    mask = randn(*{"src_mask": (5, 5), "src_key_padding_mask": (2, 5)}[mask_name], seed=2)
    compare(ours, theirs, lambda m, x, mask: m(x, **{mask_name: mask.float()}), [x, mask], "float64", device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm", [False, True])
def test_encoder_stack_matches_torch(norm, dtype, device):
    def make(lib):
        layer = encoder_layer(lib, norm_first=True, batch_first=True)
        return lib.nn.TransformerEncoder(layer, num_layers=3, norm=lib.nn.LayerNorm(8) if norm else None)

    ours, theirs = pair(make, dtype)
    x = randn(2, 6, 8, seed=1)
    causal = np.triu(np.full((6, 6), -np.inf), 1)
    compare(ours, theirs, lambda m, x, c: m(x, mask=c), [x, causal], dtype, device)
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, lambda m, x, c: m(x, mask=c, is_causal=True), [x, causal], dtype, device)


def test_encoder_deep_copies_the_layer():
    layer = tinynn.nn.TransformerEncoderLayer(8, 2, 16)
    enc = tinynn.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
    assert enc.layers[0] is not layer and enc.layers[0] is not enc.layers[1]
    assert enc.layers[0].linear1.weight is not layer.linear1.weight
    assert np.array_equal(enc.layers[1].linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy())
    names = [n for n, _ in enc.named_parameters()]
    assert len(names) == 2 * len(list(layer.parameters())) and all(n.startswith("layers.") for n in names)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 2, enable_nested_tensor=False)
    assert names == [n for n, _ in theirs.named_parameters()]


def test_encoder_nested_tensor_warning_matches_torch():
    for make in [lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16),
                 lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True),
                 lambda lib: lib.nn.TransformerEncoderLayer(8, 1, 16, batch_first=True),
                 lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)]:
        messages = []
        for lib in (tinynn, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.nn.TransformerEncoder(make(lib), 2)
            messages.append([str(w.message) for w in caught if "enable_nested_tensor" in str(w.message)])
        assert messages[0] == messages[1]


@pytest.mark.parametrize("norm", [False, True])
def test_encoder_fast_path_zeroes_padded_positions_as_torch(norm):
    def make(lib):
        layer = encoder_layer(lib, batch_first=True, dim_feedforward=16)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8) if norm else None)

    ours, theirs = pair(make, "float32")
    ours.eval(), theirs.eval()
    x = randn(3, 5, 8, seed=2).astype(np.float32)
    right = np.array([[False] * 5, [False, False, False, True, True], [True] * 5])   # right-padded
    not_right = np.array([[False] * 5, [True, False, False, False, True], [False] * 5])
    for pad in (right, not_right):
        for grad in (False, True):
            with torch.set_grad_enabled(grad), tinynn.set_grad_enabled(grad):
                o = ours(tinynn.tensor(x), src_key_padding_mask=tinynn.tensor(pad))
                t = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(pad))
            assert_close(o.detach(), t.detach())
            zeroed = np.all(o.detach().numpy()[pad] == (ours.norm.bias.detach().numpy() if norm else 0))
            assert zeroed == (pad is right and not grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_and_stack_match_torch(batch_first, norm_first, dtype, device):
    def make(lib):
        layer = lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=batch_first,
                                               norm_first=norm_first, activation="gelu")
        return lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(8))

    ours, theirs = pair(make, dtype)
    tgt = randn(2, 4, 8, seed=1) if batch_first else randn(4, 2, 8, seed=1)
    mem = randn(2, 6, 8, seed=2) if batch_first else randn(6, 2, 8, seed=2)
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    mkpm = np.zeros((2, 6), dtype=bool)
    mkpm[0, 4:] = True
    compare(ours, theirs, lambda m, t, mem, c, k: m(t, mem, tgt_mask=c, memory_key_padding_mask=k),
            [tgt, mem, causal, mkpm], dtype, device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_transformer_matches_torch(dtype, device):
    make = lambda lib: lib.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                                          dim_feedforward=16, dropout=0.0)
    ours, theirs = pair(make, dtype)
    src, tgt = randn(6, 2, 8, seed=1), randn(4, 2, 8, seed=2)
    mask = tinynn.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    compare(ours, theirs, lambda m, s, t, c: m(s, t, tgt_mask=c), [src, tgt, mask], dtype, device)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_transformer_errors_and_mask_match_torch():
    for sz in (1, 4):
        assert_close(tinynn.nn.Transformer.generate_square_subsequent_mask(sz),
                     torch.nn.Transformer.generate_square_subsequent_mask(sz))
    assert tinynn.nn.Transformer.generate_square_subsequent_mask(3, dtype=tinynn.float64).dtype == tinynn.float64
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            lib.nn.TransformerEncoderLayer(8, 2, activation="tanh")
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.TransformerEncoderLayer(10, 3)
        model = lib.nn.Transformer(8, 2, 1, 1, 16)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            model(lib.zeros(3, 2, 8), lib.zeros(3, 1, 8))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
            model(lib.zeros(3, 2, 8), lib.zeros(3, 2, 6))


def test_dropout_is_active_only_in_training():
    tinynn.manual_seed(0)
    layer = tinynn.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = tinynn.randn(5, 2, 8)
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.eval()
    assert np.array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


# -- weight tying ------------------------------------------------------------------------------
class TiedLM:
    """An embedding and an output head that share one weight, in either library."""

    @staticmethod
    def make(lib):
        class LM(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.tok_emb = lib.nn.Embedding(11, 8)
                self.block = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                                            norm_first=True)
                self.lm_head = lib.nn.Linear(8, 11, bias=False)
                self.lm_head.weight = self.tok_emb.weight

            def forward(self, idx):
                T = idx.shape[1]
                mask = lib.nn.Transformer.generate_square_subsequent_mask(T)
                return self.lm_head(self.block(self.tok_emb(idx), src_mask=mask, is_causal=True))

        return LM()


def test_tied_weights_listed_once_saved_twice_and_kept_by_double():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = TiedLM.make(tinynn), TiedLM.make(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert "lm_head.weight" not in dict(ours.named_parameters())
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "lm_head.weight" in ours.state_dict()
    ours.double()
    assert ours.lm_head.weight is ours.tok_emb.weight and ours.lm_head.weight.dtype == tinynn.float64
    ours.to(tinynn.float32)
    assert ours.lm_head.weight is ours.tok_emb.weight
    copied = copy.deepcopy(ours)
    assert copied.lm_head.weight is copied.tok_emb.weight


@pytest.mark.parametrize("dtype", DTYPES)
def test_tied_model_gradients_match_torch(dtype, device):
    ours, theirs = pair(TiedLM.make, dtype)
    idx = np.random.default_rng(0).integers(0, 11, size=(2, 6))
    compare(ours, theirs, lambda m, idx: m(idx), [idx], dtype, device)
    g = ours.tok_emb.weight.grad
    assert g is ours.lm_head.weight.grad            # one tensor, one gradient (both uses summed)


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_fully_padded_sequence_in_inference_as_torch(batch_first):
    """PyTorch's fused inference path (batch first, eval, no autograd) gives nan for a sequence
    whose every key is padding; otherwise the values are ordinary numbers."""
    ours, theirs = pair(lambda lib: encoder_layer(lib, batch_first=batch_first), "float32")
    ours.eval(), theirs.eval()
    x = randn(2, 4, 8, seed=1) if batch_first else randn(4, 2, 8, seed=1)
    x = x.astype(np.float32)
    kpm = np.array([[False] * 4, [True] * 4])
    for grad in (False, True):
        with torch.set_grad_enabled(grad), tinynn.set_grad_enabled(grad):
            o = ours(tinynn.tensor(x), src_key_padding_mask=tinynn.tensor(kpm))
            t = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
        assert_close(o.detach(), t.detach())
        padded = o.detach().numpy()[1] if batch_first else o.detach().numpy()[:, 1]
        assert np.isnan(padded).all() == (batch_first and not grad)
