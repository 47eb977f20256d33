"""Activation primitives (nn.functional's nonlinearities), one graph node each, named as torch
names their grad_fn.

Most are pointwise: an entry in a small table gives f, f' and f'' on raw arrays. The forward node
(`GeluBackward0`...) computes f; its backward is a second node `<Name>BackwardBackward0` that
computes grad * f'(x) and is itself differentiable (grad -> f'(x), x -> grad * f''(x)), so double
backward is exact. Piecewise-linear functions have f'' = 0.
"""
import math

import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node
from .comparison import where
from .unary import _quiet, sigmoid


# ----- numeric helpers on raw arrays ------------------------------------------------------------

def erf_array(x):
    """erf on an array of the same dtype (ember's own special-function kernels)."""
    from ._special_math import erf
    return erf(x)


def _sigmoid(xp, x):
    # exp(-x) overflowing to inf gives exactly 0, so the plain form is stable enough
    with _quiet(x):
        return (1 / (1 + xp.exp(-x))).astype(x.dtype, copy=False)


def _blend(m, a, b):
    """where(m, a, b) for finite a, b: NumPy's masked where is ~20x slower than arithmetic."""
    return b + m * (a - b)


def _softplus1(xp, x):
    """log(1 + exp(x)) without overflow."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _phi(xp, x):
    return xp.exp(-0.5 * x * x) * _INV_SQRT_2PI


def _Phi(xp, x):
    return 0.5 * (1 + erf_array(x * _INV_SQRT_2))


def _c(x, v):
    """A Python scalar as a 0-d array of x's dtype (keeps float32 math in float32)."""
    return array_module(x).asarray(v, dtype=x.dtype)


# ----- the table: name -> (f, df, d2f), each (xp, x, p) -> array --------------------------------

def _leaky(xp, x, p):
    return xp.maximum(x, 0) + xp.minimum(x, 0) * _c(x, p['negative_slope'])


def _leaky_d(xp, x, p):
    sl = p['negative_slope']
    return (x > 0) * _c(x, 1 - sl) + _c(x, sl)


def _hardtanh(xp, x, p):
    return xp.clip(x, _c(x, p['min_val']), _c(x, p['max_val']))


def _hardtanh_d(xp, x, p):
    return ((x > p['min_val']) & (x < p['max_val'])).astype(x.dtype)


def _threshold(xp, x, p):
    return xp.where(x > p['threshold'], x, _c(x, p['value']))


def _threshold_d(xp, x, p):
    return (x > p['threshold']).astype(x.dtype)


def _hardshrink(xp, x, p):
    return xp.where((x >= -p['lambd']) & (x <= p['lambd']), _c(x, 0), x)


def _shrink_d(xp, x, p):
    return ((x < -p['lambd']) | (x > p['lambd'])).astype(x.dtype)


def _softshrink(xp, x, p):
    lam = _c(x, p['lambd'])
    return xp.where(x > lam, x - lam, xp.where(x < -lam, x + lam, _c(x, 0)))


def _elu(xp, x, p):
    a, s, i = p['alpha'], p['scale'], p['input_scale']
    neg = xp.expm1(xp.minimum(x, 0) * _c(x, i)) * _c(x, a * s)
    return neg + xp.maximum(x, 0) * _c(x, s)


def _elu_d(xp, x, p):
    a, s, i = p['alpha'], p['scale'], p['input_scale']
    neg = xp.exp(xp.minimum(x, 0) * _c(x, i)) * _c(x, a * s * i)
    return _blend(x <= 0, neg, _c(x, s))


def _elu_d2(xp, x, p):
    a, s, i = p['alpha'], p['scale'], p['input_scale']
    return (x <= 0) * xp.exp(xp.minimum(x, 0) * _c(x, i)) * _c(x, a * s * i * i)


def _gelu(xp, x, p):
    if p['approximate'] == 'tanh':
        u = _c(x, _SQRT_2_PI) * (x + _c(x, 0.044715) * x * x * x)
        return _c(x, 0.5) * x * (1 + xp.tanh(u))
    return (x * _Phi(xp, x)).astype(x.dtype, copy=False)


def _gelu_d(xp, x, p):
    if p['approximate'] == 'tanh':
        k = _c(x, _SQRT_2_PI)
        t = xp.tanh(k * (x + _c(x, 0.044715) * x * x * x))
        du = k * (1 + _c(x, 3 * 0.044715) * x * x)
        return _c(x, 0.5) * (1 + t) + _c(x, 0.5) * x * (1 - t * t) * du
    return (_Phi(xp, x) + x * _phi(xp, x)).astype(x.dtype, copy=False)


def _gelu_d2(xp, x, p):
    if p['approximate'] == 'tanh':
        k = _c(x, _SQRT_2_PI)
        t = xp.tanh(k * (x + _c(x, 0.044715) * x * x * x))
        du = k * (1 + _c(x, 3 * 0.044715) * x * x)
        d2u = k * _c(x, 6 * 0.044715) * x
        s = 1 - t * t
        return s * du + _c(x, 0.5) * x * (-2 * t * s * du * du + s * d2u)
    return (_phi(xp, x) * (2 - x * x)).astype(x.dtype, copy=False)


def _silu(xp, x, p):
    return x * _sigmoid(xp, x)


def _silu_d(xp, x, p):
    s = _sigmoid(xp, x)
    return s * (1 + x * (1 - s))


def _silu_d2(xp, x, p):
    s = _sigmoid(xp, x)
    return s * (1 - s) * (2 + x * (1 - 2 * s))


def _mish(xp, x, p):
    return x * xp.tanh(_softplus1(xp, x))


def _mish_d(xp, x, p):
    t = xp.tanh(_softplus1(xp, x))
    return t + x * (1 - t * t) * _sigmoid(xp, x)


def _mish_d2(xp, x, p):
    t = xp.tanh(_softplus1(xp, x))
    s = _sigmoid(xp, x)
    q = (1 - t * t) * s
    return 2 * q + x * (-2 * t * q * s + q * (1 - s))


def _softplus(xp, x, p):
    b, th = p['beta'], p['threshold']
    bx = x * _c(x, b)
    return _blend(bx > th, x, _softplus1(xp, bx) / _c(x, b))


def _softplus_d(xp, x, p):
    bx = x * _c(x, p['beta'])
    return _blend(bx > p['threshold'], _c(x, 1), _sigmoid(xp, bx))


def _softplus_d2(xp, x, p):
    bx = x * _c(x, p['beta'])
    s = _sigmoid(xp, bx)
    return (bx <= p['threshold']) * s * (1 - s) * _c(x, p['beta'])


def _logsigmoid(xp, x, p):
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _logsigmoid_d(xp, x, p):
    return _sigmoid(xp, -x)


def _logsigmoid_d2(xp, x, p):
    s = _sigmoid(xp, x)
    return -s * (1 - s)


def _hardsigmoid(xp, x, p):
    return xp.clip(x / _c(x, 6) + _c(x, 0.5), _c(x, 0), _c(x, 1))


def _hardsigmoid_d(xp, x, p):
    return ((x > -3) & (x < 3)).astype(x.dtype) / _c(x, 6)


def _hardswish(xp, x, p):
    return x * xp.clip(x + _c(x, 3), _c(x, 0), _c(x, 6)) / _c(x, 6)


def _hardswish_d(xp, x, p):
    mid = (x >= -3) & (x <= 3)
    return mid * (x / _c(x, 3) + _c(x, 0.5)) + (x > 3)


def _hardswish_d2(xp, x, p):
    return ((x > -3) & (x < 3)).astype(x.dtype) / _c(x, 3)


def _zero(xp, x, p):
    return xp.zeros_like(x)


_TABLE = {
    'LeakyRelu': (_leaky, _leaky_d, None),
    'Hardtanh': (_hardtanh, _hardtanh_d, None),
    'Threshold': (_threshold, _threshold_d, None),
    'Hardshrink': (_hardshrink, _shrink_d, None),
    'Softshrink': (_softshrink, _shrink_d, None),
    'Elu': (_elu, _elu_d, _elu_d2),
    'Celu': (_elu, _elu_d, _elu_d2),
    'Gelu': (_gelu, _gelu_d, _gelu_d2),
    'Silu': (_silu, _silu_d, _silu_d2),
    'Mish': (_mish, _mish_d, _mish_d2),
    'Softplus': (_softplus, _softplus_d, _softplus_d2),
    'LogSigmoid': (_logsigmoid, _logsigmoid_d, _logsigmoid_d2),
    'Hardsigmoid': (_hardsigmoid, _hardsigmoid_d, None),
    'Hardswish': (_hardswish, _hardswish_d, _hardswish_d2),
}


def _compute_dtype(a):
    """Half/bfloat16 compute in float32 (NumPy lacks fast half math), cast back after."""
    if a.dtype.kind == 'f' and a.dtype.itemsize >= 4:
        return None
    return np.float32


class _PointwiseAct(Node):
    _f = _df = _d2f = None
    _grad_cls = None

    @staticmethod
    def forward(ctx, x, p):
        ctx.p = p
        ctx.save_for_backward(x)
        cls = type(ctx)
        xp = array_module(x)
        cd = _compute_dtype(x)
        if cd is not None:
            return cls._f(xp, x.astype(cd), p).astype(x.dtype)
        return cls._f(xp, x, p)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return type(ctx)._grad_cls.apply(grad, x, fn=type(ctx), p=ctx.p)


class _PointwiseActGrad(Node):
    """grad * f'(x), differentiable in both grad and x."""

    @staticmethod
    def forward(ctx, g, x, fn, p):
        ctx.fn, ctx.p = fn, p
        ctx.save_for_backward(g, x)
        xp = array_module(x)
        cd = _compute_dtype(x)
        if cd is not None:
            return (g.astype(cd) * fn._df(xp, x.astype(cd), p)).astype(g.dtype)
        return g * fn._df(xp, x, p)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        n = ctx.needs_input_grad
        fn, p = ctx.fn, ctx.p
        xp = array_module(x._data)
        xa = x._data
        cd = _compute_dtype(xa)
        if cd is not None:
            xa = xa.astype(cd)
        gg_g = gg_x = None
        if n[0]:
            gg_g = _PointwiseActGrad.apply(gg, x, fn=fn, p=p)
        if n[1] and fn._d2f is not None:
            gg_x = gg * g * _wrap(fn._d2f(xp, xa, p).astype(x._data.dtype, copy=False))
        return gg_g, gg_x


def _make(name, fns):
    f, df, d2f = fns
    grad_cls = type(name + 'BackwardBackward0', (_PointwiseActGrad,), {})
    cls = type(name + 'Backward0', (_PointwiseAct,),
               {'_f': staticmethod(f), '_df': staticmethod(df),
                '_d2f': staticmethod(d2f) if d2f is not None else None,
                '_grad_cls': grad_cls})
    cls.__doc__ = f"The {name} activation as one graph node."
    return cls


_CLASSES = {name: _make(name, fns) for name, fns in _TABLE.items()}


def _check_float(input, what):
    k = input._data.dtype.kind
    if k not in 'fV':
        from .reduction import _type_name
        raise RuntimeError(f'"{what}" not implemented for \'{_type_name(input.dtype)}\'')


def pointwise(name, input, **p):
    """Apply table activation `name` ('Gelu', 'Elu', ...) with parameters p."""
    return _CLASSES[name].apply(input, p=p)


def pointwise_inplace(name, input, **p):
    from .inplace import apply_inplace
    cls = _CLASSES[name]

    def direct():
        a = input._data
        cd = _compute_dtype(a)
        xp = array_module(a)
        r = cls._f(xp, a.astype(cd) if cd is not None else a, p)
        a[...] = r
    return apply_inplace(input, lambda s: cls.apply(s, p=p), direct=direct)


# ----- non-table activations ------------------------------------------------------------------

class RreluWithNoiseBackward0(Node):
    """x * noise, where noise is the (random or mean) slope on x <= 0 and 1 elsewhere."""

    @staticmethod
    def forward(ctx, x, noise):
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        return grad * _wrap(ctx.noise)


def rrelu_noise(x, lower, upper, training, generator=None):
    """The multiplier array rrelu applies (random slopes in training)."""
    a = x._data
    xp = array_module(a)
    if training:
        from .random import _gen
        from .._backend import move, device_of
        r = _gen(generator).uniform(lower, upper, a.shape).astype(a.dtype)
        if xp is not np:
            r = move(r, device_of(a))
        return xp.where(a <= 0, r, xp.asarray(1, a.dtype))
    return xp.where(a <= 0, xp.asarray((lower + upper) / 2, a.dtype), xp.asarray(1, a.dtype))


class PreluKernelBackward0(Node):
    """x > 0 ? x : w * x, with w broadcast over the channel dimension (dim 1)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        wb = _prelu_shape(w, x.ndim)
        return array_module(x).where(x > 0, x, wb * x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        mask = _wrap(x._data > 0)
        gx = gw = None
        if n[0]:
            wb = w.reshape(_prelu_bshape(w._data, x.ndim))
            gx = where(mask, grad, grad * wb)
        if n[1]:
            gwf = where(mask, grad * 0, grad * x)
            if w._data.size == 1:
                gw = gwf.sum().reshape(w.shape)
            else:
                dims = tuple(i for i in range(x.ndim) if i != 1)
                gw = gwf.sum(dims) if dims else gwf
        return gx, gw


def _prelu_bshape(w, ndim):
    if w.size == 1 or ndim < 2:
        return (1,) * ndim if ndim else ()
    return (1, w.size) + (1,) * (ndim - 2)


def _prelu_shape(w, ndim):
    return w.reshape(_prelu_bshape(w, ndim)) if ndim else w.reshape(())


class GluBackward0(Node):
    """a * sigmoid(b) for the two halves (a, b) of the input along `dim`."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        h = x.shape[dim] // 2
        a = _half(x, dim, 0, h)
        b = _half(x, dim, h, 2 * h)
        ctx.dim = dim
        ctx.save_for_backward(x)
        return a * _sigmoid(xp, b)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        dim = ctx.dim
        h = x.shape[dim] // 2
        idx_a = (slice(None),) * dim + (slice(0, h),)
        idx_b = (slice(None),) * dim + (slice(h, 2 * h),)
        a, b = x[idx_a], x[idx_b]
        s = sigmoid(b)
        ga = grad * s
        gb = grad * a * s * (1 - s)
        return cat2(ga, gb, dim)


def _half(x, dim, lo, hi):
    return x[(slice(None),) * dim + (slice(lo, hi),)]


class CatBackward0(Node):
    """Concatenation of two tensors (the few places nn needs it)."""

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim, ctx.na = dim, a.shape[dim]
        return array_module(a).concatenate((a, b), axis=dim)

    @staticmethod
    def backward(ctx, grad):
        d, na = ctx.dim, ctx.na
        return grad[(slice(None),) * d + (slice(0, na),)], grad[(slice(None),) * d + (slice(na, None),)]


def cat2(a, b, dim):
    return CatBackward0.apply(a, b, dim=dim)
