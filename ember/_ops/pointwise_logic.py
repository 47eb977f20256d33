"""Closeness tests (isclose, allclose, equal), bit shifts and the in-place forms of the
comparison, logical and bitwise operators (whose out-of-place forms live in `comparison.py`)."""
import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap
from ._helpers import binary_operands, broadcast_shapes_msg
from .pointwise_binary import inplace_pointwise
from .reduction import _type_name
from . import comparison as C
from ._opargs import out_result as _out, require_tensor


def _bc_error(a, b):
    return RuntimeError(broadcast_shapes_msg(a.shape, b.shape) or
                        f"shapes {a.shape} and {b.shape} cannot be broadcast")


# ----- closeness ----------------------------------------------------------------------------

def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (equal infinities are close)."""
    require_tensor('isclose', input, 'input', 1)
    require_tensor('isclose', other, 'other', 2)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_type_name(input.dtype)} did not match {_type_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    xp = array_module(a)
    try:
        eq = a == b
    except ValueError:
        raise _bc_error(a, b) from None
    if a.dtype.kind == 'b':
        return _wrap(eq)
    if a.dtype.kind in 'iu':
        # torch compares integers in the default float dtype
        a = a.astype(D.get_default_dtype().np)
        b = b.astype(a.dtype)
    with np.errstate(invalid='ignore', over='ignore'):
        close = eq | (xp.abs(a - b) <= atol + rtol * xp.abs(b))
        finite = xp.isfinite(a) & xp.isfinite(b) if a.dtype.kind in 'fcV' else True
    r = eq | (close & finite)
    if equal_nan and a.dtype.kind in 'fcV':
        r = r | (xp.isnan(a) & xp.isnan(b))
    return _wrap(xp.asarray(r))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of input is close to other's (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and the same values."""
    require_tensor('equal', input, 'input', 1)
    require_tensor('equal', other, 'other', 2)
    if input._data.shape != other._data.shape:
        return False
    a, b = binary_operands(input, other, 'equal')
    return bool((a._data == b._data).all())


tensor_method('isclose')(isclose)
tensor_method('allclose')(allclose)
tensor_method('equal')(equal)


# ----- shifts -------------------------------------------------------------------------------

def _shift(name, left):
    kernel = 'lshift_cpu' if left else 'rshift_cpu'

    def op(input, other, *, out=None):
        a, b = binary_operands(input, other, '<<' if left else '>>')
        if a._data.dtype.kind not in 'iu':
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(a.dtype)}\'')
        x, s = a._data, b._data
        xp = array_module(x)
        try:
            xp.broadcast_shapes(x.shape, s.shape)
        except ValueError:
            raise _bc_error(x, s) from None
        bits = x.dtype.itemsize * 8
        # torch: a shift by a negative amount or by >= the bit width fills with zeros (left) or the
        # sign (right), where C (and NumPy) leave it undefined
        out_of_range = (s < 0) | (s >= bits)
        sc = xp.clip(s, 0, bits - 1).astype(x.dtype)
        with np.errstate(over='ignore'):
            if left:
                r = xp.where(out_of_range, x.dtype.type(0), xp.left_shift(x, sc))
            else:
                fill = xp.where(x < 0, x.dtype.type(-1) if x.dtype.kind == 'i' else 0,
                                x.dtype.type(0))
                r = xp.where(out_of_range, fill, xp.right_shift(x, sc))
        return _out(_wrap(xp.asarray(r).astype(x.dtype, copy=False)), out)

    op.__name__ = name
    op.__doc__ = f"Elementwise {'left' if left else 'right'} shift of input by other bits."
    return op


bitwise_left_shift = _shift('bitwise_left_shift', True)
bitwise_right_shift = _shift('bitwise_right_shift', False)

tensor_method('bitwise_left_shift', '__lshift__')(bitwise_left_shift)
tensor_method('bitwise_right_shift', '__rshift__')(bitwise_right_shift)
Tensor.__rlshift__ = lambda self, other: bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: bitwise_right_shift(other, self)


# ----- in-place forms -----------------------------------------------------------------------

def _logical_not(self):
    return C.logical_not(self)


def _bitwise_not(self):
    return C.bitwise_not(self)


_INPLACE = {
    'eq_': C.eq, 'ne_': C.ne, 'lt_': C.lt, 'le_': C.le, 'gt_': C.gt, 'ge_': C.ge,
    'not_equal_': C.ne, 'less_': C.lt, 'less_equal_': C.le, 'greater_': C.gt,
    'greater_equal_': C.ge,
    'logical_and_': C.logical_and, 'logical_or_': C.logical_or, 'logical_xor_': C.logical_xor,
    'logical_not_': _logical_not,
    'bitwise_and_': C.bitwise_and, 'bitwise_or_': C.bitwise_or, 'bitwise_xor_': C.bitwise_xor,
    'bitwise_not_': _bitwise_not,
    'bitwise_left_shift_': bitwise_left_shift, 'bitwise_right_shift_': bitwise_right_shift,
    '__iand__': C.bitwise_and, '__ior__': C.bitwise_or, '__ixor__': C.bitwise_xor,
    '__ilshift__': bitwise_left_shift, '__irshift__': bitwise_right_shift,
}
for _name, _fn in _INPLACE.items():
    setattr(Tensor, _name, inplace_pointwise(_fn, _name))


def _contains(self, element):
    """`element in tensor`: whether any element equals it (a tensor or a Python number)."""
    import numbers
    if isinstance(element, (Tensor, numbers.Number)):
        return bool(C.eq(self, element).any().item())
    raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                       f"{type(element)}.")


Tensor.__contains__ = _contains
