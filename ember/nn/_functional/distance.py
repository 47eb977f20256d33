"""pairwise_distance, cosine_similarity and pdist."""
import numpy as np

from ..._backend import array_module
from ..._ops.norm import vector_norm
from ..._tensor import _wrap
from ...autograd.graph import Node


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    nd = max(x1.dim(), x2.dim())
    if nd == 0:
        return (x1 - x2 + eps).abs()
    d = x1 - x2 + eps
    return vector_norm(d, p, (d.dim() - 1,), keepdim)


class _ClampMinNoGrad(Node):
    """clamp_min done under no_grad on a clone (as torch's cosine_similarity): gradient passes."""

    @staticmethod
    def forward(ctx, a, lo):
        return array_module(a).maximum(a, lo).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """<x1, x2> / (max(||x1||, eps) * max(||x2||, eps)) along dim."""
    from ..._ops._helpers import broadcast_shapes_msg
    msg = broadcast_shapes_msg(x1.shape, x2.shape)
    if msg:
        raise RuntimeError(msg)
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    if x1._data.dtype != x2._data.dtype:
        from ... import _dtype as D
        dt = D.promote_types(x1.dtype, x2.dtype)
        x1, x2 = x1.to(dt), x2.to(dt)
    if x1._data.dtype.kind not in 'fV':
        from ... import _dtype as D
        x1, x2 = x1.to(D.get_default_dtype()), x2.to(D.get_default_dtype())
    if tuple(x1.shape) != shape:
        x1 = x1.expand(shape)
    if tuple(x2.shape) != shape:
        x2 = x2.expand(shape)
    from ..._tensor import _wrap_dim
    d = _wrap_dim(dim, len(shape))
    n1 = _ClampMinNoGrad.apply(vector_norm(x1, 2, (d,), True), lo=eps)
    n2 = _ClampMinNoGrad.apply(vector_norm(x2, 2, (d,), True), lo=eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


def pdist(input, p=2):
    """Distances between all pairs of rows (i < j), flattened in row-major order."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    xp = array_module(input._data)
    if len(i) == 0:
        return input[:0, 0] * 0
    a = input[_wrap(xp.asarray(i))]
    b = input[_wrap(xp.asarray(j))]
    return vector_norm(a - b, p, (1,), False)
