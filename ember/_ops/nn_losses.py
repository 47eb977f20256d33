"""Loss primitives that torch keeps as single nodes: nll_loss, smooth_l1/huber, binary cross
entropy (plain and with logits). Each forward works on arrays; each backward is written with Tensor
ops over the saved inputs (constant masks where the function is piecewise), so double backward
is exact."""
import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node
from ..autograd.grad_mode import _state
from .activation import pointwise
from .comparison import where
from .unary import _quiet


def _reduce(a, reduction):
    if reduction == 'mean':
        return a.mean() if a.size else array_module(a).asarray(np.nan, a.dtype)
    if reduction == 'sum':
        return a.sum()
    return a


def _expand_grad(grad, shape, reduction, n):
    """The per-element gradient of a reduced loss."""
    if reduction == 'none':
        return grad
    if reduction == 'mean':
        grad = grad / n if n else grad
    return grad.expand(shape)


# ----- nll_loss -------------------------------------------------------------------------------

class NllLossBackward0(Node):
    """-input[n, target[n]] * weight[target[n]] with ignore_index; class dim is 1."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        xp = array_module(x)
        valid = target != ignore_index
        t = xp.where(valid, target, 0)
        picked = xp.take_along_axis(x, xp.expand_dims(t, 1), axis=1)
        picked = xp.squeeze(picked, 1)
        if weight is not None:
            wt = weight[t] * valid
        else:
            wt = valid.astype(x.dtype)
        loss = -picked * wt
        ctx.t, ctx.wt, ctx.reduction = t, wt, reduction
        ctx.shape = x.shape
        if reduction == 'none':
            return loss.astype(x.dtype, copy=False)
        total = wt.sum()
        ctx.total = total
        s = loss.sum()
        if reduction == 'sum':
            return xp.asarray(s, x.dtype)
        with _quiet(x):
            return xp.asarray(s / total, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad._data)
        coef = -ctx.wt
        if ctx.reduction == 'mean':
            with _quiet(coef):
                coef = coef / ctx.total
        mask = xp.zeros(ctx.shape, grad._data.dtype)
        xp.put_along_axis(mask, xp.expand_dims(ctx.t, 1),
                          xp.expand_dims(coef.astype(grad._data.dtype, copy=False), 1), axis=1)
        m = _wrap(mask)
        if ctx.reduction == 'none':
            return m * grad.unsqueeze(1), None, None
        return m * grad, None, None


def nll_prim(x, target, weight, ignore_index, reduction):
    if weight is not None and weight.requires_grad and _state.enabled:
        raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to "
                           "argument 'weight'. This input cannot have requires_grad True.")
    return NllLossBackward0.apply(x, target, weight, ignore_index=ignore_index, reduction=reduction)


# ----- smooth_l1 / huber ----------------------------------------------------------------------

class SmoothL1LossBackward0(Node):
    @staticmethod
    def forward(ctx, x, y, beta, reduction):
        xp = array_module(x)
        d = x - y
        ad = xp.abs(d)
        ctx.mask = ad < beta
        ctx.beta, ctx.reduction, ctx.shape, ctx.n = beta, reduction, d.shape, d.size
        ctx.save_for_backward(x, y)
        loss = xp.where(ctx.mask, 0.5 * d * d / beta, ad - 0.5 * beta).astype(x.dtype, copy=False)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = x - y
        local = where(_wrap(ctx.mask), d / ctx.beta, d.sgn())
        g = _expand_grad(grad, ctx.shape, ctx.reduction, ctx.n) * local
        n = ctx.needs_input_grad
        return (g if n[0] else None), (-g if n[1] else None)


class HuberLossBackward0(Node):
    @staticmethod
    def forward(ctx, x, y, delta, reduction):
        xp = array_module(x)
        d = x - y
        ad = xp.abs(d)
        ctx.mask = ad < delta
        ctx.delta, ctx.reduction, ctx.shape, ctx.n = delta, reduction, d.shape, d.size
        ctx.save_for_backward(x, y)
        loss = xp.where(ctx.mask, 0.5 * d * d, delta * (ad - 0.5 * delta)).astype(x.dtype, copy=False)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d = x - y
        local = where(_wrap(ctx.mask), d, d.sgn() * ctx.delta)
        g = _expand_grad(grad, ctx.shape, ctx.reduction, ctx.n) * local
        n = ctx.needs_input_grad
        return (g if n[0] else None), (-g if n[1] else None)


# ----- binary cross entropy -------------------------------------------------------------------

_EPS = 1e-12


class BinaryCrossEntropyBackward0(Node):
    """-w * (y * log(x) + (1 - y) * log(1 - x)), each log clamped at -100 as torch does."""

    @staticmethod
    def forward(ctx, x, y, w, reduction):
        xp = array_module(x)
        if x.size and (bool((x < 0).any()) or bool((x > 1).any())):
            raise RuntimeError("all elements of input should be between 0 and 1")
        with _quiet(x):
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.shape, ctx.n = reduction, x.shape, x.size
        ctx.save_for_backward(x, y, w)
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        g = _expand_grad(grad, ctx.shape, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        gx = gy = None
        if n[0]:
            den = (1 - x) * x
            den = where(_wrap(den._data < _EPS), den * 0 + _EPS, den)
            gx = g * (x - y) / den
        if n[1]:
            # Tensor ops of x, so the target gradient's own dependence on x is recorded too; not
            # clamped, as torch's (inf where x is 0 or 1)
            with _quiet(x._data):
                gy = g * ((-x).log1p() - x.log())
        return gx, gy, None


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """(1 - y) * x + (1 + (pw - 1) * y) * softplus(-x), times weight; stable for any x."""

    @staticmethod
    def forward(ctx, x, y, w, pw, reduction):
        xp = array_module(x)
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # softplus(-x)
        if pw is not None:
            lw = (pw - 1) * y + 1
            loss = (1 - y) * x + lw * sp
        else:
            loss = (1 - y) * x + sp
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.shape, ctx.n = reduction, loss.shape, loss.size
        ctx.save_for_backward(x, y, w, pw)
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w, pw = ctx.saved_tensors
        n = ctx.needs_input_grad
        g = _expand_grad(grad, ctx.shape, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        s = x.sigmoid()
        gx = gy = gpw = None
        if n[0]:
            if pw is not None:
                lw = (pw - 1) * y + 1
                gx = g * ((1 - y) + lw * (s - 1))
            else:
                gx = g * (s - y)
        if n[1] or (len(n) > 3 and n[3]):
            sp = pointwise('Softplus', -x, beta=1.0, threshold=20.0)
            if n[1]:
                gy = g * (-x + (pw - 1) * sp) if pw is not None else g * -x
            if len(n) > 3 and n[3]:
                gpw = g * y * sp
        return gx, gy, None, gpw
