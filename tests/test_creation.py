"""Tensor factories, dtypes, dtype inference and PyTorch's type promotion, against PyTorch.

Each factory is called with the same arguments in both libraries; shapes, dtypes and
(for deterministic factories) values must agree. The promotion table is not typed in by
hand: every pair of dtypes is run through PyTorch and tinynn, and the result dtypes compared.
"""
from __future__ import annotations

import itertools
import operator
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

DTYPES = ["float32", "float64"]
PROMOTION_DTYPES = ["bool", "int64", "float32", "float64"]


def dtype_name(t) -> str:
    """'float32' for torch.float32 and tinynn.float32 alike."""
    return str(t.dtype).split(".")[-1]


def lib_dtype(lib, name: str):
    return getattr(lib, name)


# -- deterministic factories: same values ----------------------------------------------------
DETERMINISTIC = {
    "tensor_int_list": lambda lib, dev: lib.tensor([[1, 2], [3, 4]], device=dev),
    "tensor_float_list": lambda lib, dev: lib.tensor([[1.5, 2.0], [3.0, -4.25]], device=dev),
    "tensor_bool_list": lambda lib, dev: lib.tensor([True, False, True], device=dev),
    "tensor_mixed_int_float": lambda lib, dev: lib.tensor([1, 2.5], device=dev),
    "tensor_mixed_bool_int": lambda lib, dev: lib.tensor([True, 2], device=dev),
    "tensor_scalar_int": lambda lib, dev: lib.tensor(3, device=dev),
    "tensor_scalar_float": lambda lib, dev: lib.tensor(3.5, device=dev),
    "tensor_scalar_bool": lambda lib, dev: lib.tensor(True, device=dev),
    "tensor_empty": lambda lib, dev: lib.tensor([], device=dev),
    "tensor_empty_nested": lambda lib, dev: lib.tensor([[], []], device=dev),
    "tensor_float_to_int_dtype": lambda lib, dev: lib.tensor([1.7, -2.7], dtype=lib.int64, device=dev),
    "tensor_int_to_float64": lambda lib, dev: lib.tensor([1, 2], dtype=lib.float64, device=dev),
    "tensor_large_int": lambda lib, dev: lib.tensor(2 ** 40, device=dev),
    "zeros_varargs": lambda lib, dev: lib.zeros(2, 3, device=dev),
    "zeros_tuple": lambda lib, dev: lib.zeros((2, 3), device=dev),
    "zeros_list": lambda lib, dev: lib.zeros([4], device=dev),
    "zeros_0d": lambda lib, dev: lib.zeros((), device=dev),
    "zeros_empty": lambda lib, dev: lib.zeros(2, 0, 3, device=dev),
    "zeros_int64": lambda lib, dev: lib.zeros(3, dtype=lib.int64, device=dev),
    "zeros_bool": lambda lib, dev: lib.zeros(3, dtype=lib.bool, device=dev),
    "ones_varargs": lambda lib, dev: lib.ones(3, 1, device=dev),
    "ones_float64": lambda lib, dev: lib.ones(2, dtype=lib.float64, device=dev),
    "full_int": lambda lib, dev: lib.full((2, 2), 7, device=dev),
    "full_float": lambda lib, dev: lib.full((2, 2), 1.5, device=dev),
    "full_bool": lambda lib, dev: lib.full((2,), True, device=dev),
    "full_dtype": lambda lib, dev: lib.full((2,), 3, dtype=lib.float64, device=dev),
    "arange_end": lambda lib, dev: lib.arange(5, device=dev),
    "arange_start_end": lambda lib, dev: lib.arange(2, 7, device=dev),
    "arange_step": lambda lib, dev: lib.arange(1, 10, 3, device=dev),
    "arange_negative_step": lambda lib, dev: lib.arange(10, 0, -3, device=dev),
    "arange_float": lambda lib, dev: lib.arange(0, 1, 0.25, device=dev),
    "arange_float_end": lambda lib, dev: lib.arange(5.0, device=dev),
    "arange_dtype": lambda lib, dev: lib.arange(0, 5, dtype=lib.float64, device=dev),
    "arange_empty": lambda lib, dev: lib.arange(0, device=dev),
    "linspace": lambda lib, dev: lib.linspace(0, 1, 5, device=dev),
    "linspace_one_step": lambda lib, dev: lib.linspace(0, 1, 1, device=dev),
    "linspace_float64": lambda lib, dev: lib.linspace(-1.0, 1.0, steps=3, dtype=lib.float64, device=dev),
    "eye": lambda lib, dev: lib.eye(3, device=dev),
    "eye_rect": lambda lib, dev: lib.eye(2, 3, device=dev),
    "eye_int64": lambda lib, dev: lib.eye(2, dtype=lib.int64, device=dev),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_factory_matches_torch(name, device):
    factory = DETERMINISTIC[name]
    ours, theirs = factory(tinynn, "cpu"), factory(torch, device)
    assert isinstance(ours, tinynn.Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert dtype_name(ours) == dtype_name(theirs)
    assert_close(ours, theirs, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_factory_keeps_shape_and_dtype(name, dtype, device):
    ours_src = tinynn.zeros(2, 3, dtype=lib_dtype(tinynn, dtype))
    theirs_src = torch.zeros(2, 3, dtype=lib_dtype(torch, dtype), device=device)
    ours, theirs = getattr(tinynn, name)(ours_src), getattr(torch, name)(theirs_src)
    assert tuple(ours.shape) == tuple(theirs.shape) == (2, 3)
    assert dtype_name(ours) == dtype_name(theirs) == dtype
    if name in ("zeros_like", "ones_like"):
        assert_close(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_like_fills_in_the_source_dtype(dtype, device):
    ours = tinynn.full_like(tinynn.zeros(3, dtype=lib_dtype(tinynn, dtype)), 7)
    theirs = torch.full_like(torch.zeros(3, dtype=lib_dtype(torch, dtype), device=device), 7)
    assert_close(ours, theirs)


def test_randint_like_keeps_float_dtype(device):
    ours = tinynn.randint_like(tinynn.zeros(4, dtype=tinynn.float64), 5)
    theirs = torch.randint_like(torch.zeros(4, dtype=torch.float64, device=device), 5)
    assert dtype_name(ours) == dtype_name(theirs)
    assert ((ours >= 0) & (ours < 5)).all().item()


@pytest.mark.parametrize("dtype", DTYPES)
def test_like_factory_dtype_argument_overrides(dtype, device):
    ours = tinynn.zeros_like(tinynn.zeros(2, dtype=tinynn.int64), dtype=lib_dtype(tinynn, dtype))
    theirs = torch.zeros_like(torch.zeros(2, dtype=torch.int64, device=device), dtype=lib_dtype(torch, dtype))
    assert dtype_name(ours) == dtype_name(theirs) == dtype


@pytest.mark.parametrize("name, args", [
    ("rand", (2, 3)), ("randn", (2, 3)), ("rand", ((4,),)), ("randn", ((),)), ("empty", (2, 0, 3)),
])
@pytest.mark.parametrize("dtype", [None, *DTYPES])
def test_random_factory_shape_and_dtype(name, args, dtype, device):
    kwargs_ours = {} if dtype is None else {"dtype": lib_dtype(tinynn, dtype)}
    kwargs_theirs = {} if dtype is None else {"dtype": lib_dtype(torch, dtype)}
    ours = getattr(tinynn, name)(*args, **kwargs_ours)
    theirs = getattr(torch, name)(*args, device=device, **kwargs_theirs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert dtype_name(ours) == dtype_name(theirs)


def test_rand_values_lie_in_unit_interval():
    values = tinynn.rand(1000, dtype=tinynn.float64).numpy()
    assert values.min() >= 0.0 and values.max() < 1.0


def test_randn_values_are_roughly_standard_normal():
    tinynn.manual_seed(0)
    values = tinynn.randn(20000, dtype=tinynn.float64).numpy()
    # 20000 samples: the standard error of the mean is 0.007, of the std about 0.005
    assert abs(values.mean()) < 0.05 and abs(values.std() - 1) < 0.05


@pytest.mark.parametrize("args", [(10, (3, 4)), (3, 7, (50,)), (-2, 2, (2, 2))])
def test_randint_shape_dtype_and_range(args, device):
    ours = tinynn.randint(*args)
    theirs = torch.randint(*args, device=device)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert dtype_name(ours) == dtype_name(theirs) == "int64"
    low, high = (0, args[0]) if len(args) == 2 else args[:2]
    assert ((ours >= low) & (ours < high)).all().item()


def test_randint_size_keyword():
    assert tinynn.randint(3, 5, size=(2, 2)).shape == (2, 2)


def test_randperm_is_a_permutation():
    perm = tinynn.randperm(10)
    assert perm.dtype is tinynn.int64
    assert sorted(perm.tolist()) == list(range(10))


# -- dtype inference from Python and numpy data ----------------------------------------------
INFERENCE_DATA = {
    "int": 3, "float": 3.5, "bool": True, "int_list": [1, 2], "float_list": [1.0, 2.0],
    "mixed_list": [1, 2.0], "bool_int_list": [True, 1], "nested": [[1, 2], [3, 4]],
    "np_float64_array": np.array([1.0]), "np_float32_array": np.array([1.0], dtype=np.float32),
    "np_int32_array": np.array([1], dtype=np.int32), "np_int64_array": np.array([1]),
    "np_bool_array": np.array([True]), "np_uint8_array": np.array([1], dtype=np.uint8),
    "np_float64_scalar": np.float64(2.0), "np_float32_scalar": np.float32(2.0),
    "np_int32_scalar": np.int32(2), "np_0d_float64": np.array(2.0),
    "list_of_np_float64": [np.float64(1.0), np.float64(2.0)],
}


@pytest.mark.parametrize("name", sorted(INFERENCE_DATA))
def test_dtype_inference_matches_torch(name, device):
    data = INFERENCE_DATA[name]
    assert dtype_name(tinynn.tensor(data)) == dtype_name(torch.tensor(data, device=device))


@pytest.mark.parametrize("name", ["int_list", "float_list", "nested", "np_float64_array"])
def test_as_tensor_dtype_matches_torch(name, device):
    data = INFERENCE_DATA[name]
    assert dtype_name(tinynn.as_tensor(data)) == dtype_name(torch.as_tensor(data, device=device))


def test_tensor_from_tensor_copies_and_warns():
    source = tinynn.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="clone"):
        copy = tinynn.tensor(source)
    copy[0] = 5.0
    assert source[0].item() == 1.0


def test_default_dtype_is_float32():
    assert tinynn.get_default_dtype() is tinynn.float32
    assert tinynn.tensor(1.0).dtype is tinynn.float32


def test_set_default_dtype_changes_python_float_inference():
    try:
        tinynn.set_default_dtype(tinynn.float64)
        assert tinynn.tensor([1.5]).dtype is tinynn.float64
        assert tinynn.zeros(2).dtype is tinynn.float64
        assert (tinynn.tensor([1, 2]) / 2).dtype is tinynn.float64
    finally:
        tinynn.set_default_dtype(tinynn.float32)


def test_set_default_dtype_rejects_integer_dtype():
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        tinynn.set_default_dtype(tinynn.int64)


@pytest.mark.parametrize("name", ["float", "double", "long", "int", "half", "short"])
def test_dtype_aliases_match_torch(name):
    assert str(getattr(tinynn, name)).split(".")[-1] == str(getattr(torch, name)).split(".")[-1]


@pytest.mark.parametrize("name", ["bool", "int64", "float32", "float64"])
def test_dtype_is_floating_point_matches_torch(name):
    assert getattr(tinynn, name).is_floating_point == getattr(torch, name).is_floating_point


@pytest.mark.parametrize("name", ["bool", "int64", "float32", "float64"])
def test_dtype_itemsize_matches_torch(name):
    assert getattr(tinynn, name).itemsize == getattr(torch, name).itemsize


@pytest.mark.parametrize("name", ["int64", "float32", "float64"])
def test_dtype_repr_names_tinynn(name):
    assert repr(getattr(tinynn, name)) == repr(getattr(torch, name)).replace("torch.", "tinynn.")


@pytest.mark.parametrize("method, name", [
    ("float", "float32"), ("double", "float64"), ("long", "int64"), ("bool", "bool"), ("int", "int32"),
])
def test_conversion_method_dtype(method, name, device):
    ours = getattr(tinynn.tensor([0.0, 1.5, -2.5]), method)()
    theirs = getattr(torch.tensor([0.0, 1.5, -2.5], device=device), method)()
    assert dtype_name(ours) == dtype_name(theirs) == name
    assert_close(ours, theirs, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_to_dtype_converts_values(dtype, device):
    ours = tinynn.tensor([1, 2, 3]).to(lib_dtype(tinynn, dtype))
    theirs = torch.tensor([1, 2, 3], device=device).to(lib_dtype(torch, dtype))
    assert_close(ours, theirs)


def test_to_same_dtype_returns_self():
    x = tinynn.ones(3)
    assert x.to(tinynn.float32) is x
    assert x.to("cpu") is x


# -- promotion: checked against PyTorch programmatically -------------------------------------
def _operand(lib, name: str, kind: str, device: str):
    """A tensor of dtype ``name``: 'tensor' is 1-d, '0d' a 0-dimensional tensor."""
    values = [True, False] if name == "bool" else [1, 2]
    data = values if kind == "tensor" else values[0]
    return lib.tensor(data, dtype=getattr(lib, name), **({"device": device} if lib is torch else {}))


BINARY_OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "pow": operator.pow,
    "maximum": lambda a, b: type(a).maximum(a, b),
}


def _result_or_error(fn):
    try:
        return dtype_name(fn())
    except Exception as error:  # noqa: BLE001  (the exception type is the result compared)
        return type(error).__name__


KINDS = [("tensor", "tensor"), ("tensor", "0d"), ("0d", "tensor"), ("0d", "0d")]


@pytest.mark.parametrize("a, b", list(itertools.product(PROMOTION_DTYPES, repeat=2)))
@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow", "maximum"])
def test_tensor_tensor_promotion_matches_torch(op, a, b, device):
    """The result dtype (or exception type) for 1-d and 0-d operands in every arrangement."""
    fn = BINARY_OPS[op]
    for kinds in KINDS:
        ours = _result_or_error(lambda: fn(_operand(tinynn, a, kinds[0], "cpu"), _operand(tinynn, b, kinds[1], "cpu")))
        theirs = _result_or_error(lambda: fn(_operand(torch, a, kinds[0], device), _operand(torch, b, kinds[1], device)))
        assert ours == theirs, f"{a} {kinds[0]} {op} {b} {kinds[1]}"


@pytest.mark.parametrize("a, b", list(itertools.product(PROMOTION_DTYPES, repeat=2)))
def test_where_promotion_matches_torch(a, b, device):
    def run(lib, dev, kinds):
        cond = lib.tensor([True, False], **({"device": dev} if lib is torch else {}))
        return lib.where(cond, _operand(lib, a, kinds[0], dev), _operand(lib, b, kinds[1], dev))

    for kinds in KINDS[:3]:
        ours = _result_or_error(lambda: run(tinynn, "cpu", kinds))
        assert ours == _result_or_error(lambda: run(torch, device, kinds)), kinds


@pytest.mark.parametrize("scalar", [True, 2, 2.5], ids=["bool", "int", "float"])
@pytest.mark.parametrize("a", PROMOTION_DTYPES)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow"])
def test_tensor_scalar_promotion_matches_torch(op, a, scalar, device):
    """tensor op number and number op tensor, for 1-d and 0-d tensors."""
    fn = BINARY_OPS[op]

    def run(lib, dev, kind, reflected):
        x = _operand(lib, a, kind, dev)
        return fn(scalar, x) if reflected else fn(x, scalar)

    for kind in ("tensor", "0d"):
        for reflected in (False, True):
            ours = _result_or_error(lambda: run(tinynn, "cpu", kind, reflected))
            theirs = _result_or_error(lambda: run(torch, device, kind, reflected))
            assert ours == theirs, f"{kind}, reflected={reflected}"


@pytest.mark.parametrize("a, b", list(itertools.product(PROMOTION_DTYPES, repeat=2)))
def test_promote_types_matches_torch(a, b):
    ours = tinynn.promote_types(getattr(tinynn, a), getattr(tinynn, b))
    theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]


@pytest.mark.parametrize("a, b", list(itertools.product(PROMOTION_DTYPES, repeat=2)))
def test_result_type_matches_torch(a, b):
    ours = tinynn.result_type(_operand(tinynn, a, "tensor", "cpu"), _operand(tinynn, b, "0d", "cpu"))
    theirs = torch.result_type(_operand(torch, a, "tensor", "cpu"), _operand(torch, b, "0d", "cpu"))
    assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]


@pytest.mark.parametrize("a, b", list(itertools.product(PROMOTION_DTYPES, repeat=2)))
def test_comparison_always_gives_bool(a, b, device):
    ours = _operand(tinynn, a, "tensor", "cpu") < _operand(tinynn, b, "tensor", "cpu")
    theirs = _operand(torch, a, "tensor", device) < _operand(torch, b, "tensor", device)
    assert dtype_name(ours) == dtype_name(theirs) == "bool"
    assert_close(ours, theirs)


def test_promotion_values_int_plus_float_scalar(device):
    assert_close(tinynn.tensor([1, 2]) + 0.5, torch.tensor([1, 2], device=device) + 0.5)


def test_int_tensor_true_division_gives_default_float(device):
    ours = tinynn.tensor([1, 2]) / tinynn.tensor([2, 4])
    theirs = torch.tensor([1, 2], device=device) / torch.tensor([2, 4], device=device)
    assert dtype_name(ours) == dtype_name(theirs) == "float32"
    assert_close(ours, theirs)


# -- numpy interop: memory is shared both ways --------------------------------------------------
def test_from_numpy_shares_memory_numpy_to_tensor():
    array = np.arange(6.0).reshape(2, 3)
    t = tinynn.from_numpy(array)
    array[0, 0] = 100.0
    assert t[0, 0].item() == 100.0


def test_from_numpy_shares_memory_tensor_to_numpy():
    array = np.arange(6.0).reshape(2, 3)
    t = tinynn.from_numpy(array)
    t[1, 1] = -5.0
    assert array[1, 1] == -5.0


def test_from_numpy_inplace_op_writes_through():
    array = np.ones(3, dtype=np.float32)
    tinynn.from_numpy(array).mul_(4)
    np.testing.assert_array_equal(array, [4.0, 4.0, 4.0])


@pytest.mark.parametrize("np_dtype", ["float32", "float64", "int64", "int32", "bool", "uint8"])
def test_from_numpy_keeps_dtype(np_dtype):
    array = np.zeros(2, dtype=np_dtype)
    assert dtype_name(tinynn.from_numpy(array)) == dtype_name(torch.from_numpy(array))


def test_numpy_shares_memory_with_tensor():
    t = tinynn.zeros(2, 3)
    array = t.numpy()
    array[0, 1] = 7.0
    assert t[0, 1].item() == 7.0
    t.add_(1)
    assert array[1, 2] == 1.0


def test_numpy_of_view_shares_memory_with_base():
    t = tinynn.arange(6.0).view(2, 3)
    view = t.t()
    view.numpy()[0, 1] = 42.0
    assert t[1, 0].item() == 42.0


def test_numpy_of_detached_tensor_that_required_grad_shares_memory():
    t = tinynn.ones(3, requires_grad=True)
    t.detach().numpy()[0] = 9.0
    assert t[0].item() == 9.0


def test_tensor_copies_numpy_data():
    array = np.zeros(3)
    t = tinynn.tensor(array)
    array[0] = 1.0
    assert t[0].item() == 0.0


def test_as_tensor_shares_numpy_memory():
    array = np.zeros(3)
    t = tinynn.as_tensor(array)
    array[0] = 1.0
    assert t[0].item() == 1.0


def test_from_numpy_rejects_non_array():
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        tinynn.from_numpy([1, 2])


def test_from_numpy_rejects_unsupported_dtype():
    with pytest.raises(TypeError, match="complex128"):
        tinynn.from_numpy(np.array([1 + 2j]))


# -- manual_seed -------------------------------------------------------------------------------
@pytest.mark.parametrize("factory", [
    lambda: tinynn.rand(5), lambda: tinynn.randn(2, 3), lambda: tinynn.randint(0, 100, (6,)),
    lambda: tinynn.randperm(8), lambda: tinynn.randn(3, dtype=tinynn.float64),
], ids=["rand", "randn", "randint", "randperm", "randn_float64"])
def test_manual_seed_reproduces_values(factory):
    tinynn.manual_seed(1234)
    first = factory()
    tinynn.manual_seed(1234)
    second = factory()
    assert tinynn.equal(first, second)


def test_different_seeds_give_different_values():
    tinynn.manual_seed(1)
    a = tinynn.randn(10)
    tinynn.manual_seed(2)
    b = tinynn.randn(10)
    assert not tinynn.equal(a, b)


def test_consecutive_draws_differ():
    tinynn.manual_seed(0)
    assert not tinynn.equal(tinynn.rand(10), tinynn.rand(10))


def test_generator_object_is_independent_of_global_seed():
    g = tinynn.Generator().manual_seed(7)
    a = tinynn.randn(4, generator=g)
    tinynn.manual_seed(99)
    g.manual_seed(7)
    assert tinynn.equal(a, tinynn.randn(4, generator=g))


def test_initial_seed_reports_manual_seed():
    tinynn.manual_seed(321)
    assert tinynn.initial_seed() == 321


def test_same_seed_gives_different_numbers_than_torch():
    """A documented deviation (book/deviations.md): the API matches, the streams do not."""
    tinynn.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = tinynn.randn(8), torch.randn(8)
    assert not np.allclose(ours.numpy(), theirs.numpy())


# -- requires_grad at creation ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_factory_requires_grad_makes_a_leaf(dtype):
    t = tinynn.zeros(2, dtype=lib_dtype(tinynn, dtype), requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


@pytest.mark.parametrize("factory", [
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.arange(3, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.bool, requires_grad=True),
], ids=["tensor_int", "zeros_int64", "arange_int", "ones_bool"])
def test_requires_grad_on_integer_factory_raises_runtime_error(factory):
    with pytest.raises(RuntimeError):
        factory(torch)
    with pytest.raises(RuntimeError, match="floating point"):
        factory(tinynn)


def test_cuda_device_raises_clear_error():
    with pytest.raises(RuntimeError, match="CPU only"):
        tinynn.zeros(2, device="cuda")


def test_cpu_device_is_accepted():
    t = tinynn.zeros(2, device="cpu")
    assert t.device == "cpu" and str(t.device) == "cpu"
    assert tinynn.ones(1, device=tinynn.device("cpu")).device.type == "cpu"


# -- logspace --------------------------------------------------------------------------------
@pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch
@pytest.mark.parametrize("dtype", ["float32", "float64", None])
def test_logspace(dtype):
    for args, kwargs in [((0, 2, 3), {}), ((-1, 1, 5), {"base": 2.0})]:
        kw = dict(kwargs)
        if dtype:
            kw_t, kw_n = dict(kw, dtype=getattr(torch, dtype)), dict(kw, dtype=getattr(tinynn, dtype))
        else:
            kw_t = kw_n = kw
        assert_close(tinynn.logspace(*args, **kw_n), torch.logspace(*args, **kw_t))


# -- differential checks of corner cases: values bit for bit, dtype, shape, or the error ------
def _outcome(lib, call):
    """(dtype, shape, requires_grad, bytes) of ``call(lib)``, or (exception type, message start)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            t = call(lib)
        except Exception as e:  # noqa: BLE001  (the exception is what is compared)
            return type(e).__name__, str(e).split(" (")[0].replace("c10::Half", "float16")
    return dtype_name(t), tuple(t.shape), t.requires_grad, t.detach().numpy().tobytes()


def _assert_same_outcome(call):
    ours, theirs = _outcome(tinynn, call), _outcome(torch, call)
    if len(theirs) == 2:  # an error: same type, and PyTorch's message starts ours
        assert ours[0] == theirs[0] and ours[1].startswith(theirs[1].split(" without")[0][:30]), (ours, theirs)
    else:
        assert ours == theirs


FLOAT16_ROUNDED_TWICE = {  # 1.19677734 is 1.197 in float16 by way of float32, 1.196 directly
    "tensor_list": lambda lib: lib.tensor([1.19677734, -1.19677734], dtype=lib.float16),
    "tensor_scalar": lambda lib: lib.tensor(1.19677734, dtype=lib.float16),
    "tensor_numpy_float64": lambda lib: lib.tensor(np.array([1.19677734]), dtype=lib.float16),
    "as_tensor_list": lambda lib: lib.as_tensor([1.19677734], dtype=lib.float16),
    "full": lambda lib: lib.full((2,), 1.19677734, dtype=lib.float16),
    "full_like": lambda lib: lib.full_like(lib.zeros(2, dtype=lib.float16), 1.19677734),
    "arange": lambda lib: lib.arange(1.19677734, 2, dtype=lib.float16),
    "linspace": lambda lib: lib.linspace(-1.19677734, 1.19677734, 3, dtype=lib.float16),
}


@pytest.mark.parametrize("name", sorted(FLOAT16_ROUNDED_TWICE))
def test_float16_from_a_double_rounds_through_float32(name):
    _assert_same_outcome(FLOAT16_ROUNDED_TWICE[name])


TENSOR_CORNER_CASES = {
    "int_2_63": lambda lib: lib.tensor(2 ** 63),
    "int_below_int64": lambda lib: lib.tensor([-2 ** 63 - 1]),
    "int_2_64_in_list": lambda lib: lib.tensor([1, 2 ** 64]),
    "int_2_64_for_int64": lambda lib: lib.tensor([2 ** 64], dtype=lib.int64),
    "int_2_64_with_floats": lambda lib: lib.tensor([1.0, 2 ** 64]),
    "int_2_64_for_float64": lambda lib: lib.tensor(2 ** 64, dtype=lib.float64),
    "int_2_63_for_bool": lambda lib: lib.tensor([2 ** 63], dtype=lib.bool),
    "int_beyond_double": lambda lib: lib.tensor([1.0, 10 ** 400]),
    "none": lambda lib: lib.tensor([1, None]),
    "uint8_minus_one": lambda lib: lib.tensor([-1, 2], dtype=lib.uint8),
    "uint8_minus_255": lambda lib: lib.tensor(-255, dtype=lib.uint8),
    "uint8_minus_256": lambda lib: lib.tensor(-256, dtype=lib.uint8),
    "uint8_minus_float": lambda lib: lib.tensor([-0.5], dtype=lib.uint8),
    "int8_float_above": lambda lib: lib.tensor([127.9], dtype=lib.int8),
    "float16_overflow_to_inf": lambda lib: lib.tensor([1e5, 70000], dtype=lib.float16),
    "ragged_length": lambda lib: lib.tensor([[1, 2], [3]]),
    "ragged_number_for_list": lambda lib: lib.tensor([[1, 2], 3]),
    "ragged_list_for_int": lambda lib: lib.tensor([1, [2, 3]]),
    "ragged_list_for_float": lambda lib: lib.tensor([1.0, [2]]),
    "ragged_but_empty": lambda lib: lib.tensor([[], [1]]),
    "list_of_float64_arrays": lambda lib: lib.tensor([np.array([1.0, 2.0]), np.array([3.0, 4.0])]),
    "list_of_float_tensors": lambda lib: lib.tensor([lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])]),
    "list_of_int_tensors": lambda lib: lib.tensor([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    "negative_stride": lambda lib: lib.tensor(np.arange(6.0).reshape(2, 3)[::-1]),
    "negative_stride_as_tensor": lambda lib: lib.as_tensor(np.arange(3.0)[::-1]),
    "negative_stride_from_numpy": lambda lib: lib.from_numpy(np.arange(3.0)[::-1]),
}


@pytest.mark.parametrize("name", sorted(TENSOR_CORNER_CASES))
def test_tensor_corner_case_matches_torch(name):
    _assert_same_outcome(TENSOR_CORNER_CASES[name])


def test_tensor_float16_overflow_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tinynn.tensor([1e39, 70000], dtype=tinynn.float16).isinf().all()


FACTORY_CORNER_CASES = {
    "zeros_size_keyword": lambda lib: lib.zeros(size=(2, 3)),
    "ones_size_keyword": lambda lib: lib.ones(size=[2]),
    "zeros_size_keyword_int": lambda lib: lib.zeros(size=3),
    "full_size_int": lambda lib: lib.full(3, 1.0),
    "full_uint8_minus_one": lambda lib: lib.full((2,), -1, dtype=lib.uint8),
    "full_like_uint8_minus_one": lambda lib: lib.full_like(lib.zeros(2, dtype=lib.uint8), -1),
    "full_float16_above_max": lambda lib: lib.full((2,), 65510.0, dtype=lib.float16),
    "full_float32_above_max": lambda lib: lib.full((2,), 1e39),
    "full_int_2_64": lambda lib: lib.full((2,), 2 ** 64, dtype=lib.float64),
    "full_bool_int_2_63": lambda lib: lib.full((2,), 2 ** 63, dtype=lib.bool),
    "full_0d_float64_tensor": lambda lib: lib.full((2,), lib.tensor(2.5, dtype=lib.float64)),
    "full_0d_int_tensor": lambda lib: lib.full((2,), lib.tensor(2)),
    "full_1d_tensor": lambda lib: lib.full((2,), lib.tensor([2.5])),
    "full_numpy_bool": lambda lib: lib.full((2,), np.bool_(True)),
    "arange_wrong_sign_up": lambda lib: lib.arange(0, 5, -1),
    "arange_wrong_sign_down": lambda lib: lib.arange(5.0, 0, 0.5),
    "arange_bool": lambda lib: lib.arange(3, dtype=lib.bool),
    "arange_int64_step_truncates_to_zero": lambda lib: lib.arange(0, 1, 0.1, dtype=lib.int64),
    "arange_int64_truncates_bounds": lambda lib: lib.arange(0, 2.39, 1.19, dtype=lib.int64),
    "arange_int8_truncates_step": lambda lib: lib.arange(-1.5, 2.5, 0.5, dtype=lib.int8),
    "arange_int32_float_end": lambda lib: lib.arange(2.5, dtype=lib.int32),
    "arange_0d_tensors": lambda lib: lib.arange(lib.tensor(0.0), lib.tensor(1.0), lib.tensor(0.25)),
    "linspace_negative_steps": lambda lib: lib.linspace(0, 1, -1),
    "linspace_bool": lambda lib: lib.linspace(0, 1, 3, dtype=lib.bool),
    "linspace_float32_halves": lambda lib: lib.linspace(0.1, 0.7, 7),
    "linspace_float64_halves": lambda lib: lib.linspace(0, 1, 11, dtype=lib.float64),
    "linspace_0_10_7": lambda lib: lib.linspace(0, 10, 7),
    "logspace_negative_steps": lambda lib: lib.logspace(0, 1, -1),
    "logspace_bool": lambda lib: lib.logspace(0, 1, 3, dtype=lib.bool),
}


@pytest.mark.parametrize("name", sorted(FACTORY_CORNER_CASES))
def test_factory_corner_case_matches_torch(name):
    _assert_same_outcome(FACTORY_CORNER_CASES[name])
