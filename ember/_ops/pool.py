"""Pooling primitives over strided window views (the `Geom` of `conv.py`).

Max pooling records, per output, which kernel offset won (`kidx`); its gradient adds the incoming
gradient back at that offset (one strided add per kernel offset), and the adjoint of that (a
gather at the same offsets) is its double backward. Average pooling is a window sum times a
per-output reciprocal divisor; its gradient spreads back the same way. Adaptive max pooling and
max_unpool work on flat spatial indices.
"""
import itertools

import numpy as np

from .._backend import array_module
from ..autograd.graph import Node
from ._windows import Geom, pad_crop, _windows


def _offsets(g):
    return list(itertools.product(*[range(k) for k in g.K]))


def _slices(g, kidx):
    return (slice(None), slice(None)) + tuple(
        slice(k * d, k * d + s * (p - 1) + 1, s) for k, d, s, p in zip(kidx, g.d, g.s, g.P))


def _lowest(dtype):
    if dtype.kind == 'f' or dtype.kind == 'V':
        return -np.inf
    if dtype.kind == 'b':
        return False
    return np.iinfo(dtype).min


def _idx_dtype(n):
    return np.int8 if n <= 127 else np.int32


def maxpool_forward(x, g):
    """(max values, winning kernel offset per output), first maximum on ties as torch.

    A pairwise tree over the kernel offsets: each merge is max / strict-greater / where on
    output-sized arrays, the left operand winning ties."""
    xp = array_module(x)
    ap = pad_crop(x, g.lo, g.F, _lowest(x.dtype))
    w = _windows(ap, g)
    lead = (slice(None), slice(None))
    offs = _offsets(g)
    it = _idx_dtype(len(offs))
    level = [(w[lead + off], k) for k, off in enumerate(offs)]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            (ma, ia), (mb, ib) = level[i], level[i + 1]
            sel = (mb > ma).view(np.int8)
            m = xp.maximum(ma, mb)
            # ia + sel * (ib - ia): integer arithmetic is far faster than a masked where
            if isinstance(ia, int):
                idx = sel * (ib - ia) if ib - ia != 1 else sel.astype(it)
                if ia:
                    idx += ia
            else:
                idx = ia + sel * (ib - ia)
            nxt.append((m, idx.astype(it, copy=False)))
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    best, idx = level[0]
    if len(offs) == 1:
        idx = xp.zeros(best.shape, it)
    if x.dtype.kind == 'f' and bool(xp.isnan(best).any()):
        idx = _nan_first(w, offs, best.shape, it, xp)
    return xp.ascontiguousarray(best), idx


def _nan_first(w, offs, shape, it, xp):
    """Winning offsets when NaNs are present: the first NaN wins (torch), else the first max."""
    lead = (slice(None), slice(None))
    best = w[lead + offs[0]].copy()
    idx = xp.zeros(shape, it)
    done = best != best
    for k, off in enumerate(offs[1:], 1):
        v = w[lead + off]
        m = ((v > best) | (v != v)) & ~done
        xp.copyto(best, v, where=m)
        xp.copyto(idx, k, where=m)
        done |= v != v
    return idx


def maxpool_scatter(grad, kidx, g, dtype=None):
    """Input gradient of max pooling: grad added back at each output's winning offset."""
    xp = array_module(grad)
    buf = xp.zeros(grad.shape[:2] + g.F, grad.dtype)
    nonoverlap = all(s >= (k - 1) * d + 1 for s, k, d in zip(g.s, g.K, g.d))
    for k, off in enumerate(_offsets(g)):
        sl = _slices(g, off)
        if nonoverlap:
            xp.multiply(grad, kidx == k, out=buf[sl])
        else:
            buf[sl] += grad * (kidx == k)
    return pad_crop(buf, tuple(-l for l in g.lo), g.L)


def maxpool_gather(gg, kidx, g):
    """The adjoint of maxpool_scatter: each output picks gg at its winning input."""
    xp = array_module(gg)
    ap = pad_crop(gg, g.lo, g.F)
    w = _windows(ap, g)
    lead = (slice(None), slice(None))
    out = xp.zeros(kidx.shape, gg.dtype)
    for k, off in enumerate(_offsets(g)):
        xp.copyto(out, w[lead + off], where=kidx == k)
    return out


def flat_indices(kidx, g):
    """torch's return_indices: the flat spatial index in the (unpadded) input of each max."""
    xp = array_module(kidx)
    nd = len(g.K)
    flat = None
    rem = kidx.astype(np.int64)
    kstr = []
    acc = 1
    for k in reversed(g.K):
        kstr.append(acc)
        acc *= k
    kstr = kstr[::-1]
    for i in range(nd):
        ki = rem // kstr[i]
        rem = rem % kstr[i]
        shape = [1] * (2 + nd)
        shape[2 + i] = g.P[i]
        base = (xp.arange(g.P[i]) * g.s[i] - g.lo[i]).reshape(shape)
        pos = base + ki * g.d[i]
        flat = pos if flat is None else flat * g.L[i] + pos
    return flat.astype(np.int64)


class _MaxPoolBase(Node):
    _non_differentiable_outputs = (1,)

    @staticmethod
    def forward(ctx, x, geom, indices):
        out, kidx = maxpool_forward(x, geom)
        ctx.geom, ctx.kidx = geom, kidx
        if indices:
            return out, flat_indices(kidx, geom)
        return out

    @staticmethod
    def backward(ctx, grad, gidx=None):
        return MaxPoolBackwardData.apply(grad, kidx=ctx.kidx, geom=ctx.geom)


class MaxPool2DWithIndicesBackward0(_MaxPoolBase):
    pass


class MaxPool3DWithIndicesBackward0(_MaxPoolBase):
    pass


class MaxPoolBackwardData(Node):
    """max pooling's input gradient as a node (linear in grad, so its backward is a gather)."""

    @staticmethod
    def forward(ctx, grad, kidx, geom):
        ctx.kidx, ctx.geom = kidx, geom
        return maxpool_scatter(grad, kidx, geom)

    @staticmethod
    def backward(ctx, gg):
        return _MaxPoolGather.apply(gg, kidx=ctx.kidx, geom=ctx.geom)


class _MaxPoolGather(Node):
    @staticmethod
    def forward(ctx, gg, kidx, geom):
        ctx.kidx, ctx.geom = kidx, geom
        return maxpool_gather(gg, kidx, geom)

    @staticmethod
    def backward(ctx, g):
        return MaxPoolBackwardData.apply(g, kidx=ctx.kidx, geom=ctx.geom)


def max_pool_prim(x, geom, return_indices):
    cls = MaxPool3DWithIndicesBackward0 if len(geom.K) == 3 else MaxPool2DWithIndicesBackward0
    return cls.apply(x, geom=geom, indices=return_indices)


# ----- average pooling ------------------------------------------------------------------------

def avg_divisor(g, count_include_pad, divisor_override, xp, dtype):
    """The reciprocal divisor per output position, shaped to broadcast over (N, C, *P)."""
    nd = len(g.K)
    if divisor_override:
        return xp.asarray(1.0 / divisor_override, dtype)
    inv = None
    for i in range(nd):
        start = np.arange(g.P[i]) * g.s[i] - g.lo[i]
        end = np.minimum(start + g.K[i], g.L[i] + g.lo[i])
        size = end - start
        clipped = np.minimum(end, g.L[i]) - np.maximum(start, 0)
        cnt = size if count_include_pad else clipped
        shape = [1] * nd
        shape[i] = g.P[i]
        c = cnt.reshape(shape).astype(np.float64)
        inv = c if inv is None else inv * c
    return xp.asarray(1.0 / inv, dtype=dtype)


def window_sum(x, g):
    xp = array_module(x)
    ap = pad_crop(x, g.lo, g.F)
    w = _windows(ap, g)
    lead = (slice(None), slice(None))
    acc = None
    for off in _offsets(g):
        v = w[lead + off]
        if acc is None:
            acc = v.copy()
        else:
            acc += v
    return acc


def window_spread(grad, g):
    """The adjoint of window_sum: every output's value added to each input of its window."""
    xp = array_module(grad)
    buf = xp.zeros(grad.shape[:2] + g.F, grad.dtype)
    for off in _offsets(g):
        buf[_slices(g, off)] += grad
    return pad_crop(buf, tuple(-l for l in g.lo), g.L)


def _cdt(a):
    return a.dtype if a.dtype.kind == 'f' else np.float64


class _AvgPoolBase(Node):
    @staticmethod
    def forward(ctx, x, geom, inv):
        ctx.geom, ctx.inv = geom, inv
        s = window_sum(x, geom)
        if x.dtype.kind != 'f':
            return (s * inv).astype(x.dtype)
        return s * inv.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolBackwardData.apply(grad, geom=ctx.geom, inv=ctx.inv)


class AvgPool2DBackward0(_AvgPoolBase):
    pass


class AvgPool3DBackward0(_AvgPoolBase):
    pass


class AvgPoolBackwardData(Node):
    @staticmethod
    def forward(ctx, grad, geom, inv):
        ctx.geom, ctx.inv = geom, inv
        return window_spread(grad * inv.astype(grad.dtype, copy=False), geom)

    @staticmethod
    def backward(ctx, gg):
        return _AvgPoolBase.apply(gg, geom=ctx.geom, inv=ctx.inv)


def avg_pool_prim(x, geom, count_include_pad, divisor_override):
    xp = array_module(x._data)
    inv = avg_divisor(geom, count_include_pad, divisor_override, xp, _cdt(x._data))
    cls = AvgPool3DBackward0 if len(geom.K) == 3 else AvgPool2DBackward0
    return cls.apply(x, geom=geom, inv=inv)


# ----- flat-index gather / scatter (adaptive max pool, max_unpool) ---------------------------

def _flat(a):
    return a.reshape(a.shape[:2] + (-1,))


def flat_gather(x, idx):
    """out[n, c, j] = x[n, c].flat[idx[n, c, j]] (idx of any trailing shape)."""
    xp = array_module(x)
    r = xp.take_along_axis(_flat(x), _flat(idx), axis=2)
    return r.reshape(idx.shape)


def flat_scatter_add(v, idx, spatial):
    """zeros(N, C, *spatial) with v added at the flat indices idx (duplicates accumulate)."""
    xp = array_module(v)
    N, C = v.shape[:2]
    S = 1
    for s in spatial:
        S *= s
    gi = (_flat(idx) + (xp.arange(N * C).reshape(N, C, 1) * S)).ravel()
    out = xp.bincount(gi, weights=_flat(v).ravel().astype(np.float64), minlength=N * C * S)
    return out.astype(v.dtype).reshape((N, C) + tuple(spatial))


class _FlatGather(Node):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.idx, ctx.spatial = idx, x.shape[2:]
        return flat_gather(x, idx)

    @staticmethod
    def backward(ctx, g):
        return _FlatScatterAdd.apply(g, idx=ctx.idx, spatial=ctx.spatial)


class _FlatScatterAdd(Node):
    @staticmethod
    def forward(ctx, v, idx, spatial):
        ctx.idx = idx
        return flat_scatter_add(v, idx, spatial)

    @staticmethod
    def backward(ctx, g):
        return _FlatGather.apply(g, idx=ctx.idx)


def _adaptive_windows(L, O):
    start = (np.arange(O) * L) // O
    end = -((-(np.arange(O) + 1) * L) // O)
    kmax = int((end - start).max())
    idx = start[:, None] + np.arange(kmax)[None, :]
    valid = idx < end[:, None]
    return np.minimum(idx, L - 1), valid


class _AdaptiveMaxBase(Node):
    _non_differentiable_outputs = (1,)

    @staticmethod
    def forward(ctx, x, out_size):
        xp = array_module(x)
        nd = len(out_size)
        L = x.shape[2:]
        flat = 0
        valid = True
        stride = 1
        for i in reversed(range(nd)):
            idx, ok = _adaptive_windows(L[i], out_size[i])
            shape = [1] * (2 * nd)
            shape[i], shape[nd + i] = idx.shape
            flat = flat + idx.reshape(shape) * stride
            valid = valid & ok.reshape(shape)
            stride *= L[i]
        full = np.broadcast_shapes(flat.shape, valid.shape)
        kk = int(np.prod(full[nd:]))
        flat = np.broadcast_to(flat, full).reshape(tuple(out_size) + (kk,))
        valid = np.broadcast_to(valid, full).reshape(tuple(out_size) + (kk,))
        fl, vd = xp.asarray(flat), xp.asarray(valid)
        vals = xp.take(_flat(x), fl, axis=2)  # (N, C, *out, kk)
        vals = xp.where(vd, vals, xp.asarray(_lowest(x.dtype), x.dtype))
        if x.dtype.kind == 'f':
            nanm = vals != vals
            arg = xp.where(nanm.any(-1), nanm.argmax(-1), vals.argmax(-1))
        else:
            arg = vals.argmax(-1)
        out = xp.take_along_axis(vals, arg[..., None], axis=-1)[..., 0]
        gidx = fl.reshape(-1, kk)[xp.arange(int(np.prod(out_size))).reshape(tuple(out_size)), arg]
        gidx = gidx.astype(np.int64)
        ctx.idx, ctx.spatial = gidx, x.shape[2:]
        return out, gidx

    @staticmethod
    def backward(ctx, grad, gidx=None):
        return _FlatScatterAdd.apply(grad, idx=ctx.idx, spatial=ctx.spatial)


class AdaptiveMaxPool2DBackward0(_AdaptiveMaxBase):
    pass


class AdaptiveMaxPool3DBackward0(_AdaptiveMaxBase):
    pass


def adaptive_max_prim(x, out_size):
    cls = AdaptiveMaxPool3DBackward0 if len(out_size) == 3 else AdaptiveMaxPool2DBackward0
    return cls.apply(x, out_size=tuple(out_size))


class _MaxUnpoolBase(Node):
    """Place each value at its flat index in a zero tensor of the given spatial size."""

    @staticmethod
    def forward(ctx, x, idx, spatial):
        xp = array_module(x)
        N, C = x.shape[:2]
        S = 1
        for s in spatial:
            S *= s
        out = xp.zeros((N, C, S), x.dtype)
        xp.put_along_axis(out, _flat(idx), _flat(x), axis=2)
        ctx.idx = idx
        return out.reshape((N, C) + tuple(spatial))

    @staticmethod
    def backward(ctx, g):
        return _FlatGather.apply(g, idx=ctx.idx)


class MaxUnpool2DBackward0(_MaxUnpoolBase):
    pass


class MaxUnpool3DBackward0(_MaxUnpoolBase):
    pass


def max_unpool_prim(x, idx, spatial):
    cls = MaxUnpool3DBackward0 if len(spatial) == 3 else MaxUnpool2DBackward0
    return cls.apply(x, idx=idx, spatial=tuple(spatial))


__all__ = ['Geom']
