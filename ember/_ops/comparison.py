"""Comparisons (eq/ne/lt/le/gt/ge and their operators), where, and the logical/bitwise
operators `~ & | ^` (all results without gradient except where's)."""
import numbers

import numpy as np

from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap
from ..autograd.graph import Node as Function
from ._helpers import binary_operands, broadcast_shapes_msg


def _cmp(name, ufunc_name):
    def op(input, other, *, out=None):
        if other is None or (not isinstance(other, Tensor) and not _numberlike(other)):
            if isinstance(other, (list, tuple)):
                from .creation import tensor
                other = tensor(other)
            else:
                return NotImplemented
        a, b = binary_operands(input, other, name)
        xa, xb = a._data, b._data
        if xa.dtype.kind == 'c' and name in ('lt', 'le', 'gt', 'ge'):
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_tn(a)}\'')
        try:
            r = getattr(array_module(xa), ufunc_name)(xa, xb)
        except ValueError:
            raise RuntimeError(broadcast_shapes_msg(xa.shape, xb.shape)) from None
        t = _wrap(r)
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, t)
        return t
    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (a bool tensor)."
    return op


def _numberlike(x):
    return isinstance(x, (numbers.Number, np.generic, np.ndarray))


eq = _cmp('eq', 'equal')
ne = _cmp('ne', 'not_equal')
lt = _cmp('lt', 'less')
le = _cmp('le', 'less_equal')
gt = _cmp('gt', 'greater')
ge = _cmp('ge', 'greater_equal')
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

tensor_method('eq', '__eq__')(eq)
tensor_method('ne', 'not_equal', '__ne__')(ne)
tensor_method('lt', 'less', '__lt__')(lt)
tensor_method('le', 'less_equal', '__le__')(le)
tensor_method('gt', 'greater', '__gt__')(gt)
tensor_method('ge', 'greater_equal', '__ge__')(ge)


class WhereBackward0(Function):
    @staticmethod
    def forward(ctx, x, y, cond):  # cond is not an input: torch's node has edges for x and y only
        ctx.cond = cond
        try:
            return array_module(x).where(cond, x, y)
        except ValueError:
            raise RuntimeError(broadcast_shapes_msg(x.shape, y.shape)) from None

    @staticmethod
    def backward(ctx, grad):
        c = _wrap(ctx.cond)
        n = ctx.needs_input_grad
        z = grad * 0
        return (where(c, grad, z) if n[0] else None), (where(c, z, grad) if n[1] else None)


def where(condition, input=None, other=None, *, out=None):
    """Elements of input where condition holds, else of other; `where(cond)` = nonzero(as_tuple)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        from .creation import tensor
        condition = tensor(condition)
    if condition._data.dtype.kind != 'b':
        if condition._data.dtype.kind == 'u':
            condition = _wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                               f"dtype {_tn(condition)}")
    x, y = binary_operands(input, other, 'where')
    r = WhereBackward0.apply(x, y, cond=condition._data)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def _tn(t):
    from .reduction import _type_name
    return _type_name(t.dtype)


def _where_method(self, condition, other):
    return where(condition, self, other)


Tensor.where = _where_method


def _bitwise(name, ufunc, logical=False):
    def op(input, other, *, out=None):
        a, b = binary_operands(input, other, name)
        if a._data.dtype.kind in 'fc':
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_tn(a)}\'')
        r = _wrap(getattr(array_module(a._data), ufunc)(a._data, b._data))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, r)
        return r
    op.__name__ = name
    return op


bitwise_and = _bitwise('bitwise_and', 'bitwise_and')
bitwise_or = _bitwise('bitwise_or', 'bitwise_or')
bitwise_xor = _bitwise('bitwise_xor', 'bitwise_xor')


def bitwise_not(input, *, out=None):
    if input._data.dtype.kind in 'fc':
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{_tn(input)}\'')
    xp = array_module(input._data)
    return _wrap(xp.logical_not(input._data) if input._data.dtype.kind == 'b' else xp.invert(input._data))


def logical_not(input, *, out=None):
    return _wrap(array_module(input._data).logical_not(input._data))


def _logical(ufunc):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise TypeError(f"{ufunc}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        xp = array_module(input._data)
        try:
            return _wrap(getattr(xp, ufunc)(input._data, other._data))
        except ValueError:
            raise RuntimeError(broadcast_shapes_msg(input.shape, other.shape)) from None
    return op


logical_and = _logical('logical_and')
logical_or = _logical('logical_or')
logical_xor = _logical('logical_xor')

tensor_method('bitwise_and', '__and__', '__rand__')(bitwise_and)
tensor_method('bitwise_or', '__or__', '__ror__')(bitwise_or)
tensor_method('bitwise_xor', '__xor__', '__rxor__')(bitwise_xor)
tensor_method('bitwise_not', '__invert__')(bitwise_not)
tensor_method('logical_not')(logical_not)
tensor_method('logical_and')(logical_and)
tensor_method('logical_or')(logical_or)
tensor_method('logical_xor')(logical_xor)
