"""How a tensor prints: ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``, as in PyTorch.

This follows PyTorch's ``torch/_tensor_str.py`` rule for rule (numpy's printing differs):

* floats that are all whole numbers print as ``1.``; others with 4 decimals (``0.5000``);
  scientific notation (``1.0000e+05``) when the nonzero values span more than 1000x or
  exceed 1e8, or (when not all whole) go below 1e-4; a tensor with no nonzero finite
  value (``[0., inf, nan]``) is never scientific, even with ``sci_mode=True``;
* every element is padded to the width of the widest *nonzero finite* value;
* more than 1000 elements are summarised: the first and last 3 along each long axis,
  with ``...`` between; the format is chosen from the values shown. With ``edgeitems=0``
  a summarised tensor prints as ``[...]``, and every tensor shows ``size=(...)``;
* rows wrap at 80 characters;
* the dtype is shown unless it is the default for its kind (float32, int64, bool), and
  always for an empty tensor of a non-default dtype;
* then ``requires_grad=True`` (a leaf) or ``grad_fn=<MulBackward0>`` (a result).
"""
from __future__ import annotations

import numpy as np

from . import _dtype

PRECISION = 4     # digits after the decimal point
THRESHOLD = 1000  # more elements than this are summarised
EDGEITEMS = 3     # elements kept at each end of a summarised axis
LINEWIDTH = 80    # characters per line
SCI_MODE = None   # None: chosen from the values (above); True / False: always / never scientific


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: digits after the point, the
    element count above which a tensor is summarised, the elements kept at each end when
    summarised, and the line width. ``profile`` is "default" (4, 1000, 3, 80), "short"
    (2, 1000, 2, 80) or "full" (4, inf, 3, 80); the other arguments then override it.
    ``sci_mode`` True or False forces scientific notation on or off; None chooses.

    Raises:
        ValueError: for an unknown profile.
    """
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    profiles = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, float("inf"), 3, 80)}
    if profile is not None:
        if profile not in profiles:
            raise ValueError(f"profile must be one of {sorted(profiles)}, got {profile!r}")
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = profiles[profile]
    PRECISION = PRECISION if precision is None else precision
    THRESHOLD = THRESHOLD if threshold is None else threshold
    EDGEITEMS = EDGEITEMS if edgeitems is None else edgeitems
    LINEWIDTH = LINEWIDTH if linewidth is None else linewidth
    SCI_MODE = sci_mode


def _summarize(values: np.ndarray) -> np.ndarray:
    """Keep the first and last EDGEITEMS along every axis longer than 2 * EDGEITEMS."""
    for axis, n in enumerate(values.shape):
        if n > 2 * EDGEITEMS:
            values = np.take(values, np.r_[0:EDGEITEMS, n - EDGEITEMS:n], axis=axis)
    return values


def _format_floats(values: np.ndarray) -> tuple:
    """Strings for float values, and the element width (PyTorch's ``_Formatter``)."""
    values = values.astype(np.float64)
    shown = np.isfinite(values) & (values != 0)  # only these decide the format and width
    nonzero = np.abs(values[shown])
    int_mode = bool(np.all(values[shown] == np.ceil(values[shown])))
    if not nonzero.size:  # only zeros, inf and nan: "0.", never scientific, whatever SCI_MODE says
        sci_mode = False
    elif SCI_MODE is not None:
        sci_mode = SCI_MODE
    else:
        low, high = float(nonzero.min()), float(nonzero.max())  # Python floats: high / low may be inf
        sci_mode = high / low > 1000.0 or high > 1.0e8 or (not int_mode and low < 1.0e-4)
    if sci_mode:
        strings = np.char.mod(f"%.{PRECISION}e", values)
    elif int_mode:
        strings = np.char.mod("%.0f", values)
        strings = np.where(np.isfinite(values), np.char.add(strings, "."), strings)  # "1." says float
    else:
        strings = np.char.mod(f"%.{PRECISION}f", values)
    width = max(1, int(np.char.str_len(strings[shown]).max())) if nonzero.size else 1
    return strings, width


def _format(values: np.ndarray) -> tuple:
    """The string of every value in ``values``, right-aligned to one width, and that width."""
    if values.dtype.kind == "f":
        strings, width = _format_floats(values)
    else:
        strings = np.where(values, "True", "False") if values.dtype.kind == "b" else values.astype(str)
        width = max(1, int(np.char.str_len(strings).max()) if strings.size else 1)
    return np.char.rjust(strings, width), width


def _nested(cells: np.ndarray, shape: tuple, indent: int, width: int, summarize: bool) -> str:
    """Join the formatted cells into nested brackets; ``shape`` is the full (unsummarised) shape."""
    cut = summarize and shape[0] > 2 * EDGEITEMS  # put "..." between the two ends
    if cells.ndim == 1:
        items = list(cells)
        if cut:
            items = items[:EDGEITEMS] + [" ..."] + items[EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = [_nested(row, shape[1:], indent + 1, width, summarize) for row in cells]
    if cut:
        rows = rows[:EDGEITEMS] + ["..."] + rows[EDGEITEMS:]
    return "[" + ("," + "\n" * (cells.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(data: np.ndarray, indent: int) -> str:
    summarize = data.size > THRESHOLD
    if summarize and EDGEITEMS == 0 and data.ndim > 0:
        return "[...]"  # no element kept at either end (the size is then shown as a suffix)
    shown = _summarize(data) if summarize else data
    cells, width = _format(shown)
    if data.ndim == 0:
        return str(cells)
    return _nested(cells, data.shape, indent, width, summarize)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, dtype=...`` etc., starting a new line when one would pass LINEWIDTH.

    A suffix is measured as PyTorch spells it (``dtype=torch.float64`` is one character
    shorter than ``dtype=tinynn.float64``), so that lines break where PyTorch's do.
    """
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix.replace("tinynn.", "torch."))
        if last_line_len + suffix_len + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
        else:
            parts.append(", " + suffix)
            last_line_len += suffix_len + 2
    return "".join(parts) + ")"


def tensor_repr(t) -> str:
    data = t._data
    prefix = "tensor("
    default = _dtype.get_default_dtype()
    suffixes = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if t.dtype is not default:  # no values to tell an int64 from a float tensor
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if EDGEITEMS == 0:  # the values may all be cut, so say how many there are
            suffixes.append(f"size={tuple(data.shape)}")
        if t.dtype not in (default, _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={t.dtype!r}")
        body = _body(data, len(prefix))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))
