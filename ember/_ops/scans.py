"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""
import numpy as np

from .. import _dtype as D
from .. import return_types
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from ._along import scatter_add
from .comparison import where
from .inplace import make_inplace
from .unary import _quiet
from ._opargs import out_result as _out, require_tensor


def _dim(input, dim, name):
    require_tensor(name, input)
    return _wrap_dim(int(dim), input._data.ndim)


class _Flip(Function):
    """Reverse along `dim` (private: the building block of reverse scans)."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return array_module(a).flip(a, axis=dim).copy()

    @staticmethod
    def backward(ctx, g):
        return _Flip.apply(g, dim=ctx.dim)


def _flip(t, dim):
    return _Flip.apply(t, dim=dim)


def _rev_cumsum(t, dim):
    return _flip(CumsumBackward0.apply(_flip(t, dim), dim=dim, dtype=None), dim)


class CumsumBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        if a.ndim == 0:
            return a.astype(dtype) if dtype is not None else a.copy()
        return array_module(a).cumsum(a, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        return _rev_cumsum(g, ctx.dim)


def _int_acc(input, dtype):
    """(tensor, numpy accumulation dtype): integers accumulate in int64 as torch's scans do."""
    if dtype is not None:
        dt = D.as_dtype(dtype)
        if input._data.dtype.kind in 'fc' and dt.np.kind in 'fc':
            return input.to(dt), None
        return input, dt.np
    if input._data.dtype.kind in 'iub':
        return input, D.int64.np
    return input, None


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along `dim`."""
    d = _dim(input, dim, 'cumsum')
    x, npdt = _int_acc(input, dtype)
    return _out(CumsumBackward0.apply(x, dim=d, dtype=npdt), out)


class CumprodBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        if a.ndim == 0:
            out = a.astype(dtype) if dtype is not None else a.copy()
        else:
            out = array_module(a).cumprod(a, axis=dim, dtype=dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return g
        d = ctx.dim
        if not (x._data == 0).any():
            return _rev_cumsum(g * out.conj(), d) / x.conj()
        return _cumprod_grad_zeros(g, x, d)


def _cumprod_grad_zeros(g, x, d):
    """Exact gradient when x has zeros: grad_j = sum_{k>=j} g_k prod_{i<=k, i!=j} x_i, O(n^2)."""
    from .creation import eye
    n = x.shape[d]
    xt = x.transpose(d, -1)
    gt = g.transpose(d, -1)
    rows = xt.unsqueeze(-2).expand(*xt.shape[:-1], n, n)       # rows[..., j, i] = x_i
    ident = eye(n, dtype=D.bool_)
    others = where(ident, rows * 0 + 1, rows)                   # x_j replaced by 1 in row j
    c = cumprod(others, -1)                                     # c[..., j, k] = prod_{i<=k,i!=j}
    upper = _wrap(np.triu(np.ones((n, n), dtype=bool)))         # k >= j
    if type(x._data) is not np.ndarray:
        upper = upper.to(x.device)
    terms = where(upper, gt.unsqueeze(-2) * c.conj(), c * 0)
    from .reduction import sum as _sum
    return _sum(terms, -1).transpose(d, -1)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along `dim`."""
    d = _dim(input, dim, 'cumprod')
    x, npdt = _int_acc(input, dtype)
    return _out(CumprodBackward0.apply(x, dim=d, dtype=npdt), out)


class CummaxBackward0(Function):
    _non_differentiable_outputs = (1,)
    _ufunc = 'maximum'

    @staticmethod
    def forward(ctx, a, dim):
        xp = array_module(a)
        ctx.dim, ctx.shape = dim, a.shape
        if a.ndim == 0:
            ctx.idx = None
            return a.copy(), xp.zeros((), np.int64)
        if a.size == 0:
            ctx.idx = xp.zeros(a.shape, np.int64)
            return a.copy(), ctx.idx
        run = getattr(xp, ctx._ufunc).accumulate(a, axis=dim)
        new = a == run
        if a.dtype.kind in 'fc' or a.dtype == D._BF16:
            new = new | xp.isnan(a)
        shape = [1] * a.ndim
        shape[dim] = a.shape[dim]
        pos = xp.arange(a.shape[dim], dtype=np.int64).reshape(shape)
        # the latest position that set the running extreme (ties move the index forward, as torch)
        idx = xp.maximum.accumulate(xp.where(new, pos, 0), axis=dim)
        ctx.idx = idx
        return run.astype(a.dtype, copy=False), idx

    @staticmethod
    def backward(ctx, g, _gi):
        if ctx.idx is None:
            return g
        return scatter_add(g, ctx.idx, ctx.dim, ctx.shape)


class CumminBackward0(CummaxBackward0):
    _ufunc = 'minimum'


def cummax(input, dim, *, out=None):
    """(values, indices) of the running maximum along `dim`."""
    d = _dim(input, dim, 'cummax')
    return _out(return_types.cummax(CummaxBackward0.apply(input, dim=d)), out)


def cummin(input, dim, *, out=None):
    """(values, indices) of the running minimum along `dim`."""
    d = _dim(input, dim, 'cummin')
    return _out(return_types.cummin(CumminBackward0.apply(input, dim=d)), out)


class LogcumsumexpBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim):
        xp = array_module(a)
        ctx.dim = dim
        if a.ndim == 0 or a.size == 0:
            out = a.copy()
        elif xp is np:
            with _quiet(a):
                out = np.logaddexp.accumulate(a, axis=dim)
        else:
            m = a.max(axis=dim, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            out = xp.log(xp.cumsum(xp.exp(a - m), axis=dim)) + m
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .unary import exp, log
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return g
        d = ctx.dim
        # grad_j = sum_{k>=j} g_k exp(x_j - out_k), summed in log space for each sign of g so
        # nothing overflows
        zero = g * 0
        res = zero
        for part, sign in ((where(g > 0, g, zero), 1), (where(g < 0, -g, zero), -1)):
            if not (part._data > 0).any():
                continue
            lp = log(part) - out
            rev = _flip(logcumsumexp(_flip(lp, d), d), d)
            res = res + exp(x + rev) * sign
        return res


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along `dim`, computed stably."""
    d = _dim(input, dim, 'logcumsumexp')
    k = input._data.dtype.kind
    if k == 'c':
        raise NotImplementedError("torch.logcumsumexp for complex tensors is not available in ember")
    if k in 'iub':
        from .reduction import _type_name
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                  f'\'{_type_name(input.dtype)}\'')
    return _out(LogcumsumexpBackward0.apply(input, dim=d), out)


for _name, _fn in (('cumsum', cumsum), ('cumprod', cumprod), ('cummax', cummax),
                   ('cummin', cummin), ('logcumsumexp', logcumsumexp)):
    tensor_method(_name)(_fn)


def _scan_inplace(fn, name):
    base = make_inplace(fn, name)

    def method(self, dim, *, dtype=None):
        if self._data.dtype.kind == 'b':
            if self._data.size and self._data.ndim:
                raise NotImplementedError(f'"{name[:-1]}_out_cpu" not implemented for \'Bool\'')
            _wrap_dim(dim, self._data.ndim)
            self._bump_version()       # a 0-d or empty scan changes nothing
            return self
        return base(self, dim, dtype=dtype)
    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


Tensor.cumsum_ = _scan_inplace(cumsum, 'cumsum_')
Tensor.cumprod_ = _scan_inplace(cumprod, 'cumprod_')
