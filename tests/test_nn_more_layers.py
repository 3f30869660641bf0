"""More of ``torch.nn`` against PyTorch: the functions normalize, cosine_similarity,
pairwise_distance, hardswish/hardsigmoid, prelu, layer_norm, group_norm and interpolate;
the layers LayerNorm, GroupNorm, PReLU, the padding layers, Upsample, CosineSimilarity,
PairwiseDistance, ParameterList and ParameterDict (values and gradients after copying the
weights with ``load_state_dict``, reprs, state-dict keys, errors).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]


def randn(*shape: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape) * scale


def same_error(fn) -> None:
    """``fn(lib)`` raises the same exception type with the same message in both libraries."""
    with pytest.raises(Exception) as ours:
        fn(tinynn)
    with pytest.raises(Exception) as theirs:
        fn(torch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.", "tinynn.")


def compare_module(make, *inputs: np.ndarray, dtype: str, device: str, train: bool = True) -> None:
    """Build ``make(lib)`` in both libraries, give tinynn's torch's (randomised) weights, compare."""
    theirs = make(torch).to(getattr(torch, dtype))
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(randn(*p.shape, seed=p.numel(), scale=0.5) + 1.0))
    state = {k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
    ours = make(tinynn).to(getattr(tinynn, dtype))
    ours.load_state_dict(state)
    theirs.to(device)
    models = {tinynn: ours, torch: theirs}
    compare_with_torch(lambda lib, *xs: models[lib](*xs), *inputs, dtype=dtype, device=device)
    grads_ours = {n: p.grad for n, p in ours.named_parameters()}
    grads_theirs = {n: p.grad for n, p in theirs.named_parameters()}
    assert grads_ours.keys() == grads_theirs.keys()
    for name in grads_ours:
        assert_close(grads_ours[name], grads_theirs[name], name=f"grad of {name}")


# -- distances ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(dim=0), dict(p=1.0, dim=-1), dict(p=3.0)])
def test_normalize_matches_torch(kwargs, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.normalize(x, **kwargs), randn(4, 5), dtype=dtype,
                       device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_normalize_keeps_a_zero_vector_zero(dtype, device):
    x = randn(3, 4)
    x[1] = 0.0
    compare_with_torch(lambda lib, x: lib.nn.functional.normalize(x, dim=1), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes, dim", [(((4, 5), (4, 5)), 1), (((4, 5), (4, 5)), 0), (((3, 1, 6), (1, 4, 6)), -1),
                                         (((4, 5), (1, 5)), 1), (((2, 3, 4), (2, 3, 4)), 1)])
def test_cosine_similarity_matches_torch(shapes, dim, dtype, device):
    a, b = randn(*shapes[0]), randn(*shapes[1], seed=1)
    compare_with_torch(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=dim), a, b, dtype=dtype,
                       device=device)
    compare_with_torch(lambda lib, a, b: lib.nn.CosineSimilarity(dim=dim)(a, b), a, b, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_similarity_of_a_tiny_vector_clamps_like_torch(dtype, device):
    a, b = randn(3, 4), randn(3, 4, seed=1)
    a[0] = 1e-10  # its norm is below eps: clamped in value, not in gradient
    compare_with_torch(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, eps=1e-8), a, b, dtype=dtype,
                       device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(p=1.0), dict(p=3.0, keepdim=True), dict(eps=0.1)])
def test_pairwise_distance_matches_torch(kwargs, dtype, device):
    a, b = randn(5, 4), randn(5, 4, seed=1)
    compare_with_torch(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, **kwargs), a, b, dtype=dtype,
                       device=device)
    module_kwargs = {"p": 2.0, **kwargs}
    compare_with_torch(lambda lib, a, b: lib.nn.PairwiseDistance(**module_kwargs)(a, b), a, b, dtype=dtype,
                       device=device)


def test_distance_module_reprs_match_torch():
    for name in ("CosineSimilarity", "PairwiseDistance"):
        assert repr(getattr(tinynn.nn, name)()) == repr(getattr(torch.nn, name)())


# -- activations -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid"])
def test_hard_activations_match_torch_including_the_kinks(name, dtype, device):
    x = randn(4, 6, scale=4.0)
    x[0, :4] = [-3.0, 3.0, 0.0, -2.5]
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x), x, dtype=dtype, device=device)
    module = {"hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid"}[name]
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)()(x), x, dtype=dtype, device=device)
    assert repr(getattr(tinynn.nn, module)()) == repr(getattr(torch.nn, module)())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num_parameters, shape", [(1, (4, 3)), (3, (2, 3)), (3, (2, 3, 5)), (1, (7,)),
                                                   (3, (2, 3, 4, 4))])
def test_prelu_matches_torch(num_parameters, shape, dtype, device):
    x = randn(*shape, scale=2.0)
    x.flat[0] = 0.0  # at 0 both use the slope
    compare_module(lambda lib: lib.nn.PReLU(num_parameters), x, dtype=dtype, device=device)


def test_prelu_repr_state_dict_and_error_match_torch():
    for args in [(), (3,), (3, 0.1)]:
        assert repr(tinynn.nn.PReLU(*args)) == repr(torch.nn.PReLU(*args))
    assert list(tinynn.nn.PReLU(3).state_dict()) == list(torch.nn.PReLU(3).state_dict())
    assert tinynn.nn.PReLU(3, 0.1).weight.tolist() == pytest.approx(torch.nn.PReLU(3, 0.1).weight.tolist())
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        tinynn.nn.PReLU(3)(tinynn.zeros(2, 4))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        torch.nn.PReLU(3)(torch.zeros(2, 4))


# -- normalisation -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized_shape, kwargs", [
    ((4, 6), 6, {}), ((2, 3, 5), (5,), dict(eps=1e-3)), ((2, 3, 4, 5), (4, 5), {}),
    ((2, 3, 5), (3, 5), dict(bias=False)), ((3, 6), (6,), dict(elementwise_affine=False)),
])
def test_layer_norm_matches_torch(shape, normalized_shape, kwargs, dtype, device):
    x = randn(*shape, scale=3.0) + 1.0
    compare_module(lambda lib: lib.nn.LayerNorm(normalized_shape, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_layer_norm_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3, 4), w, b, 1e-4),
                       randn(2, 3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, groups, kwargs", [
    ((2, 6, 5), 3, {}), ((3, 4, 3, 3), 2, {}), ((2, 4, 3, 3), 4, dict(eps=1e-3)), ((2, 4, 3, 3), 1, {}),
    ((2, 6), 2, dict(affine=False)), ((2, 4, 5), 2, dict(bias=False)),
])
def test_group_norm_matches_torch(shape, groups, kwargs, dtype, device):
    x = randn(*shape, scale=2.0) - 0.5
    compare_module(lambda lib: lib.nn.GroupNorm(groups, shape[1], **kwargs), x, dtype=dtype, device=device)


def test_norm_layers_repr_and_state_dict_match_torch():
    cases = [("LayerNorm", (4,), {}), ("LayerNorm", ((3, 4),), dict(bias=False)),
             ("LayerNorm", (4,), dict(elementwise_affine=False, eps=1e-3)), ("GroupNorm", (2, 4), {}),
             ("GroupNorm", (2, 4), dict(affine=False)), ("GroupNorm", (1, 4), dict(bias=False))]
    for name, args, kwargs in cases:
        ours, theirs = getattr(tinynn.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for key, value in theirs.state_dict().items():
            assert ours.state_dict()[key].tolist() == value.tolist()
    assert tinynn.nn.LayerNorm(4).normalized_shape == torch.nn.LayerNorm(4).normalized_shape == (4,)


def test_norm_errors_match_torch():
    same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (4,)))
    same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (3,), weight=lib.ones(4)))
    same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 4))
    same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 3, lib.ones(4)))
    same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(6), 3))
    same_error(lambda lib: lib.nn.GroupNorm(3, 4))


# -- padding -----------------------------------------------------------------------------------
PADDINGS = [("ZeroPad2d", (2,)), ("ZeroPad2d", ((1, 2, 0, 3),)), ("ZeroPad1d", ((2, 1),)),
            ("ConstantPad1d", (2, 3.5)), ("ConstantPad2d", ((1, 0, 2, 1), -1.0)), ("ConstantPad2d", (1, 1)),
            ("ReflectionPad1d", (2,)), ("ReflectionPad2d", (1,)), ("ReflectionPad2d", ((2, 1, 0, 2),)),
            ("ReplicationPad1d", ((3, 0),)), ("ReplicationPad2d", (2,)), ("ReplicationPad2d", ((1, 2, 3, 0),))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args", PADDINGS, ids=[f"{n}{a}" for n, a in PADDINGS])
def test_padding_layers_match_torch(name, args, dtype, device):
    shape = (2, 3, 5) if name.endswith("1d") else (2, 3, 4, 5)
    compare_with_torch(lambda lib, x: getattr(lib.nn, name)(*args)(x), randn(*shape), dtype=dtype, device=device)
    assert repr(getattr(tinynn.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    assert getattr(tinynn.nn, name)(*args).padding == getattr(torch.nn, name)(*args).padding


# -- interpolate and Upsample ------------------------------------------------------------------
RESIZES = [dict(size=(8, 3)), dict(size=4), dict(scale_factor=2), dict(scale_factor=1.7), dict(size=(10, 14)),
           dict(scale_factor=(0.6, 2.3)), dict(scale_factor=(1.5, 0.5), recompute_scale_factor=True), dict(size=1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("nearest-exact", None),
                                                 ("bilinear", False), ("bilinear", True)])
@pytest.mark.parametrize("kwargs", RESIZES, ids=[str(r) for r in RESIZES])
def test_interpolate_matches_torch(kwargs, mode, align_corners, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, align_corners=align_corners,
                                                                    **kwargs),
                       randn(2, 3, 5, 7), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, shape, kwargs", [("linear", (2, 3, 5), dict(size=9)),
                                                 ("linear", (2, 3, 5), dict(scale_factor=0.5, align_corners=True)),
                                                 ("nearest", (2, 3, 5), dict(scale_factor=3)),
                                                 ("trilinear", (1, 2, 3, 4, 5), dict(size=(4, 3, 7))),
                                                 ("nearest", (1, 2, 3, 4, 5), dict(scale_factor=(2, 1, 0.5)))])
def test_interpolate_other_ranks_match_torch(mode, shape, kwargs, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, **kwargs), randn(*shape),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("name, kwargs", [("Upsample", dict(scale_factor=2)),
                                          ("Upsample", dict(size=(3, 4), mode="bilinear", align_corners=True)),
                                          ("Upsample", dict(scale_factor=(2, 3), mode="bilinear")),
                                          ("UpsamplingNearest2d", dict(scale_factor=2)),
                                          ("UpsamplingBilinear2d", dict(size=3))])
def test_upsample_matches_torch_and_prints_alike(name, kwargs, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, name)(**kwargs)(x), randn(2, 3, 4, 5), dtype="float64",
                       device=device)
    assert repr(getattr(tinynn.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


def test_interpolate_errors_match_torch():
    for kwargs in [dict(), dict(size=3, scale_factor=2), dict(size=3, align_corners=True),
                   dict(size=(3,)), dict(scale_factor=(2, 2, 2)), dict(size=3, mode="linear"),
                   dict(size=3, mode="foo")]:
        same_error(lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 1, 4, 4), **kwargs))
    same_error(lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 1, 4), size=3, mode="bilinear"))


# -- ParameterList and ParameterDict -----------------------------------------------------------
def build_parameter_containers(lib):
    class Model(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4, dtype=lib.float64)])
            self.scales.append(lib.nn.Parameter(lib.ones(1), requires_grad=False))
            self.named = lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.zeros(2)), "a": lib.ones(3)})
            self.named["c"] = lib.ones(2, 2)

        def forward(self, x):
            return (x * self.scales[0]).sum() + self.scales[1].sum() + self.named["a"].sum() * self.named["c"].sum()

    return Model()


def test_parameter_containers_register_like_torch():
    ours, theirs = build_parameter_containers(tinynn), build_parameter_containers(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs).replace("torch.", "tinynn.")
    assert [p.requires_grad for p in ours.scales] == [p.requires_grad for p in theirs.scales]
    assert type(ours.scales[1]).__name__ == type(theirs.scales[1]).__name__ == "Parameter"
    assert list(ours.named) == list(theirs.named) == ["a", "b", "c"]  # a plain dict is added sorted
    assert len(ours.scales[1:]) == len(theirs.scales[1:]) == 2
    ours.load_state_dict({k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = randn(2, 3)
    ours(tinynn.tensor(x)).backward()
    theirs(torch.tensor(x, dtype=torch.float32)).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if q.grad is not None:
            assert_close(p.grad, q.grad, name=name)


def test_parameter_dict_methods_match_torch():
    def run(lib):
        d = lib.nn.ParameterDict([("x", lib.ones(1)), ("w", lib.zeros(2))])  # pairs keep their order
        d.setdefault("y", lib.ones(3))
        popped = d.pop("x")
        key, _ = d.popitem()
        merged = d | lib.nn.ParameterDict({"z": lib.ones(1)})
        return (list(d), popped.shape[0], key, list(merged), "w" in d, d.get("q"), len(d), repr(lib.nn.ParameterDict()),
                repr(lib.nn.ParameterList()))

    assert run(tinynn) == run(torch)
    same_error(lambda lib: lib.nn.ParameterDict()[0])
    same_error(lambda lib: lib.nn.ParameterList([lib.ones(1)])(1))
    same_error(lambda lib: lib.nn.ParameterList().extend(lib.ones(2)))
