"""Padding primitives: constant (a re-windowing that also crops for negative pads) and the
index-gather pads (reflect, replicate, circular), each with its adjoint as its backward."""
import numpy as np

from .._backend import array_module
from ..autograd.graph import Node
from ._windows import pad_crop


class ConstantPadNdBackward0(Node):
    """Pad (or crop, for negative amounts) the trailing dims; `pads` is ((lo, hi), ...) per dim."""

    @staticmethod
    def forward(ctx, x, pads, value):
        nd = len(pads)
        L = x.shape[x.ndim - nd:]
        lo = tuple(p[0] for p in pads)
        new = tuple(l + a + b for l, (a, b) in zip(L, pads))
        ctx.pads = pads
        if value != value:  # NaN fill
            return pad_crop(x, lo, new, np.nan)
        if value == 0:
            return pad_crop(x, lo, new)
        if x.dtype.kind in 'iub' and float(value) != int(value):
            value = int(value)
        return pad_crop(x, lo, new, value)

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNdBackward0.apply(grad, pads=tuple((-a, -b) for a, b in ctx.pads), value=0)


def pad_indices(L, lo, hi, mode):
    """Source index for every output position along one dim."""
    j = np.arange(-lo, L + hi)
    if mode == 'reflect':
        period = 2 * (L - 1) if L > 1 else 1
        m = np.mod(j, period)
        return np.where(m >= L, period - m, m)
    if mode == 'replicate':
        return np.clip(j, 0, L - 1)
    return np.mod(j, L)  # circular


def gather_pad(x, idxs):
    xp = array_module(x)
    nd = len(idxs)
    for i, idx in enumerate(idxs):
        if idx is None:
            continue
        x = xp.take(x, xp.asarray(idx[0]), axis=x.ndim - nd + i)
    return x


def scatter_pad(g, idxs, shape):
    """The adjoint of gather_pad: every output position's gradient added to its source.

    idxs[i] is (source index per output position, left pad); the middle block maps one to one."""
    xp = array_module(g)
    nd = len(idxs)
    for i in reversed(range(nd)):
        if idxs[i] is None:
            continue
        idx, lo = idxs[i]
        ax = g.ndim - nd + i
        L = shape[ax]
        out_shape = list(g.shape)
        out_shape[ax] = L
        out = xp.zeros(out_shape, g.dtype)
        gm = xp.moveaxis(g, ax, 0)
        om = xp.moveaxis(out, ax, 0)
        om[:] = gm[lo:lo + L]
        for j in list(range(lo)) + list(range(lo + L, len(idx))):
            om[int(idx[j])] += gm[j]
        g = out
    return g


class _PadGather(Node):
    @staticmethod
    def forward(ctx, x, idxs):
        ctx.idxs, ctx.shape = idxs, x.shape
        return gather_pad(x, idxs)

    @staticmethod
    def backward(ctx, grad):
        return _PadScatter.apply(grad, idxs=ctx.idxs, shape=ctx.shape)


class _PadScatter(Node):
    @staticmethod
    def forward(ctx, g, idxs, shape):
        ctx.idxs = idxs
        return scatter_pad(g, idxs, shape)

    @staticmethod
    def backward(ctx, gg):
        return _PadGather.apply(gg, idxs=ctx.idxs)


_CLASSES = {}


def index_pad(x, pads, mode):
    """reflect / replicate / circular padding of the trailing len(pads) dims."""
    nd = len(pads)
    L = x.shape[x.ndim - nd:]
    idxs = tuple(None if (a == 0 and b == 0) else (pad_indices(l, a, b, mode), a)
                 for l, (a, b) in zip(L, pads))
    name = {'reflect': 'ReflectionPad{}DBackward0', 'replicate': 'ReplicationPad{}DBackward0'}.get(
        mode, 'CopySlices').format(nd)
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = type(name, (_PadGather,), {})
    return cls.apply(x, idxs=idxs)
