"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode,
quantile, nanquantile, unique, unique_consecutive, searchsorted, bucketize, histc, bincount.

Sorting is stable and puts NaN last (first when descending), as torch does. Ops that pick
elements return indices and send their gradient back to them through a scatter-add.
"""
import numpy as np

from .. import _dtype as D
from .. import return_types
from .._backend import array_module, to_numpy
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from ._along import gather, scatter_add
from .comparison import where
from .reduction import _type_name
from .reductions import _PickAllBackward, _out, _check_tensor


def _is_float(a):
    return a.dtype.kind == 'f' or a.dtype == D._BF16


def _argsort(a, axis, descending):
    """Stable argsort along axis, NaN last (first when descending)."""
    xp = array_module(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind='stable')
    if _is_float(a):
        idx = xp.argsort(-a, axis=axis, kind='stable')
        nan_last = ~xp.isnan(xp.take_along_axis(a, idx, axis=axis))
        second = xp.argsort(nan_last, axis=axis, kind='stable')
        return xp.take_along_axis(idx, second, axis=axis)
    key = xp.logical_not(a) if a.dtype.kind == 'b' else xp.invert(a)  # order-reversing, exact
    return xp.argsort(key, axis=axis, kind='stable')


def _no_complex(a, what=' Sort does not support complex dtypes on CPU'):
    if a.dtype.kind == 'c':
        raise RuntimeError(what)


class SortBackward0(Function):
    """(values, indices) of a sort along `dim`; the gradient scatters back through indices."""
    _non_differentiable_outputs = (1,)

    @staticmethod
    def forward(ctx, a, dim, descending, k=None, smallest_first=None):
        xp = array_module(a)
        if a.ndim == 0:
            ctx.idx = None
            return a.copy(), xp.zeros((), np.int64)
        idx = _argsort(a, dim, descending)
        if k is not None:
            idx = xp.take(idx, xp.arange(k), axis=dim)
        ctx.idx, ctx.dim, ctx.shape = idx, dim, a.shape
        return xp.take_along_axis(a, idx, axis=dim), idx.astype(np.int64, copy=False)

    @staticmethod
    def backward(ctx, g, _gi):
        if ctx.idx is None:
            return g
        return scatter_add(g, ctx.idx, ctx.dim, ctx.shape)


class SortBackward1(SortBackward0):
    """sort called with `stable=` (torch's sort.stable overload)."""


class TopkBackward0(SortBackward0):
    pass


def sort(input, dim=-1, descending=False, stable=None, *, out=None):
    """Sorted values and their original indices along `dim` (always stable)."""
    _check_tensor('sort', input)
    _no_complex(input._data)
    d = _wrap_dim(int(dim), input._data.ndim)
    cls = SortBackward0 if stable is None else SortBackward1
    return _out(return_types.sort(cls.apply(input, dim=d, descending=descending)), out)


def argsort(input, dim=-1, descending=False, stable=None):
    """Indices that sort `input` along `dim`."""
    return sort(input, dim, descending, stable).indices


def msort(input, *, out=None):
    """Sort along the first dimension (values only)."""
    return _out(sort(input, 0).values, out)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) elements along `dim`, with their indices."""
    _check_tensor('topk', input)
    _no_complex(input._data, "topk(): does not support complex input")
    a = input._data
    d = _wrap_dim(int(dim), a.ndim)
    n = a.shape[d] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return _out(return_types.topk(SortBackward0.apply(input, dim=0, descending=True)), out)
    r = TopkBackward0.apply(input, dim=d, descending=largest, k=int(k))
    return _out(return_types.topk(r), out)


class _Pick(Function):
    """(values, indices) picked at `idx` (keepdim shape) along dim; gradient to that index."""
    _non_differentiable_outputs = (1,)

    @staticmethod
    def forward(ctx, a, idx, dim, keepdim):
        xp = array_module(a)
        ctx.squeeze = a.ndim == 0
        if ctx.squeeze:
            return a.copy(), xp.zeros((), np.int64)
        ctx.idx, ctx.dim, ctx.shape, ctx.keepdim = idx, dim, a.shape, keepdim
        v = xp.take_along_axis(a, idx, axis=dim)
        i = idx.astype(np.int64, copy=False)
        if not keepdim:
            v, i = v.squeeze(dim), i.squeeze(dim)
        return v, i

    @staticmethod
    def backward(ctx, g, _gi):
        if ctx.squeeze:
            return g
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return scatter_add(g, ctx.idx, ctx.dim, ctx.shape)


def _picker(clsname):
    return type(clsname, (_Pick,), {'__doc__': f'grad_fn named as torch names it ({clsname}).'})


KthvalueBackward0 = _picker('KthvalueBackward0')
MedianBackward1 = _picker('MedianBackward1')
NanmedianBackward1 = _picker('NanmedianBackward1')
ModeBackward0 = _picker('ModeBackward0')


def _sorted_idx(a, d):
    return _argsort(a, d, False)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest element along `dim` (1-based) and its index."""
    _check_tensor('kthvalue', input)
    a = input._data
    d = _wrap_dim(int(dim), a.ndim)
    n = a.shape[d] if a.ndim else 1
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = None
    if a.ndim:
        xp = array_module(a)
        idx = xp.take(_sorted_idx(a, d), xp.asarray([k - 1]), axis=d)
    return _out(return_types.kthvalue(KthvalueBackward0.apply(input, idx=idx, dim=d,
                                                              keepdim=keepdim)), out)


def _median_idx(a, d, ignore_nan):
    """keepdim index of the (lower) median along d; NaN slices pick their first NaN."""
    xp = array_module(a)
    s = _sorted_idx(a, d)
    n = a.shape[d]
    if _is_float(a):
        nan = xp.isnan(a)
        cnt = (~nan).sum(axis=d, keepdims=True)
        if ignore_nan:
            pos = xp.maximum(cnt - 1, 0) // 2
        else:
            pos = xp.where(cnt < n, cnt, (n - 1) // 2)   # the first NaN sits at position cnt
    else:
        pos = xp.full(_kshape(a.shape, d), (n - 1) // 2, np.int64)
    return xp.take_along_axis(s, pos.astype(np.int64), axis=d)


def _kshape(shape, d):
    return tuple(1 if i == d else s for i, s in enumerate(shape))


class MedianBackward0(_PickAllBackward):
    """median of all elements; the gradient is shared among the tied elements."""

    @staticmethod
    def forward(ctx, a, ignore_nan):
        xp = array_module(a)
        flat = a.reshape(-1)
        if flat.size == 0:
            # torch returns NaN converted to the dtype (INT_MIN for int64, True for bool)
            with np.errstate(invalid='ignore'):
                out = xp.asarray(np.asarray(np.nan).astype(a.dtype) if a.dtype.kind != 'b'
                                 else True, dtype=a.dtype)
        else:
            out = flat[_median_idx(flat, 0, ignore_nan)].reshape(())
        ctx.save_for_backward(a, out)
        return out


class NanmedianBackward0(MedianBackward0):
    pass


def _median(name, input, dim, keepdim, out, ignore_nan):
    _check_tensor(name, input)
    _no_complex(input._data, f"{name}() does not support complex input")
    a = input._data
    if dim is None:
        cls = NanmedianBackward0 if ignore_nan else MedianBackward0
        return _out(cls.apply(input, ignore_nan=ignore_nan), out)
    d = _wrap_dim(int(dim), a.ndim)
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = _median_idx(a, d, ignore_nan) if a.ndim else None
    cls, rt = (NanmedianBackward1, return_types.nanmedian) if ignore_nan else \
        (MedianBackward1, return_types.median)
    return _out(rt(cls.apply(input, idx=idx, dim=d, keepdim=keepdim)), out)


def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median of all elements (NaN if any is NaN), or (values, indices) along `dim`."""
    return _median('median', input, dim, keepdim, out, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """median ignoring NaN."""
    return _median('nanmedian', input, dim, keepdim, out, True)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along `dim` (the smallest among equally frequent ones) and the index of
    its last occurrence."""
    _check_tensor('mode', input)
    a = input._data
    d = _wrap_dim(int(dim), a.ndim)
    idx = None
    if a.ndim:
        if a.shape[d] == 0:
            raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
        xp = array_module(a)
        s = _sorted_idx(a, d)
        v = xp.take_along_axis(a, s, axis=d)
        n = a.shape[d]
        shape = [1] * a.ndim
        shape[d] = n
        pos = xp.arange(n).reshape(shape)
        prev = xp.take(v, xp.arange(n - 1), axis=d)
        nxt = xp.take(v, xp.arange(1, n), axis=d)
        first = xp.concatenate([xp.ones(_kshape(a.shape, d), bool), nxt != prev], axis=d)
        start = xp.maximum.accumulate(xp.where(first, pos, 0), axis=d)
        run = pos - start + 1
        best = xp.argmax(run, axis=d, keepdims=True)   # ends the first (smallest) longest run
        idx = xp.take_along_axis(s, best, axis=d)
    return _out(return_types.mode(ModeBackward0.apply(input, idx=idx, dim=d, keepdim=keepdim)), out)


# ----- quantiles ----------------------------------------------------------------------------

_INTERP = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan, out):
    _check_tensor(name, input)
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    xp = array_module(input._data)
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        qa = np.asarray([float(q)], dtype=np.float64)
    else:
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = to_numpy(q._data).astype(np.float64).reshape(-1)
        scalar_q = q._data.ndim == 0
    if qa.size and (qa.min() < 0 or qa.max() > 1):
        if not isinstance(q, Tensor):
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {float(q)}")
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    x = input
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(int(dim), input._data.ndim)
        if x._data.ndim == 0:
            x = x.reshape(1)
    if x._data.shape[d] == 0:
        raise IndexError(f"{name}() input tensor cannot be empty")
    xt = x.transpose(d, -1) if x._data.ndim > 1 else x
    vals = sort(xt, -1).values                                  # (..., n), NaN last
    a = xt._data
    n = a.shape[-1]
    nanmask = xp.isnan(a)
    cnt = (~nanmask).sum(axis=-1, keepdims=True).astype(np.float64) if ignore_nan else \
        xp.full(a.shape[:-1] + (1,), float(n))
    qd = xp.asarray(qa)
    # as torch: a slice with NaN (quantile) ranks at its last, NaN, element; an all-NaN slice
    # (nanquantile) at 0; either way the result is that NaN and its gradient goes there
    rank = qd * xp.maximum(cnt - 1, 0)                          # (..., Q)
    if not ignore_nan:
        rank = xp.where(nanmask.any(axis=-1, keepdims=True), float(n - 1), rank)
    if interpolation == 'lower':
        rank = xp.floor(rank)
    elif interpolation == 'higher':
        rank = xp.ceil(rank)
    elif interpolation == 'nearest':
        rank = xp.rint(rank)
    lo = xp.floor(rank).astype(np.int64)
    hi = xp.ceil(rank).astype(np.int64)
    v_lo = gather(vals, lo, -1)
    v_hi = gather(vals, hi, -1)
    if interpolation == 'midpoint':
        res = v_lo + (v_hi - v_lo) * 0.5
    else:
        from .pointwise_binary import lerp
        if interpolation == 'linear' and isinstance(q, Tensor) and q._requires_grad:
            # the weights depend on q, so the quantile is differentiable in q too
            w = q.reshape(-1) * _wrap(xp.maximum(cnt - 1, 0).astype(a.dtype)) - \
                _wrap(lo.astype(a.dtype))
            if not ignore_nan:
                w = where(_wrap(xp.broadcast_to(nanmask.any(axis=-1, keepdims=True), w.shape)),
                          w * 0, w)
        else:
            w = _wrap((rank - lo).astype(a.dtype))
        res = lerp(v_lo, v_hi, w)
    # res: (..., Q) with `...` = the other dims in x.transpose(d, -1) order
    if x._data.ndim > 1:
        res = res.transpose(d, -1) if d != x._data.ndim - 1 else res    # Q now at position d
        res = _movedim0(res, d)
    else:
        res = res.reshape(-1)                                    # (Q,)
    # res: (Q, other dims in order)
    if keepdim:
        if dim is None:
            res = res.reshape((res.shape[0],) + (1,) * input._data.ndim)
        elif input._data.ndim:
            res = res.unsqueeze(d + 1)
    if scalar_q:
        res = res.squeeze(0)
    return _out(res, out)


def _movedim0(t, d):
    perm = [d] + [i for i in range(t.ndim) if i != d]
    return t.permute(*perm)


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """q-th quantiles of input (over all elements, or along `dim`)."""
    return _quantile('quantile', input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """quantile ignoring NaN."""
    return _quantile('nanquantile', input, q, dim, keepdim, interpolation, True, out)


from .sorting_misc import (unique, unique_consecutive, searchsorted, bucketize, histc,  # noqa
                           bincount)

for _name, _fn in (('sort', sort), ('argsort', argsort), ('msort', msort), ('topk', topk),
                   ('kthvalue', kthvalue), ('median', median), ('nanmedian', nanmedian),
                   ('mode', mode), ('quantile', quantile), ('nanquantile', nanquantile),
                   ('unique', unique), ('unique_consecutive', unique_consecutive),
                   ('histc', histc), ('bincount', bincount)):
    tensor_method(_name)(_fn)
