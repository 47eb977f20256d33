"""Embedding lookup (a row gather) and its dense backward (a row scatter-add), each the other's
adjoint; and the segment sum used by embedding_bag."""
import numpy as np

from .._backend import array_module
from ..autograd.graph import Node


def _scatter_rows(g, idx, num, padding_idx, scale_by_freq):
    xp = array_module(g)
    D = g.shape[-1]
    flat = idx.reshape(-1)
    gf = g.reshape(-1, D)
    if scale_by_freq:
        cnt = xp.bincount(flat, minlength=num).astype(g.dtype)
        gf = gf / cnt[flat][:, None]
    out = xp.zeros((num, D), g.dtype)
    xp.add.at(out, flat, gf)
    if padding_idx is not None and padding_idx >= 0:
        out[padding_idx] = 0
    return out


class EmbeddingBackward0(Node):
    """weight[indices] (indices of any shape)."""

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_by_freq):
        ctx.idx, ctx.num = idx, w.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_by_freq
        return w[idx]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingDenseBackward0.apply(grad, idx=ctx.idx, num=ctx.num,
                                             padding_idx=ctx.padding_idx, scale=ctx.scale), None


class EmbeddingDenseBackward0(Node):
    @staticmethod
    def forward(ctx, g, idx, num, padding_idx, scale):
        ctx.idx, ctx.padding_idx, ctx.scale = idx, padding_idx, scale
        ctx.num = num
        return _scatter_rows(g, idx, num, padding_idx, scale)

    @staticmethod
    def backward(ctx, gg):
        xp = array_module(gg._data)
        w = gg
        if ctx.padding_idx is not None and ctx.padding_idx >= 0:
            mask = xp.ones((ctx.num, 1), gg._data.dtype)
            mask[ctx.padding_idx] = 0
            from .._tensor import _wrap
            w = gg * _wrap(mask)
        out = EmbeddingBackward0.apply(w, idx=ctx.idx, padding_idx=None, scale_by_freq=False)
        if ctx.scale:
            from .._tensor import _wrap
            flat = ctx.idx.reshape(-1)
            cnt = xp.bincount(flat, minlength=ctx.num).astype(gg._data.dtype)
            out = out / _wrap(cnt[ctx.idx][..., None])
        return out


def embedding_prim(weight, idx, padding_idx, scale_grad_by_freq):
    return EmbeddingBackward0.apply(weight, idx=idx, padding_idx=padding_idx,
                                    scale_by_freq=scale_grad_by_freq)


class EmbeddingBagBackward0(Node):
    """Per-bag sum of rows: out[b] = sum of x[i] for i in bag b (x already gathered)."""

    @staticmethod
    def forward(ctx, x, seg, nbags):
        xp = array_module(x)
        out = xp.zeros((nbags,) + x.shape[1:], x.dtype)
        xp.add.at(out, seg, x)
        ctx.seg = seg
        return out

    @staticmethod
    def backward(ctx, grad):
        from .indexing import IndexBackward0
        return IndexBackward0.apply(grad, index=(ctx.seg,))


def segment_sum(x, seg, nbags):
    return EmbeddingBagBackward0.apply(x, seg=seg, nbags=nbags)


def segment_ids(offsets, n):
    """The bag of each of n rows, given sorted bag start offsets (offsets[0] == 0)."""
    return np.searchsorted(np.asarray(offsets, np.int64), np.arange(n), side='right') - 1
