"""Reductions: nansum, nanmean, prod, max/min, amax/amin, aminmax, argmax/argmin, var/std and
their _mean forms, norm, logsumexp, all/any, and the scans cumsum, cumprod, cummax, cummin,
logcumsumexp (sum and mean live in `reduction.py`; sorting-based ones in `sorting.py`).

Gradients follow torch: whole-tensor max/min/median and amax/amin share the gradient evenly among
tied elements; max/min along a dim send it to the returned index.
"""
import numpy as np

from .. import _dtype as D
from .. import return_types
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from ._along import gather, scatter_add
from ._helpers import dims_arg, float_result
from .comparison import where
from .reduction import _type_name, _restore_dims, sum as _sum
from .unary import _quiet
from ._opargs import out_result as _out, require_tensor as _check_tensor


def _dims(dim, ndim):
    """dim (None, int or sequence) as a sorted tuple of array axes; () for 0-d inputs."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = dims_arg(dim, ndim)
    return () if ndim == 0 else dims


def _one_dim(dim, ndim):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    return _wrap_dim(int(dim), ndim)


def _kshape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _keep(t, in_shape, dims, keepdim):
    """A reduced result reshaped so it broadcasts against the input (without expanding)."""
    if keepdim or not dims:
        return t
    return t.reshape(_kshape(in_shape, dims))


def _empty_check(name, a, dims, full):
    if a.size == 0:
        if full:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        for d in dims:
            if a.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _float_only(name, t):
    if t._data.dtype.kind not in 'fcV':
        raise RuntimeError(f"{name}(): input dtype should be either floating point or complex "
                           f"dtypes. Got {_type_name(t.dtype)} instead.")


# ----- nansum / nanmean -----------------------------------------------------------------------

class NansumBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        xp = array_module(a)
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.mask = ~xp.isnan(a)
        return xp.asarray(xp.nansum(a, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        return _restore_dims(g, ctx.in_shape, ctx.dims, ctx.keepdim) * _wrap(ctx.mask)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    _check_tensor('nansum', input)
    if input._data.dtype.kind in 'iub':
        return _sum(input, dim, keepdim, dtype=dtype, out=out)
    if input._data.dtype.kind == 'c':
        raise RuntimeError("nansum does not support complex inputs")
    if dtype is not None:
        input = input.to(D.as_dtype(dtype))
    dims = _dims(dim, input._data.ndim)
    return _out(NansumBackward0.apply(input, dims=dims, keepdim=keepdim, dtype=None), out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements."""
    _check_tensor('nanmean', input)
    if dtype is not None:
        input = input.to(D.as_dtype(dtype))
    if input._data.dtype.kind not in 'fcV':
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {_type_name(input.dtype)}")
    from .pointwise import isnan
    count = _sum(~isnan(input), dim, keepdim)
    return _out(nansum(input, dim, keepdim) / count, out)


# ----- prod -------------------------------------------------------------------------------

class ProdBackward1(Function):
    """prod over `dims`."""

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        out = array_module(a).asarray(a.prod(axis=dims, keepdims=keepdim, dtype=dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        dims, shape = ctx.dims, ctx.in_shape
        g = _keep(g, shape, dims, ctx.keepdim)
        if not (x._data == 0).any():
            return g * (_keep(out, shape, dims, ctx.keepdim) / x).conj()
        # with zeros, out / x is 0/0: use the product of the others, an exclusive product from
        # both sides (differentiable again through cumprod, which handles zeros exactly)
        if len(dims) == 1:
            return g * _prod_others(x, dims[0]).conj()
        return g * _prod_others(x.reshape(-1), 0).reshape(shape).conj()


class ProdBackward0(ProdBackward1):
    """prod of all elements."""


def _prod_others(x, d):
    """prod_{k != i} x_k along dim d, for every i."""
    from .scans import cumprod, _flip
    xp = array_module(x._data)
    n = x._data.shape[d]
    shape = [1] * x._data.ndim
    shape[d] = n
    pos = xp.arange(n).reshape(shape)
    idx = xp.broadcast_to(pos, x._data.shape)
    one = x * 0 + 1
    before = where(_wrap(idx == 0), one, gather(x, xp.maximum(idx - 1, 0), d))
    after = where(_wrap(idx == n - 1), one, gather(x, xp.minimum(idx + 1, n - 1), d))
    left = cumprod(before, d)                          # prod_{k < i}
    right = _flip(cumprod(_flip(after, d), d), d)      # prod_{k > i}
    return left * right


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along `dim`; integer inputs multiply in int64."""
    _check_tensor('prod', input)
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod() received an invalid combination of arguments - got (tuple), but "
                        "expected one of:\n * (*, torch.dtype dtype = None)\n * (int dim, bool "
                        "keepdim = False, *, torch.dtype dtype = None)")
    npdt = None
    if dtype is not None:
        dt = D.as_dtype(dtype)
        if input._data.dtype.kind in 'fc' and dt.np.kind in 'fc':
            input = input.to(dt)
        else:
            npdt = dt.np
    elif input._data.dtype.kind in 'iub':
        npdt = D.int64.np
    if dim is None:
        r = ProdBackward0.apply(input, dims=tuple(range(input._data.ndim)), keepdim=False,
                                dtype=npdt)
    else:
        d = _one_dim(dim, input._data.ndim)
        dims = (d,) if input._data.ndim else ()
        r = ProdBackward1.apply(input, dims=dims, keepdim=keepdim, dtype=npdt)
    return _out(r, out)


# ----- max / min and friends --------------------------------------------------------------

def _ties_mask(x, v):
    """Where x equals the (broadcast) reduced value v; NaN matches NaN as torch's backward does."""
    xp = array_module(x._data)
    m = x._data == v._data
    if x._data.dtype.kind in 'fc':
        m = m | (xp.isnan(x._data) & xp.isnan(v._data))
    return _wrap(m)


def _share(g, x, v, dims):
    """g shared evenly among the elements of x tied with the reduced value v (keepdim shapes)."""
    mask = _ties_mask(x, v)
    count = _wrap(mask._data.sum(axis=dims, keepdims=True).astype(x._data.dtype))
    return where(mask, g / count, g * 0)


class _PickAllBackward(Function):
    """Base of the full reductions that pick one element (max, min, median): forward saves
    (input, out), and the gradient is shared evenly among the elements tied with out."""

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _share(g, x, out, tuple(range(x.ndim)))


class MaxBackward1(_PickAllBackward):
    """max of all elements."""
    _ufunc = 'max'

    @staticmethod
    def forward(ctx, a):
        out = array_module(a).asarray(getattr(a, ctx._ufunc)())
        ctx.save_for_backward(a, out)
        return out


class MinBackward1(MaxBackward1):
    _ufunc = 'min'


class MaxBackward0(Function):
    """max along a dim: (values, indices); the gradient goes to the index."""
    _non_differentiable_outputs = (1,)
    _arg = 'argmax'

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        xp = array_module(a)
        squeeze = a.ndim == 0
        if squeeze:
            a = a.reshape(1)
        idx = getattr(xp, ctx._arg)(a, axis=dim, keepdims=True)
        vals = xp.take_along_axis(a, idx, axis=dim)
        ctx.idx, ctx.dim, ctx.shape, ctx.squeeze = idx, dim, a.shape, squeeze
        ctx.keepdim = keepdim
        if squeeze:
            return vals.reshape(()), idx.reshape(()).astype(np.int64)
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        return vals, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, g, _gi):
        if ctx.squeeze:
            return g
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return scatter_add(g, ctx.idx, ctx.dim, ctx.shape)


class MinBackward0(MaxBackward0):
    _arg = 'argmin'


def _minmax(name, input, dim, keepdim, other, out, whole_cls, dim_cls, rtype):
    _check_tensor(name, input)
    if isinstance(dim, Tensor) or other is not None:
        from .pointwise_binary import maximum, minimum
        return (maximum if name == 'max' else minimum)(input, dim if other is None else other,
                                                       out=out)
    a = input._data
    if a.dtype.kind == 'c':
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        _empty_check(name, a, (), True)
        return _out(whole_cls.apply(input), out)
    d = _one_dim(dim, a.ndim)
    _empty_check(name, a, (d,) if a.ndim else (), False)
    return _out(rtype(dim_cls.apply(input, dim=d, keepdim=keepdim)), out)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """Largest element; with `dim` a (values, indices) pair; with a tensor, torch.maximum."""
    return _minmax('max', input, dim, keepdim, other, out, MaxBackward1, MaxBackward0,
                   return_types.max)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """Smallest element; with `dim` a (values, indices) pair; with a tensor, torch.minimum."""
    return _minmax('min', input, dim, keepdim, other, out, MinBackward1, MinBackward0,
                   return_types.min)


class AmaxBackward0(Function):
    _ufunc = 'max'

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        out = array_module(a).asarray(getattr(a, ctx._ufunc)(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        s, d, k = ctx.in_shape, ctx.dims, ctx.keepdim
        return _share(_keep(g, s, d, k), x, _keep(out, s, d, k), d)


class AminBackward0(AmaxBackward0):
    _ufunc = 'min'


def _amaxmin(name, cls, input, dim, keepdim, out):
    _check_tensor(name, input)
    a = input._data
    if a.dtype.kind == 'c':
        raise RuntimeError(f"{name}(): does not support complex input")
    full = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    dims = _dims(dim, a.ndim)
    _empty_check(name, a, dims, full)
    return _out(cls.apply(input, dims=dims, keepdim=keepdim), out)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over `dim` (int or tuple; all dims by default)."""
    return _amaxmin('amax', AmaxBackward0, input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over `dim` (int or tuple; all dims by default)."""
    return _amaxmin('amin', AminBackward0, input, dim, keepdim, out)


class AminmaxBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        xp = array_module(a)
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        lo = xp.asarray(a.min(axis=dims, keepdims=keepdim))
        hi = xp.asarray(a.max(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, lo, hi)
        return lo, hi

    @staticmethod
    def backward(ctx, glo, ghi):
        x, lo, hi = ctx.saved_tensors
        s, d, k = ctx.in_shape, ctx.dims, ctx.keepdim
        return (_share(_keep(glo, s, d, k), x, _keep(lo, s, d, k), d) +
                _share(_keep(ghi, s, d, k), x, _keep(hi, s, d, k), d))


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over all elements or along `dim`."""
    _check_tensor('aminmax', input)
    a = input._data
    dims = _dims(None if dim is None else _one_dim(dim, a.ndim), a.ndim)
    if a.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        if a.shape[dims[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    r = AminmaxBackward0.apply(input, dims=dims, keepdim=keepdim)
    return _out(return_types.aminmax(r), out)


def _arg(name, input, dim, keepdim, out):
    _check_tensor(name, input)
    a = input._data
    xp = array_module(a)
    fn = getattr(xp, name)
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                             "== 0.")
        r = xp.asarray(fn(a.reshape(-1))).astype(np.int64)
        if keepdim:
            r = r.reshape((1,) * a.ndim)
        return _out(_wrap(r), out)
    d = _one_dim(dim, a.ndim)
    if a.ndim == 0:
        return _out(_wrap(xp.zeros((), np.int64)), out)
    _empty_check(name, a, (d,), False)
    return _out(_wrap(fn(a, axis=d, keepdims=keepdim).astype(np.int64)), out)


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the largest element (flattened when dim is None)."""
    return _arg('argmax', input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the smallest element (flattened when dim is None)."""
    return _arg('argmin', input, dim, keepdim, out)


from .reductions_moments import (var, std, var_mean, std_mean, norm,  # noqa: E402,F401
                                 _vector_norm, LinalgVectorNormBackward0, VarBackward0,
                                 StdBackward0, VarMeanBackward0, StdMeanBackward0)

# ----- logsumexp ----------------------------------------------------------------------------

class LogsumexpBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        xp = array_module(a)
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        if a.size == 0:
            out = xp.full(np.sum(np.empty(a.shape, bool), axis=dims, keepdims=keepdim).shape,
                          -np.inf, a.dtype)
        else:
            with _quiet(a):
                m = a.max(axis=dims, keepdims=True)
                m = xp.where(xp.isfinite(m), m, 0)
                out = xp.log(xp.exp(a - m).sum(axis=dims, keepdims=True)) + m
            if not keepdim:
                out = out.reshape(np.sum(np.empty(a.shape, bool), axis=dims).shape)
        out = xp.asarray(out).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .unary import exp
        x, out = ctx.saved_tensors
        s, d, k = ctx.shape, ctx.dims, ctx.keepdim
        return _keep(g, s, d, k) * exp(x - _keep(out, s, d, k))


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over `dim`, computed stably."""
    _check_tensor('logsumexp', input)
    x = float_result(input)
    return _out(LogsumexpBackward0.apply(x, dims=_dims(dim, x._data.ndim), keepdim=keepdim), out)


# ----- all / any ----------------------------------------------------------------------------

def _allany(name, input, dim, keepdim, out):
    _check_tensor(name, input)
    a = input._data
    xp = array_module(a)
    dims = _dims(dim, a.ndim)
    r = xp.asarray(getattr(xp, name)(a, axis=dims, keepdims=keepdim))
    if a.dtype == np.uint8:
        r = r.astype(np.uint8)
    return _out(_wrap(r), out)


def all(input, dim=None, keepdim=False, *, out=None):
    """True if every element (along `dim`) is non-zero."""
    return _allany('all', input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """True if any element (along `dim`) is non-zero."""
    return _allany('any', input, dim, keepdim, out)


from .scans import (cumsum, cumprod, cummax, cummin, logcumsumexp)  # noqa: E402,F401

# ----- Tensor methods ---------------------------------------------------------------------

for _name, _fn in (('nansum', nansum), ('nanmean', nanmean), ('prod', prod), ('max', max),
                   ('min', min), ('amax', amax), ('amin', amin), ('aminmax', aminmax),
                   ('argmax', argmax), ('argmin', argmin), ('var', var), ('std', std),
                   ('logsumexp', logsumexp), ('all', all), ('any', any)):
    tensor_method(_name)(_fn)


@tensor_method('norm')
def _norm_method(self, p='fro', dim=None, keepdim=False, dtype=None):
    """Tensor.norm: torch.norm without out= (torch's method signature)."""
    return norm(self, p, dim, keepdim, dtype=dtype)
