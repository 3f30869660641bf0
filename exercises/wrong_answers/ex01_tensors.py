"""Wrong answers for exercises/ex01_tensors.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex01_tensors import contiguous_strides


def contiguous_strides__column_major(shape):
    """Strides that grow from the left (Fortran order): the first dimension has stride 1."""
    strides, step = [], 1
    for size in shape:
        strides.append(step)
        step *= max(size, 1)
    return tuple(strides)


def contiguous_strides__size_zero(shape):
    """Multiplies by a size of 0 as it is, so every stride before it becomes 0."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def strides_of__permutes_the_shape(shape, permutation):
    """Permutes the shape, then computes fresh strides: as if permute copied the data."""
    return contiguous_strides(tuple(shape[d] for d in permutation))


def is_contiguous__size_one_matters(shape, strides):
    """Compares every stride with the row-major ones, even for dimensions of size 1."""
    return tuple(strides) == contiguous_strides(shape)


def is_contiguous__returns_int(shape, strides):
    """Right logic, but returns 1 or 0 instead of True or False."""
    if 0 in shape:
        return 1
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return 0
            expected *= size
    return 1


def view_strides__contiguous_only(shape, strides, new_shape):
    """Refuses every non-contiguous input, though PyTorch views many of them."""
    from solutions.ex01_tensors import is_contiguous
    return contiguous_strides(new_shape) if is_contiguous(shape, strides) else None


def view_strides__ignores_strides(shape, strides, new_shape):
    """Always returns the strides of a fresh tensor of new_shape: a silent wrong view."""
    return contiguous_strides(new_shape)


def broadcast_shape__never_raises(shape_a, shape_b):
    """Takes the larger size in each dimension, without checking that they are compatible."""
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    return tuple(n if m == 1 else m if n == 1 else max(m, n) for m, n in zip(a, b))


def broadcast_shape__left_aligned(shape_a, shape_b):
    """Lines the shapes up from the left (pads on the right): (3, 1) and (4,) then clash."""
    ndim = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (ndim - len(shape_a))
    b = tuple(shape_b) + (1,) * (ndim - len(shape_b))
    result = []
    for m, n in zip(a, b):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"cannot broadcast {m} and {n}")
        result.append(n if m == 1 else m)
    return tuple(result)


def softmax__unstable(x, dim):
    """exp without subtracting the maximum: exp(1e4) = inf, and inf / inf = nan."""
    e = np.exp(x)
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__global_max(x, dim):
    """Subtracts the maximum of the whole array: a row far below it underflows to 0 / 0."""
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__forgot_keepdim(x, dim):
    """The maximum loses its dimension, so it broadcasts against the wrong axis (or not at all)."""
    e = np.exp(x - np.max(x, axis=dim))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__float64(x, dim):
    """Computes in float64 "for accuracy" and never converts back: float32 in, float64 out."""
    x = x.astype(np.float64)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__torch_keyword(x, dim):
    """Writes PyTorch's keepdim= in numpy's sum, which calls it keepdims=: a TypeError."""
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdim=True)


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "contiguous_strides__column_major":
        ("contiguous_strides", "wrong value", "column-major (Fortran) strides"),
    "contiguous_strides__size_zero":
        ("contiguous_strides", "wrong value", "a size-0 dimension zeroes the strides before it"),
    "strides_of__permutes_the_shape":
        ("strides_of", "wrong value", "fresh strides for the permuted shape"),
    "is_contiguous__size_one_matters":
        ("is_contiguous", "wrong value", "does not ignore size-1 dimensions"),
    "is_contiguous__returns_int":
        ("is_contiguous", "wrong type", "returns 1/0, not True/False"),
    "view_strides__contiguous_only":
        ("view_strides", "wrong value", "refuses every non-contiguous input"),
    "view_strides__ignores_strides":
        ("view_strides", "wrong value", "ignores the input's strides"),
    "broadcast_shape__never_raises":
        ("broadcast_shape", "did not raise", "no error for incompatible shapes"),
    "broadcast_shape__left_aligned":
        ("broadcast_shape", "raised", "aligns the shapes from the left"),
    "softmax__unstable":
        ("softmax", "wrong value", "overflows at logits of 1e4"),
    "softmax__global_max":
        ("softmax", "wrong value", "one maximum for the whole array"),
    "softmax__forgot_keepdim":
        ("softmax", "raised", "forgot keepdims in the max"),
    "softmax__float64":
        ("softmax", "wrong dtype", "returns float64 for float32 input"),
    "softmax__torch_keyword":
        ("softmax", "raised", "an exception inside the learner's code (keepdim=)"),
}


# ----------------------------------------------------------------------------- issue 21 kinds
# Wrong answers a learner can trust the checks to catch: wrong result types, rules no
# fixed case used to need, answers that reach for the library, write into their inputs,
# never return, or read the check's answer.

def contiguous_strides__generator(shape):
    """Right strides, returned as a generator expression instead of a tuple."""
    strides = contiguous_strides(shape)
    return (s for s in strides)


def contiguous_strides__torch(shape):
    """Asks PyTorch instead of computing the strides."""
    import torch
    return tuple(torch.empty(shape).stride())


def contiguous_strides__endless_loop(shape):
    """A while loop whose condition never changes (the index is never decremented)."""
    strides, step, d = [], 1, len(shape) - 1
    while d >= 0:
        step = step * 1
    return tuple(strides)


def strides_of__list(shape, permutation):
    """Right strides, as a list: shapes and strides are tuples in PyTorch."""
    strides = contiguous_strides(shape)
    return [strides[d] for d in permutation]


def is_contiguous__slow(shape, strides):
    """Right answer, but takes a minute for each call."""
    import time
    time.sleep(60)
    from solutions.ex01_tensors import is_contiguous
    return is_contiguous(shape, strides)


def view_strides__size_one_strides_matter(shape, strides, new_shape):
    """Chunks by every dimension, size 1 included: its arbitrary stride breaks a chunk."""
    chunks = []
    for size, stride in zip(reversed(shape), reversed(strides)):
        if chunks and stride == chunks[-1][0] * chunks[-1][1]:
            chunks[-1][0] *= size
        else:
            chunks.append([size, stride])
    new_strides = [1] * len(new_shape)
    dims = [d for d in reversed(range(len(new_shape))) if new_shape[d] != 1]
    k = 0
    for numel, base in chunks:
        covered = 1
        while covered < numel and k < len(dims):
            new_strides[dims[k]] = base * covered
            covered *= new_shape[dims[k]]
            k += 1
        if covered != numel:
            return None
    return tuple(new_strides) if k == len(dims) else None


class _Unprintable(RuntimeError):
    def __str__(self):
        raise ValueError("no message")


def broadcast_shape__unprintable_error(shape_a, shape_b):
    """Raises an exception whose str() itself raises: the check must not crash on it."""
    raise _Unprintable()


def softmax__clamps(x, dim):
    """Clips the logits to +-80 instead of shifting them: large logits that are close
    together all become 80, so their differences are lost."""
    e = np.exp(np.clip(x, -80, 80))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__torch(x, dim):
    """Calls torch.softmax: right values, but not built from numpy."""
    import torch
    return torch.softmax(torch.from_numpy(x), dim).numpy()


def softmax__tinynn(x, dim):
    """Calls tinynn's softmax: right values, but not built from numpy."""
    import tinynn
    return tinynn.softmax(tinynn.tensor(x), dim).numpy()


def softmax__returns_tensor(x, dim):
    """Computes with numpy, but hands back a torch.Tensor."""
    import torch
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return torch.from_numpy(e / np.sum(e, axis=dim, keepdims=True))


def softmax__in_place(x, dim):
    """Right values, computed in x itself: the caller's logits are gone."""
    x -= np.max(x, axis=dim, keepdims=True)
    np.exp(x, out=x)
    x /= np.sum(x, axis=dim, keepdims=True)
    return x


def softmax__in_float32(x, dim):
    """Computes in float32 and converts back: float64 inputs lose half their digits."""
    x32 = x.astype(np.float32)
    e = np.exp(x32 - np.max(x32, axis=dim, keepdims=True))
    return (e / np.sum(e, axis=dim, keepdims=True)).astype(x.dtype)


def softmax__reads_the_answer(x, dim):
    """Looks through every thread's frames for the check's expected answer."""
    import sys
    for frame in sys._current_frames().values():
        while frame is not None:
            for value in list(frame.f_locals.values()):
                want = getattr(value, "expected", None)
                if isinstance(want, np.ndarray) and want.shape == x.shape:
                    return want.copy()
            frame = frame.f_back
    return None


def softmax__returns_str(x, dim):
    """Returns a description instead of the array."""
    return f"softmax of {x.shape} along {dim}"


WRONG_ANSWERS.update({
    "contiguous_strides__generator":
        ("contiguous_strides", "wrong type", "a generator where a tuple is asked"),
    "contiguous_strides__torch":
        ("contiguous_strides", "used the library", "torch.empty(shape).stride()"),
    "contiguous_strides__endless_loop":
        ("contiguous_strides", "timed out", "a loop that never ends"),
    "strides_of__list": ("strides_of", "wrong type", "a list where a tuple is asked"),
    "is_contiguous__slow": ("is_contiguous", "timed out", "a minute per call"),
    "view_strides__size_one_strides_matter":
        ("view_strides", "wrong value", "a size-1 dimension's stride breaks a chunk"),
    "broadcast_shape__unprintable_error":
        ("broadcast_shape", "raised", "an exception whose str() raises"),
    "softmax__clamps": ("softmax", "wrong value", "clipping instead of shifting"),
    "softmax__torch": ("softmax", "used the library", "torch.softmax"),
    "softmax__tinynn": ("softmax", "used the library", "tinynn's softmax"),
    "softmax__returns_tensor": ("softmax", "wrong type", "a torch.Tensor returned"),
    "softmax__in_place": ("softmax", "changed an input", "computed in x itself"),
    "softmax__in_float32": ("softmax", "wrong value", "float64 computed in float32"),
    "softmax__reads_the_answer": ("softmax", "wrong type", "looks for the expected answer"),
    "softmax__returns_str": ("softmax", "wrong type", "a str returned"),
})
