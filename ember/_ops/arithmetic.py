"""Arithmetic: add, sub, mul, div, neg, pow, floor_divide, remainder and their operators."""
from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node as Function
from ._helpers import binary_operands, broadcast_shapes_msg, float_binary_operands


def _bcast_error(a, b):
    msg = broadcast_shapes_msg(a.shape, b.shape)
    return RuntimeError(msg or f"shapes {a.shape} and {b.shape} cannot be broadcast")


class AddBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def backward_arrays(ctx, g):
        return g, g


class SubBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        try:
            return a - b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.needs_input_grad[1] else None

    @staticmethod
    def backward_arrays(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class RsubBackward1(SubBackward0):
    """`scalar - tensor`, named as torch names it."""


class MulBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return a * b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (grad * b.conj() if n[0] else None), (grad * a.conj() if n[1] else None)

    @staticmethod
    def backward_arrays(ctx, g):
        a, b = ctx.saved_arrays()
        n = ctx.needs_input_grad
        if a.dtype.kind == 'c':
            a, b = a.conj(), b.conj()
        return (g * b if n[0] else None), (g * a if n[1] else None)


class DivBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return array_module(a).true_divide(a, b)
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = grad / b if n[0] else None
        gb = -grad * a / (b * b) if n[1] else None
        return ga, gb


class NegBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == 'b':
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                               "are trying to invert a mask, use the `~` or `logical_not()` operator "
                               "instead.")
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class PowBackward0(Function):
    """tensor ** scalar."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        xp = array_module(a)
        if a.dtype.kind in 'iu' and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if a.dtype.kind == 'b':  # bool ** bool: x ** True is x, x ** False is True
            return a.copy() if exponent else xp.ones(a.shape, bool)
        if exponent == 2:
            return a * a
        if exponent == 0.5:
            return xp.sqrt(a)
        with xp.errstate(invalid='ignore', divide='ignore', over='ignore'):
            return xp.power(a, xp.asarray(exponent, dtype=a.dtype) if a.dtype.kind in 'fc' else exponent)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return grad * 0
        if e == 1:
            return grad
        if e == 2:
            return grad * (a * 2)
        return grad * (pow(a, e - 1) * e)


class PowBackward1(Function):
    """tensor ** tensor."""

    @staticmethod
    def forward(ctx, a, b):
        xp = array_module(a)
        if a.dtype.kind == 'b':
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        neg = None
        if a.dtype.kind in 'iu' and b.dtype.kind in 'iu' and (b < 0).any():
            # torch: x ** -n is 1 for x == 1, +-1 for x == -1 and 0 otherwise (integer division)
            neg, odd = b < 0, (b % 2) != 0
            b = xp.where(neg, 0, b).astype(b.dtype)
        try:
            with xp.errstate(invalid='ignore', divide='ignore', over='ignore'):
                out = xp.power(a, b)
        except ValueError:
            raise _bcast_error(a, b) from None
        if neg is not None:
            one = a.dtype.type(1)
            inv = xp.where(a == 1, one, a.dtype.type(0))
            if a.dtype.kind == 'i':
                inv = xp.where(a == -1, xp.where(odd, a.dtype.type(-1), one), inv)
            out = xp.where(neg, inv, out).astype(out.dtype)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = gb = None
        if n[0]:
            from .comparison import where
            ga = grad * b * pow(a, b - 1)
            ga = where(b == 0, ga * 0, ga)
        if n[1]:
            from .unary import log
            from .creation import zeros_like
            from .comparison import where
            gb = grad * out * where(a == 0, zeros_like(a), log(a))
            gb = where((a == 0) & (b >= 0), zeros_like(gb), gb)
        return ga, gb


class PowBackward2(PowBackward1):
    """scalar ** tensor, named as torch names it."""


def _scaled(a, b, alpha):
    """b * alpha for add/sub, after torch's checks on alpha against the result dtype."""
    if type(alpha) is int and alpha == 1:
        return b
    k = a._data.dtype.kind
    if isinstance(alpha, bool):
        if k != 'b':
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif k in 'iub' and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point "
                           "number.")
    return b if alpha == 1 else b * alpha


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with torch's type promotion and broadcasting."""
    a, b = binary_operands(input, other, '+')
    return _out(AddBackward0.apply(a, _scaled(a, b, alpha)), out)


def _is_bool(v):
    return isinstance(v, bool) or (isinstance(v, Tensor) and v._data.dtype.kind == 'b')


def _sub_bool_check(x, y):
    xb, yb = _is_bool(x), _is_bool(y)
    if xb and yb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if xb or yb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    _sub_bool_check(input, other)
    a, b = binary_operands(input, other, '-')
    return _out(SubBackward0.apply(a, _scaled(a, b, alpha)), out)


subtract = sub


def mul(input, other, *, out=None):
    """Elementwise product."""
    a, b = binary_operands(input, other, '*')
    return _out(MulBackward0.apply(a, b), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """Elementwise division; rounding_mode None (true), 'trunc' or 'floor'."""
    if rounding_mode is None:
        a, b = float_binary_operands(input, other, '/')
        return _out(DivBackward0.apply(a, b), out)
    a, b = binary_operands(input, other, '/')
    if rounding_mode == 'trunc':
        r = DivBackward2.apply(a, b, mode='trunc')
    elif rounding_mode == 'floor':
        r = DivBackward2.apply(a, b, mode='floor')
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    return _out(r, out)


divide = div
true_divide = div


class DivBackward2(Function):
    """div with rounding_mode 'trunc' or 'floor' (zero gradient), named as torch names it."""

    @staticmethod
    def forward(ctx, a, b, mode):
        xp = array_module(a)
        if a.dtype.kind in 'bc':
            from .reduction import _type_name
            from .._dtype import from_numpy
            raise NotImplementedError(f'"div_{mode}_cpu" not implemented for '
                                      f'\'{_type_name(from_numpy(a.dtype))}\'')
        if a.dtype.kind in 'iu':
            if a.size and (b == 0).any():
                raise RuntimeError("ZeroDivisionError")
            if mode == 'floor':
                return xp.floor_divide(a, b)
            q = xp.floor_divide(a, b)
            fix = (q < 0) & (q * b != a)
            return q + fix.astype(q.dtype)
        q = xp.true_divide(a, b)
        return xp.floor(q) if mode == 'floor' else xp.trunc(q)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode='floor', out=out)


class RemainderBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = array_module(a)
        if a.dtype.kind in 'bc':
            from .reduction import _type_name
            from .._dtype import from_numpy
            raise NotImplementedError(f'"remainder_cpu" not implemented for '
                                      f'\'{_type_name(from_numpy(a.dtype))}\'')
        if a.dtype.kind in 'iu' and a.size and (b == 0).any():
            raise RuntimeError("ZeroDivisionError")
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * div(a, b, rounding_mode='floor') if ctx.needs_input_grad[1] else None)


class RemainderBackward1(RemainderBackward0):
    """remainder with a tensor divisor (RemainderBackward0: a python-number divisor)."""


def remainder(input, other, *, out=None):
    """Python-style modulus (sign of the divisor)."""
    a, b = binary_operands(input, other, '%')
    cls = RemainderBackward1 if isinstance(other, Tensor) else RemainderBackward0
    return _out(cls.apply(a, b), out)


def neg(input, *, out=None):
    return _out(NegBackward0.apply(input), out)


negative = neg


def pow(input, exponent, *, out=None):
    """input ** exponent (tensor or scalar on either side)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if isinstance(exponent, bool) and input._data.dtype.kind != 'b':
            exponent = int(exponent)
        dt = D.result_type2(input.dtype, 2, D.scalar_dtype(exponent), 0)
        a = input if dt is input.dtype else input.to(dt)
        if not isinstance(exponent, (int, float, complex)):
            exponent = float(exponent)
        return _out(PowBackward0.apply(a, exponent=exponent), out)
    if not isinstance(input, Tensor):
        a, b = binary_operands(input, exponent, '**')
        return _out(PowBackward2.apply(a, b), out)
    a, b = binary_operands(input, exponent, '**')
    return _out(PowBackward1.apply(a, b), out)


def _out(result, out):
    if out is None:
        return result
    from .inplace import copy_into_out
    return copy_into_out(out, result)


# ----- Tensor methods and operators -------------------------------------------------------------

tensor_method('add', '__add__')(add)
tensor_method('sub', 'subtract', '__sub__')(sub)
tensor_method('mul', 'multiply', '__mul__')(mul)
tensor_method('div', 'divide', 'true_divide', '__truediv__')(div)
tensor_method('floor_divide', '__floordiv__')(floor_divide)
tensor_method('remainder', '__mod__')(remainder)
tensor_method('neg', 'negative', '__neg__')(neg)
tensor_method('pow', '__pow__')(pow)


def _radd(self, other):
    b, a = binary_operands(other, self, '+')
    return AddBackward0.apply(a, b)  # self first: torch's next_functions order


def _rsub(self, other):
    _sub_bool_check(other, self)
    a, b = binary_operands(other, self, '-')
    return RsubBackward1.apply(a, b)


def _rmul(self, other):
    b, a = binary_operands(other, self, '*')
    return MulBackward0.apply(a, b)  # self first: torch's next_functions order


def _rtruediv(self, other):
    return div(other, self)


def _rfloordiv(self, other):
    return div(other, self, rounding_mode='floor')


def _rmod(self, other):
    return remainder(other, self)


def _rpow(self, other):
    return pow(other, self)


def _pos(self):
    return self


Tensor.__radd__ = _radd
Tensor.__rsub__ = _rsub
Tensor.__rmul__ = _rmul
Tensor.__rtruediv__ = _rtruediv
Tensor.__rdiv__ = _rtruediv
Tensor.__rfloordiv__ = _rfloordiv
Tensor.__rmod__ = _rmod
Tensor.__rpow__ = _rpow
Tensor.__pos__ = _pos
Tensor.positive = _pos
