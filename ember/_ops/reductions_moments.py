"""Variance, standard deviation (and their _mean forms) and vector/matrix norms.

Gradients are written with ember ops, so they are differentiable again; the norms share the
gradient of their max/min forms among ties as torch does.
"""
import builtins
import numbers
import warnings

from .. import _dtype as D
from .._backend import array_module
from .._tensor import _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from .comparison import where
from .reduction import _type_name
from .reductions import _check_tensor, _dims, _keep, _kshape, _out, _share
from .unary import _quiet


# ----- variance and standard deviation ----------------------------------------------------

def _var_args(name, dim, unbiased, correction):
    if isinstance(dim, builtins.bool):  # var(x, True): the unbiased overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{name}: can't specify both correction and unbiased arguments")
    return dim, correction


def _var_core(a, dims, correction, keepdim, name):
    xp = array_module(a)
    n = 1
    for d in dims:
        n *= a.shape[d]
    dof = n - correction
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=4)
    with _quiet(a):
        mean = a.mean(axis=dims, keepdims=True) if n else xp.full(_kshape(a.shape, dims), xp.nan,
                                                                  a.dtype)
        dev = a - mean
        sq = (dev * dev.conj()).real if a.dtype.kind == 'c' else dev * dev
        # torch divides by max(dof, 0): inf (or nan for an all-zero sum) when dof <= 0
        var = xp.asarray(sq.sum(axis=dims, keepdims=keepdim) / sq.dtype.type(builtins.max(dof, 0)))
    mean = mean if keepdim else mean.reshape(var.shape)
    return var.astype(sq.dtype, copy=False), mean.astype(a.dtype, copy=False), n, dof


def _var_grad(x, g, dims, keepdim, dof):
    """d var / dx * g, g already broadcastable (keepdim shape)."""
    from .reduction import mean
    return g * (x - mean(x, dims, keepdim=True)) * (2.0 / dof if dof > 0 else float('inf'))


class VarBackward0(Function):
    _name = 'var'

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        var, _, n, dof = _var_core(a, dims, correction, keepdim, ctx._name)
        ctx.dims, ctx.keepdim, ctx.dof, ctx.shape = dims, keepdim, dof, a.shape
        out = array_module(a).sqrt(var) if ctx._name == 'std' else var
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = _keep(g, ctx.shape, ctx.dims, ctx.keepdim)
        if ctx._name == 'std':
            o = _keep(out, ctx.shape, ctx.dims, ctx.keepdim)
            g = where(o == 0, g * 0, g / (o * 2))
        return _var_grad(x, g, ctx.dims, ctx.keepdim, ctx.dof)


class StdBackward0(VarBackward0):
    _name = 'std'


class VarMeanBackward0(Function):
    _name = 'var_mean'

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        var, mean, n, dof = _var_core(a, dims, correction, keepdim, ctx._name)
        ctx.dims, ctx.keepdim, ctx.dof, ctx.shape, ctx.n = dims, keepdim, dof, a.shape, n
        out = array_module(a).sqrt(var) if ctx._name == 'std_mean' else var
        ctx.save_for_backward(a, out)
        return out, mean

    @staticmethod
    def backward(ctx, g, gm):
        x, out = ctx.saved_tensors
        s, d, k = ctx.shape, ctx.dims, ctx.keepdim
        g = _keep(g, s, d, k)
        if ctx._name == 'std_mean':
            o = _keep(out, s, d, k)
            g = where(o == 0, g * 0, g / (o * 2))
        return _var_grad(x, g, d, k, ctx.dof) + _keep(gm, s, d, k).expand(s) / ctx.n


class StdMeanBackward0(VarMeanBackward0):
    _name = 'std_mean'


def _var_family(name, cls, input, dim, unbiased, keepdim, correction, out):
    _check_tensor(name, input)
    if input._data.dtype.kind not in 'fcV':
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dim, correction = _var_args(name, dim, unbiased, correction)
    dims = _dims(dim, input._data.ndim)
    r = cls.apply(input, dims=dims, correction=correction, keepdim=keepdim)
    return _out(r, out)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over `dim` with Bessel's `correction` (1 by default; `unbiased=False` means 0)."""
    return _var_family('var', VarBackward0, input, dim, unbiased, keepdim, correction, out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over `dim` (see var)."""
    return _var_family('std', StdBackward0, input, dim, unbiased, keepdim, correction, out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(var, mean) in one pass."""
    return _var_family('var_mean', VarMeanBackward0, input, dim, unbiased, keepdim, correction,
                       out)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(std, mean) in one pass."""
    return _var_family('std_mean', StdMeanBackward0, input, dim, unbiased, keepdim, correction,
                       out)


# ----- norms --------------------------------------------------------------------------------

class LinalgVectorNormBackward0(Function):
    @staticmethod
    def forward(ctx, a, ord, dims, keepdim):
        xp = array_module(a)
        ctx.ord, ctx.dims, ctx.keepdim, ctx.shape = ord, dims, keepdim, a.shape
        m = xp.abs(a)
        with _quiet(a):
            if ord == 2:
                out = xp.sqrt((m * m).sum(axis=dims, keepdims=keepdim))
            elif ord == float('inf'):
                out = m.max(axis=dims, keepdims=keepdim)
            elif ord == float('-inf'):
                out = m.min(axis=dims, keepdims=keepdim)
            elif ord == 0:
                out = (m != 0).sum(axis=dims, keepdims=keepdim).astype(m.dtype)
            elif ord == 1:
                out = m.sum(axis=dims, keepdims=keepdim)
            else:
                out = (m ** ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)
        out = xp.asarray(out).astype(m.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .unary import abs as _abs, sgn
        x, out = ctx.saved_tensors
        p, s, d, k = ctx.ord, ctx.shape, ctx.dims, ctx.keepdim
        g = _keep(g, s, d, k)
        o = _keep(out, s, d, k)
        if p == 0:
            return x * 0
        if p == 1:
            return g * sgn(x)
        if p in (float('inf'), float('-inf')):
            ax = _abs(x)
            return sgn(x) * _share(g, ax, o, d)
        if p == 2:
            return where(o == 0, x * 0, x * (g / o))
        ax = _abs(x)
        safe_o = where(o == 0, o + 1, o)
        r = sgn(x) * g * (ax / safe_o) ** (p - 1)
        return where((o == 0) | (x == 0), x * 0, r)


def _vector_norm(input, ord=2, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        input = input.to(D.as_dtype(dtype))
    if input._data.dtype.kind not in 'fcV':
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_type_name(input.dtype)}")
    a = input._data
    dims = _dims(dim, a.ndim)
    ord = float(ord)
    if ord < 0 or ord == float('inf'):
        if a.size == 0 and dim is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on an empty "
                               "tensor because the operation does not have an identity")
        for d in dims:
            if a.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(ord)} norm on the "
                                   f"dimension {d}because this dimension is empty and the operation "
                                   "does not have an identity")
    return LinalgVectorNormBackward0.apply(input, ord=ord, dims=dims, keepdim=keepdim)


def _fmt(p):
    return repr(p) if p not in (float('inf'), float('-inf')) else ('inf' if p > 0 else '-inf')


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over `dim` (all elements by default); 'fro' is the 2-norm, 'nuc' the nuclear
    norm of a matrix."""
    _check_tensor('norm', input)
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    if p == 'nuc':
        r = _nuclear_norm(input, dim, keepdim)
    else:
        if p == 'fro':
            p = 2
        if isinstance(p, str):
            raise RuntimeError(f"norm(): unsupported norm type {p!r}")
        r = _vector_norm(input, p if p is not None else 2, dim, keepdim, dtype)
    return _out(r, out)


def _nuclear_norm(input, dim, keepdim):
    if dim is None:
        if input._data.ndim != 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        dim = (0, 1)
    d0, d1 = (_wrap_dim(int(d), input._data.ndim) for d in dim)
    from . import shape as _shape
    x = _shape.permute(input, [i for i in range(input._data.ndim) if i not in (d0, d1)] + [d0, d1])
    # the sum of the singular values, through svdvals so that it is differentiable twice (torch's
    # grad_fn is SumBackward1 too)
    from .linalg_decomp import svdvals
    r = svdvals(x).sum(-1)
    if keepdim:
        r = r.unsqueeze(builtins.min(d0, d1)).unsqueeze(builtins.max(d0, d1))
    return r
