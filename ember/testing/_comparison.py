"""torch.testing.assert_close: compare tensors, NumPy arrays, Python scalars and nested
sequences/mappings of them, with torch's per-dtype default tolerances and failure messages."""
import collections.abc
import math
import numbers

import numpy as np

__all__ = ['assert_close', 'default_tolerances']

# (rtol, atol) when neither is given, by dtype name; integers and bool compare exactly
_DEFAULT_TOLERANCES = {
    'float16': (1e-3, 1e-5), 'bfloat16': (1.6e-2, 1e-5), 'float32': (1.3e-6, 1e-5),
    'float64': (1e-7, 1e-7), 'complex32': (1e-3, 1e-5), 'complex64': (1.3e-6, 1e-5),
    'complex128': (1e-7, 1e-7),
}


class _ErrorMeta(Exception):
    """A comparison failure: the exception type to raise, its message, and the item path."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if callable(msg):
            msg = msg(self._full_msg())
        elif msg is None:
            msg = self._full_msg()
        return self.type(msg)

    def _full_msg(self):
        m = self.msg
        if self.id:
            m += '\n\nThe failure occurred for item ' + ''.join(f'[{k!r}]' for k in self.id)
        return m


def default_tolerances(*inputs):
    """The largest default (rtol, atol) over the dtypes of `inputs` (tensors or dtypes)."""
    rtols, atols = [0.0], [0.0]
    for x in inputs:
        name = getattr(getattr(x, 'dtype', x), 'name', None)
        r, a = _DEFAULT_TOLERANCES.get(name, (0.0, 0.0))
        rtols.append(r)
        atols.append(a)
    return max(rtols), max(atols)


def _torch_type_name(obj):
    from .._tensor import Tensor
    return "<class 'torch.Tensor'>" if isinstance(obj, Tensor) else str(type(obj))


def _is_scalar(x):
    return isinstance(x, (numbers.Number, bool)) and not isinstance(x, np.ndarray)


def _pairs(actual, expected, id=()):
    """Flatten two nested structures into comparable leaf pairs (torch's originate_pairs)."""
    from .._tensor import Tensor
    if isinstance(actual, (Tensor, np.ndarray)) or isinstance(expected, (Tensor, np.ndarray)):
        return [(actual, expected, id)]
    if isinstance(actual, str) or isinstance(expected, str):
        return [(actual, expected, id)]
    if isinstance(actual, collections.abc.Sequence) and isinstance(expected,
                                                                   collections.abc.Sequence):
        if len(actual) != len(expected):
            raise _ErrorMeta(AssertionError, f"The length of the sequences mismatch: "
                                             f"{len(actual)} != {len(expected)}", id)
        out = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            out += _pairs(a, e, id + (i,))
        return out
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected,
                                                                  collections.abc.Mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            missing = sorted(ek - ak, key=repr)
            extra = sorted(ak - ek, key=repr)
            raise _ErrorMeta(AssertionError, "The keys of the mappings do not match:\n"
                             f"Missing keys in the actual mapping: {missing}\n"
                             f"Additional keys in the actual mapping: {extra}", id)
        out = []
        keys = list(actual.keys())
        try:
            keys = sorted(keys)
        except TypeError:
            pass
        for k in keys:
            out += _pairs(actual[k], expected[k], id + (k,))
        return out
    return [(actual, expected, id)]


def _fmt(v):
    return repr(v)


def _scalar_msg(kind, actual, expected, abs_diff, rel_diff, rtol, atol):
    word = 'close' if (rtol or atol) else 'equal'
    m = f"Scalars are not {word}!\n\nExpected {expected} but got {actual}.\n"
    m += f"Absolute difference: {_fmt(abs_diff)}" + (f" (up to {atol} allowed)" if word == 'close'
                                                     else '')
    m += f"\nRelative difference: {_fmt(rel_diff)}" + (f" (up to {rtol} allowed)"
                                                       if word == 'close' else '')
    return m


def _isclose(a, b, rtol, atol, equal_nan):
    """torch.isclose on host arrays of one dtype: exact equality, or a finite gap within tolerance."""
    with np.errstate(all='ignore'):
        close = a == b
        if a.dtype.kind in 'fcV' or rtol or atol:
            fa = a.astype(np.complex128 if a.dtype.kind == 'c' else np.float64) \
                if a.dtype.kind not in 'fc' else a
            fb = b.astype(fa.dtype) if b.dtype != fa.dtype else b
            err = np.abs(fa - fb)
            allowed = atol + np.abs(rtol * fb)
            finite = np.isfinite(fa) & np.isfinite(fb)
            close = close | (finite & (err <= allowed))
        if equal_nan and a.dtype.kind in 'fcV':
            close = close | (np.isnan(a) & np.isnan(b))
    return close


def _compare_arrays(a, b, rtol, atol, equal_nan, is_0d):
    close = _isclose(a, b, rtol, atol, equal_nan)
    if close.all():
        return
    word = 'close' if (rtol or atol) else 'equal'
    if a.dtype.kind not in 'fcV':  # integers/bool: differences in int64, ratios in float32
        fa, fb = a.astype(np.int64).ravel(), b.astype(np.int64).ravel()
    else:
        fa, fb = a.ravel(), b.ravel()
    with np.errstate(all='ignore'):
        abs_diff = np.abs(fa - fb)
        if is_0d:
            denom = np.abs(fb)
            rel = abs_diff / denom if fa.dtype.kind != 'i' else \
                (abs_diff.astype(np.float32) / denom.astype(np.float32))
            raise _ErrorMeta(AssertionError, _scalar_msg(
                word, a.item() if a.dtype.kind != 'V' else float(a), b.item() if b.dtype.kind != 'V'
                else float(b), abs_diff[0].item() if abs_diff.dtype.kind != 'V'
                else float(abs_diff[0]), _item(rel[0]), rtol, atol))
        matches = close.ravel()
        abs_diff = abs_diff.copy()
        abs_diff[matches] = 0
        if fa.dtype.kind == 'i':
            rel = abs_diff.astype(np.float32) / np.abs(fb).astype(np.float32)
        else:
            rel = abs_diff / np.abs(fb)
        rel[matches] = 0
    n_bad = int((~matches).sum())
    total = matches.size
    ia = int(np.argmax(abs_diff.astype(np.float64) if abs_diff.dtype.kind == 'V' else abs_diff))
    ir = int(np.argmax(rel.astype(np.float64) if rel.dtype.kind == 'V' else rel))
    idx = lambda i: tuple(int(k) for k in np.unravel_index(i, a.shape))  # noqa: E731
    extra_a = f" (up to {atol} allowed)" if word == 'close' else ''
    extra_r = f" (up to {rtol} allowed)" if word == 'close' else ''
    raise _ErrorMeta(AssertionError,
                     f"Tensor-likes are not {word}!\n\n"
                     f"Mismatched elements: {n_bad} / {total} ({n_bad / total * 100:.1f}%)\n"
                     f"Greatest absolute difference: {_fmt(_item(abs_diff[ia]))} at index "
                     f"{idx(ia)}{extra_a}\n"
                     f"Greatest relative difference: {_fmt(_item(rel[ir]))} at index "
                     f"{idx(ir)}{extra_r}")


def _item(x):
    if getattr(x, 'dtype', None) is not None and x.dtype.kind == 'V':  # bfloat16
        return float(x)
    return x.item() if hasattr(x, 'item') else x


def _compare_pair(actual, expected, rtol, atol, equal_nan, check_device, check_dtype,
                  check_stride, allow_subclasses):
    from .._tensor import Tensor
    from .._backend import to_numpy
    if actual is None or expected is None:
        if actual is None and expected is None:
            return
        raise _ErrorMeta(AssertionError, f"None mismatch: {actual} is not {expected}")
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise _ErrorMeta(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    if isinstance(actual, (np.bool_,)) and isinstance(expected, np.bool_):
        if bool(actual) is not bool(expected):
            raise _ErrorMeta(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    if _is_scalar(actual) and _is_scalar(expected) and not isinstance(actual, bool) \
            and not isinstance(expected, bool):
        if type(actual) is not type(expected) and check_dtype:
            raise _ErrorMeta(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                             f"{type(expected)}.")
        kind = complex if isinstance(actual, complex) or isinstance(expected, complex) else \
            float if isinstance(actual, float) or isinstance(expected, float) else int
        if rtol is None:
            rtol, atol = (1e-7, 1e-7) if kind is not int else (0.0, 0.0)
        arr_dt = {complex: np.complex128, float: np.float64, int: np.int64}[kind]
        a = np.asarray([actual], arr_dt)
        b = np.asarray([expected], arr_dt)
        if _isclose(a, b, rtol, atol, equal_nan).all():
            return
        with np.errstate(all='ignore'):
            abs_diff = abs(actual - expected)
            rel = abs_diff / abs(expected) if expected != 0 else (
                math.inf if abs_diff else math.nan)
        raise _ErrorMeta(AssertionError, _scalar_msg(None, actual, expected, abs_diff, rel,
                                                     rtol, atol))
    both_tensors = isinstance(actual, Tensor) and isinstance(expected, Tensor)
    both_arrays = isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)
    if not (both_tensors or both_arrays):
        raise _ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type "
                                    f"{_torch_type_name(actual)} and {_torch_type_name(expected)}.")
    if both_arrays:
        from .._ops.creation import from_numpy
        actual, expected = from_numpy(np.ascontiguousarray(actual)), \
            from_numpy(np.ascontiguousarray(expected))
    elif not allow_subclasses and type(actual) is not type(expected):
        raise _ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type "
                                    f"{type(actual)} and {type(expected)}.")
    if actual.shape != expected.shape:
        raise _ErrorMeta(AssertionError, f"The values for attribute 'shape' do not match: "
                                         f"{actual.shape} != {expected.shape}.")
    if check_device and actual.device != expected.device:
        raise _ErrorMeta(AssertionError, f"The values for attribute 'device' do not match: "
                                         f"{actual.device} != {expected.device}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _ErrorMeta(AssertionError, f"The values for attribute 'dtype' do not match: "
                                         f"{actual.dtype} != {expected.dtype}.")
    if check_stride and actual.stride() != expected.stride():
        raise _ErrorMeta(AssertionError, f"The values for attribute 'stride()' do not match: "
                                         f"{actual.stride()} != {expected.stride()}.")
    if rtol is None:
        rtol, atol = default_tolerances(actual, expected)
    a, b = to_numpy(actual.detach()._data), to_numpy(expected.detach()._data)
    if a.dtype != b.dtype:  # check_dtype=False: compare in the promoted dtype
        from .._dtype import promote_types
        common = promote_types(actual.dtype, expected.dtype).np
        a, b = a.astype(common), b.astype(common)
    _compare_arrays(a, b, rtol, atol, equal_nan, actual.ndim == 0)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that `actual` and `expected` are close (torch.testing.assert_close).

    Tensors must match in shape, device and dtype (unless check_dtype=False); values must satisfy
    |actual - expected| <= atol + rtol * |expected|, with defaults by dtype (exact for integers).
    Raises AssertionError naming the mismatched elements, or TypeError for incomparable inputs."""
    __tracebackhide__ = True
    if (rtol is None) ^ (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    try:
        pairs = _pairs(actual, expected)
        for a, e, id in pairs:
            try:
                _compare_pair(a, e, rtol, atol, equal_nan, check_device, check_dtype,
                              check_stride, allow_subclasses)
            except _ErrorMeta as err:
                err.id = id
                raise
    except _ErrorMeta as err:
        raise err.to_error(msg) from None
