"""Small helpers shared by the op families: operand conversion and dtype promotion."""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, _wrap


def scalar_tensor_like(value, dt, like):
    """A 0-d constant tensor of ember dtype `dt` on the device of array `like`."""
    xp = array_module(like)
    try:
        return _wrap(xp.asarray(value, dtype=dt.np))
    except OverflowError:  # e.g. -2 for uint8: wraps around, as torch's scalar conversion does
        return _wrap(xp.asarray(value).astype(dt.np))


def binary_operands(a, b, opname='op'):
    """Convert (a, b) into two Tensors of torch's promoted result dtype.

    Python numbers are "weak" scalars; tensors whose dtype differs from the result are cast with a
    differentiable `.to`, so gradients come back in each input's own dtype.
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        if a._data.shape != b._data.shape:
            # shapes are checked before dtypes, so a size mismatch is reported first, as in torch
            msg = broadcast_shapes_msg(a._data.shape, b._data.shape)
            if msg:
                raise RuntimeError(msg)
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return a, b
        dt = D.result_type2(D.from_numpy(da), 2 if a._data.ndim else 1,
                            D.from_numpy(db), 2 if b._data.ndim else 1)
        if da != dt.np:
            a = a.to(dt)
        if db != dt.np:
            b = b.to(dt)
        return a, b
    if ta:
        if not isinstance(b, (numbers.Number, np.generic)):
            return _other_type(a, b, opname, swap=False)
        da = D.from_numpy(a._data.dtype)
        dt = D.result_type2(da, 2, D.scalar_dtype(b), 0)
        if dt is not da:
            a = a.to(dt)
        return a, scalar_tensor_like(b, dt, a._data)
    if tb:
        if not isinstance(a, (numbers.Number, np.generic)):
            return _other_type(b, a, opname, swap=True)
        db = D.from_numpy(b._data.dtype)
        dt = D.result_type2(db, 2, D.scalar_dtype(a), 0)
        if dt is not db:
            b = b.to(dt)
        return scalar_tensor_like(a, dt, b._data), b
    from .creation import tensor
    return binary_operands(tensor(a), b, opname)


def _operand_kind(x):
    if isinstance(x, Tensor):
        return D.from_numpy(x._data.dtype), (2 if x._data.ndim else 1)
    return D.scalar_dtype(x), 0


def float_binary_operands(a, b, opname='op'):
    """binary_operands for ops that compute in floating point (true division, atan2, xlogy...):
    when the promoted type is integral, each operand goes to the default float dtype from its own
    values (torch's computation dtype), not through the common integer type, which may wrap."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        try:
            (da, ka), (db, kb) = _operand_kind(a), _operand_kind(b)
        except TypeError:
            return binary_operands(a, b, opname)
        if D.result_type2(da, ka, db, kb)._cat < 2:
            f = D.get_default_dtype()
            a = a.to(f) if isinstance(a, Tensor) else (float(a) if isinstance(
                a, (numbers.Real, np.number)) else a)
            b = b.to(f) if isinstance(b, Tensor) else (float(b) if isinstance(
                b, (numbers.Real, np.number)) else b)
    return binary_operands(a, b, opname)


def _other_type(t, other, opname, swap):
    if isinstance(other, np.ndarray):
        from .creation import as_tensor
        o = as_tensor(other)
        return binary_operands(o, t, opname) if swap else binary_operands(t, o, opname)
    if isinstance(other, (list, tuple)):
        from .creation import tensor
        o = tensor(other)
        return binary_operands(o, t, opname) if swap else binary_operands(t, o, opname)
    raise TypeError(f"unsupported operand type(s) for {opname}: "
                    f"'{type(other if swap else t).__name__ if swap else 'Tensor'}' and "
                    f"'{'Tensor' if swap else type(other).__name__}'")


def as_tensor_arg(x, like=None):
    """Accept a Tensor or a Python number/array where torch takes a Tensor."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    if like is not None and isinstance(x, (numbers.Number, np.generic)):
        return scalar_tensor_like(x, D.result_type2(like.dtype, 2, D.scalar_dtype(x), 0), like._data)
    return tensor(x)


def float_result(t):
    """Integer/bool tensors become the default float dtype (for exp, sqrt, mean...)."""
    k = t._data.dtype.kind
    if k in 'iub':
        return t.to(D.get_default_dtype())
    return t


def broadcast_shapes_msg(sa, sb):
    """torch's broadcast error for shapes sa, sb, or None when they broadcast."""
    na, nb = len(sa), len(sb)
    n = max(na, nb)
    for i in range(1, n + 1):
        x = sa[-i] if i <= na else 1
        y = sb[-i] if i <= nb else 1
        if x != y and x != 1 and y != 1:
            return (f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                    f"non-singleton dimension {n - i}")
    return None


def check_broadcast(a, b):
    sa, sb = a.shape, b.shape
    if sa != sb:
        msg = broadcast_shapes_msg(sa, sb)
        if msg:
            raise RuntimeError(msg)


def dims_arg(dim, ndim):
    """Normalise dim (int, tuple, list or None) into a sorted tuple of non-negative dims."""
    from .._tensor import _wrap_dim
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)) or (isinstance(dim, Tensor)):
        return (_wrap_dim(int(dim), ndim),)
    out = tuple(sorted(_wrap_dim(int(d), ndim) for d in dim))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out
