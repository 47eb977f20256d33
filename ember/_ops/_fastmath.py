"""NumPy calls that stay cheap on the tiny arrays of a small network's training step.

On a 4x3 array NumPy's per-call overhead is the whole cost, and some spellings of the same math
cost far less than others (NumPy 2, one thread):

- ``np.dot(a, b)`` on 2-D float32/float64 arrays runs the same BLAS gemm as ``a @ b`` but skips
  the generalized-ufunc machinery: about 0.3 µs less per product. ``dot`` below is np.dot's own
  implementation, without the ``__array_function__`` dispatch (a Python call, about 0.2 µs more);
  it is for NumPy arrays only.
- a Python scalar operand (``1 - out``) goes through scalar conversion and promotion; a cached
  0-d array of the same dtype does not: about 0.25 µs less per operation, same result.
- column sums through ``np.dot(ones, g)`` beat ``g.sum(0)``, and for tall matrices much more so.
- ``with np.errstate(over='ignore')`` builds a new error state on every entry (about 1 µs, as
  much as the math it guards); `ignore_overflow` sets a cached one.

These helpers are for the hot paths of the primitives (linear, sigmoid, mse_loss); anything that
is not a float32/float64 NumPy array takes the plain spelling.
"""
import numpy as np

try:  # NumPy 2's floating-point error state (what np.errstate sets)
    from numpy._core._ufunc_config import _extobj_contextvar as _err_state
except ImportError:  # another layout: np.errstate itself, at its usual cost
    _err_state = None

_ndarray = np.ndarray
# np.dot without the __array_function__ dispatch (NEP 18's `_implementation`): NumPy arrays only
dot = getattr(np.dot, '_implementation', np.dot)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_consts = {}
_ones = {}
_ONES_MAX = 1 << 16  # longest cached ones vector (256 KiB in float32)


def const(value, dtype):
    """`value` as a read-only 0-d array of the NumPy dtype `dtype` (cached), to use as an operand."""
    key = (value, dtype)
    c = _consts.get(key)
    if c is None:
        c = np.array(value, dtype)
        c.flags.writeable = False
        if len(_consts) < 256:
            _consts[key] = c
    return c


class _Units(dict):
    def __missing__(self, dtype):
        c = self[dtype] = const(1, dtype)
        return c


# ONE[dtype]: const(1, dtype), the most used constant, as a plain subscript (no call)
ONE = _Units()


def one(dtype):
    """const(1, dtype) (the same as ONE[dtype])."""
    return ONE[dtype]


def mm(a, b):
    """a @ b for 2-D arrays (np.dot for CPU float32/float64, the cheaper call)."""
    dt = a.dtype
    if (dt is _F32 or dt is _F64) and b.dtype is dt and type(a) is _ndarray:
        return dot(a, b)
    return matmul(a, b)


def matmul(a, b):
    """a @ b in the operands' dtype when they share one: NumPy multiplies bfloat16 (ml_dtypes)
    matrices in float32 and returns float32; torch rounds the result back to bfloat16."""
    out = a @ b
    dt = a.dtype
    if out.dtype != dt and b.dtype == dt:
        out = out.astype(dt)
    return out


def col_sums(g):
    """g.sum(0) for a 2-D g, as a product with a cached ones vector where BLAS applies."""
    dt = g.dtype
    if (dt is _F32 or dt is _F64) and type(g) is _ndarray:
        n = g.shape[0]
        ones = _ones.get(n if dt is _F32 else -n)
        if ones is None:
            if not 0 < n <= _ONES_MAX:
                return g.sum(0)
            if len(_ones) >= 64:  # many batch sizes: start over rather than grow
                _ones.clear()
            ones = _ones[n if dt is _F32 else -n] = np.ones(n, dt)
            ones.flags.writeable = False
        return dot(ones, g)
    return g.sum(0)


_quiet_over = {}  # the current error state -> the same with overflow ignored


def ignore_overflow():
    """Ignore floating-point overflow until `restore(token)`; returns the token.

    The same as entering ``np.errstate(over='ignore')`` (the caller's other settings stay), with
    the derived state cached per caller state. Use as ``t = ignore_overflow()``, then
    ``try: ... finally: restore(t)``."""
    if _err_state is None:
        ctx = np.errstate(over='ignore')
        ctx.__enter__()
        return ctx
    cur = _err_state.get()
    quiet = _quiet_over.get(cur)
    return _err_state.set(quiet if quiet is not None else _quiet_state(cur))


def _quiet_state(cur):
    """Error state `cur` with overflow ignored, made once per caller state."""
    with np.errstate(over='ignore'):
        quiet = _err_state.get()
    if len(_quiet_over) >= 16:  # many distinct caller states: start over rather than grow
        _quiet_over.clear()
    _quiet_over[cur] = quiet
    return quiet


def exp_ignoring_overflow_(a, xp=np):
    """exp(a) into `a` itself, overflow giving inf without a warning (ignore_overflow around
    xp.exp, in one call); returns `a`."""
    if _err_state is None:
        with np.errstate(over='ignore'):
            return xp.exp(a, a)
    cur = _err_state.get()  # (ignore_overflow and restore, inlined: this is every sigmoid)
    quiet = _quiet_over.get(cur)
    token = _err_state.set(quiet if quiet is not None else _quiet_state(cur))
    try:
        xp.exp(a, a)
    finally:
        _err_state.reset(token)
    return a


def restore(token):
    """Undo `ignore_overflow`."""
    if _err_state is None:
        token.__exit__(None, None, None)
    else:
        _err_state.reset(token)
