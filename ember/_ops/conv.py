"""Convolution as im2col over a strided view plus one matrix product per group.

Columns live in a (C * prod(K), prod(P) * N) layout: one row per (channel, kernel offset), one
column per (output position, sample), with the batch innermost. The forward, the weight gradient
and the input gradient are then each a single GEMM per group, and with the batch innermost every
im2col copy and every col2im accumulation moves contiguous runs of (at least) N elements instead of
rows of P_last, which is what makes small images fast.

Primitives, each pair the other's adjoint (so double backward is exact):
  * `ConvIm2Col` / `ConvCol2Im`: (N, C, *L) <-> columns;
  * `ToGrid` / `FromGrid`: (N, O, *P) <-> (O, prod(P) * N).
`ConvolutionBackward0` (conv and conv_transpose, the name torch gives both) runs its forward on
arrays, caching the columns, and writes its backward as Tensor ops over these and `matmul`.
"""
import itertools

from .._backend import array_module
from ..autograd.graph import Node
from ._windows import Geom, pad_crop, copy_window, _windows, Im2ColBackward0, Col2ImBackward0  # noqa: F401


def _prod(t):
    n = 1
    for v in t:
        n *= v
    return n


class Plan:
    """A Geom plus the sizes of its column layout."""

    __slots__ = ('g', 'nq', 'nk', 'kidx')

    def __init__(self, g):
        self.g = g
        self.nq = _prod(g.P)
        self.nk = _prod(g.K)
        self.kidx = list(itertools.product(*[range(k) for k in g.K]))


def _padded_batch_last(x, g):
    """(N, C, *L) -> zero-padded (C, *F, N)."""
    xp = array_module(x)
    N, C = x.shape[0], x.shape[1]
    buf = xp.zeros((C,) + tuple(g.F) + (N,), x.dtype)
    copy_window(xp.moveaxis(buf, -1, 1), x.swapaxes(0, 1), g.lo)
    return buf


def conv_cols(x, pl):
    """(N, C, *L) -> contiguous columns (C * prod(K), prod(P) * N)."""
    xp = array_module(x)
    g = pl.g
    N, C = x.shape[0], x.shape[1]
    buf = _padded_batch_last(x, g)
    st = buf.strides
    sp = st[1:-1]
    shape = (C,) + tuple(g.K) + tuple(g.P) + (N,)
    strides = (st[0],) + tuple(a * d for a, d in zip(sp, g.d)) + \
        tuple(a * s for a, s in zip(sp, g.s)) + (st[-1],)
    v = xp.lib.stride_tricks.as_strided(buf, shape, strides, writeable=False)
    return xp.ascontiguousarray(v).reshape(C * pl.nk, pl.nq * N)


def conv_uncols(cols, pl, C, N):
    """The adjoint of conv_cols: columns summed back into (N, C, *L)."""
    xp = array_module(cols)
    g = pl.g
    c = cols.reshape((C,) + tuple(g.K) + tuple(g.P) + (N,))
    buf = xp.zeros((C,) + tuple(g.F) + (N,), cols.dtype)
    for kidx in pl.kidx:
        sl = tuple(slice(k * d, k * d + s * (p - 1) + 1, s)
                   for k, d, s, p in zip(kidx, g.d, g.s, g.P))
        buf[(slice(None),) + sl] += c[(slice(None),) + kidx]
    out = xp.zeros((N, C) + tuple(g.L), cols.dtype)
    copy_window(out.swapaxes(0, 1), xp.moveaxis(buf, -1, 1), tuple(-l for l in g.lo))
    return out


def to_grid(y, pl):
    """(N, O, *P) -> (O, prod(P) * N), batch innermost."""
    xp = array_module(y)
    return xp.ascontiguousarray(xp.moveaxis(y, 0, -1)).reshape(y.shape[1], pl.nq * y.shape[0])


def from_grid(t, pl, N):
    """(O, prod(P) * N) -> contiguous (N, O, *P)."""
    xp = array_module(t)
    v = t.reshape((t.shape[0],) + tuple(pl.g.P) + (N,))
    return xp.ascontiguousarray(xp.moveaxis(v, -1, 0))


class ConvIm2Col(Node):
    @staticmethod
    def forward(ctx, x, plan, cached=None):
        ctx.plan, ctx.C, ctx.N = plan, x.shape[1], x.shape[0]
        return cached if cached is not None else conv_cols(x, plan)

    @staticmethod
    def backward(ctx, grad):
        return ConvCol2Im.apply(grad, plan=ctx.plan, C=ctx.C, N=ctx.N)


class ConvCol2Im(Node):
    @staticmethod
    def forward(ctx, cols, plan, C, N):
        ctx.plan = plan
        return conv_uncols(cols, plan, C, N)

    @staticmethod
    def backward(ctx, grad):
        return ConvIm2Col.apply(grad, plan=ctx.plan)


class ToGrid(Node):
    @staticmethod
    def forward(ctx, y, plan):
        ctx.plan, ctx.N = plan, y.shape[0]
        return to_grid(y, plan)

    @staticmethod
    def backward(ctx, grad):
        return FromGrid.apply(grad, plan=ctx.plan, N=ctx.N)


class FromGrid(Node):
    @staticmethod
    def forward(ctx, t, plan, N):
        ctx.plan = plan
        return from_grid(t, plan, N)

    @staticmethod
    def backward(ctx, grad):
        return ToGrid.apply(grad, plan=ctx.plan)


def _bias_shape(nd):
    return (1, -1) + (1,) * nd


class ConvolutionBackward0(Node):
    """y = conv(x, w) + b with w of shape (O, C / groups, *K)."""

    @staticmethod
    def forward(ctx, x, w, b, plan, groups):
        xp = array_module(x)
        N, C = x.shape[0], x.shape[1]
        O = w.shape[0]
        cols = conv_cols(x, plan)
        gk = C // groups * plan.nk
        w3 = w.reshape(groups, O // groups, gk)
        out = xp.matmul(w3, cols.reshape(groups, gk, N * plan.nq)).reshape(O, N * plan.nq)
        out = from_grid(out, plan, N)
        if b is not None:
            out += b.reshape(_bias_shape(len(plan.g.K)))
        ctx.plan, ctx.groups = plan, groups
        ctx.save_for_backward(x, w)
        ctx.cols = cols
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        plan, groups = ctx.plan, ctx.groups
        N, C = x.shape[0], x.shape[1]
        O = w.shape[0]
        gk = C // groups * plan.nk
        nq = N * plan.nq
        gx = gw = gb = None
        if n[0] or n[1]:
            gy = ToGrid.apply(grad, plan=plan).reshape(groups, O // groups, nq)
            if n[1]:
                cols = ConvIm2Col.apply(x, plan=plan, cached=ctx.cols).reshape(groups, gk, nq)
                gw = gy.matmul(cols.transpose(-1, -2)).reshape(w.shape)
            if n[0]:
                w3 = w.reshape(groups, O // groups, gk)
                gcols = w3.transpose(-1, -2).matmul(gy).reshape(C * plan.nk, nq)
                gx = ConvCol2Im.apply(gcols, plan=plan, C=C, N=N)
        ctx.cols = None
        if len(n) > 2 and n[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


class _ConvTranspose(Node):
    """y = conv_transpose(x, w) + b with w of shape (C_in, C_out / groups, *K); the plan is that
    of the conv whose input gradient this is (its L is the output length)."""

    @staticmethod
    def forward(ctx, x, w, b, plan, groups):
        xp = array_module(x)
        N, Cin = x.shape[0], x.shape[1]
        cog = w.shape[1]
        Cout = cog * groups
        gk = cog * plan.nk
        w3 = w.reshape(groups, Cin // groups, gk)
        xt = to_grid(x, plan).reshape(groups, Cin // groups, N * plan.nq)
        cols = xp.matmul(w3.transpose(0, 2, 1), xt).reshape(Cout * plan.nk, N * plan.nq)
        out = conv_uncols(cols, plan, Cout, N)
        if b is not None:
            out += b.reshape(_bias_shape(len(plan.g.K)))
        ctx.plan, ctx.groups = plan, groups
        ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        plan, groups = ctx.plan, ctx.groups
        N, Cin = x.shape[0], x.shape[1]
        cog = w.shape[1]
        gk = cog * plan.nk
        nq = N * plan.nq
        gx = gw = gb = None
        if n[0] or n[1]:
            gcols = ConvIm2Col.apply(grad, plan=plan).reshape(groups, gk, nq)
            if n[0]:
                w3 = w.reshape(groups, Cin // groups, gk)
                gx = FromGrid.apply(w3.matmul(gcols).reshape(Cin, nq), plan=plan, N=N)
            if n[1]:
                xt = ToGrid.apply(x, plan=plan).reshape(groups, Cin // groups, nq)
                gw = xt.matmul(gcols.transpose(-1, -2)).reshape(w.shape)
        if len(n) > 2 and n[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


_ConvTranspose.__name__ = _ConvTranspose.__qualname__ = 'ConvolutionBackward0'


def conv_prim(x, w, b, geom, groups):
    return ConvolutionBackward0.apply(x, w, b, plan=Plan(geom), groups=groups)


def conv_transpose_prim(x, w, b, geom, groups):
    return _ConvTranspose.apply(x, w, b, plan=Plan(geom), groups=groups)
