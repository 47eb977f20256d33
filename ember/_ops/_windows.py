"""Window geometry shared by convolution, unfold/fold and pooling.

A `Geom` describes one N-d sliding-window geometry: kernel K, stride s, dilation d, left padding
lo, the number of windows P and the unpadded input length L per spatial dim. The padded buffer
spans exactly F = (P - 1) * s + d * (K - 1) + 1 positions starting at -lo, so the same Geom serves
both directions and asymmetric ('same') or negative padding needs no special case.

`Im2ColBackward0` / `Col2ImBackward0` (F.unfold / F.fold) move data between (N, C, *L) and the
(N, C * prod(K), prod(P)) column layout; each is the other's adjoint.
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
    copy_window(out, a, lo)
    return out


def copy_window(out, a, lo):
    """out[..., j] = a[..., j - lo] over the trailing dims, wherever both exist."""
    nd = len(lo)
    src, dst = [], []
    for l, n, m in zip(lo, a.shape[-nd:], out.shape[-nd:]):
        d0 = max(l, 0)
        s0 = max(-l, 0)
        cnt = min(n - s0, m - d0)
        if cnt <= 0:
            return
        src.append(slice(s0, s0 + cnt))
        dst.append(slice(d0, d0 + cnt))
    lead = (slice(None),) * (a.ndim - nd)
    out[lead + tuple(dst)] = a[lead + tuple(src)]


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
