"""``Function``: an op with a forward and a backward, and the graph node it leaves behind.

Every differentiable op in tinynn is a subclass of :class:`Function`, exactly like a
custom ``torch.autograd.Function``::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):                 # a Tensor in (numpy values: x._data),
            y = ...                          # an ndarray or a Tensor out
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):      # Tensors in, Tensors out
            y, = ctx.saved_tensors
            return grad_output * y

``Function.apply`` runs ``forward`` with grad mode off and, when some input requires
grad, records a :class:`Node` in the graph: the ``ctx`` that forward filled in, plus the
edges (``next_functions``) to the nodes that produced the inputs. ``backward`` is written
with tensor operations, so when the engine runs it with grad mode on
(``create_graph=True``) the backward pass is itself recorded and can be differentiated
again: that is how second derivatives work.
"""
from __future__ import annotations

import contextvars
import threading
import weakref
from typing import Any

import numpy as np

from . import grad_mode


class Node:
    """A node of the backward graph: the ``grad_fn`` of a tensor, and the ``ctx`` of its Function.

    Attributes:
        next_functions: one ``(node, output_nr)`` pair per forward input, pointing at the
            node that will receive that input's gradient (``(None, 0)`` for inputs that
            need none).
    """

    # defaults shared by all nodes (set on the instance only when they change)
    _saved: tuple | None = ()
    _freed = False
    _pre_hooks: dict = {}
    _retained: dict = {}
    _non_differentiable: tuple = ()
    _materialize_grads = True
    next_functions: tuple = ()
    num_outputs = 1
    _input_meta: tuple = ()
    _output_meta: tuple = ()

    _function_cls: type  # the Function this node belongs to (set per node class)

    # -- the ctx API used inside forward/backward ------------------------------------
    #: A tuple with one bool per forward input, True where that input needs a gradient.
    needs_input_grad: tuple = ()

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward. Only use this for tensors (not ``ctx.x = x``):
        it lets tinynn check they were not modified in place, and free them after backward."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``.

        Raises:
            RuntimeError: if the graph was freed by an earlier backward, or a saved tensor
                was modified in place since it was saved.
        """
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        return tuple([s.unpack(self) if type(s) is SavedTensor else s for s in self._saved])

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that have no gradient (like the indices returned by ``max``)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """If False, backward receives ``None`` (not zeros) for outputs that got no gradient."""
        self._materialize_grads = value

    # -- graph inspection ------------------------------------------------------------
    def name(self) -> str:
        """Like PyTorch: ``"MulBackward0"`` for tinynn's ops, ``"MyFnBackward"`` for yours."""
        suffix = "0" if self._function_cls.__module__.startswith("tinynn.") else ""
        return f"{self._function_cls.__name__}Backward{suffix}"

    def _hooks_for(self, output_nr: int) -> list:
        """The hook list of one output (``Tensor.register_hook`` on a non-leaf appends to it)."""
        if "_pre_hooks" not in self.__dict__:
            self._pre_hooks = {}
        return self._pre_hooks.setdefault(output_nr, [])

    def _retain(self, output_nr: int, tensor) -> None:
        """Store the gradient of this output in ``tensor.grad`` during backward (``retain_grad``)."""
        if "_retained" not in self.__dict__:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)

    def __repr__(self) -> str:
        return f"<{self.name()} object>"

    def _output_moved(self, output, tensor) -> None:
        """An in-place op copied its ``output`` into ``tensor`` (which now stands for it):
        if the output was saved for backward, follow ``tensor`` and its version counter, so
        that changing ``tensor`` in place later is caught (``x.exp_().sqrt_()``)."""
        for saved in self._saved or ():
            if isinstance(saved, SavedTensor) and saved.output_nr is not None and saved.data is output._data:
                saved._keep_output(tensor)

    def _release(self) -> None:
        """Free the saved tensors (called after backward unless ``retain_graph``)."""
        if self._saved:
            self._freed = True
            self._saved = None

    def _call_backward(self, grad_outputs: list) -> tuple:
        grads = self._function_cls.backward(self, *grad_outputs)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self.next_functions):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {len(self.next_functions)}, got {len(grads)})"
            )
        return grads


class _CustomFunctionNode(Node):
    """The node of a Function defined outside tinynn (a custom ``autograd.Function``)."""

    def save_for_backward(self, *tensors) -> None:
        """As ``Node.save_for_backward``, with PyTorch's check for a custom Function.

        Raises:
            TypeError: when the op is recorded, for anything but tensors and None (store
                numbers and other values as attributes of ``ctx``: ``ctx.scale = 2.0``).
        """
        if any(self.needs_input_grad):  # (PyTorch checks only when it records the op)
            for i, value in enumerate(tensors):
                if value is not None and not isinstance(value, _tensor.Tensor):
                    raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                                    f"type {type(value).__name__} (keep it as ctx.<name> = value instead)")
        super().save_for_backward(*tensors)


class AccumulateGrad:
    """The node at a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    next_functions: tuple = ()
    num_outputs = 1

    def __init__(self, variable) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad object>"


class SavedTensor:
    """A tensor kept for backward, remembering its version to detect in-place changes.

    An op that saves its own *output* (``exp``, ``tanh``) must not keep the output tensor
    itself: output -> grad_fn -> saved output -> output would be a reference cycle, which
    only Python's cyclic garbage collector frees, late and at a price (a tanh in a loop
    would leave ten objects and its array to it, every call). Like PyTorch, we keep only
    the output's array and version counter, and rebuild the output (with its ``grad_fn``)
    when unpacked.
    """

    __slots__ = ("tensor", "data", "counter", "version", "output_nr", "requires_grad")

    def __init__(self, tensor, outputs: tuple) -> None:
        # which of the op's outputs ``tensor`` is, if it is one (the usual op has one output)
        if tensor is outputs[0]:
            output_nr = 0
        else:
            output_nr = next((i for i, out in enumerate(outputs) if tensor is out), None) if len(outputs) > 1 else None
        self.output_nr = output_nr
        if output_nr is None:  # an input (or another tensor): keep it, and its version now
            counter = tensor._version_counter
            self.tensor, self.version = tensor, 0 if counter is None else counter[0]
        else:  # an output: keep its array only
            self.tensor, self.requires_grad = None, tensor._requires_grad
            self._keep_output(tensor)

    def _keep_output(self, tensor) -> None:
        """Keep an output's array and version counter (made now if it has none yet, so
        that an in-place change made later is counted where this can see it)."""
        if tensor._version_counter is None:
            tensor._version_counter = [0]
        self.data, self.counter = tensor._data, tensor._version_counter
        self.version = self.counter[0]

    def unpack(self, node: Node):
        if self.output_nr is None:
            tensor = self.tensor
        else:
            tensor = _tensor.Tensor._make(self.data)
            tensor._version_counter = self.counter
            if self.requires_grad:
                tensor._requires_grad, tensor.grad_fn, tensor._output_nr = True, node, self.output_nr
        counter = tensor._version_counter
        if (0 if counter is None else counter[0]) != self.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [tinynn.Tensor {list(tensor.shape)}, {tensor.dtype}], which "
                f"is saved by {node.name()}, is at version {tensor._version}; expected version "
                f"{self.version} instead. Hint: use an out-of-place op (x = x + 1 rather than "
                "x += 1) on tensors that backward needs."
            )
        return tensor


class Function:
    """Base class for differentiable operations (mirrors ``torch.autograd.Function``).

    The ``grad_fn`` of a result is an instance of a :class:`Node` subclass named after the
    Function, as in PyTorch: ``type(y.grad_fn).__name__`` is ``"MulBackward0"`` for
    tinynn's ``Mul``, ``"MyFnBackward"`` for a ``MyFn`` of yours.

    Subclasses define two static methods:

    * ``forward(ctx, *args)``: compute the result. ``ctx`` is the graph node; save what
      backward needs with ``ctx.save_for_backward(...)`` (tensors) or as attributes
      (shapes, dims). May return an ``np.ndarray``, a Tensor, or a tuple of them.
    * ``backward(ctx, *grad_outputs)``: given dL/d(output) for each output, return
      dL/d(input) for each forward input, ``None`` for inputs that are not tensors or
      need no gradient. Use tensor operations, so that the backward is differentiable.
      Broadcasting is undone by the engine: a gradient may be returned in the broadcast
      shape, and it is summed down to the input's shape.

    Call it with ``MyFunction.apply(*args)``, never by instantiating it.
    """

    def __init__(self, *args, **kwargs) -> None:
        raise RuntimeError(
            "Function objects are not called directly: use the class method, "
            f"{type(self).__name__}.apply(...)"
        )

    def __init_subclass__(cls, **kwargs) -> None:
        """Give each Function its own ``Node`` subclass, named as in PyTorch (``MulBackward0``).

        PyTorch does the same for custom Functions (its ``FunctionMeta`` builds a
        ``<Name>Backward`` class), which is what code that prints ``type(y.grad_fn)`` sees.
        """
        super().__init_subclass__(**kwargs)
        builtin = cls.__module__.startswith("tinynn.")
        cls._node_class = type(f"{cls.__name__}Backward{'0' if builtin else ''}",
                               (Node if builtin else _CustomFunctionNode,),
                               {"__module__": cls.__module__, "_function_cls": cls})

    @staticmethod
    def forward(ctx: Node, *args: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Node, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward``; if grad mode is on and some input requires grad, record the node.

        The ``if not record`` below is the one branch between tinynn's two paths for an op.
        Most calls record nothing: every op under ``no_grad``, every op of a backward pass
        run without ``create_graph`` (the engine turns grad mode off), every op on inputs
        that need no gradient. For those, ``apply`` runs ``forward`` and wraps the array it
        returns in a Tensor, nothing more: the ``ctx`` that forward writes on is a bare
        object dropped on return, with no edges, no saved tensors and no shapes kept for a
        backward that will never run.
        """
        Tensor = _tensor.Tensor
        record = False
        if grad_mode._grad_enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        ctx = cls._node_class()
        if not record:  # the no-record path
            n = len(args)
            ctx.needs_input_grad = _NO_GRADS[n] if n < len(_NO_GRADS) else (False,) * n
            raw = cls.forward(ctx, *args)
            if type(raw) is np.ndarray:  # the usual result: a fresh array to wrap
                out = object.__new__(Tensor)  # Tensor._make(raw), inlined on this hottest path
                out._data = raw
                return out
            if type(raw) is tuple:
                return tuple([_as_output(r, args) for r in raw])
            return _as_output(raw, args)

        # The recording path. One edge per input, to where that input's gradient must go,
        # and the input's shape and dtype, to which the engine brings that gradient.
        next_functions, input_meta, needs_input_grad = [], [], []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                grad_fn = a.grad_fn
                next_functions.append((grad_fn, a._output_nr) if grad_fn is not None else _gradient_edge(a))
                input_meta.append((a._data.shape, a._data.dtype))
                needs_input_grad.append(True)
            else:
                next_functions.append(_NO_EDGE)
                input_meta.append(None)
                needs_input_grad.append(False)
        ctx.next_functions, ctx._input_meta = tuple(next_functions), tuple(input_meta)
        ctx.needs_input_grad = tuple(needs_input_grad)

        grad_mode._grad_enabled = False  # forward itself is not recorded
        try:
            raw = cls.forward(ctx, *args)
        finally:
            grad_mode._grad_enabled = True
        if type(raw) is tuple:
            outputs = tuple([_as_output(r, args) for r in raw])
            # the shapes of the outputs, for zeros in place of a missing gradient (_materialize)
            ctx.num_outputs = len(outputs)
            ctx._output_meta = tuple([(out._data.shape, out._data.dtype) for out in outputs])
        elif type(raw) is np.ndarray:  # the usual result: Tensor._make(raw), inlined
            out = object.__new__(Tensor)
            out._data = raw
            outputs = (out,)
        else:
            outputs = (_as_output(raw, args),)
        # each float output gets this node as its grad_fn (unless marked non-differentiable)
        non_differentiable = ctx._non_differentiable
        for i, out in enumerate(outputs):
            if out._data.dtype.kind == "f" and not (
                non_differentiable and any(out is t for t in non_differentiable)
            ):
                out._requires_grad, out.grad_fn, out._output_nr = True, ctx, i
        if ctx._saved:
            ctx._saved = tuple([SavedTensor(t, outputs) if isinstance(t, Tensor) else t for t in ctx._saved])
        return outputs if type(raw) is tuple else outputs[0]


_NO_EDGE = (None, 0)  # the edge of an input that needs no gradient
_NO_GRADS = [(False,) * n for n in range(8)]  # needs_input_grad of n inputs, none needing grad


class _QuietNumpy(threading.local):
    """``quiet_numpy.run(func, *args)``: ``func(*args)`` with numpy's floating-point warnings off.

    For numpy calls whose IEEE results PyTorch returns without a word (``1e38 * 10 = inf``,
    ``inf - inf = nan``, ``0 * inf = nan``, ``x / 0``): numpy would add a RuntimeWarning,
    and no numpy warning may reach a user. The effect of ``with np.errstate(all="ignore")``
    around the call, for a fraction of its cost. numpy keeps its error state in a context
    variable: entering ``np.errstate`` builds a new state each time (about 1 µs, three times
    an 8x8 multiply), while this runs the call in a context made once, inside
    ``np.errstate``, a single C call (``Context.run``). Made once per thread (this is a
    ``threading.local``), because a context can be entered by one thread at a time.
    """

    def __init__(self) -> None:  # runs in each thread on its first use
        with np.errstate(all="ignore"):
            self.run = contextvars.copy_context().run


quiet_numpy = _QuietNumpy()


def _as_output(value, inputs: tuple):
    """Wrap a forward result as a Tensor (ndarray or numpy scalar -> fresh Tensor).

    A forward that returns one of its inputs unchanged gets a new Tensor sharing its
    memory (as a view), so the input's own ``grad_fn`` is never overwritten.
    """
    if type(value) is np.ndarray:
        return _tensor.Tensor._make(value)
    if isinstance(value, _tensor.Tensor):
        for a in inputs:
            if value is a:
                return _tensor.Tensor._make_view(value, value._data)
        return value
    return _tensor.Tensor._make(np.asarray(value))


def _gradient_edge(tensor) -> tuple:
    """Where ``tensor``'s gradient goes: its grad_fn, or for a leaf its AccumulateGrad."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    accumulator = tensor._grad_accumulator() if tensor._grad_accumulator is not None else None
    if accumulator is None:
        accumulator = AccumulateGrad(tensor)
        tensor._grad_accumulator = weakref.ref(accumulator)
    return (accumulator, 0)


class FunctionCtx(Node):
    """Alias kept for code that type-annotates ``ctx`` as in PyTorch."""


# At the bottom, because tinynn/_tensor.py imports the Functions defined with this module.
from .. import _tensor  # noqa: E402
