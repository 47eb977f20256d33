"""Tensor printing, character for character the way PyTorch prints.

The rules (learned from the oracle and torch's documentation):

* Above ``threshold`` elements a tensor is *summarized*: along every axis longer than
  ``2 * edgeitems`` only the first and last ``edgeitems`` entries are shown, with ``...`` between.
* One formatter per tensor (two for complex: real and imaginary parts) fixes a common width, computed
  from the values actually shown. Floating tensors are printed in one of three modes, decided from
  the nonzero finite values only: *integer mode* (``1.``) when every such value is integral,
  *scientific* (``1.0000e+10``) when max/min > 1000, max > 1e8 or (non-integral) min < 1e-4,
  otherwise fixed point with ``precision`` digits. ``sci_mode`` overrides the automatic choice.
* Rows longer than ``linewidth`` wrap; suffixes (``dtype=``, ``grad_fn=``...) wrap onto a new line
  when they would overflow it.

Only the values shown are ever copied to the host, so printing a huge (or GPU) tensor is cheap.
"""
import contextlib
import math

import numpy as np

from . import _backend, _dtype


class _PrinterOptions:
    """The current print options (torch's ``torch._tensor_str.PRINT_OPTS``)."""

    __slots__ = ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode')

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None

    def __repr__(self):
        return (f"__PrinterOptions(precision={self.precision}, threshold={self.threshold}, "
                f"edgeitems={self.edgeitems}, linewidth={self.linewidth}, sci_mode={self.sci_mode})")


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    'default': (4, 1000, 3, 80),
    'short': (2, 1000, 2, 80),
    'full': (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set options for printing tensors (same arguments and defaults as ``torch.set_printoptions``).

    Args:
        precision: digits after the decimal point for floating values (default 4).
        threshold: number of elements above which a tensor is summarized (default 1000).
        edgeitems: items shown at the start and end of each summarized dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``; sets the four options above at once.
        sci_mode: True/False forces scientific notation on/off; None (the default, and what every
            call that omits it sets) lets ember choose.
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # torch assigns sci_mode unconditionally, so omitting it resets it to automatic.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """Gets the current options for printing, as a dictionary that can be passed as ``**kwargs``
    to set_printoptions()."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrinterOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options. Accepted arguments are the
    same as :func:`set_printoptions`."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------------------------
# formatting values


class _Formatter:
    """Formats the scalars of one real array to a common width."""

    def __init__(self, arr):
        # arr: the NumPy array of the values that will be shown (already summarized)
        kind = arr.dtype.kind
        self.floating = kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            if arr.size:
                if kind == 'b':
                    width = 4 if arr.all() else 5  # 'True' / 'False'
                else:
                    width = max(len(str(int(arr.max()))), len(str(int(arr.min()))))
                self.max_width = max(self.max_width, width)
            return
        flat = arr.reshape(-1)
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            # only zeros / nan / inf: integer mode, width 1, whatever sci_mode says
            return
        self.int_mode = bool((np.ceil(vals) == vals).all())
        absvals = np.abs(vals).astype(np.float64)
        big, small = absvals.max(), absvals.min()
        with np.errstate(over='ignore'):
            ratio = big / small
        if self.int_mode:
            self.sci_mode = bool(ratio > 1000.0 or big > 1.0e8)
        else:
            self.sci_mode = bool(ratio > 1000.0 or big > 1.0e8 or small < 1.0e-4)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        # The printed length is monotonic in the value on each side of zero (the exponent's
        # digit count in scientific notation too), so the extremes on each side give the width.
        pos, neg = vals[vals > 0], vals[vals < 0]
        candidates = []
        if pos.size:
            candidates += [pos.max(), pos.min()]
        if neg.size:
            candidates += [neg.max(), neg.min()]
        candidates = [float(c) for c in candidates]
        p = PRINT_OPTS.precision
        if self.sci_mode:
            width = max(len(f'{c:.{p}e}') for c in candidates)
        elif self.int_mode:
            width = max(len(f'{c:.0f}') for c in candidates) + 1  # the trailing '.'
        else:
            width = max(len(f'{c:.{p}f}') for c in candidates)
        self.max_width = max(self.max_width, width)

    def width(self):
        return self.max_width

    def format_all(self, values):
        """Strings for a list of Python scalars, each padded to the common width."""
        w = self.max_width
        if not self.floating:
            return [str(v).rjust(w) for v in values]
        p = PRINT_OPTS.precision
        if self.sci_mode:
            return [f'{v:{w}.{p}e}' for v in values]
        if self.int_mode:
            # nan/inf get no '.'; everything else does, to mark the tensor as floating
            return [(f'{v:.0f}' + ('.' if math.isfinite(v) else '')).rjust(w) for v in values]
        return [f'{v:.{p}f}'.rjust(w) for v in values]


def _summarized(arr, edge):
    """`arr` with only the first and last `edge` entries of every axis longer than 2*edge."""
    xp = _backend.array_module(arr)
    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            head = (slice(None),) * axis + (slice(0, edge),)
            tail = (slice(None),) * axis + (slice(n - edge, n),)
            arr = xp.concatenate((arr[head], arr[tail]), axis=axis)
    return arr


def _host_values(arr):
    """NumPy copy of `arr` in a dtype whose `.tolist()` gives exact Python scalars."""
    arr = _backend.to_numpy(arr)
    kind = arr.dtype.kind
    if kind == 'f' and arr.dtype not in (np.float32, np.float64):
        # float16, bfloat16 (ml_dtypes) and friends widen exactly to float32
        arr = arr.astype(np.float32)
    elif kind == 'V' or (kind not in 'biufc'):
        arr = arr.astype(np.float32)
    return arr


def _element_strings(arr):
    """(flat list of element strings, element width) for the NumPy array `arr`."""
    if arr.dtype.kind == 'c':
        real_fmt, imag_fmt = _Formatter(arr.real), _Formatter(arr.imag)
        reals = real_fmt.format_all(arr.real.reshape(-1).tolist())
        imags = imag_fmt.format_all(arr.imag.reshape(-1).tolist())
        out = []
        for r, i in zip(reals, imags):
            i = (i + 'j').lstrip()
            out.append(r + i if i[0] in '+-' else r + '+' + i)
        return out, real_fmt.width() + 2 + imag_fmt.width() + 1
    fmt = _Formatter(arr)
    return fmt.format_all(arr.reshape(-1).tolist()), fmt.width() + 2


def _vector(items, indent, cut, element_length):
    edge = PRINT_OPTS.edgeitems
    if cut:
        items = items[:edge] + [' ...'] + items[edge:]
    per_line = max(1, (PRINT_OPTS.linewidth - indent) // element_length)
    lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'


def _nested(items, shape, cuts, indent, element_length):
    """Brackets for the flat row-major `items` of an array of `shape` (cuts: summarized axes)."""
    if len(shape) == 1:
        return _vector(items, indent, cuts[0], element_length)
    step = len(items) // shape[0] if shape[0] else 0
    parts = [_nested(items[i * step:(i + 1) * step], shape[1:], cuts[1:], indent + 1, element_length)
             for i in range(shape[0])]
    if cuts[0]:
        edge = PRINT_OPTS.edgeitems
        parts = parts[:edge] + ['...'] + parts[edge:]
    return '[' + (',' + '\n' * (len(shape) - 1) + ' ' * (indent + 1)).join(parts) + ']'


def _tensor_body(arr, indent):
    """The bracketed values of a non-empty array (everything between 'tensor(' and suffixes)."""
    summarize = arr.size > PRINT_OPTS.threshold
    edge = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        strs, _ = _element_strings(_host_values(arr))
        return strs[0]
    if summarize and not edge:
        return '[...]'
    if summarize:
        cuts = [n > 2 * edge for n in arr.shape]
        arr = _summarized(arr, edge)
    else:
        cuts = [False] * arr.ndim
    host = _host_values(arr)
    strs, element_length = _element_strings(host)
    return _nested(strs, host.shape, cuts, indent, element_length)


def _add_suffixes(text, suffixes, indent):
    out = [text]
    # mirrors torch's line-length bookkeeping exactly (it counts two more than the true length)
    last_line_len = len(text) - text.rfind('\n') + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(',\n' + ' ' * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(', ' + suffix)
            last_line_len += len(suffix) + 2
    out.append(')')
    return ''.join(out)


def _is_parameter_class(cls):
    return any(c.__name__ == 'Parameter' and c.__module__.startswith('ember') for c in cls.__mro__)


def _str(t):
    """The repr (and str) of an ember Tensor, exactly as torch prints the same tensor."""
    from ._tensor import Tensor  # the tensor module imports this one
    cls = type(t)
    is_plain = cls is Tensor or (cls.__name__ == 'Parameter' and cls.__module__.startswith('ember'))
    prefix = 'tensor(' if is_plain else f'{cls.__name__}('
    indent = len(prefix)
    suffixes = []

    dev = t.device
    if dev.type != 'cpu':
        suffixes.append(f"device='{dev}'")

    arr = t._data
    dt = t.dtype
    default = _dtype.get_default_dtype()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append('size=' + str(tuple(arr.shape)))
        # nothing to infer the dtype from, so any non-default one is spelled out
        if dt != default:
            suffixes.append('dtype=' + repr(dt))
        body = '[]'
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append('size=' + str(tuple(arr.shape)))
        if dt not in (default, _dtype.default_complex(), _dtype.int64, _dtype.bool_):
            suffixes.append('dtype=' + repr(dt))
        body = _tensor_body(arr, indent)

    try:
        grad_fn = t.grad_fn
        grad_fn_name = None
        if grad_fn is not None:
            name = getattr(grad_fn, 'name', None)
            grad_fn_name = (name() if callable(name) else type(grad_fn).__name__).rsplit('::', 1)[-1]
    except RuntimeError:
        grad_fn_name = 'Invalid'
    if grad_fn_name is not None:
        suffixes.append(f'grad_fn=<{grad_fn_name}>')
    elif t.requires_grad:
        suffixes.append('requires_grad=True')

    out = _add_suffixes(prefix + body, suffixes, indent)
    if not is_plain and _is_parameter_class(cls):
        out = f'Parameter({out})'
    return out
