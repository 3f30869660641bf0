"""Loss functions: mse_loss, l1_loss, binary_cross_entropy(_with_logits), nll_loss, cross_entropy.

Every loss first computes one value per element (or per sample), then reduces it:
``reduction="mean"`` (the default) averages, ``"sum"`` adds up, ``"none"`` returns them all.
The ones that need care for numerical stability (log of a probability, exp of a logit)
are ``Function`` subclasses with the forward and its derivative side by side; the others
are compositions of differentiable tensor ops.
"""
from __future__ import annotations

import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ..._functions.elementwise import _binary, _broadcast_error, clamp_values, select, where
from ..._functions.reduction import LogSoftmax
from ...autograd import grad_mode
from ...autograd.function import Function, quiet_numpy
from .activation import log_sigmoid_and_buffer, logsigmoid

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """Map the deprecated ``size_average``/``reduce`` flags to ``reduction``, as PyTorch does."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='{}' "
                  "instead.".format("none" if reduce is False else "mean" if size_average is not False else "sum"),
                  stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """Apply ``reduction`` to a tensor of per-element losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input: Tensor, target: Tensor) -> None:
    """PyTorch's warning for a target that only broadcasts against the input."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """``input`` and ``target`` expanded to their common shape, as PyTorch's regression losses
    do first (``torch.broadcast_tensors``). It matters for the dtype: once expanded, a 0-d
    operand promotes like a dimensioned one, so ``mse_loss`` of a 0-d float64 input and a
    float32 (3,) target is float64 (``input - target`` alone would be float32).

    Raises:
        RuntimeError: if the shapes do not broadcast (naming the sizes).
    """
    if input.shape == target.shape:
        return input, target
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise _broadcast_error(input, target) from None
    return input.expand(shape), target.expand(shape)


def _promoted(input: Tensor, target: Tensor) -> Tensor:
    """A tensor of the input's shape and the dtype ``input - target`` has, to check that dtype
    cheaply (one element broadcast to the shape: nothing is allocated)."""
    dtype = _dtype.result_type(input, target).numpy_dtype
    return Tensor._make(np.broadcast_to(np.empty((), dtype=dtype), input.shape))


def _check_weight_size(input: Tensor, weight: Tensor) -> None:
    """PyTorch's check on the per-element ``weight`` of mse_loss, l1_loss and huber_loss: the
    input's shape exactly (it is not broadcast).

    Raises:
        ValueError: if the shapes differ.
    """
    if weight.shape != input.shape:
        raise ValueError(f"Weights and input must have the same size. (weight of shape {list(weight.shape)}, "
                         f"input of shape {list(input.shape)}: give one weight per element)")


def _reduce_weighted(loss: Tensor, weight: Tensor, reduction: str, mean: str) -> Tensor:
    """``loss * weight``, reduced as PyTorch's weighted regression losses do.

    ``mean="weighted"`` (mse_loss, l1_loss): "mean" is sum_i w_i l_i / sum_i w_i, a weighted
    mean (0/0 = nan when every weight is 0). ``mean="elements"`` (huber_loss): the plain
    mean of the weighted losses.

    Raises:
        ValueError: for an unknown reduction (PyTorch's message on this path).
    """
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean == "weighted" else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")




def _check_tensor(function: str, name: str, position: int, value) -> None:
    """PyTorch's TypeError for a non-tensor argument (a list of labels, say)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def _check_floating(function: str, input: Tensor) -> None:
    """PyTorch's NotImplementedError for a loss computed on an integer or bool tensor."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"{function}\" not implemented for '{_dtype.scalar_name(input.dtype)}' (the input has dtype "
            f"{input.dtype} and shape {list(input.shape)}; losses need floating point inputs: "
            "call .float() on it)")


# -- regression losses (compositions: the derivatives are those of - and * and abs) ----------
def _bool_as(tensor: Tensor, other: Tensor) -> Tensor:
    """A bool tensor as 0/1 in the other operand's float dtype (PyTorch's kernels for mse,
    smooth L1 and Huber read it so; subtracting a bool tensor is an error elsewhere). Other
    tensors unchanged."""
    return tensor.to(other.dtype) if tensor.dtype is _dtype.bool and other.is_floating_point() else tensor


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error: l_i = (x_i - y_i)^2, then reduced.

    Args:
        input, target: tensors of the same shape (broadcasting works but is warned about,
            as in PyTorch: it usually means a (N, 1) output against an (N,) target).
        reduction: "mean" | "sum" | "none".
        weight: optional per-element weights w_i, of the input's shape: the loss is then
            w_i l_i, and "mean" is the weighted mean sum_i w_i l_i / sum_i w_i (as PyTorch).

    Raises:
        RuntimeError: if input and target do not broadcast.
        ValueError: for an unknown reduction, or a weight whose shape is not the input's.
        NotImplementedError: for integer input and target (without a weight).
    """
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    expanded_input, expanded_target = _broadcast_pair(input, target)
    if weight is not None:  # PyTorch's Python path: (x - y)^2 * w, with no kernel's checks
        _check_weight_size(input, weight)
        diff = expanded_input - expanded_target
        return _reduce_weighted(diff * diff, weight, reduction, mean="weighted")
    _check_reduction(reduction)
    _check_floating("mse_loss", _promoted(expanded_input, expanded_target))
    diff = _bool_as(expanded_input, expanded_target) - _bool_as(expanded_target, expanded_input)
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: l_i = abs(x_i - y_i) (gradient sign(x_i - y_i), 0 where equal).

    Args:
        weight: optional per-element weights w_i, of the input's shape: the loss is then
            w_i l_i, and "mean" is the weighted mean sum_i w_i l_i / sum_i w_i (as PyTorch).

    Raises:
        RuntimeError: if input and target do not broadcast.
        ValueError: for an unknown reduction, or a weight whose shape is not the input's.
    """
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    expanded_input, expanded_target = _broadcast_pair(input, target)
    if weight is not None:
        _check_weight_size(input, weight)
        return _reduce_weighted((expanded_input - expanded_target).abs(), weight, reduction, mean="weighted")
    _check_reduction(reduction)
    return _reduce((expanded_input - expanded_target).abs(), reduction)


def _smooth_l1(d: np.ndarray, beta) -> np.ndarray:
    """0.5 z z / beta where z = abs(d) < beta, else z - 0.5 beta (a nan z takes the first)."""
    z = np.abs(d)
    half = d.dtype.type(0.5)
    return select(z >= beta, z - half * beta, half * z * z / beta)


def _smooth_l1_grad(d: np.ndarray, beta, g: np.ndarray) -> np.ndarray:
    """g clip(d / beta, -1, 1): g sign(d) where abs(d) >= beta, g d / beta inside."""
    return clamp_values(d / beta, -1, 1) * g


class SmoothL1Loss(Function):
    """l = 0.5 d^2 / beta where abs(d) < beta, else abs(d) - 0.5 beta, for d = x - y (each
    element; the reduction follows);  dl/dx = clip(d / beta, -1, 1) = -dl/dy.

    PyTorch's kernel, step for step: z = abs(d), then 0.5 z z / beta or z - 0.5 beta,
    whichever z >= beta picks (a nan picks the first: nan). The backward is one op too,
    :class:`SmoothL1LossBackward`.
    """

    @staticmethod
    def forward(ctx, input, target, beta):
        ctx.save_for_backward(input, target)
        ctx.beta = beta
        d = _binary(np.subtract, input, target)  # (in the promoted dtype, as input - target)
        return quiet_numpy.run(_smooth_l1, d, d.dtype.type(beta))  # (inf * inf: quietly)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad = SmoothL1LossBackward.apply(grad_output, input, target, ctx.beta)
        return (grad if ctx.needs_input_grad[0] else None), (-grad if ctx.needs_input_grad[1] else None), None


class SmoothL1LossBackward(Function):
    """SmoothL1Loss's backward as one op, PyTorch's ``smooth_l1_loss_backward``: (g, x, y) ->
    g clip(d / beta, -1, 1): -1 or 1 where abs(d) >= beta, d / beta inside (exactly the
    kernel's choice: d / beta is at least 1 in size where abs(d) >= beta). Linear in g, so
    d/dg is this op again; d/dx = g gg / beta where abs(d) < beta, else 0, and d/dy = -d/dx
    (PyTorch's ``smooth_l1_loss_double_backward``), in tensor ops."""

    @staticmethod
    def forward(ctx, grad_output, input, target, beta):
        ctx.save_for_backward(grad_output, input, target)
        ctx.beta = beta
        d = _binary(np.subtract, input, target)
        return quiet_numpy.run(_smooth_l1_grad, d, d.dtype.type(beta), grad_output._data)  # (inf * 0: quietly)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, input, target = ctx.saved_tensors
        grad_g = grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_g = SmoothL1LossBackward.apply(grad_grad, input, target, ctx.beta)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            inside = ((input - target).abs() < ctx.beta).to(grad_grad.dtype)
            h = grad_grad * grad_output * inside / ctx.beta
            grad_x = h if ctx.needs_input_grad[1] else None
            grad_y = -h if ctx.needs_input_grad[2] else None
        return grad_g, grad_x, grad_y, None


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1 (Fast R-CNN's box loss): quadratic near 0, linear beyond ``beta``.

    With d = x - y: l = 0.5 d^2 / beta if abs(d) < beta, else abs(d) - 0.5 beta; then reduced.
    Gradient d / beta inside, sign(d) outside. ``beta=0`` is exactly :func:`l1_loss`.

    Shape: input and target of the same shape (broadcasting is warned about); "none" keeps it.

    Raises:
        RuntimeError: for a negative ``beta``.
        ValueError: for an unknown reduction.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    if not beta >= 0:  # PyTorch's check: a nan beta fails it too
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    _check_floating("smooth_l1_loss", _promoted(input, target))
    if beta == 0.0:  # (l1_loss subtracts directly: a bool operand raises there, as in PyTorch)
        return l1_loss(input, target, reduction=reduction)
    input, target = _bool_as(input, target), _bool_as(target, input)
    return _reduce(SmoothL1Loss.apply(input, target, beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Huber loss: l = 0.5 d^2 if abs(d) < delta, else delta (abs(d) - 0.5 delta), d = x - y.

    It is ``delta * smooth_l1_loss(..., beta=delta)``: the same shape, scaled so that the
    linear part has slope ``delta`` (gradient d inside, delta sign(d) outside). The loss has
    the input's dtype (as PyTorch's kernel, which writes into a tensor like the input).

    Args:
        weight: optional per-element weights w_i, of the input's shape: the loss is then
            w_i l_i, and "mean" its plain mean (as PyTorch).

    Raises:
        RuntimeError: for ``delta <= 0``, for shapes that do not broadcast, or for a target
            whose dtype is of a higher kind than the input's (bool < integer < floating
            point: a float target with an integer input, an integer one with a bool input).
        ValueError: for an unknown reduction, or a weight whose shape is not the input's.
        NotImplementedError: for an integer or bool input (with a target of no higher kind).
    """
    _warn_size(input, target)
    _broadcast_pair(input, target)  # (raises for shapes that do not broadcast, as PyTorch first)
    if weight is None:
        _check_reduction(reduction)
    else:
        _check_weight_size(input, weight)
    if not delta > 0:  # PyTorch's check: a nan delta fails it too
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    promoted = _dtype.result_type(input, target)
    if _kind(promoted) > _kind(input.dtype):  # PyTorch writes the loss into a tensor of input's dtype
        raise RuntimeError(f"result type {_dtype.scalar_name(promoted)} can't be cast to the desired "
                           f"output type {_dtype.scalar_name(input.dtype)} (convert the input with .float())")
    _check_floating("huber_loss", _promoted(input, target))
    diff = input - _bool_as(target, input)
    abs_diff = diff.abs()
    linear = abs_diff >= delta
    inner = where(linear, 0.0, diff)  # d where the quadratic branch is used (nan too); 0 elsewhere
    loss = where(linear, (abs_diff - 0.5 * delta) * delta, inner * inner * 0.5).to(input.dtype)
    if weight is None:
        loss = _reduce(loss, reduction)
    else:
        loss = _reduce_weighted(loss, weight, reduction, mean="elements")
    if input.dtype is not target.dtype and loss.requires_grad:
        loss = HuberLossOfTwoDtypes.apply(loss, input, target)
    return loss


def _kind(dtype: _dtype.dtype) -> int:
    """0 for bool, 1 for the integer dtypes, 2 for the floating point ones: PyTorch casts a
    result into an output of a lower kind only by an explicit ``.to()``."""
    if dtype is _dtype.bool:
        return 0
    return 2 if dtype.is_floating_point else 1


class HuberLossOfTwoDtypes(Function):
    """The loss of ``huber_loss`` whose input and target have two dtypes, unchanged; its
    backward raises, as PyTorch's does: PyTorch's ``huber_loss_backward`` kernel wants
    ``input`` and ``target`` in one dtype ("Found dtype Double but expected Float"; the
    forward has no such check). It names the dtype of the gradient it computes first: the
    input's, if the input requires grad, else the target's."""

    @staticmethod
    def forward(ctx, loss, input, target):
        first, other = (input, target) if input.requires_grad else (target, input)
        ctx.expected, ctx.found = _dtype.scalar_name(first.dtype), _dtype.scalar_name(other.dtype)
        return loss._data

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError(f"Found dtype {ctx.found} but expected {ctx.expected} (huber_loss's backward "
                           "needs input and target of one dtype: convert the target with .to(input.dtype))")


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target || model), pointwise: l = y (log y - x).

    ``input`` x holds *log*-probabilities (e.g. ``F.log_softmax``); ``target`` y holds
    probabilities (terms with y = 0 count 0, as 0 log 0 = 0; a negative y gives nan, as in
    PyTorch), or log-probabilities with
    ``log_target=True`` (then l = e^y (y - x)).

    Reductions: "batchmean" (sum / batch size: the true KL divergence per sample, what
    distillation uses), "sum", "none", and "mean" (sum / number of elements, with
    PyTorch's warning that it is not the KL divergence).

    Raises:
        TypeError: if ``input`` or ``target`` is not a tensor.
        ValueError: for an unknown reduction.
        RuntimeError: for shapes that do not broadcast, or integer inputs.
    """
    _check_tensor("kl_div", "input", 1, input)
    _check_tensor("kl_div", "target", 2, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2)
    if reduction != "batchmean":
        _check_reduction(reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError(f"kl_div: Integral inputs not supported. (got input of dtype {input.dtype} "
                           f"and target of dtype {target.dtype}; both must be floating point)")
    batch = input.shape[0] if input.ndim != 0 else None  # ("batchmean" divides by it)
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        raise _broadcast_error(target, input) from None
    if input.shape != target.shape and 0 in shape:
        # PyTorch's kernel works element by element after broadcasting, so the gradient of a
        # tensor that broadcasts to no elements is 0, even where log y is nan: broadcast
        # first (in the dtype the two promote to as given: a 0-d operand does not promote)
        dtype = _dtype.result_type(input, target)
        input, target = input.to(dtype).expand(shape), target.to(dtype).expand(shape)
    if log_target:
        loss = target.exp() * (target - input)
    else:  # y log y: 0 at y = 0 (with no gradient there: book/deviations.md), nan for y < 0
        zero = target == 0
        loss = where(zero, 0.0, target * where(zero, 1.0, target).log()) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / batch if batch is not None else total
    return _reduce(loss, reduction)


# -- binary classification -----------------------------------------------------------------
class BinaryCrossEntropy(Function):
    """l = -(y log x + (1 - y) log(1 - x)), each log clamped to >= -100 (as PyTorch).

    Derivatives (PyTorch's, with its epsilon so x = 0 or 1 gives a finite gradient):

    * dl/dx = (x - y) / max(x (1 - x), eps), eps = 1e-12 rounded to float32 (PyTorch's
      constant is a float: 9.99999996e-13, in float64 too)
    * dl/dy = log(1 - x) - log(x) = -logit(x)
    """

    EPSILON = float(np.float32(1e-12))

    @staticmethod
    def forward(ctx, input, target):
        x, y = input._data, target._data.astype(input._data.dtype, copy=False)
        if not np.all((x >= 0) & (x <= 1)):  # nan is outside too, as in PyTorch
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not np.all((y >= 0) & (y <= 1)):
            raise RuntimeError("all elements of target should be between 0 and 1")
        ctx.save_for_backward(input, target)

        def clamped_logs():  # run with numpy's warnings off: log(0) = -inf, then clamped to -100
            return clamp_values(np.log(x), -100, None), clamp_values(np.log1p(-x), -100, None)
        log_x, log_1mx = quiet_numpy.run(clamped_logs)
        return -(y * log_x + (1 - y) * log_1mx)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output * (input - target) / (input * (1 - input)).clamp(min=BinaryCrossEntropy.EPSILON)
        if ctx.needs_input_grad[1]:
            grad_target = grad_output * ((1 - input).log() - input.log())
        return grad_input, grad_target


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross entropy between probabilities ``input`` (in [0, 1]) and targets ``target``.

    l_i = -w_i (y_i log x_i + (1 - y_i) log(1 - x_i)), logs clamped to >= -100, so a
    confident wrong answer costs 100, not inf. Prefer :func:`binary_cross_entropy_with_logits`
    (on logits, before the sigmoid): it is exact where this one must clamp.

    Args:
        weight: per-element weights w_i, broadcast to the input's shape; a constant (it
            cannot require grad). The loss keeps the input's dtype whatever the weight's.

    Shape:
        input, target: the same shape (any).

    Raises:
        ValueError: if the shapes differ, or for an unknown reduction.
        RuntimeError: if some input or target is outside [0, 1] (or nan), or target and
            input dtypes differ; if ``weight`` does not broadcast to the input's shape, or
            requires grad (with grad mode on: PyTorch has no gradient for it).
        NotImplementedError: for integer inputs.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        _check_weight_broadcasts(weight, target)
        if weight.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError("The function 'binary_cross_entropy' is not differentiable with respect to "
                               "argument 'weight'. This input cannot have requires_grad True. (pass "
                               "weight.detach())")
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {_dtype.scalar_name(target.dtype)} but expected {_dtype.scalar_name(input.dtype)} "
                           f"(target has dtype {target.dtype}, input {input.dtype}; convert the target "
                           "with .to(input.dtype))")
    _check_floating("binary_cross_entropy", input)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:  # PyTorch multiplies the loss in place: it keeps the input's shape and dtype
        _check_weight_fits(weight, input)
        loss = (loss * weight).to(input.dtype)
    return _reduce(loss, reduction)


def _check_weight_broadcasts(weight: Tensor, target: Tensor) -> None:
    """PyTorch's ``_infer_size`` check: ``weight`` broadcasts against the target.

    Raises:
        RuntimeError: if it does not (naming the first dimension that differs).
    """
    try:
        np.broadcast_shapes(weight.shape, target.shape)
    except ValueError:
        for axis in range(-1, -min(weight.ndim, target.ndim) - 1, -1):
            if weight.shape[axis] not in (1, target.shape[axis]) and target.shape[axis] != 1:
                break
        raise RuntimeError(f"Attempting to broadcast a dimension of length {weight.shape[axis]} at {axis}! "
                           f"Mismatching argument at index 1 had {weight.shape!r}; but expected shape should "
                           f"be broadcastable to {list(target.shape)}") from None


def _check_weight_fits(weight: Tensor, input: Tensor) -> None:
    """PyTorch multiplies the loss by ``weight`` in place: their broadcast shape must be the input's.

    Raises:
        RuntimeError: for a weight with more dimensions, or larger ones, than the input.
    """
    shape = np.broadcast_shapes(weight.shape, input.shape)
    if shape != input.shape:
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast shape "
                           f"{list(shape)} (the weight, of shape {list(weight.shape)}, must broadcast to "
                           "the input's shape; give one weight per element or per class)")


class BinaryCrossEntropyWithLogits(Function):
    """l = (1 - y) x + c softplus(-x),  c = 1 + (p - 1) y  (p: pos_weight, 1 if not given).

    With c = 1 this is -(y log s + (1-y) log(1-s)) for s = sigmoid(x). As PyTorch's kernel,
    it is computed as (1 - y) x - c log sigmoid(x), with log sigmoid(x) = min(x, 0) -
    log(1 + e^{-abs(x)}): finite for every x (the exponential only ever of a number <= 0).

    Derivatives (PyTorch's formulas, in tensor ops, so that they can be differentiated again):

    * dl/dx = c sigmoid(x) - p y           (= sigmoid(x) - y when c = 1)
    * dl/dy = log sigmoid(-x) - p log sigmoid(x)   (= -x when there is no pos_weight)
    * dl/dp = y softplus(-x) = -y log sigmoid(x)
    """

    @staticmethod
    def forward(ctx, input, target, pos_weight):
        x, y = input._data, target._data
        ctx.save_for_backward(input, target, pos_weight)

        def loss():  # run with numpy's warnings off: nan or inf inputs give IEEE results, as in PyTorch
            # PyTorch's steps and dtypes: log sigmoid(x) by its kernel (logsigmoid's, rounded
            # once to x's dtype), times c in place, then (1 - y).mul_(x).sub_(log sigmoid(x)),
            # in place on a tensor of y's dtype, so each of the two steps is rounded to y's
            # dtype. (numpy's logaddexp(0, -x) gives the same softplus(-x), at 18 ns an
            # element against 1.3)
            log_sigmoid, _ = log_sigmoid_and_buffer(x)
            if pos_weight is not None:
                log_weight = (pos_weight._data - 1) * y + 1                     # c
                log_sigmoid = (log_sigmoid * log_weight).astype(x.dtype, copy=False)
            loss = ((1 - y) * x).astype(y.dtype, copy=False)
            return (loss - log_sigmoid).astype(y.dtype, copy=False)
        return quiet_numpy.run(loss)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, pos_weight = ctx.saved_tensors
        grad_input = grad_target = grad_pos_weight = None
        if ctx.needs_input_grad[0]:
            # sigmoid(x) - y, not (1 - y) - sigmoid(-x): equal, but they round differently
            # (at x = -30, y = 0 in float32 only the first gives e^-30, as PyTorch does)
            if pos_weight is None:
                grad_input = grad_output * (input.sigmoid() - target)
            else:
                p_y = pos_weight * target
                grad_input = grad_output * ((p_y + 1 - target) * input.sigmoid() - p_y)
        if ctx.needs_input_grad[1]:
            grad_target = grad_output * (-input if pos_weight is None
                                         else logsigmoid(-input) - pos_weight * logsigmoid(input))
        if ctx.needs_input_grad[2]:
            grad_pos_weight = grad_output * target * -logsigmoid(input)
        return grad_input, grad_target, grad_pos_weight


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross entropy in one stable step (on logits, not probabilities).

    l_i = w_i [(1 - y_i) x_i + c_i log(1 + e^{-x_i})],  c_i = 1 + (pos_weight - 1) y_i,
    computed as max(x, 0) - x y + log(1 + e^{-abs(x)}) so no exp overflows.

    Args:
        weight: per-element weights (broadcast to the input's shape).
        pos_weight: weight of positive examples, one per class (broadcast along the last dim).

    Raises:
        ValueError: if the shapes differ, or for an unknown reduction.
        NotImplementedError: for an integer or bool input.
        RuntimeError: for an integer target, or a ``pos_weight`` or ``weight`` that does not
            broadcast to the input's shape.

    The loss has the target's dtype (as PyTorch, which computes it in place on ``1 - y``).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape!r}) must be the same as input size ({input.shape!r})")
    _check_floating("binary_cross_entropy_with_logits", input)
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {_dtype.scalar_name(input.dtype)} can't be cast to the desired output "
                           f"type {_dtype.scalar_name(target.dtype)} (the target must be floating point: "
                           "call .float() on it)")
    if pos_weight is not None:
        if pos_weight.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               "respect to argument 'pos_weight'. This input cannot have requires_grad True. "
                               "(pass pos_weight.detach())")
        try:
            shape = np.broadcast_shapes(pos_weight.shape, input.shape)
        except ValueError:
            raise _broadcast_error(pos_weight, input) from None
        if shape != input.shape:
            raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast shape "
                               f"{list(shape)} (pos_weight of shape {list(pos_weight.shape)} has more "
                               "dimensions than the input; give one weight per class, shape (C,))")
    # PyTorch builds the loss in place on a tensor of the target's dtype (``(1 - y).mul_(x)``),
    # so the loss has the target's dtype, and ``weight`` must broadcast to the input's shape
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight).to(target.dtype)
    if weight is not None:
        if weight.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               "respect to argument 'weight'. This input cannot have requires_grad True. "
                               "(pass weight.detach())")
        try:
            shape = np.broadcast_shapes(weight.shape, input.shape)
        except ValueError:
            raise _broadcast_error(weight, input) from None
        if shape != input.shape:
            raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast shape "
                               f"{list(shape)} (weight of shape {list(weight.shape)} is larger than the "
                               "input; give one weight per element or per class)")
        loss = (loss * weight).to(target.dtype)
    return _reduce(loss, reduction)


# -- multi-class classification ------------------------------------------------------------
def _class_index_checks(input: Tensor, target: Tensor, weight: Tensor | None, function: str) -> None:
    """PyTorch's checks on (input, class-index target, weight), in PyTorch's order, with its
    messages (and the shapes). ``function`` is "nll_loss" or "cross_entropy"."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if function == "cross_entropy":  # its log_softmax runs first and rejects integer inputs
        _check_floating("log_softmax", input)
    # the checks of PyTorch's nll_loss_nd, before it dispatches to its kernel (the target of a
    # 1-D input, a single sample, is checked by the kernel: below)
    if input.ndim > 1 and target.ndim == 0 and input.shape[0] == 0:  # PyTorch then reads the target's missing sizes
        if input.ndim > 2:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: []) (the target "
                               "is 0-d: give one class index per position, shape (N, d1, ...))")
        if target.dtype not in (_dtype.int64, _dtype.uint8):  # (its kernel checks the dtype first)
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype.scalar_name(target.dtype)}")
        raise IndexError("Dimension specified as 0 but tensor has no dimensions (the target is 0-d: "
                         "give one class index per sample, shape (N,))")
    elif input.ndim > 1 and input.shape[0] != (target.shape[0] if target.ndim else 0):
        hint = (" (the target is 0-d: give one class index per sample, shape (N,))"
                if target.ndim == 0 else "")
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).{hint}")
    if input.ndim > 2 and target.shape[1:] != input.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    # then autograd's check of the kernel's arguments (nll_loss2d's for more than 2 dims)
    if weight is not None and weight.requires_grad and grad_mode.is_grad_enabled():
        kernel = "nll_loss_forward" if input.ndim <= 2 else "nll_loss2d_forward"
        raise RuntimeError(f"The function '{kernel}' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True. (pass weight.detach())")
    # then the kernel's
    if input.ndim == 1:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported "
                               f"(input of shape {list(input.shape)}, target of shape {list(target.shape)})")
        if target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    if input.ndim == 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype.scalar_name(target.dtype)}")
    n_classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    _check_floating(function, input)
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(
            f"expected scalar type {_dtype.scalar_name(input.dtype)} but found {_dtype.scalar_name(weight.dtype)} "
            f"(weight has dtype {weight.dtype}, input {input.dtype}; convert the weight with "
            ".to(input.dtype))")


def _single_sample_target(input: Tensor, target: Tensor) -> Tensor:
    """A (C,) input takes a target of shape () or (1,); PyTorch treats (1,) as ()."""
    return target.reshape(()) if input.ndim == 1 and target.ndim == 1 else target


def _nll_forward(ctx, log_probs: np.ndarray, target: Tensor, weight: Tensor | None, ignore_index: int,
                 reduction: str) -> np.ndarray:
    """-w_{y_n} log_probs[n, y_n] for every sample, reduced; remembers in ctx what backward needs."""
    t = target._data if target._data.dtype == np.int64 else target._data.astype(np.int64)
    ctx.class_axis = 0 if log_probs.ndim == 1 else 1
    n_classes = log_probs.shape[ctx.class_axis]
    # (the reductions are numpy's ufunc methods, which ``t.min()``, ``keep.all()`` and
    # ``.sum()`` call through Python wrappers that cost more than a batch's worth of math)
    keep = t != ignore_index                                          # samples that count
    every = np.logical_and.reduce(keep, axis=None)
    counted = t if every else t[keep]                                 # (an ignored target is never checked)
    if counted.size and (np.minimum.reduce(counted, axis=None) < 0
                         or np.maximum.reduce(counted, axis=None) >= n_classes):
        raise IndexError(f"Target {int(counted[(counted < 0) | (counted >= n_classes)].flat[0])} is out of bounds.")
    safe_t = t if every else np.where(keep, t, 0)                     # ignored -> any class
    if n_classes == 0:  # no class to read (every target is ignored): nothing is picked
        index, picked = None, np.zeros(t.shape, dtype=log_probs.dtype)
    else:
        index = _class_index(safe_t)
        picked = log_probs[index]                                     # log p[n, y_n]: target's shape
    if weight is None or index is None:
        w_n = keep.astype(log_probs.dtype)                            # 1, or 0 where ignored
    else:
        w_n = weight._data.astype(log_probs.dtype, copy=False)[safe_t] * keep
    ctx.shape, ctx.index, ctx.w_n, ctx.reduction = log_probs.shape, index, w_n, reduction
    losses = -w_n * picked
    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.asarray(np.add.reduce(losses, axis=None))
    ctx.total_weight = np.add.reduce(w_n, axis=None)
    if ctx.total_weight == 0:  # every target ignored: 0/0, which PyTorch returns as nan
        return np.asarray(np.nan, dtype=log_probs.dtype)
    return np.asarray(np.add.reduce(losses, axis=None) / ctx.total_weight)


def _nll_grad(ctx, grad_output: Tensor) -> Tensor:
    """dL/d(log_probs): -w_{y_n} (over the total weight for "mean") at [n, y_n], 0 elsewhere."""
    coef = -ctx.w_n                                                   # (N, d1, ...)
    if ctx.reduction == "mean":
        # (every target ignored: the loss is nan, but the gradient is 0, as in PyTorch)
        coef = quiet_numpy.run(np.true_divide, coef, ctx.total_weight) if ctx.total_weight != 0 else coef
    dense = np.zeros(ctx.shape, dtype=coef.dtype)                     # (N, C, d1, ...)
    if ctx.index is not None:
        dense[ctx.index] = coef
    g = grad_output if ctx.reduction != "none" else grad_output.unsqueeze(ctx.class_axis)
    return g * Tensor._make(dense)


class NllLoss(Function):
    """Negative log likelihood of class indices: l_n = -w_{y_n} x[n, y_n] (0 where y_n is ignored).

    ``input`` holds log-probabilities, (N, C) or (N, C, d1, ...) or (C,); the class axis is 1
    (0 for a 1-D input). With reduction "mean" the sum is divided by sum_n w_{y_n} over the
    samples not ignored (so the mean is weighted).

    The loss is linear in x, so dl/dx is a constant: -w_{y_n} at [n, y_n] (divided by the
    total weight for "mean"), 0 elsewhere.
    """

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        # the index that backward uses shares the target's memory: saving the target makes
        # backward check that it was not changed in place since
        ctx.save_for_backward(target)
        # IEEE results (an inf weight: inf * 0, inf / inf), as in PyTorch: numpy's warnings off
        return quiet_numpy.run(_nll_forward, ctx, input._data, target, weight, ignore_index, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        ctx.saved_tensors  # raises if the target was changed in place since the forward
        return _nll_grad(ctx, grad_output), None, None, None, None


def _class_index(target: np.ndarray) -> tuple:
    """The numpy index that picks x[n, target[n, d1, ...], d1, ...] for every position of the
    target (the class axis is 1; for a 1-D input and 0-d target it is just (target,))."""
    if target.ndim == 0:
        return (target,)
    # one open grid per target axis: arange(N) as (N, 1, ...), arange(d1) as (d1, 1, ...)...,
    # which broadcast against each other and the target (what np.ix_ builds, in a third of
    # its time on a batch of class indices)
    grids = [np.arange(size).reshape((size,) + (1,) * (target.ndim - 1 - axis))
             for axis, size in enumerate(target.shape)]
    return (grids[0], target) + tuple(grids[1:])


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log likelihood loss: l_n = -w_{y_n} input[n, y_n], for log-probabilities ``input``.

    Args:
        input: log-probabilities, (N, C), (C,), or (N, C, d1, ...).
        target: class indices (int64), (N,), (), or (N, d1, ...), each in [0, C) or ``ignore_index``.
        weight: a weight per class, (C,).
        ignore_index: a target value that contributes nothing (not even to the mean's divisor).
        reduction: "mean" (weighted mean) | "sum" | "none".

    Raises:
        TypeError: if ``input`` or ``target`` is not a tensor, or ``ignore_index`` not an int.
        ValueError: if the batch sizes differ, or for an unknown reduction.
        RuntimeError: if ``target`` has too many dimensions, or is not an int64 (Long) or
            uint8 tensor (e.g. float labels), or ``weight`` has the wrong shape or dtype.
        NotImplementedError: for an integer input.
        IndexError: "Target 7 is out of bounds." for a class index outside [0, C).
    """
    _check_tensor("nll_loss_nd", "input", 1, input)
    _check_tensor("nll_loss_nd", "target", 2, target)
    _check_ignore_index("nll_loss_nd", ignore_index)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _class_index_checks(input, target, weight, "nll_loss")
    target = _single_sample_target(input, target)
    return NllLoss.apply(input, target, weight, ignore_index, reduction)


def _check_ignore_index(function: str, ignore_index) -> None:
    if not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{function}(): argument 'ignore_index' (position 5) must be int, "
                        f"not {type(ignore_index).__name__}")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``input`` and ``target``: log_softmax, then the NLL.

    For class indices: l_n = -w_{y_n} log softmax(x_n)_{y_n} = w_{y_n} (logsumexp(x_n) - x_{n, y_n}).
    For class probabilities (``target`` float, same shape as ``input``): l_n = -sum_c w_c y_{n,c}
    log softmax(x_n)_c. ``log_softmax`` subtracts the max logit first, so logits of 1e4 give
    finite losses. With label smoothing eps, the target becomes (1 - eps) y + eps / C.

    ``input`` must be logits (raw scores). Applying softmax first is the mistake: the loss
    is then computed on log softmax(softmax(x)), a different function, so both the loss
    and its gradients are wrong (the gradients shrink and training slows or stalls).
    Applying log_softmax first is redundant but harmless: log_softmax is idempotent
    (log_softmax(log_softmax(x)) = log_softmax(x)), so the loss and the gradients are
    the same.

    Args:
        input: logits, (N, C), (C,), or (N, C, d1, ...).
        target: either class indices, int64 (or uint8), of shape (N,) / () / (N, d1, ...),
            each in [0, C) or ``ignore_index``; or class probabilities (soft labels), float,
            of the input's shape, (N, C) / (C,) / (N, C, d1, ...). int32 and other integer
            indices are rejected (convert with ``.long()``), and so are float targets of
            shape (N,).
        weight: a weight per class, (C,), of the input's dtype (class indices).
        ignore_index: class-index target value to skip.
        reduction: "mean" | "sum" | "none".
        label_smoothing: eps in [0, 1] (above 1 raises; below 0 acts as 0, as in PyTorch).

    Raises:
        TypeError: if ``input`` or ``target`` is not a tensor.
        ValueError: for mismatched batch sizes (checked first, as in PyTorch: a float
            target of the wrong length reports the length) or an unknown reduction.
        RuntimeError: if class-index targets are not int64 or uint8 ("expected target
            dtype to be Long or Byte, but got Float"), have too many dimensions, or
            label_smoothing is above 1; for a weight of the wrong shape or dtype.
        NotImplementedError: for an integer input.
        IndexError: for a class index outside [0, C).
    """
    _check_tensor("cross_entropy_loss", "input", 1, input)
    _check_tensor("cross_entropy_loss", "target", 2, target)
    _check_ignore_index("cross_entropy_loss", ignore_index)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.shape == target.shape:  # class probabilities
        if not target.dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                               f"got {_dtype.scalar_name(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if input.ndim == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions (cross_entropy "
                             "needs logits of shape (C,), (N, C) or (N, C, d1, ...); got a 0-d tensor)")
        if label_smoothing > 1.0:  # (nan passes, as in PyTorch)
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        class_dim = 0 if input.ndim == 1 else 1
        n_classes = input.shape[class_dim]
        if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} "
                               f"classes or no classes but got weight tensor of shape: {list(weight.shape)}")
        _check_floating("log_softmax", input)
        return _cross_entropy_probs(input.log_softmax(class_dim), target, weight, reduction,
                                    label_smoothing, class_dim)
    if label_smoothing > 1.0:  # (PyTorch checks only the upper end; nan passes)
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:  # PyTorch's log_softmax over dim 1 comes first
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1) "
                         "(cross_entropy needs logits of shape (C,), (N, C) or (N, C, d1, ...); got a "
                         "0-d tensor)")
    _class_index_checks(input, target, weight, "cross_entropy")
    target = _single_sample_target(input, target)
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    # two ops, as in PyTorch: log softmax (x_c - logsumexp(x): stable for any logits), then the NLL
    log_probs = LogSoftmax.apply(input, class_dim)
    nll = NllLoss.apply(log_probs, target, weight, ignore_index, reduction)
    if not label_smoothing > 0.0:  # PyTorch smooths only for eps > 0 (a negative or nan eps is 0)
        return nll
    # the smoothing term: the loss against the uniform distribution, -sum_c w_c log p_c
    w = 1 if weight is None else weight.reshape((n_classes,) + (1,) * (input.ndim - 2))  # (C, 1, ...)
    smooth = -(log_probs * w).sum(class_dim)                          # (N, d1, ...)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / (~ignored).sum()
        else:
            kept = target._data[~ignored._data]
            smooth = smooth.sum() / float(weight._data[kept].sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def _cross_entropy_probs(log_probs: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, class_dim: int) -> Tensor:
    """-sum_c w_c y_c log p_c for probability targets (PyTorch's ``cross_entropy_loss_prob_target``)."""
    n_classes = log_probs.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = log_probs * target
    if weight is not None:
        terms = terms * weight.reshape((n_classes,) + (1,) * (log_probs.ndim - class_dim - 1))  # (C, 1, ...)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (log_probs.numel() // n_classes)
