"""Convolution: im2col over a strided view plus one (batched) matrix product.

Two array-level primitives do the data movement and are each other's adjoint:
  * `Im2ColBackward0`: (N, C, *L) -> (N, C*prod(K), prod(P)), the windows of the zero-padded input
    read through `as_strided` and copied once (this is also `F.unfold`);
  * `Col2ImBackward0`: the reverse, adding every window back into a padded buffer (`F.fold`).
`ConvolutionBackward0` (conv and conv_transpose, the name torch gives both) computes its forward on
arrays, caching the im2col matrix, and writes its backward as Tensor ops over these two primitives
and `matmul`, so double backward works with no extra code.

A `Geom` describes one N-d geometry: kernel K, stride s, dilation d, left padding lo, the number
of windows P and the unpadded input length L per spatial dim. The padded buffer spans exactly
F = (P - 1) * s + d * (K - 1) + 1 positions starting at -lo, so the same Geom serves both
directions and asymmetric ('same') or negative padding needs no special case.
"""
import itertools

from .._backend import array_module
from ..autograd.graph import Node


class Geom:
    __slots__ = ('K', 's', 'd', 'lo', 'P', 'L', 'F')

    def __init__(self, K, s, d, lo, P, L):
        self.K, self.s, self.d, self.lo, self.P, self.L = K, s, d, lo, P, L
        self.F = tuple((p - 1) * st + dd * (k - 1) + 1 for p, st, dd, k in zip(P, s, d, K))

    def nk(self):
        n = 1
        for k in self.K:
            n *= k
        return n

    def np_(self):
        n = 1
        for p in self.P:
            n *= p
        return n


def pad_crop(a, lo, new_len, fill=0):
    """Re-window the trailing spatial dims of `a`: output index j holds input index j - lo[i]
    (`fill` outside the input); each lo may be negative, which crops."""
    nd = len(lo)
    L = a.shape[-nd:]
    if all(l == 0 for l in lo) and tuple(new_len) == tuple(L):
        return a
    xp = array_module(a)
    if fill == 0:
        out = xp.zeros(a.shape[:-nd] + tuple(new_len), a.dtype)
    else:
        out = xp.full(a.shape[:-nd] + tuple(new_len), fill, a.dtype)
    src, dst = [], []
    for l, n, m in zip(lo, L, new_len):
        d0 = max(l, 0)
        s0 = max(-l, 0)
        cnt = min(n - s0, m - d0)
        if cnt <= 0:
            return out
        src.append(slice(s0, s0 + cnt))
        dst.append(slice(d0, d0 + cnt))
    lead = (slice(None),) * (a.ndim - nd)
    out[lead + tuple(dst)] = a[lead + tuple(src)]
    return out


def _windows(ap, g):
    """A strided (N, C, *K, *P) view of the padded array ap (spatial extent >= F)."""
    xp = array_module(ap)
    nd = len(g.K)
    st = ap.strides
    sp = st[-nd:]
    shape = ap.shape[:-nd] + tuple(g.K) + tuple(g.P)
    strides = st[:-nd] + tuple(s * d for s, d in zip(sp, g.d)) + tuple(s * t for s, t in zip(sp, g.s))
    return xp.lib.stride_tricks.as_strided(ap, shape, strides, writeable=False)


def im2col(x, g):
    """(N, C, *L) -> contiguous (N, C * prod(K), prod(P))."""
    xp = array_module(x)
    ap = pad_crop(x, g.lo, g.F)
    w = _windows(ap, g)
    N, C = x.shape[0], x.shape[1]
    return xp.ascontiguousarray(w).reshape(N, C * g.nk(), g.np_())


def col2im(cols, g, C):
    """(N, C * prod(K), prod(P)) -> (N, C, *L), summing overlapping windows."""
    xp = array_module(cols)
    N = cols.shape[0]
    nd = len(g.K)
    c = cols.reshape((N, C) + tuple(g.K) + tuple(g.P))
    if all(s == k for s, k in zip(g.s, g.K)) and all(d == 1 for d in g.d):
        # non-overlapping windows: a pure permutation, no accumulation needed
        perm = [0, 1]
        for i in range(nd):
            perm += [2 + nd + i, 2 + i]
        buf = c.transpose(perm).reshape((N, C) + tuple(p * k for p, k in zip(g.P, g.K)))
        return pad_crop(buf, tuple(-l for l in g.lo), g.L)
    buf = xp.zeros((N, C) + g.F, cols.dtype)
    lead = (slice(None), slice(None))
    for kidx in itertools.product(*[range(k) for k in g.K]):
        sl = tuple(slice(k * d, k * d + s * (p - 1) + 1, s)
                   for k, d, s, p in zip(kidx, g.d, g.s, g.P))
        buf[lead + sl] += c[lead + kidx]
    return pad_crop(buf, tuple(-l for l in g.lo), g.L)


class Im2ColBackward0(Node):
    """Windows of the padded input as columns (F.unfold); `cached` reuses a computed result."""

    @staticmethod
    def forward(ctx, x, geom, cached=None):
        ctx.geom, ctx.C = geom, x.shape[1]
        return cached if cached is not None else im2col(x, geom)

    @staticmethod
    def backward(ctx, grad):
        return Col2ImBackward0.apply(grad, geom=ctx.geom, C=ctx.C)


class Col2ImBackward0(Node):
    """Sum columns back into their windows (F.fold); the adjoint of Im2ColBackward0."""

    @staticmethod
    def forward(ctx, cols, geom, C):
        ctx.geom = geom
        return col2im(cols, geom, C)

    @staticmethod
    def backward(ctx, grad):
        return Im2ColBackward0.apply(grad, geom=ctx.geom)


def _bias_shape(nd):
    return (1, -1) + (1,) * nd


class ConvolutionBackward0(Node):
    """y = conv(x, w) + b with w of shape (O, C / groups, *K)."""

    @staticmethod
    def forward(ctx, x, w, b, geom, groups):
        xp = array_module(x)
        N, C = x.shape[0], x.shape[1]
        O = w.shape[0]
        cols = im2col(x, geom)
        gk = C // groups * geom.nk()
        cols4 = cols.reshape(N, groups, gk, geom.np_())
        w3 = w.reshape(groups, O // groups, gk)
        if groups > 1 and O == groups and gk <= 32:
            # depthwise: many 1-row products are faster as one broadcast multiply-add
            out = xp.einsum('ngkp,gk->ngp', cols4, w3[:, 0, :])
        else:
            out = xp.matmul(w3, cols4)
        out = out.reshape((N, O) + tuple(geom.P))
        if b is not None:
            out += b.reshape(_bias_shape(len(geom.K)))
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(x, w)
        ctx.cols = cols
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        geom, groups = ctx.geom, ctx.groups
        N, C = x.shape[0], x.shape[1]
        O = w.shape[0]
        gk = C // groups * geom.nk()
        gy = grad.reshape(N, groups, O // groups, geom.np_())
        gx = gw = gb = None
        if n[1]:
            cols = Im2ColBackward0.apply(x, geom=geom, cached=ctx.cols)
            cols = cols.reshape(N, groups, gk, geom.np_())
            gw = gy.matmul(cols.transpose(-1, -2)).sum(0).reshape(w.shape)
        ctx.cols = None
        if n[0]:
            w3 = w.reshape(groups, O // groups, gk)
            gcols = w3.transpose(-1, -2).matmul(gy).reshape(N, C * geom.nk(), geom.np_())
            gx = Col2ImBackward0.apply(gcols, geom=geom, C=C)
        if len(n) > 2 and n[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


class _ConvTranspose(Node):
    """y = conv_transpose(x, w) + b with w of shape (C_in, C_out / groups, *K); `geom` is that of
    the conv whose input gradient this is (its L is the output length)."""

    @staticmethod
    def forward(ctx, x, w, b, geom, groups):
        xp = array_module(x)
        N, Cin = x.shape[0], x.shape[1]
        cog = w.shape[1]
        Cout = cog * groups
        gk = cog * geom.nk()
        w3 = w.reshape(groups, Cin // groups, gk)
        xv = x.reshape(N, groups, Cin // groups, geom.np_())
        cols = xp.matmul(w3.transpose(0, 2, 1), xv).reshape(N, Cout * geom.nk(), geom.np_())
        out = col2im(cols, geom, Cout)
        if b is not None:
            out += b.reshape(_bias_shape(len(geom.K)))
        ctx.geom, ctx.groups = geom, groups
        ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        geom, groups = ctx.geom, ctx.groups
        N, Cin = x.shape[0], x.shape[1]
        cog = w.shape[1]
        gk = cog * geom.nk()
        gx = gw = gb = None
        if n[0] or n[1]:
            gcols = Im2ColBackward0.apply(grad, geom=geom).reshape(N, groups, gk, geom.np_())
            if n[0]:
                w3 = w.reshape(groups, Cin // groups, gk)
                gx = w3.matmul(gcols).reshape(x.shape)
            if n[1]:
                xv = x.reshape(N, groups, Cin // groups, geom.np_())
                gw = xv.matmul(gcols.transpose(-1, -2)).sum(0).reshape(w.shape)
        if len(n) > 2 and n[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


_ConvTranspose.__name__ = _ConvTranspose.__qualname__ = 'ConvolutionBackward0'


def conv_prim(x, w, b, geom, groups):
    return ConvolutionBackward0.apply(x, w, b, geom=geom, groups=groups)


def conv_transpose_prim(x, w, b, geom, groups):
    return _ConvTranspose.apply(x, w, b, geom=geom, groups=groups)
