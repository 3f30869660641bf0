"""``Tensor``: an n-dimensional array (a numpy ``ndarray``) that can record its history.

A Tensor holds

* ``_data``: the numpy array with the values (shape, strides and memory live there);
* ``requires_grad``: whether operations on it are recorded for backward;
* ``grad_fn``: the graph node that produced it (``None`` for leaves, tensors you made);
* ``grad``: where backward accumulates dL/d(this tensor), for leaves.

Every operator below is one line that calls a ``Function`` from ``tinynn/_functions``
(or the public function next to it there, which checks the arguments), so "where is
``+`` defined?" has one answer: ``__add__`` -> ``Add.apply``.
"""
from __future__ import annotations

import sys
import warnings
from typing import Sequence

import numpy as np

from . import _dtype, random, return_types
from ._tensor_str import tensor_repr
from ._types import (_CPU, Size, UntypedStorage, check_memory_format, contiguous_format, device, layout,
                     memory_format, memory_order, preserve_format, strided)
from ._types import device as _device_type  # (``device`` is also a Tensor attribute's name below)
from ._functions import comparison as C
from ._functions import cumulative as U
from ._functions import elementwise as E
from ._functions import indexing as I
from ._functions import inplace as IP
from ._functions import linalg as L
from ._functions import reduction as R
from ._functions import shape as S
from ._functions import sorting as O
from ._functions import unary as UN
from .autograd import grad_mode
from .autograd.function import quiet_numpy
from .utils.hooks import RemovableHandle



def _size_args(size) -> tuple:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike, as PyTorch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        return tuple(size[0])
    return tuple(size)


def _parse_to(*args, **kwargs):
    """The dtype that ``Tensor.to`` / ``Module.to`` asks for (None: keep it), as PyTorch's ``_parse_to``.

    Accepts ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)`` and the
    keyword forms.

    Raises:
        RuntimeError: for a device other than "cpu" (from :class:`device`).
    """
    dtype = kwargs.get("dtype")
    if kwargs.get("device") is not None:
        device(kwargs["device"])
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None:
            device(a)
    return dtype




class Tensor:
    """A multi-dimensional array with autograd, mirroring ``torch.Tensor``.

    Make tensors with the factory functions (``tinynn.tensor``, ``zeros``, ``randn``...).
    ``Tensor(2, 3)`` gives an uninitialised float32 tensor of that shape and
    ``Tensor([1, 2])`` a float32 copy of the data, as ``torch.Tensor`` does.
    """

    # class-level defaults: most tensors never set these, which keeps creation cheap
    _grad = None
    grad_fn = None
    _requires_grad = False
    _output_nr = 0
    _base = None  # the tensor that owns the memory, for a view (shares its version counter)
    _version_counter = None
    _grad_base = None  # for a view: the tensor whose history it follows (_functions/inplace.py)
    _views = None  # weak references to this tensor's views
    _view_no_grad = False  # a view made while grad mode was off
    _grad_accumulator = None
    _hooks = None
    _retains_grad = False
    __array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

    def __init__(self, *args) -> None:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = args[0]._data if isinstance(args[0], Tensor) else args[0]
            self._data = np.array(data, dtype=_dtype.get_default_dtype().numpy_dtype)
        else:
            self._data = np.empty(_size_args(args), dtype=_dtype.get_default_dtype().numpy_dtype)

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap a numpy array (no copy). The one internal way to make a Tensor."""
        t = object.__new__(Tensor)
        # numpy ufuncs on 0-d arrays return numpy scalars, which cannot be written in place
        t._data = array if type(array) is np.ndarray else np.asarray(array)
        if requires_grad:
            t.requires_grad = True
        return t

    # Wrap a numpy view of base's memory: it shares base's version counter and history.
    _make_view = staticmethod(IP.make_view)

    # -- attributes --------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same values (shared memory), detached from the graph, with a version counter
        of its own, as in PyTorch: unlike ``detach()``, an in-place change made through
        ``.data`` is not seen by autograd, so a backward that saved this tensor runs with
        the changed values instead of raising (the old escape hatch: prefer ``detach()``
        and ``no_grad``)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        """Replace the values (and with them shape and dtype) without touching the history.

        Raises:
            TypeError: if ``value`` is not a tensor.
            RuntimeError: for a ``value`` of an integer or bool dtype when this tensor
                requires grad.
        """
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {_type_name(value)}")
        if self.requires_grad and not value.dtype.is_floating_point:
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or complex dtype"
            )
        self._data = value._data

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape (a ``Size``), or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[R.normalize_dims(dim, self.ndim)[0]]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def ndimension(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype._FROM_NUMPY[self._data.dtype]

    @property
    def device(self) -> device:
        return _CPU

    @property
    def layout(self) -> layout:
        """``tinynn.strided``: dense, with strides (PyTorch's default; tinynn has no sparse layouts)."""
        return strided

    @property
    def is_cuda(self) -> bool:
        return False

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element (``element_size()``)."""
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """The bytes the elements would take stored one after the other, ``numel() * itemsize``
        (an expanded tensor counts every element it shows, as in PyTorch)."""
        return self._data.size * self._data.itemsize

    def stride(self, dim: int | None = None):
        """Steps (in elements, not bytes) to the next element along each dimension."""
        if self._data.size == 0:  # numpy gives empty arrays 0 strides; PyTorch the contiguous ones
            strides = tuple(int(np.prod([max(s, 1) for s in self._data.shape[i + 1:]], dtype=np.int64))
                            for i in range(self._data.ndim))
        else:
            strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[R.normalize_dims(dim, self.ndim)[0]]

    def data_ptr(self) -> int:
        """The memory address of the first element (equal for tensors that share it)."""
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self) -> UntypedStorage:
        """The memory this tensor looks into, shared with its base and all views of it."""
        root = self._base if self._base is not None else self
        return UntypedStorage(root._data)

    def storage_offset(self) -> int:
        """Where this tensor starts in its base's memory, in elements."""
        if self._base is None:
            return 0
        start = self._data.__array_interface__["data"][0]
        base_start = self._base._data.__array_interface__["data"][0]
        return (start - base_start) // self._data.itemsize

    def is_contiguous(self, memory_format: memory_format = contiguous_format) -> bool:
        """True when the elements lie in memory in row-major order with no gaps: from the
        last dimension back, each stride is the product of the sizes after it. (With
        ``channels_last`` the order is (N, H, W, C), dim 1 fastest, which only a 4-d tensor has.)

        Dimensions of size 1 are ignored, as in PyTorch (their stride does not matter).
        """
        check_memory_format("is_contiguous", memory_format)
        if self._data.size == 0:
            return True
        order = memory_order(self.ndim, memory_format)  # the dims, slowest to fastest
        if order is None:
            return False
        shape, strides = self._data.shape, self.stride()
        expected = 1
        for d in reversed(order):
            if shape[d] != 1:
                if strides[d] != expected:
                    return False
                expected *= shape[d]
        return True

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """Always False: tinynn has no complex dtypes (book/deviations.md)."""
        return False

    def is_signed(self) -> bool:
        """True for a dtype that holds negative numbers (not ``bool`` or ``uint8``)."""
        return self.dtype not in (_dtype.bool, _dtype.uint8)

    @property
    def grad(self) -> Tensor | None:
        """dL/d(this tensor), filled in by ``backward`` for leaves (and for ``retain_grad`` tensors).

        Reading it on a non-leaf that does not retain its gradient warns (it is always None
        there, a common mistake), as PyTorch does.
        """
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {_type_name(value)}"
                )
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                    "the same size"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype}' to a tensor with "
                    f"dtype '{self.dtype}'. The gradient must have the tensor's dtype."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        """``del x.grad`` is ``x.grad = None``, as in PyTorch."""
        self._grad = None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        """Make a leaf require grad, or stop requiring it.

        Raises:
            RuntimeError: for a value that is not a ``bool``; for a non-leaf; for True on a
                tensor of an integer or bool dtype.
        """
        if type(value) is not bool:
            raise RuntimeError("requires_grad must be a bool")
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables."
                + ("" if value else " If you want to use a computed variable in a subgraph that "
                   "doesn't require differentiation use var_no_grad = var.detach().")
            )
        if value and not self.dtype.is_floating_point:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients "
                f"(this tensor is {self.dtype}; convert it first with .float())"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self (leaves; a result may only keep True).

        Raises:
            TypeError: for an argument that is not a ``bool``.
            RuntimeError: as the ``requires_grad`` setter.
        """
        if type(requires_grad) is not bool:
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, "
                            f"not {_type_name(requires_grad)}")
        if self.grad_fn is not None:
            if requires_grad:
                return self  # a result already requires grad: nothing to change, as in PyTorch
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (created by you, or not requiring grad)."""
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        return 0 if self._version_counter is None else self._version_counter[0]

    def _bump_version(self) -> None:
        if self._version_counter is None:
            self._version_counter = [0]
        self._version_counter[0] += 1

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the transpose, for a matrix).

        Warns (``UserWarning``, as PyTorch does) for a tensor that is not 2-D, where PyTorch
        deprecates ``.T``: write ``.mT`` or ``.permute`` instead.
        """
        if self._data.ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                          "these cases.", UserWarning, stacklevel=2)
        elif self._data.ndim != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (its transpose, as tinynn has no complex dtypes).

        Warns for a 0-d tensor (returned as it is), as PyTorch does.

        Raises:
            RuntimeError: for a tensor that is neither 0-d nor 2-D (use ``.mH`` for a batch).
        """
        n = self._data.ndim
        if n == 0:
            warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                          UserWarning, stacklevel=2)
            return self
        if n != 2:
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor."
                + (" For batches of matrices, consider using tensor.mH" if n > 2 else "")
            )
        return S.matrix_transpose(self)

    @property
    def mH(self) -> Tensor:
        """The last two dimensions swapped (``mT``; no conjugate: tinynn has no complex dtypes).

        Warns for a 0-d tensor (returned as it is), as PyTorch does.

        Raises:
            RuntimeError: for a 1-D tensor.
        """
        n = self._data.ndim
        if n == 0:
            warnings.warn("Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().",
                          UserWarning, stacklevel=2)
            return self
        if n == 1:
            raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return S.matrix_transpose(self)

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of transposed matrices)."""
        return S.matrix_transpose(self)

    # -- conversion --------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a numpy array that shares memory with this tensor.

        Raises:
            RuntimeError: if the tensor requires grad (use ``.detach().numpy()``).
        """
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number.

        Raises:
            RuntimeError: if the tensor has more than one element.
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self) -> float:
        """The value of a one-element tensor as a float (warns if it requires grad, as PyTorch).

        Raises:
            ValueError: if the tensor has more or fewer than one element.
        """
        self._check_one_element()
        self._warn_if_requires_grad()
        return float(self.item())

    def __complex__(self) -> complex:
        """The value of a one-element tensor as a complex (warns if it requires grad, as PyTorch).

        Raises:
            ValueError: if the tensor has more or fewer than one element.
        """
        self._check_one_element()
        self._warn_if_requires_grad()
        return complex(self.item())

    def _warn_if_requires_grad(self) -> None:
        if self.requires_grad:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=3)

    def __int__(self) -> int:
        self._check_one_element()
        return int(self.item())

    def _check_one_element(self) -> None:
        if self._data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars (this one has shape "
                f"{list(self.shape)}; index it or reduce it first)"
            )

    def __index__(self) -> int:
        """The value of a one-element integer or bool tensor, where Python wants an index.

        Raises:
            TypeError: for a floating tensor or one with more or fewer than one element.
        """
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        """The truth value of a one-element tensor.

        Raises:
            RuntimeError: if the tensor has no elements, or more than one.
        """
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (it has "
                f"{self._data.size} elements; use .any() or .all())"
            )
        return bool(self._data.reshape(()))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)``: the values, sharing memory unless a copy is asked for or the
        ``dtype`` differs (numpy's protocol).

        Raises:
            RuntimeError: if the tensor requires grad (use ``.detach()``).
        """
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self._data.copy() if copy else self._data
        if copy is False:
            raise ValueError(f"Unable to avoid a copy converting a {self.dtype} tensor to {np.dtype(dtype)}")
        return self._data.astype(dtype)

    def __contains__(self, element) -> bool:
        """``element in t``: whether any entry of ``t`` equals ``element`` (a number, or a
        tensor compared by broadcasting, as PyTorch does).

        Raises:
            RuntimeError: for an element that is neither a tensor nor a number.
        """
        if not isinstance(element, (Tensor, int, float, complex, np.number, np.bool_)):
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
            )
        if isinstance(element, (np.number, np.bool_)):
            element = element.item()
        if isinstance(element, complex):
            return element.imag == 0 and bool((self == element.real).any())
        return bool((self == element).any())

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, format_spec: str) -> str:
        """``f"{loss:.4f}"`` formats a 0-d tensor's value like a Python number; any other
        tensor only formats with an empty spec (as ``str``), as in PyTorch."""
        if self.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __deepcopy__(self, memo) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment."
            )
        new = type(self).__new__(type(self))
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if k not in ("_data", "_grad_accumulator", "_version_counter", "_base", "_grad",
                                          "_grad_base", "_views", "_view_no_grad", "_multi_output")})
        new._data = self._data.copy()
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "tinynn tensors are not pickled (pickle can run code on load). Save state dicts "
            "with tinynn.save, which writes a .npz file."
        )

    # -- dtype and device ----------------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """Convert to a dtype and/or device: ``to(tinynn.float64)``, ``to("cpu")``, ``to(other)``.

        Returns self when nothing changes, as PyTorch does.

        Raises:
            RuntimeError: for a device other than "cpu".
        """
        dtype = _parse_to(*args, **kwargs)
        if dtype is None or dtype is self.dtype:
            return self
        return S.ToDtype.apply(self, dtype)

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, the legacy type name (``"torch.FloatTensor"``); else convert to
        ``dtype``, given as a dtype or as such a name (``x.type("torch.DoubleTensor")``).

        Raises:
            ValueError: for a name that is not a tensor type.
        """
        if dtype is None:
            return "torch." + _dtype.legacy_type_name(self.dtype)
        if isinstance(dtype, str):
            prefix, _, name = dtype.rpartition(".")
            if prefix.endswith(".cuda"):
                device("cuda")  # raises: tinynn runs on the CPU only
            by_name = {v: k for k, v in _dtype.LEGACY_TYPE_NAMES.items()}
            if prefix not in ("torch", "tinynn") or name not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = getattr(_dtype, by_name[name])
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        return self.to(_dtype.int16)

    def char(self) -> Tensor:
        return self.to(_dtype.int8)

    def byte(self) -> Tensor:
        return self.to(_dtype.uint8)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs) -> Tensor:
        device("cuda")  # raises: tinynn runs on the CPU only

    # -- autograd ----------------------------------------------------------------------
    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence["Tensor"] | None = None) -> None:
        """Compute d(self)/d(leaf) for every leaf of the graph and add it into ``leaf.grad``.

        Args:
            gradient: dL/d(self), required unless self has one element (then 1).
            retain_graph: keep saved tensors so backward can run again (default: create_graph).
            create_graph: record the backward pass, for higher-order derivatives.
            inputs: accumulate only into these leaves.

        Raises:
            RuntimeError: if self does not require grad, or is not a scalar and no
                ``gradient`` is given, or the graph was already freed.
        """
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _accumulate_grad(self, grad: Tensor, create_graph: bool) -> None:
        """``self.grad += grad`` for a leaf (what AccumulateGrad does)."""
        if self._hooks:
            for hook in self._hooks:
                result = hook(grad)
                if result is not None:
                    grad = result
        if create_graph:  # keep the gradient's own graph, so it can be differentiated
            self._grad = grad if self._grad is None else self._grad + grad
        elif self._grad is None:
            if _sole_owner(grad, self._data):
                # nothing else refers to this gradient or its memory: take it, as PyTorch's
                # AccumulateGrad steals a gradient whose use_count() is 1 (no copy)
                self._grad = grad
            else:  # it may be shared (with another leaf, a hook, the caller): copy it
                self._grad = Tensor._make(np.array(grad._data, copy=True))
        elif self._grad.requires_grad:
            self._grad = self._grad.detach() + grad.detach()
        else:
            # inf + -inf gives nan without a word, as in PyTorch (numpy would warn)
            quiet_numpy.run(np.add, self._grad._data, grad._data, out=self._grad._data)

    def detach(self) -> Tensor:
        """The same values (shared memory) as a new leaf that does not require grad."""
        return IP.detached(self)

    def detach_(self) -> Tensor:
        """Cut this tensor out of the graph, in place.

        Raises:
            RuntimeError: for a view (detach it with ``detach()``), as PyTorch does.
        """
        if self._grad_base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it).

        Raises:
            RuntimeError: if the tensor does not require grad.
        """
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain(self._output_nr, self)
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad.

        Raises:
            RuntimeError: if the tensor does not require grad.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            hooks = self.grad_fn._hooks_for(self._output_nr)
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # -- arithmetic operators (each one line: the op lives in tinynn/_functions) ------------
    def __add__(self, other):
        return E.Add.apply(self, other)

    def __radd__(self, other):
        return E.Add.apply(other, self)

    def __sub__(self, other):
        return E.Sub.apply(self, other)

    def __rsub__(self, other):
        return E.Sub.apply(other, self)

    def __mul__(self, other):
        return E.Mul.apply(self, other)

    def __rmul__(self, other):
        return E.Mul.apply(other, self)

    def __truediv__(self, other):
        return E.Div.apply(self, other)

    def __rtruediv__(self, other):
        # ``number / x`` is ``reciprocal(x) * number``, as in PyTorch (the reciprocal saves
        # its output, so changing x in place afterwards is no error)
        return UN.Reciprocal.apply(self) * other

    def __pow__(self, exponent):
        return E.Pow.apply(self, exponent)

    def __rpow__(self, base):
        return E.Pow.apply(base, self)

    def __matmul__(self, other):
        if isinstance(other, np.ndarray):
            return _matmul_with_array(self, other)
        if not isinstance(other, Tensor):
            return NotImplemented  # (Python's TypeError, as PyTorch's: "unsupported operand type(s) for @")
        return L.Matmul.apply(self, other)

    def __rmatmul__(self, other):
        # Only ever called with a left operand that is not a tensor: ``array @ tensor`` and
        # ``list @ tensor`` are a TypeError in PyTorch, which has no matmul of an array by a tensor
        return NotImplemented

    def __neg__(self):
        return UN.Neg.apply(self)

    def __pos__(self):
        return UN.positive(self)

    def __abs__(self):
        return UN.Abs.apply(self)

    def __floordiv__(self, other):
        return E.FloorDivide.apply(self, other)

    def __rfloordiv__(self, other):
        return E.FloorDivide.apply(other, self)

    def __mod__(self, other):
        return E.Remainder.apply(self, other)

    def __rmod__(self, other):
        """``number % tensor`` (values only: PyTorch defines no gradient for it)."""
        return E.Remainder.apply(other, self)

    # -- comparisons and logic (_functions/comparison.py; no gradient: the output is bool) ----
    def __eq__(self, other):  # noqa: D105
        if isinstance(other, np.ndarray):  # elementwise, as PyTorch does (not the False of object identity)
            if other.dtype not in _dtype._FROM_NUMPY:  # (strings...: False, as in PyTorch)
                return NotImplemented
            other = Tensor._make(other)
        return C.compare(np.equal, self, other)

    def __ne__(self, other):
        return C.compare(np.not_equal, self, other)

    def __lt__(self, other):
        return C.compare(np.less, self, other)

    def __le__(self, other):
        return C.compare(np.less_equal, self, other)

    def __gt__(self, other):
        return C.compare(np.greater, self, other)

    def __ge__(self, other):
        return C.compare(np.greater_equal, self, other)

    def __and__(self, other):
        return C.logical(np.bitwise_and, self, other)

    __rand__ = __and__

    def __or__(self, other):
        return C.logical(np.bitwise_or, self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return C.logical(np.bitwise_xor, self, other)

    __rxor__ = __xor__

    def __invert__(self):
        return C.bitwise_not(self)

    def eq(self, other) -> Tensor:
        return C.eq(self, other)

    def ne(self, other) -> Tensor:
        return C.ne(self, other)

    def lt(self, other) -> Tensor:
        return C.lt(self, other)

    def le(self, other) -> Tensor:
        return C.le(self, other)

    def gt(self, other) -> Tensor:
        return C.gt(self, other)

    def ge(self, other) -> Tensor:
        return C.ge(self, other)

    def eq_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.equal, other, "eq_")

    def ne_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.not_equal, other, "ne_")

    def lt_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.less, other, "lt_")

    def le_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.less_equal, other, "le_")

    def gt_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.greater, other, "gt_")

    def ge_(self, other) -> Tensor:
        return self._inplace(C.ComparisonInPlace, np.greater_equal, other, "ge_")

    def logical_not(self) -> Tensor:
        return C.logical_not(self)

    def logical_and(self, other) -> Tensor:
        return C.logical_and(self, other)

    def logical_or(self, other) -> Tensor:
        return C.logical_or(self, other)

    def logical_xor(self, other) -> Tensor:
        return C.logical_xor(self, other)

    def logical_not_(self) -> Tensor:
        return C.logical_inplace(self, np.logical_not, None, "logical_not_")

    def logical_and_(self, other) -> Tensor:
        return C.logical_inplace(self, np.logical_and, other, "logical_and_")

    def logical_or_(self, other) -> Tensor:
        return C.logical_inplace(self, np.logical_or, other, "logical_or_")

    def logical_xor_(self, other) -> Tensor:
        return C.logical_inplace(self, np.logical_xor, other, "logical_xor_")

    def isnan(self) -> Tensor:
        return C.isnan(self)

    def isinf(self) -> Tensor:
        return C.isinf(self)

    def isfinite(self) -> Tensor:
        return C.isfinite(self)

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        return C.isclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> bool:
        return C.equal(self, other)

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return C.allclose(self, other, rtol, atol, equal_nan)

    # -- elementwise math (_functions/elementwise.py) ------------------------------------
    def add(self, other, *, alpha=1):
        return E.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return E.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return E.Mul.apply(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return E.div(self, other, rounding_mode=rounding_mode)

    divide = div

    def true_divide(self, other):
        return E.Div.apply(self, other)

    def floor_divide(self, other):
        return E.FloorDivide.apply(self, other)

    def pow(self, exponent):
        return E.Pow.apply(self, exponent)

    def matmul(self, other):
        L.check_tensor_arguments("matmul", ("other", other))
        return L.Matmul.apply(self, other)

    def mm(self, other):
        return L.mm(self, other)

    def bmm(self, other):
        return L.bmm(self, other)

    def dot(self, other):
        return L.dot(self, other)

    def mv(self, vec):
        return L.mv(self, vec)

    def outer(self, vec2):
        return L.outer(self, vec2)

    ger = outer

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return L.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return L.addmm_(self, mat1, mat2, beta=beta, alpha=alpha)

    # -- unary math (_functions/unary.py) -------------------------------------------------
    def neg(self):
        return UN.Neg.apply(self)

    negative = neg

    def abs(self):
        return UN.Abs.apply(self)

    absolute = abs

    def sign(self):
        return UN.Sign.apply(self)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return UN.nan_to_num(self, nan, posinf, neginf)

    def square(self):
        return UN.square(self)

    def exp(self):
        return UN.Exp.apply(self)

    def expm1(self):
        return UN.Expm1.apply(self)

    def log(self):
        return UN.Log.apply(self)

    def log1p(self):
        return UN.Log1p.apply(self)

    def log2(self):
        return UN.Log2.apply(self)

    def log10(self):
        return UN.Log10.apply(self)

    def sqrt(self):
        return UN.Sqrt.apply(self)

    def rsqrt(self):
        return UN.Rsqrt.apply(self)

    def reciprocal(self):
        return UN.Reciprocal.apply(self)

    def sin(self):
        return UN.Sin.apply(self)

    def cos(self):
        return UN.Cos.apply(self)

    def tan(self):
        return UN.Tan.apply(self)

    def asin(self):
        return UN.Asin.apply(self)

    arcsin = asin

    def acos(self):
        return UN.Acos.apply(self)

    arccos = acos

    def atan(self):
        return UN.Atan.apply(self)

    arctan = atan

    def sinh(self):
        return UN.Sinh.apply(self)

    def cosh(self):
        return UN.Cosh.apply(self)

    def tanh(self):
        return UN.Tanh.apply(self)

    def asinh(self):
        return UN.Asinh.apply(self)

    arcsinh = asinh

    def acosh(self):
        return UN.Acosh.apply(self)

    arccosh = acosh

    def atanh(self):
        return UN.Atanh.apply(self)

    arctanh = atanh

    def sigmoid(self):
        return UN.Sigmoid.apply(self)

    def relu(self):
        return UN.Relu.apply(self)

    def erf(self):
        return UN.Erf.apply(self)

    def floor(self):
        return UN.Floor.apply(self)

    def ceil(self):
        return UN.Ceil.apply(self)

    def trunc(self):
        return UN.Trunc.apply(self)

    fix = trunc

    def round(self, *, decimals: int | None = None):
        return UN.round(self, decimals=decimals)

    # -- two-operand math (_functions/elementwise.py) --------------------------------------
    def atan2(self, other):
        return E.Atan2.apply(self, other)

    arctan2 = atan2

    def lerp(self, end, weight):
        return E.lerp(self, end, weight)

    def remainder(self, other):
        return E.Remainder.apply(self, other)

    def fmod(self, other):
        return E.Fmod.apply(self, other)

    def clamp(self, min=None, max=None):
        return E.Clamp.apply(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return E.Clamp.apply(self, min, None)

    def clamp_max(self, max):
        return E.Clamp.apply(self, None, max)

    def maximum(self, other):
        return E.Maximum.apply(self, other)

    def minimum(self, other):
        return E.Minimum.apply(self, other)

    def where(self, condition, other):
        return E.where(condition, self, other)

    # -- in-place forms of the math ops: self._inplace(Function, ...) writes the result
    # into self (the others, add_ ... clamp_, are with the in-place machinery below) -------
    def abs_(self):
        return self._inplace(UN.Abs)

    absolute_ = abs_

    def sign_(self):
        return self._inplace(UN.Sign)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        UN._check_replacements("nan_to_num_", nan=nan, posinf=posinf, neginf=neginf)
        return self._inplace(UN.NanToNum, nan, posinf, neginf)

    def square_(self):
        return self._inplace(E.Pow, 2)

    def expm1_(self):
        return self._inplace(UN.Expm1)

    def log_(self):
        return self._inplace(UN.Log)

    def log1p_(self):
        return self._inplace(UN.Log1p)

    def log2_(self):
        return self._inplace(UN.Log2)

    def log10_(self):
        return self._inplace(UN.Log10)

    def rsqrt_(self):
        return self._inplace(UN.Rsqrt)

    def reciprocal_(self):
        return self._inplace(UN.Reciprocal)

    def sin_(self):
        return self._inplace(UN.Sin)

    def cos_(self):
        return self._inplace(UN.Cos)

    def tan_(self):
        return self._inplace(UN.Tan)

    def asin_(self):
        return self._inplace(UN.Asin)

    arcsin_ = asin_

    def acos_(self):
        return self._inplace(UN.Acos)

    arccos_ = acos_

    def atan_(self):
        return self._inplace(UN.Atan)

    arctan_ = atan_

    def sinh_(self):
        return self._inplace(UN.Sinh)

    def cosh_(self):
        return self._inplace(UN.Cosh)

    def tanh_(self):
        return self._inplace(UN.Tanh)

    def asinh_(self):
        return self._inplace(UN.Asinh)

    arcsinh_ = asinh_

    def acosh_(self):
        return self._inplace(UN.Acosh)

    arccosh_ = acosh_

    def atanh_(self):
        return self._inplace(UN.Atanh)

    arctanh_ = atanh_

    def sigmoid_(self):
        return self._inplace(UN.Sigmoid)

    def erf_(self):
        return self._inplace(UN.Erf)

    def floor_(self):
        return self._inplace(UN.Floor)

    def ceil_(self):
        return self._inplace(UN.Ceil)

    def trunc_(self):
        return self._inplace(UN.Trunc)

    fix_ = trunc_

    def round_(self, *, decimals: int | None = None):
        return self._inplace(UN.Round) if decimals is None else self._inplace(UN.Round, decimals)

    def true_divide_(self, other):
        return self.div_(other)

    def divide_(self, other, *, rounding_mode=None):
        return self.div_(other, rounding_mode=rounding_mode)

    def multiply_(self, other):
        return self.mul_(other)

    def subtract_(self, other, *, alpha=1):
        return self.sub_(other, alpha=alpha)

    def floor_divide_(self, other):
        return self._inplace(E.FloorDivide, other)

    def remainder_(self, other):
        return self._inplace(E.Remainder, other)

    def fmod_(self, other):
        return self._inplace(E.Fmod, other)

    def atan2_(self, other):
        return self._inplace(E.Atan2, other)

    arctan2_ = atan2_

    def clamp_min_(self, min):
        return self._inplace(E.Clamp, min, None)

    def clamp_max_(self, max):
        return self._inplace(E.Clamp, None, max)

    def clip_(self, min=None, max=None):
        return self._inplace(E.Clamp, min, max)

    def masked_fill(self, mask: Tensor, value) -> Tensor:
        return I.masked_fill(self, mask, value)

    # -- reductions (_functions/reduction.py) --------------------------------------------
    def sum(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
        return R.sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
        return R.mean(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
        return R.prod(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return R.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return R.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=(), keepdim: bool = False, *, axis=None, keepdims=None):
        return R.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=(), keepdim: bool = False, *, axis=None, keepdims=None):
        return R.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None):
        return R.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None):
        return R.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        return R.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        return R.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self, dim=None, *, axis=None) -> Tensor:
        return R.count_nonzero(self, dim, axis=axis)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None):
        return R.var(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None):
        return R.std(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return R.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def softmax(self, dim: int | None = None, dtype=None, *, axis=None):
        return R.softmax(self, dim, dtype, axis=axis)

    def log_softmax(self, dim: int | None = None, dtype=None, *, axis=None):
        return R.log_softmax(self, dim, dtype, axis=axis)

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None):
        return R.norm(self, p, dim, keepdim, dtype=dtype)

    # -- cumulative (_functions/cumulative.py) ---------------------------------------------
    def cumsum(self, dim: int | None = None, *, dtype=None, axis=None):
        return U.cumsum(self, dim, dtype=dtype, axis=axis)

    def cumsum_(self, dim: int, *, dtype=None):
        return U.cumsum_(self, dim, dtype=dtype)

    def cumprod(self, dim: int | None = None, *, dtype=None, axis=None):
        return U.cumprod(self, dim, dtype=dtype, axis=axis)

    def cumprod_(self, dim: int, *, dtype=None):
        return U.cumprod_(self, dim, dtype=dtype)

    def cummax(self, dim: int | None = None, *, axis=None):
        return U.cummax(self, dim, axis=axis)

    def cummin(self, dim: int | None = None, *, axis=None):
        return U.cummin(self, dim, axis=axis)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        return U.diff(self, n, dim, prepend, append)

    # -- sorting (_functions/sorting.py) ---------------------------------------------------
    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return O.argsort(self, dim, descending, stable)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return O.sort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
        return O.topk(self, k, dim, largest, sorted)

    def median(self, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None):
        return O.median(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
               dim: int | None = None):
        return O.unique(self, sorted, return_inverse, return_counts, dim)

    def sum_to_size(self, *size):
        """Sum this tensor down to ``size`` (undoing a broadcast to this tensor's shape)."""
        size = _size_args(size)
        if not size:  # as PyTorch's sum_to: a 0-d target is always a sum (bool and ints give int64)
            return self.sum()
        if size == self._data.shape:
            return self
        return S.SumToSize.apply(self, size)

    # -- shape ops ---------------------------------------------------------------------
    def view(self, *shape):
        """The same memory seen with another shape (-1 is inferred), or, given a dtype,
        the same bytes read as that dtype (``S.view_dtype``).

        Raises:
            RuntimeError: if the strides cannot express the new shape without a copy
                (for example a transposed tensor; use ``reshape`` or ``contiguous().view``).
        """
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            return S.view_dtype(self, shape[0])
        return S.View.apply(self, _size_args(shape))

    def view_as(self, other: Tensor):
        return self.view(other.shape)

    def reshape(self, *shape):
        return S.reshape(self, S.size_args("reshape", "shape", shape))

    def reshape_as(self, other: Tensor):
        return self.reshape(other.shape)

    def contiguous(self, memory_format: memory_format = contiguous_format):
        """Self if already laid out in ``memory_format`` (row-major by default), else a copy
        that is (``channels_last``: dim 1 fastest, for a 4-d tensor).

        Raises:
            RuntimeError: for ``preserve_format`` unless the tensor is contiguous already,
                and for ``channels_last`` of a tensor that is not 4-d, as PyTorch.
        """
        if self.is_contiguous(memory_format):
            return self
        if memory_format is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        return S.Clone.apply(self, memory_format)

    def clone(self, *, memory_format: memory_format = preserve_format):
        """A copy in fresh memory (see :func:`tinynn.clone`)."""
        return S.Clone.apply(self, memory_format)

    def permute(self, *dims):
        return S.permute(self, S.size_args("permute", "dims", dims))

    def transpose(self, dim0: int, dim1: int):
        return S.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def swapaxes_(self, dim0: int, dim1: int):
        return self.transpose_(dim0, dim1)

    swapdims_ = swapaxes_

    def t(self):
        return S.t(self)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return S.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes):
        return S.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return S.squeeze(self, dim)

    def unsqueeze(self, dim: int):
        return S.unsqueeze(self, dim)

    def expand(self, *sizes):
        return S.expand(self, *sizes)

    def expand_as(self, other: Tensor):
        return self.expand(other.shape)

    def repeat(self, *repeats):
        return S.Repeat.apply(self, _size_args(repeats))

    def repeat_interleave(self, repeats, dim: int | None = None, *, output_size: int | None = None):
        """Repeat each element ``repeats`` times next to itself (see ``tinynn.repeat_interleave``)."""
        return S.repeat_interleave(self, repeats, dim, output_size=output_size)

    def split(self, split_size_or_sections, dim: int = 0):
        return S.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0):
        return S.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0):
        return S.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int):
        return S.narrow(self, dim, start, length)

    def flip(self, *dims):
        return S.flip(self, S.size_args("flip", "dims", dims))

    def roll(self, shifts, dims=None):
        return S.roll(self, shifts, dims)

    def tile(self, *dims):
        return S.tile(self, S.size_args("tile", "dims", dims))

    def movedim(self, source, destination):
        return S.movedim(self, source, destination)

    moveaxis = movedim

    def tril(self, diagonal: int = 0):
        return S.tril(self, diagonal)

    def tril_(self, diagonal: int = 0):
        return self.copy_(S.tril(self, diagonal))

    def triu(self, diagonal: int = 0):
        return S.triu(self, diagonal)

    def triu_(self, diagonal: int = 0):
        return self.copy_(S.triu(self, diagonal))

    def diag(self, diagonal: int = 0):
        return S.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return S.diagonal(self, offset, dim1, dim2)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return S.unfold(self, dimension, size, step)

    def trace(self):
        return S.trace(self)

    # -- indexing ------------------------------------------------------------------------
    def __getitem__(self, key):
        return I.Index.apply(self, I.normalize_key(key, self._data.shape))

    def __setitem__(self, key, value) -> None:
        self._inplace(I.IndexPut, *I.setitem_args(self, key, value))

    def gather(self, dim: int, index: Tensor):
        return I.gather(self, dim, index)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor):
        return I.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor):
        """In-place ``scatter_add``: ``self[i][index[i][j]] += src[i][j]`` (for dim=1)."""
        self._check_inplace()
        return self.copy_(self.scatter_add(dim, index, src))

    def scatter(self, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
        return I.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
        """In-place ``scatter``."""
        return self._inplace(I.Scatter, *I.scatter_args(self, dim, index, src, value, reduce))

    def index_select(self, dim: int, index: Tensor):
        return I.index_select(self, dim, index)

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha=1):
        return I.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha=1):
        """In-place ``index_add``."""
        self._check_inplace()
        return self.copy_(self.index_add(dim, index, source, alpha=alpha))

    def index_fill(self, dim: int, index: Tensor, value):
        return I.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Tensor, value):
        """In-place ``index_fill``."""
        self._check_inplace()
        return self.copy_(self.index_fill(dim, index, value))

    def masked_select(self, mask: Tensor):
        return I.masked_select(self, mask)

    def nonzero(self, *, as_tuple: bool = False):
        return I.nonzero(self, as_tuple=as_tuple)

    # -- in-place ops: the version counter, rebasing, views (tinynn/_functions/inplace.py) --
    def _check_inplace(self) -> None:
        IP.check_inplace(self)

    def _check_no_internal_overlap(self) -> None:
        IP.check_no_internal_overlap(self)

    def _inplace(self, function, *args) -> Tensor:
        return IP.inplace(self, function, *args)

    def _inplace_arithmetic(self, ufunc, function, other) -> Tensor:
        return IP.inplace_arithmetic(self, ufunc, function, other)

    def add_(self, other, *, alpha=1):
        return self._inplace_arithmetic(np.add, E.Add, other if type(alpha) is int and alpha == 1 else E._alpha_times(self, other, alpha))

    def sub_(self, other, *, alpha=1):
        E.check_subtraction(self, other)  # the no-grad path writes with numpy directly
        return self._inplace_arithmetic(np.subtract, E.Sub, other if type(alpha) is int and alpha == 1 else E._alpha_times(self, other, alpha))

    def mul_(self, other):
        return self._inplace_arithmetic(np.multiply, E.Mul, other)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is not None:
            return self._inplace(E.DivRounded, other, rounding_mode)
        return self._inplace_arithmetic(np.true_divide, E.Div, other)

    def pow_(self, exponent):
        return self._inplace(E.Pow, exponent)

    def clamp_(self, min=None, max=None):
        return self._inplace(E.Clamp, min, max)

    def relu_(self):
        return self._inplace(UN.Relu)

    def sqrt_(self):
        return self._inplace(UN.Sqrt)

    def exp_(self):
        return self._inplace(UN.Exp)

    def neg_(self):
        return self._inplace(UN.Neg)

    def _become(self, view: Tensor) -> Tensor:
        return IP.become(self, view)

    def squeeze_(self, dim=None):
        """In-place ``squeeze``: remove dimensions of size 1 from self itself.

        Raises:
            RuntimeError: on a leaf that requires grad (as every in-place op).
        """
        self._check_inplace()
        return self._become(self.squeeze(dim))

    def unsqueeze_(self, dim: int):
        """In-place ``unsqueeze``: insert a dimension of size 1 into self itself.

        Raises:
            RuntimeError: on a leaf that requires grad. IndexError: for a dim out of range.
        """
        self._check_inplace()
        return self._become(self.unsqueeze(dim))

    def transpose_(self, dim0: int, dim1: int):
        """In-place ``transpose``: swap two dimensions of self itself.

        Raises:
            RuntimeError: on a leaf that requires grad. IndexError: for a dim out of range.
        """
        self._check_inplace()
        return self._become(self.transpose(dim0, dim1))

    def t_(self):
        """In-place ``t``: transpose a matrix (a 0-d or 1-d tensor is left as is).

        Raises:
            RuntimeError: on a leaf that requires grad, or for more than 2 dimensions.
        """
        self._check_inplace()
        return self._become(self.t())

    # ``x += y`` is in place, as in PyTorch (without these, Python would rebind x to x + y,
    # and ``w -= lr * w.grad`` under no_grad would replace a parameter by a new tensor)
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ipow__(self, exponent):
        return self.pow_(exponent)

    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __iand__(self, other):
        return IP.bitwise_(self, np.bitwise_and, other)

    def __ior__(self, other):
        return IP.bitwise_(self, np.bitwise_or, other)

    def __ixor__(self, other):
        return IP.bitwise_(self, np.bitwise_xor, other)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """self += value * tensor1 * tensor2, computed in the dtype the three promote to,
        ``value`` converted to it first (as PyTorch: value=0.5 on int64 tensors adds 0).

        Raises:
            NotImplementedError: for bools.
            RuntimeError: if the result can't be cast to self's dtype (a float product
                into an int tensor).
        """
        E._check_tensor("addcmul_", tensor1, "tensor1", 1)
        E._check_tensor("addcmul_", tensor2, "tensor2", 2)
        dtype = _dtype.result_type(self, tensor1, tensor2)
        if dtype is _dtype.bool:
            raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
        tensor1, tensor2 = _expanded_to(self.shape, tensor1.to(dtype), tensor2.to(dtype))
        return self.add_(_scaled(tensor1 * tensor2, _value_in(value, dtype)))

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """self += value * tensor1 / tensor2, computed in the dtype the three promote to.

        Raises:
            RuntimeError: if tensor1 and tensor2 are both integer or bool (PyTorch dropped
                integer division here), or the result can't be cast to self's dtype.
        """
        E._check_tensor("addcdiv_", tensor1, "tensor1", 1)
        E._check_tensor("addcdiv_", tensor2, "tensor2", 2)
        if not tensor1.dtype.is_floating_point and not tensor2.dtype.is_floating_point:
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                "behavior can be implemented as (input + value * tinynn.trunc(tensor1 / tensor2))"
                ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
                "for float inputs. The future addcdiv behavior is just the latter implementation: "
                "(input + value * tensor1 / tensor2), for all dtypes."
            )
        dtype = _dtype.result_type(self, tensor1, tensor2)
        float_divisor = tensor2.dtype.is_floating_point
        tensor1, tensor2 = _expanded_to(self.shape, tensor1.to(dtype), tensor2.to(dtype) if float_divisor else tensor2)
        # (an integer divisor: PyTorch's backward refuses it, see AddcdivQuotient)
        quotient = tensor1 / tensor2 if float_divisor else E.AddcdivQuotient.apply(tensor1, tensor2)
        return self.add_(_scaled(quotient, _value_in(value, dtype)))

    def lerp_(self, end, weight):
        return self._inplace(E.Lerp, end, weight)

    def masked_fill_(self, mask: Tensor, value) -> Tensor:
        return I.masked_fill_(self, mask, value)

    def copy_(self, src) -> Tensor:
        """Copy ``src``'s values (broadcast, converted to self's dtype) into self."""
        return IP.copy_(self, src)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        return IP.fill_(self, value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(Tensor._make(random._generator(generator).uniform(a, b, self.shape)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(Tensor._make(random._generator(generator).normal(mean, std, self.shape)))

    def bernoulli_(self, p: float = 0.5, *, generator=None) -> Tensor:
        return self.copy_(Tensor._make(random._generator(generator).random(self.shape) < p))

    # -- new tensors like this one -------------------------------------------------------
    # Each takes PyTorch's keywords: ``dtype`` (default: this tensor's), ``device`` and
    # ``requires_grad``. They raise what ``tinynn.tensor`` raises: RuntimeError for
    # ``requires_grad=True`` with an integer or bool dtype, or for a device other than the CPU.
    def new_zeros(self, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A tensor of zeros of shape ``size`` (given as ints, a tuple, or ``size=``)."""
        return self._new(np.zeros, _new_size(sizes, size), dtype, device, requires_grad)

    def new_ones(self, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A tensor of ones of shape ``size``."""
        return self._new(np.ones, _new_size(sizes, size), dtype, device, requires_grad)

    def new_empty(self, *sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of shape ``size``."""
        return self._new(np.empty, _new_size(sizes, size), dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A tensor of shape ``size`` filled with ``fill_value``."""
        def full(shape, dtype):
            return np.full(shape, fill_value, dtype=dtype)
        return self._new(full, tuple(size), dtype, device, requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` as a new leaf, of this tensor's dtype unless ``dtype`` is given.

        A tensor ``data`` is copied without its history, with PyTorch's warning that
        ``data.detach().clone()`` says so more clearly.
        """
        if isinstance(data, Tensor):
            warnings.warn(
                "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
            data = data._data  # its values only: no history

        def copy(shape, numpy_dtype):
            return _dtype.cast(np.array(data), numpy_dtype)  # a copy, in numpy_dtype as PyTorch converts
        return self._new(copy, (), dtype, device, requires_grad)

    def _new(self, make, shape: tuple, dtype, device, requires_grad: bool) -> Tensor:
        """``make(shape, numpy_dtype)`` as a new leaf, for the ``new_*`` methods.

        Raises:
            RuntimeError: for ``requires_grad=True`` with an integer or bool dtype, or a
                device tinynn does not have.
        """
        if device is not None:
            _device_type(device)  # raises for a device tinynn does not have
        with np.errstate(over="ignore", invalid="ignore"):  # out of range: inf, silently, as in PyTorch
            result = Tensor._make(make(shape, (dtype or self.dtype).numpy_dtype))
        if requires_grad:
            result.requires_grad = True  # raises for integer dtypes, as in PyTorch
        return result

def _new_size(sizes: tuple, size) -> tuple:
    """The shape given to ``new_zeros`` and the like: positionally or as ``size=``.

    Raises:
        TypeError: if it is given both ways.
    """
    if size is None:
        return _size_args(sizes)
    if sizes:
        raise TypeError("got multiple values for argument 'size'")
    return _size_args((size,))


def _type_name(value) -> str:
    """The name PyTorch's messages give a value's type: ``list``, ``numpy.ndarray``."""
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _value_in(value, dtype: _dtype.dtype):
    """A number ``value`` converted to an integer ``dtype`` as PyTorch's kernels do
    (truncated: 0.5 -> 0, -1.7 -> -1); unchanged for floating dtypes and tensors.

    Raises:
        RuntimeError: for a value no int64 can hold (nan, inf, 1e30), as PyTorch.
    """
    if isinstance(value, Tensor) or dtype.is_floating_point:
        return value
    return int(_dtype.checked_scalar(value, _dtype.int64))


def _expanded_to(shape: tuple, *tensors: Tensor) -> tuple:
    """``tensors`` expanded to ``shape`` (views), where they broadcast to it; unchanged where
    they do not (the in-place add that follows raises PyTorch's error).

    ``addcmul_`` and ``addcdiv_`` are one kernel in PyTorch: the gradient of ``tensor2``
    is summed over the broadcast dims *after* the product or quotient is formed. Composed
    of tensor ops, tinynn broadcasts first to do the same: for an empty ``self`` and a 0-d
    ``tensor2 = 0``, dL/d(tensor1) is then the sum of nothing, 0, not 0 / 0 = nan.
    """
    try:
        if np.broadcast_shapes(tuple(shape), *(tuple(t.shape) for t in tensors)) != tuple(shape):
            return tensors
    except ValueError:
        return tensors
    return tuple(t.expand(shape) for t in tensors)


def _scaled(temporary: Tensor, value) -> Tensor:
    """``temporary * value``, for a temporary result nobody else holds: scaled in place
    (no second array) unless the multiplication must be recorded for backward."""
    if value == 1:
        return temporary
    if temporary.requires_grad or isinstance(value, Tensor):
        return temporary * value
    return temporary.mul_(value)


def _matmul_with_array(tensor: Tensor, array: np.ndarray) -> Tensor:
    """``tensor @ array``, as PyTorch computes it: in numpy (PyTorch's ``matmul`` refuses the
    array, and numpy's reflected ``@`` takes over), so numpy's promotion applies (a float32
    tensor times an int64 or float64 array gives float64) and the result has no history.

    Raises:
        RuntimeError: if the tensor requires grad (numpy cannot read it without dropping its
            history; PyTorch's error). TypeError: for an array of a dtype tinynn has no
            tensors of. ValueError: for shapes that do not multiply (numpy's, as in PyTorch).
    """
    if tensor._requires_grad:
        raise _dtype.array_operand_error()
    _dtype.array_dtype(array)
    try:
        result = np.matmul(tensor._data, array)
    except ValueError as error:
        raise ValueError(f"matmul: shapes {list(tensor.shape)} and {list(array.shape)} do not multiply "
                         f"(numpy's message: {error})") from None
    return Tensor._make(np.asarray(result))


def _zero_grads(tensors, set_to_none: bool = True) -> None:
    """``zero_grad`` of ``Module`` and ``Optimizer``: each ``.grad`` to None, or to zeros
    (detached from any graph first, as PyTorch does)."""
    for p in tensors:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad = p.grad.detach()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()


# -- gradient stealing (see Tensor._accumulate_grad) -------------------------------------------
def _refcounts(tensor: Tensor) -> tuple:
    """CPython's reference counts of a tensor and of its numpy array."""
    return sys.getrefcount(tensor), sys.getrefcount(tensor._data)


def _sole_owner(grad: Tensor, like: np.ndarray, measure: bool = False):
    """True when the caller's variable is the only reference to ``grad`` and ``grad`` the only
    owner of its memory, so it can become a ``.grad`` without a copy.

    The counts are compared with those measured at import for a tensor held by exactly one
    variable and passed the same way (``_SOLE_OWNER_REFS``), so the test does not depend on
    how a given Python version counts references on the call stack.
    """
    array = grad._data
    counts = _refcounts(grad)
    if measure:
        return counts
    if not (type(grad) is Tensor and grad._base is None and array.base is None and array.flags.owndata
            and array.flags.c_contiguous and array.flags.writeable
            and array.shape == like.shape and array.dtype == like.dtype):
        return False
    return counts[0] <= _SOLE_OWNER_REFS[0] and counts[1] <= _SOLE_OWNER_REFS[1]


def _measure_sole_owner_refs() -> tuple:
    """The counts ``_sole_owner`` sees for a tensor held by one variable of the engine."""
    like = np.empty(1)

    def accumulate_grad(grad, create_graph):  # called as the engine calls Tensor._accumulate_grad
        return _sole_owner(grad, like, measure=True)

    grad = Tensor._make(np.empty(1))  # the engine's local variable
    return accumulate_grad(grad, False)


_SOLE_OWNER_REFS = _measure_sole_owner_refs()


# -- torch.* functions about a tensor that are not ops (re-exported by tinynn/__init__.py) --
def is_tensor(obj) -> bool:
    """True for a tinynn ``Tensor`` (or a subclass, such as ``nn.Parameter``)."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    """True when ``input``'s dtype is a floating-point one."""
    return input.is_floating_point()


def detach(input: Tensor) -> Tensor:
    """``input.detach()``: the same memory, no history."""
    return input.detach()


def result_type(tensor1, tensor2) -> _dtype.dtype:
    """The dtype PyTorch's promotion gives an op of ``tensor1`` and ``tensor2`` (tensors or
    Python numbers)."""
    return _dtype.result_type(tensor1, tensor2)
