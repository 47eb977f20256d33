"""Fused loss primitives (kept as single nodes for speed): mse_loss."""

import numpy as np

from .._backend import array_module
from ..autograd.graph import Node as Function
from ._fastmath import const, dot

_ndarray = np.ndarray


class MseLossBackward0(Function):
    """mean/sum/none of (input - target)**2 as one node."""

    _exact_input_grads = True  # (see Node: gradients match the inputs' shape and dtype)

    @staticmethod
    def forward(ctx, a, b, reduction):
        d = a - b
        ctx.save_for_backward(a, b)
        ctx.reduction = reduction
        if reduction == 'mean' and d.size == 0:
            return array_module(d).asarray(float('nan'), dtype=d.dtype)
        if reduction != 'none' and d.dtype.kind == 'f' and d.dtype.itemsize >= 4:
            # one BLAS dot product instead of square + mean (several times faster on small data)
            flat = d.ravel()  # (d is fresh and contiguous: a view)
            if type(d) is _ndarray:
                total = dot(flat, flat)
                # a 0-d array, not NumPy's scalar: the output needs no conversion when wrapped
                return np.asarray(total / d.size if reduction == 'mean' else total)
            total = array_module(d).dot(flat, flat)
            return total / d.size if reduction == 'mean' else total
        sq = d * d
        if reduction == 'mean':
            return sq.mean()
        if reduction == 'sum':
            return sq.sum()
        return sq

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return MseLossBackwardBackward0.apply(grad, a, b, reduction=ctx.reduction)

    @staticmethod
    def backward_arrays(ctx, g):
        a, b = ctx.saved_arrays()
        d = _mse_grad(g, a, b, ctx.reduction)
        n = ctx.needs_input_grad
        return (d if n[0] else None), (-d if n[1] else None)


def _mse_grad(g, a, b, reduction):
    """d/d input of mse_loss: 2 * (a - b) * g, over the element count for 'mean'."""
    scale = 2.0 / a.size if reduction == 'mean' and a.size else 2.0
    d = a - b
    if type(d) is _ndarray and d.ndim:
        # torch's order, (norm * (a - b)) * g, in place with a cached 0-d norm (cheaper than
        # the Python float's conversion on every call)
        d *= const(scale, d.dtype)
        d *= g
        return d
    d *= g * scale
    return d


class MseLossBackwardBackward0(Function):
    """2 * (a - b) * grad [/ n]: gradient of mse_loss w.r.t. input and target, differentiable."""

    @staticmethod
    def forward(ctx, g, a, b, reduction):
        ctx.save_for_backward(g, a, b)
        ctx.reduction = reduction
        d = _mse_grad(g, a, b, reduction)
        return d, -d

    @staticmethod
    def backward(ctx, gga, ggb):
        g, a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        scale = 2.0 / a.numel() if ctx.reduction == 'mean' and a.numel() else 2.0
        diff = a - b
        h = (gga - ggb) * scale
        dg = (h * diff).sum() if ctx.reduction != 'none' else h * diff
        return (dg if n[0] else None), (h * g if n[1] else None), (-(h * g) if n[2] else None)


def mse_loss_prim(input, target, reduction):
    return MseLossBackward0.apply(input, target, reduction=reduction)



