"""Gather/scatter-add along one dimension, used by the gradients of the reductions and sorts
that pick elements (max(dim), sort, topk, cummax...). Each is the other's adjoint, so gradients
of any order flow through them."""
from .._backend import array_module
from ..autograd.graph import Node as Function


def full_index(idx, dim, xp=None):
    """An index tuple that addresses `idx` along `dim` and every position along the other dims
    (a[full_index(idx, dim)] is a[..., idx[i, j, ...], ...] for every position of idx)."""
    if xp is None:
        xp = array_module(idx)
    nd = idx.ndim
    out = []
    for d in range(nd):
        if d == dim:
            out.append(idx)
        else:
            shape = [1] * nd
            shape[d] = idx.shape[d]
            out.append(xp.arange(idx.shape[d]).reshape(shape))
    return tuple(out)


class GatherBackward0(Function):
    """out[..i..] = a[.. idx[..i..] ..] along `dim` (idx: an int array of out's shape)."""

    @staticmethod
    def forward(ctx, a, idx, dim):
        ctx.idx, ctx.dim, ctx.shape = idx, dim, a.shape
        return array_module(a).take_along_axis(a, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return ScatterAddBackward0.apply(g, idx=ctx.idx, dim=ctx.dim, shape=ctx.shape)


class ScatterAddBackward0(Function):
    """zeros(shape) with g added at `idx` along `dim` (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx, g, idx, dim, shape):
        ctx.idx, ctx.dim = idx, dim
        xp = array_module(g)
        out = xp.zeros(shape, g.dtype)
        if g.size:
            xp.add.at(out, full_index(idx, dim, xp), g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return GatherBackward0.apply(gg, idx=ctx.idx, dim=ctx.dim)


def gather(t, idx, dim):
    """Differentiable take_along_axis of Tensor t with int array idx."""
    return GatherBackward0.apply(t, idx=idx, dim=dim % max(idx.ndim, 1))


def scatter_add(g, idx, dim, shape):
    """Differentiable zeros(shape).scatter_add(dim, idx, g)."""
    return ScatterAddBackward0.apply(g, idx=idx, dim=dim % max(idx.ndim, 1), shape=tuple(shape))
