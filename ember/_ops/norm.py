"""Normalisation primitives: batch, layer and group norm (fused forward and first backward on
arrays), and the p-norm used by normalize / pairwise_distance.

The first backward of a fused norm is itself one node computing (grad_input, grad_weight,
grad_bias) on arrays. Its own backward (double backward, e.g. gradient penalties) runs autograd
through a Tensor-op reference of the norm, so it is exact without hand-written second derivatives.
"""
import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node
from ..autograd.grad_mode import _state, enable_grad
from .comparison import where
from .unary import _quiet


def _cd(a):
    """Compute dtype: half/bfloat16 normalise in float32."""
    return a.dtype if (a.dtype.kind == 'f' and a.dtype.itemsize >= 4) else np.dtype(np.float32)


# ----- pieces shared by the fused forwards ------------------------------------------------------

def _centred_var(xa, axes):
    """(mean, xa - mean, biased variance) over axes, kept as size-1 dims."""
    m = xa.mean(axis=axes, keepdims=True)
    xc = xa - m
    return m, xc, (xc * xc).mean(axis=axes, keepdims=True)


def _rstd(v, eps, xp):
    with _quiet(v):
        return 1 / xp.sqrt(v + eps)


def _affine_(y, w, b, cd, shape=None):
    """y * w + b in place (each optional), w and b reshaped to `shape` when given."""
    if w is not None:
        w = w.astype(cd, copy=False)
        y *= w if shape is None else w.reshape(shape)
    if b is not None:
        b = b.astype(cd, copy=False)
        y += b if shape is None else b.reshape(shape)
    return y


def _ref_backward(ctx, grad, grad_arrays, ref):
    """The fused first backward of layer/group norm; `ref(x, w, b, eps, k_or_G)` is the Tensor-op
    reference its double backward differentiates."""
    x, w, b = ctx.saved_tensors
    param, eps = ctx.saved[2], ctx.eps
    return _NormGrad.apply(grad, x, w, b, kind=grad_arrays, saved=ctx.saved,
                           ref=lambda xx, ww, bb: ref(xx, ww, bb, eps, param))


def _save_norm(ctx, y, x, w, b, saved, eps):
    """Keeps what the fused first backward needs and returns y in x's dtype."""
    ctx.saved = saved
    ctx.eps = eps
    ctx.save_for_backward(x, w, b)
    return y.astype(x.dtype, copy=False)


# ----- the reference compositions (Tensor ops), used for double backward -----------------------

def _bn_ref(x, w, b, eps, axes, bshape):
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(axes, keepdim=True)
    y = xc / (var + eps).sqrt()
    if w is not None:
        y = y * w.reshape(bshape)
    if b is not None:
        y = y + b.reshape(bshape)
    return y


def _ln_ref(x, w, b, eps, k):
    axes = tuple(range(x.dim() - k, x.dim()))
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(axes, keepdim=True)
    y = xc / (var + eps).sqrt()
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


def _gn_ref(x, w, b, eps, G):
    N, C = x.shape[0], x.shape[1]
    xg = x.reshape(N, G, -1)
    mean = xg.mean(2, keepdim=True)
    xc = xg - mean
    var = (xc * xc).mean(2, keepdim=True)
    y = (xc / (var + eps).sqrt()).reshape(x.shape)
    bshape = (1, C) + (1,) * (x.dim() - 2)
    if w is not None:
        y = y * w.reshape(bshape)
    if b is not None:
        y = y + b.reshape(bshape)
    return y


def _second_order(ref, args, g, ggs, needs):
    """VJP of (input, weight, bias)-gradients of `ref` w.r.t. (grad, input, weight)."""
    from ..autograd import grad as _grad
    x, w, b = args
    with enable_grad():
        gl = g.detach().requires_grad_()
        xl = x.detach().requires_grad_()
        wl = w.detach().requires_grad_() if w is not None else None
        bl = b.detach().requires_grad_() if b is not None else None
        y = ref(xl, wl, bl)
        ins = [t for t in (xl, wl, bl) if t is not None]
        firsts = _grad(y, ins, gl, create_graph=True, allow_unused=True)
        outs, gos = [], []
        for f, gg in zip(firsts, [gg for gg, t in zip(ggs, (xl, wl, bl)) if t is not None]):
            if f is not None and gg is not None and f._requires_grad:
                outs.append(f)
                gos.append(gg)
        wrt = [gl, xl] + ([wl] if wl is not None else [])
        if not outs:
            return None, None, None
        res = _grad(outs, wrt, gos, allow_unused=True)
    dg, dx = res[0], res[1]
    dw = res[2] if wl is not None else None
    return (dg if needs[0] else None), (dx if needs[1] else None), (dw if needs[2] else None)


class _NormGrad(Node):
    """(grad_input, grad_weight, grad_bias) of a fused norm; `kind` picks the formula."""

    @staticmethod
    def forward(ctx, g, x, w, b, kind, saved, ref):
        ctx.ref, ctx.has_b = ref, b is not None
        ctx.save_for_backward(g, x, w, b)
        return kind(g, x, w, saved)

    @staticmethod
    def backward(ctx, ggx, ggw, ggb):
        g, x, w, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        dg, dx, dw = _second_order(ctx.ref, (x, w, b), g, (ggx, ggw, ggb), n[:3])
        return dg, dx, dw, None


# ----- batch norm -------------------------------------------------------------------------------

def _bn_backward_arrays(g, x, w, saved):
    mean, rstd, axes, bshape, training = saved
    cd = _cd(x)
    ga, xa = g.astype(cd, copy=False), x.astype(cd, copy=False)
    xhat = (xa - mean) * rstd
    gb = ga.sum(axis=axes)
    gw = (ga * xhat).sum(axis=axes)
    scale = rstd if w is None else rstd * w.reshape(bshape).astype(cd, copy=False)
    if training:
        n = x.size // (x.shape[1] if x.ndim > 1 else 1)
        gx = scale * (ga - (gb / n).reshape(bshape) - xhat * (gw / n).reshape(bshape))
    else:
        gx = ga * scale
    dt = x.dtype
    return (gx.astype(dt, copy=False), None if w is None else gw.astype(w.dtype, copy=False),
            gb.astype(dt, copy=False))


class NativeBatchNormBackward0(Node):
    """y = (x - mean) * rstd * w + b over channel dim 1; training uses batch statistics."""

    @staticmethod
    def forward(ctx, x, w, b, mean, var, training, eps):
        xp = array_module(x)
        cd = _cd(x)
        xa = x.astype(cd, copy=False)
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            m, _, v = _centred_var(xa, axes)
            ctx.batch_stats = (m.reshape(-1), v.reshape(-1))
        else:
            m = mean.astype(cd, copy=False).reshape(bshape)
            v = var.astype(cd, copy=False).reshape(bshape)
        rstd = _rstd(v, eps, xp)
        scale = rstd if w is None else rstd * w.astype(cd, copy=False).reshape(bshape)
        y = xa * scale
        shift = -m * scale
        if b is not None:
            shift = shift + b.astype(cd, copy=False).reshape(bshape)
        y += shift
        return _save_norm(ctx, y, x, w, b, (m, rstd, axes, bshape, training), eps)

    @staticmethod
    def backward(ctx, grad):
        x, w, b = ctx.saved_tensors
        saved = ctx.saved
        eps = ctx.eps
        if saved[4]:
            axes, bshape = saved[2], saved[3]

            def ref(xx, ww, bb):
                return _bn_ref(xx, ww, bb, eps, axes, bshape)
        else:
            m, rstd, axes, bshape = saved[0], saved[1], saved[2], saved[3]

            def ref(xx, ww, bb):
                y = (xx - _wrap(m.astype(xx._data.dtype))) * _wrap(rstd.astype(xx._data.dtype))
                if ww is not None:
                    y = y * ww.reshape(bshape)
                if bb is not None:
                    y = y + bb.reshape(bshape)
                return y
        return _NormGrad.apply(grad, x, w, b, kind=_bn_backward_arrays, saved=saved, ref=ref)


def batch_norm_prim(x, w, b, mean, var, training, eps):
    """Returns (output, (batch_mean, batch_biased_var) or None)."""
    out = NativeBatchNormBackward0.apply(x, w, b, mean=mean, var=var, training=training, eps=eps)
    node = out._grad_fn
    stats = None
    if training:
        if node is not None:
            stats = node.batch_stats
        else:
            xa = x._data.astype(_cd(x._data), copy=False)
            axes = (0,) + tuple(range(2, xa.ndim))
            stats = (xa.mean(axis=axes), xa.var(axis=axes))
    return out, stats


# ----- layer norm -------------------------------------------------------------------------------

def _ln_backward_arrays(g, x, w, saved):
    mean, rstd, k = saved
    cd = _cd(x)
    ga, xa = g.astype(cd, copy=False), x.astype(cd, copy=False)
    axes = tuple(range(x.ndim - k, x.ndim))
    lead = tuple(range(x.ndim - k))
    xhat = (xa - mean) * rstd
    gb = ga.sum(axis=lead) if lead else ga
    gw = (ga * xhat).sum(axis=lead) if lead else ga * xhat
    gxh = ga if w is None else ga * w.astype(cd, copy=False)
    gx = rstd * (gxh - gxh.mean(axis=axes, keepdims=True)
                 - xhat * (gxh * xhat).mean(axis=axes, keepdims=True))
    return (gx.astype(x.dtype, copy=False), None if w is None else gw.astype(w.dtype, copy=False),
            gb.astype(x.dtype, copy=False))


class NativeLayerNormBackward0(Node):
    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        xp = array_module(x)
        cd = _cd(x)
        xa = x.astype(cd, copy=False)
        axes = tuple(range(x.ndim - k, x.ndim))
        m, xc, v = _centred_var(xa, axes)
        rstd = _rstd(v, eps, xp)
        y = _affine_(xc * rstd, w, b, cd)
        return _save_norm(ctx, y, x, w, b, (m, rstd, k), eps)

    @staticmethod
    def backward(ctx, grad):
        return _ref_backward(ctx, grad, _ln_backward_arrays, _ln_ref)


def layer_norm_prim(x, w, b, k, eps):
    return NativeLayerNormBackward0.apply(x, w, b, k=k, eps=eps)


# ----- group norm -------------------------------------------------------------------------------

def _gn_backward_arrays(g, x, w, saved):
    mean, rstd, G = saved
    cd = _cd(x)
    N, C = x.shape[0], x.shape[1]
    ga, xa = g.astype(cd, copy=False), x.astype(cd, copy=False)
    bshape = (1, C) + (1,) * (x.ndim - 2)
    xg = xa.reshape(N, G, -1)
    xhat = ((xg - mean) * rstd).reshape(x.shape)
    axes = (0,) + tuple(range(2, x.ndim))
    gb = ga.sum(axis=axes)
    gw = (ga * xhat).sum(axis=axes)
    gxh = ga if w is None else ga * w.astype(cd, copy=False).reshape(bshape)
    gxh = gxh.reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    gx = rstd * (gxh - gxh.mean(axis=2, keepdims=True) - xh * (gxh * xh).mean(axis=2, keepdims=True))
    return (gx.reshape(x.shape).astype(x.dtype, copy=False),
            None if w is None else gw.astype(w.dtype, copy=False), gb.astype(x.dtype, copy=False))


class NativeGroupNormBackward0(Node):
    @staticmethod
    def forward(ctx, x, w, b, G, eps):
        xp = array_module(x)
        cd = _cd(x)
        N, C = x.shape[0], x.shape[1]
        xg = x.astype(cd, copy=False).reshape(N, G, -1)
        m, xc, v = _centred_var(xg, (2,))
        rstd = _rstd(v, eps, xp)
        y = _affine_((xc * rstd).reshape(x.shape), w, b, cd, (1, C) + (1,) * (x.ndim - 2))
        return _save_norm(ctx, y, x, w, b, (m, rstd, G), eps)

    @staticmethod
    def backward(ctx, grad):
        return _ref_backward(ctx, grad, _gn_backward_arrays, _gn_ref)


def group_norm_prim(x, w, b, G, eps):
    return NativeGroupNormBackward0.apply(x, w, b, G=G, eps=eps)


# ----- vector p-norm ----------------------------------------------------------------------------

class NormBackward1(Node):
    """||x||_p over `dims` (torch's linalg.vector_norm), with torch's subgradients at zero."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        xp = array_module(x)
        a = xp.abs(x)
        if p == float('inf'):
            out = a.max(axis=dims, keepdims=True) if a.size else xp.zeros(
                tuple(1 if i in dims else s for i, s in enumerate(a.shape)), a.dtype)
        elif p == -float('inf'):
            out = a.min(axis=dims, keepdims=True)
        elif p == 0:
            out = (a != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = a.sum(axis=dims, keepdims=True)
        elif p == 2:
            out = xp.sqrt((a * a).sum(axis=dims, keepdims=True))
        else:
            with _quiet(a):
                out = (a ** p).sum(axis=dims, keepdims=True) ** (1.0 / p)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.save_for_backward(x, out)
        out = out.astype(x.dtype, copy=False)
        return out if keepdim else out.reshape(tuple(s for i, s in enumerate(out.shape) if i not in dims))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        if not ctx.keepdim:
            shape = list(x.shape)
            for d in dims:
                shape[d] = 1
            grad = grad.reshape(tuple(shape))
        if p == 0:
            return x * 0
        if p == 1:
            return grad * x.sgn()
        # `out` is the keepdim result; under create_graph it must stay connected to x
        if _state.enabled:
            out = NormBackward1.apply(x, p=p, dims=dims, keepdim=True)
        zero = _wrap(out._data == 0)
        if p == 2:
            safe = where(zero, out * 0 + 1, out)
            return where(zero, x * 0, grad * x / safe)
        if p in (float('inf'), -float('inf')):
            hit = _wrap((array_module(x._data).abs(x._data) == out._data).astype(x._data.dtype))
            cnt = hit.sum(dims, keepdim=True)
            return grad * x.sgn() * hit / cnt
        a = x.abs()
        safe = where(zero, out * 0 + 1, out)
        r = grad * x.sgn() * a.pow(p - 1) / safe.pow(p - 1)
        return where(zero, x * 0, r)


def vector_norm(x, p, dims, keepdim):
    return NormBackward1.apply(x, p=p, dims=tuple(dims), keepdim=keepdim)
