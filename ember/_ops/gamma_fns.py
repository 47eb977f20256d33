"""The gamma-function family as ops: lgamma, digamma, polygamma, mvlgamma, and gamma sampling
with implicit reparameterization gradients (`_standard_gamma`, `_standard_gamma_grad`,
`_sample_dirichlet`), which torch.distributions' Gamma/Beta/Dirichlet build on.

The array-level math is in `_gamma_math.py`.
"""
import math

import numpy as np

from .._backend import array_module, move, device_of
from .._tensor import Tensor, tensor_method, _wrap
from ..autograd.graph import Node as Function
from . import _gamma_math as G
from ._helpers import float_result
from .inplace import make_inplace
from .pointwise import _unary, _check_tensor, _out
from .random import _gen


lgamma, LgammaBackward0 = _unary('lgamma', 'LgammaBackward0', lambda xp, a: G.lgamma(a),
                                 lambda g, x, y: g * digamma(x), complex_ok=False)
digamma, DigammaBackward0 = _unary('digamma', 'DigammaBackward0', lambda xp, a: G.digamma(a),
                                   lambda g, x, y: g * polygamma(1, x), complex_ok=False)


class PolygammaBackward0(Function):
    """grad_fn of torch.polygamma."""

    @staticmethod
    def forward(ctx, a, n=0):
        ctx.n = n
        ctx.save_for_backward(a)
        return G.polygamma(n, a)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma, elementwise (torch.polygamma)."""
    _check_tensor('polygamma', input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if input._data.dtype.kind == 'c':
        raise NotImplementedError(f'"polygamma" not implemented for \'{input.dtype.name.capitalize()}\'')
    input = float_result(input)
    if n == 0:
        return _out(digamma(input), out)
    return _out(PolygammaBackward0.apply(input, n=int(n)), out)


tensor_method('polygamma')(lambda self, n: polygamma(n, self))


setattr(Tensor, 'polygamma_', make_inplace(lambda self, n: polygamma(n, self), 'polygamma_'))


class MvlgammaBackward0(Function):
    """grad_fn of torch.mvlgamma."""

    @staticmethod
    def forward(ctx, a, p=1):
        ctx.p = p
        ctx.save_for_backward(a)
        xp = array_module(a)
        offsets = xp.asarray(-np.arange(p) / 2.0, dtype=a.dtype)
        terms = G.lgamma(a[..., None] + offsets)
        c = p * (p - 1) / 4.0 * math.log(math.pi)
        return (terms.sum(-1) + c).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        total = digamma(x)
        for i in range(1, ctx.p):
            total = total + digamma(x - i / 2.0)
        return g * total


@tensor_method('mvlgamma')
def mvlgamma(input, p):
    """Multivariate log-gamma of dimension p, elementwise (torch.mvlgamma)."""
    _check_tensor('mvlgamma', input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return MvlgammaBackward0.apply(float_result(input), p=int(p))


setattr(Tensor, 'mvlgamma_', make_inplace(mvlgamma, 'mvlgamma_'))


# ----- gamma sampling --------------------------------------------------------------------

class StandardGammaBackward0(Function):
    """grad_fn of torch._standard_gamma: the implicit reparameterization gradient."""

    @staticmethod
    def forward(ctx, alpha, sample=None):
        ctx.save_for_backward(alpha, sample)
        return sample

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        return g * _wrap(G.standard_gamma_grad(alpha._data, x._data))


def _gamma_sample(alpha_arr, generator):
    host = alpha_arr if type(alpha_arr) is np.ndarray else alpha_arr.get()
    wide = host.astype(np.float64)
    with np.errstate(all='ignore'):
        s = _gen(generator).standard_gamma(np.where(wide > 0, wide, 1.0))
    s = np.where(wide > 0, s, np.nan)
    # as torch: a sample is never exactly zero (tiny alphas underflow), so log(x) stays finite
    tiny = np.finfo(alpha_arr.dtype if alpha_arr.dtype.kind == 'f' else np.float32).tiny
    s = np.maximum(s, tiny).astype(alpha_arr.dtype)
    return s if type(alpha_arr) is np.ndarray else move(s, device_of(alpha_arr))


def _standard_gamma(input, generator=None):
    """Samples from Gamma(input, 1), differentiable w.r.t. input (torch._standard_gamma)."""
    _check_tensor('_standard_gamma', input)
    if input._data.dtype.kind not in 'fV':
        raise NotImplementedError(f'"gamma_cpu" not implemented for \'{input.dtype.name.capitalize()}\'')
    sample = _gamma_sample(input._data, generator)
    return StandardGammaBackward0.apply(input, sample=sample)


def _standard_gamma_grad(input, output):
    """d output / d input for output ~ Gamma(input, 1) (torch._standard_gamma_grad)."""
    a, x = input._data, output._data
    return _wrap(G.standard_gamma_grad(a, x).astype(np.result_type(a, x), copy=False))


def _sample_dirichlet(input, generator=None):
    """Samples from Dirichlet(input) along the last dimension (not differentiable, as torch)."""
    g = _gamma_sample(input._data, generator)
    xp = array_module(g)
    out = g / g.sum(-1, keepdims=True)
    tiny = np.finfo(g.dtype).tiny
    return _wrap(xp.clip(out, tiny, 1 - np.finfo(g.dtype).eps).astype(g.dtype, copy=False))


# ----- regularized incomplete gamma -------------------------------------------------------

def _igamma_grad_x(a, x, sign):
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (negated for Q), as an ember expression."""
    from .unary import exp
    from .pointwise_binary import xlogy
    return sign * exp(xlogy(a - 1, x) - x - lgamma(a))


def _make_igamma(name, clsname, upper):
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        p, q = G.gammainc_pq(a, x)
        out = q if upper else p
        xp = array_module(a)
        return xp.asarray(out).astype(np.result_type(a, x), copy=False)

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError(f"the derivative for '{name}: input' is not implemented.")
        return None, g * _igamma_grad_x(a, x, -1.0 if upper else 1.0)

    cls = type(clsname, (Function,), {'forward': staticmethod(forward),
                                      'backward': staticmethod(backward),
                                      '__doc__': f'grad_fn of torch.{name}.',
                                      '__module__': __name__})

    def op(input, other, *, out=None):
        _check_tensor(name, input)
        a = float_result(input)
        x = float_result(other if isinstance(other, Tensor) else _wrap(
            np.asarray(other, dtype=a._data.dtype)))
        return _out(cls.apply(a, x), out)
    op.__name__ = name
    op.__doc__ = (f"Regularized {'upper' if upper else 'lower'} incomplete gamma function "
                  f"(torch.{name}); differentiable in its second argument.")
    tensor_method(name)(op)
    return op, cls


igamma, IgammaBackward0 = _make_igamma('igamma', 'IgammaBackward0', False)
igammac, IgammacBackward0 = _make_igamma('igammac', 'IgammacBackward0', True)
