"""Numerically stable softmax and log_softmax primitives (max-shifted), each with a fused,
differentiable backward node so double backward is exact."""
import numpy as np

from .._backend import array_module
from ..autograd.graph import Node
from .unary import _quiet


def _f32(a):
    """Half/bfloat16 compute in float32."""
    return a.astype(np.float32) if (a.dtype.kind != 'f' or a.dtype.itemsize < 4) else a


def _shift_by_max(x, dim, xp):
    """x (in float32 if half) minus its max along dim, so exp cannot overflow; a non-finite max
    (a slice of all -inf) shifts by 0 instead; a +inf max makes the slice NaN, as torch does."""
    a = _f32(x)
    m = a.max(axis=dim, keepdims=True)
    if a.shape[dim] and not xp.isfinite(m).all():
        m = xp.where(m == -xp.inf, 0, m)
    with _quiet(a):
        return a - m


def _save_out(ctx, r, x, dim):
    """r in x's dtype, saved (with dim) for the backward."""
    out = r.astype(x.dtype, copy=False)
    ctx.dim = dim
    ctx.save_for_backward(out)
    return out


class SoftmaxBackward0(Node):
    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        sh = _shift_by_max(x, dim, xp)
        with _quiet(sh):
            e = xp.exp(sh)
            e /= e.sum(axis=dim, keepdims=True)
        return _save_out(ctx, e, x, dim)

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return SoftmaxBackwardDataBackward0.apply(grad, y, dim=ctx.dim)


class SoftmaxBackwardDataBackward0(Node):
    """y * (g - sum(g * y)): softmax's vector-Jacobian product, as one node."""

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, y)
        gy = g * y
        return gy - y * gy.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        d = ctx.dim
        dg = dy = None
        if n[0]:
            dg = SoftmaxBackwardDataBackward0.apply(gg, y, dim=d)
        if n[1]:
            s = (g * y).sum(d, keepdim=True)
            dy = gg * (g - s) - g * (gg * y).sum(d, keepdim=True)
        return dg, dy


class LogSoftmaxBackward0(Node):
    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        sh = _shift_by_max(x, dim, xp)
        with _quiet(sh):
            sh -= xp.log(xp.exp(sh).sum(axis=dim, keepdims=True))
        return _save_out(ctx, sh, x, dim)

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return LogSoftmaxBackwardDataBackward0.apply(grad, out, dim=ctx.dim)


class LogSoftmaxBackwardDataBackward0(Node):
    """g - exp(out) * sum(g): log_softmax's vector-Jacobian product, as one node."""

    @staticmethod
    def forward(ctx, g, out, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, out)
        xp = array_module(g)
        return g - xp.exp(out) * g.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        n = ctx.needs_input_grad
        d = ctx.dim
        e = out.exp()
        dg = dout = None
        if n[0]:
            dg = gg - (gg * e).sum(d, keepdim=True)
        if n[1]:
            dout = -(gg * e) * g.sum(d, keepdim=True)
        return dg, dout


def softmax_prim(x, dim):
    return SoftmaxBackward0.apply(x, dim=dim)


def log_softmax_prim(x, dim):
    return LogSoftmaxBackward0.apply(x, dim=dim)
