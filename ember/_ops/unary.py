"""Core unary math: exp, log, sqrt, abs, sigmoid, tanh, relu (the rest of the pointwise family
lives in `pointwise.py`). Integer inputs of float functions compute in the default float dtype."""
import numpy as np

from .._argcheck import checks_own_input, not_tensor
from .._backend import array_module
from .._tensor import _wrap, tensor_method
from ..autograd.graph import Node as Function
from ._fastmath import ONE, exp_ignoring_overflow_
from ._helpers import float_result

_ndarray = np.ndarray


class ExpBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        out = array_module(a).exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out.conj()


class LogBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with _quiet(a):
            return array_module(a).log(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad / a.conj()


class SqrtBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        with _quiet(a):
            out = array_module(a).sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad / (out.conj() * 2)


class AbsBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).abs(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a.sgn()


class SigmoidBackward0(Function):
    _exact_input_grads = True  # (see Node: gradients match the inputs' shape and dtype)

    @staticmethod
    def forward(ctx, a):
        xp = np if type(a) is _ndarray else array_module(a)
        dt = a.dtype
        if dt.kind == 'f' and dt.itemsize >= 4:
            # 1 / (1 + exp(-a)) in one buffer; exp overflows to inf only where the answer is 0
            out = xp.negative(a)
            if not out.ndim:  # 0-d: NumPy returned a scalar, made an array for the in-place steps
                out = xp.asarray(out)
            exp_ignoring_overflow_(out, xp)
            xp.add(out, ONE[dt] if xp is np else 1, out)  # (CuPy takes no NumPy operands)
            xp.reciprocal(out, out)
        else:  # float16/bfloat16/complex: compute in float32 (complex in its own type)
            wide = a if a.dtype.kind == 'c' else a.astype('float32')
            with xp.errstate(over='ignore'):
                out = (1 / (1 + xp.exp(-wide))).astype(a.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return SigmoidBackwardBackward0.apply(grad, out)

    @staticmethod
    def backward_arrays(ctx, g):
        out, = ctx.saved_arrays()
        return _sigmoid_grad(g, out)


def _sigmoid_grad(g, out):
    """grad * (1 - out) * out, in torch's order (sigmoid_backward); in place on the engine's
    array path, where g and out always share shape and dtype."""
    if type(out) is _ndarray and out.ndim and g.shape == out.shape and g.dtype is out.dtype:
        r = ONE[out.dtype] - out
        r *= g
        r *= out
        return r
    return g * (1 - out) * out


class SigmoidBackwardBackward0(Function):
    """grad * (1 - out) * out as one op, differentiable itself (double backward)."""

    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(g, out)
        return g * (1 - out) * out

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (gg * out * (1 - out) if n[0] else None), (gg * g * (1 - out * 2) if n[1] else None)


class TanhBackward0(Function):
    _exact_input_grads = True  # (see Node: gradients match the inputs' shape and dtype)

    @staticmethod
    def forward(ctx, a):
        out = array_module(a).tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return TanhBackwardBackward0.apply(grad, out)


class TanhBackwardBackward0(Function):
    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(g, out)
        return g * (1 - out * out)

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (gg * (1 - out * out) if n[0] else None), (gg * g * out * -2 if n[1] else None)


class ReluBackward0(Function):
    _exact_input_grads = True  # (see Node: gradients match the inputs' shape and dtype)

    @staticmethod
    def forward(ctx, a):
        out = array_module(a).maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return ThresholdBackwardBackward0.apply(grad, out)


class ThresholdBackwardBackward0(Function):
    """grad where out > 0 else 0: relu's gradient, linear in grad (so differentiable in it); named
    as torch names the node of relu's gradient."""

    @staticmethod
    def forward(ctx, g, out):
        ctx.mask = out > 0
        return g * ctx.mask

    @staticmethod
    def backward(ctx, gg):
        return gg * _wrap(ctx.mask), None


class _quiet:
    """Silence NumPy's divide/invalid warnings: torch returns inf/nan without warning."""

    def __init__(self, a):
        self.xp = array_module(a)

    def __enter__(self):
        if self.xp.__name__ == 'numpy':
            self.old = self.xp.seterr(divide='ignore', invalid='ignore', over='ignore')

    def __exit__(self, *exc):
        if self.xp.__name__ == 'numpy':
            self.xp.seterr(**self.old)


def _out(r, out):
    if out is None:
        return r
    from .inplace import copy_into_out
    return copy_into_out(out, r)


def exp(input, *, out=None):
    return _out(ExpBackward0.apply(float_result(input)), out)


def log(input, *, out=None):
    return _out(LogBackward0.apply(float_result(input)), out)


def sqrt(input, *, out=None):
    return _out(SqrtBackward0.apply(float_result(input)), out)


def abs(input, *, out=None):
    if input._data.dtype.kind == 'b':
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return _out(AbsBackward0.apply(input), out)


absolute = abs


# The activations check their own input (no argument-check wrapper: they run on every layer)

@checks_own_input
def sigmoid(input, *, out=None):
    try:
        kind = input._data.dtype.kind
    except AttributeError:
        raise not_tensor('sigmoid', input) from None
    if kind in 'iub':  # (inlined float_result)
        input = float_result(input)
    r = SigmoidBackward0.apply(input)
    return r if out is None else _out(r, out)


@checks_own_input
def tanh(input, *, out=None):
    try:
        kind = input._data.dtype.kind
    except AttributeError:
        raise not_tensor('tanh', input) from None
    if kind in 'iub':
        input = float_result(input)
    r = TanhBackward0.apply(input)
    return r if out is None else _out(r, out)


@checks_own_input
def relu(input):
    try:
        kind = input._data.dtype.kind
    except AttributeError:
        raise not_tensor('relu', input) from None
    if kind == 'b':
        raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
    return ReluBackward0.apply(input)


tensor_method('exp')(exp)
tensor_method('log')(log)
tensor_method('sqrt')(sqrt)
tensor_method('abs', 'absolute', '__abs__')(abs)
tensor_method('sigmoid')(sigmoid)
tensor_method('tanh')(tanh)
tensor_method('relu')(relu)


def conj(input):
    """Complex conjugate (a no-op for real tensors)."""
    if input._data.dtype.kind != 'c':
        return input
    return ConjBackward0.apply(input)


class ConjBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        return array_module(a).conj(a)

    @staticmethod
    def backward(ctx, grad):
        return grad.conj()


class SgnBackward0(Function):
    """sign(x) (x/|x| for complex); its gradient is zero for real inputs."""

    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        if a.dtype.kind == 'c':
            m = xp.abs(a)
            with _quiet(a):
                return xp.where(m == 0, 0, a / m).astype(a.dtype)
        if a.dtype.kind == 'b':
            return a.copy()
        return xp.sign(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def sgn(input, *, out=None):
    """sign for real numbers; x / |x| for complex ones."""
    return _out(SgnBackward0.apply(input), out)


tensor_method('conj')(conj)
tensor_method('sgn')(sgn)
