"""Fused recurrent cells: all of an LSTM's or GRU's gate math after the two gate products, as one
graph node each way.

A recurrent step is `igates` (the input projection, computed for every timestep up front) plus
`hgates` (`h @ W_hh.T`, one product per step), then the cell below. Forward computes the
nonlinearities and the new state in a handful of whole-array NumPy calls; backward computes the
gate gradients the same way. When the backward itself must be recorded (`create_graph=True`), the
same formulas are evaluated with ember Tensor ops from the saved inputs, so double backward works.

An optional boolean `mask` (batch, 1) freezes the rows whose sequence has ended (packed
sequences run as padded batches): where it is False the state passes through unchanged.
"""
from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node as Function
from ..autograd.grad_mode import _state

_LSTM_SCALE = {}


def _lstm_scale(hidden, dtype, xp):
    # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5, so one tanh over all four gate blocks serves both
    # nonlinearities: the i, f, o blocks are pre-scaled by 1/2, the g block by 1.
    key = (hidden, dtype, xp)
    s = _LSTM_SCALE.get(key)
    if s is None:
        s = xp.full(4 * hidden, 0.5, dtype)
        s[2 * hidden:3 * hidden] = 1
        _LSTM_SCALE[key] = s
    return s


class ThnnFusedLstmCellBackward0(Function):
    """(hy, cy) of an LSTM cell from its pre-activation gate halves and the previous cell state."""

    @staticmethod
    def forward(ctx, igates, hgates, cx, hx=None, mask=None):
        xp = array_module(igates)
        H = cx.shape[-1]
        a = igates + hgates if hgates is not None else igates.copy()
        a *= _lstm_scale(H, a.dtype, xp)
        xp.tanh(a, out=a)
        g = a[..., 2 * H:3 * H].copy()
        a *= 0.5
        a += 0.5                       # i, f, o blocks now hold their sigmoids
        i, f, o = a[..., :H], a[..., H:2 * H], a[..., 3 * H:]
        cy = f * cx
        cy += i * g
        tc = xp.tanh(cy)
        hy = o * tc
        if mask is not None:
            cy = xp.where(mask, cy, cx)
            if hx is not None:
                hy = xp.where(mask, hy, hx)
        ctx.mask = mask
        ctx.save_for_backward(igates, hgates, cx, a, g, tc)
        return hy, cy

    @staticmethod
    def backward(ctx, dhy, dcy):
        ig, hg, cx, a, g, tc = ctx.saved_tensors
        mask = ctx.mask
        n = ctx.needs_input_grad
        if _state.enabled:
            return _lstm_backward_graph(ig, hg, cx, dhy, dcy, mask, n)
        a, g, tc, cxa, dh, dc_in = a._data, g._data, tc._data, cx._data, dhy._data, dcy._data
        xp = array_module(a)
        H = cxa.shape[-1]
        if mask is not None:
            dh_m, dc_m = dh * mask, dc_in * mask
        else:
            dh_m, dc_m = dh, dc_in
        i, f, o = a[..., :H], a[..., H:2 * H], a[..., 3 * H:]
        dc = o * (1 - tc * tc)
        dc *= dh_m
        dc += dc_m
        da = xp.empty_like(a)
        xp.multiply(dc, g, out=da[..., :H])
        xp.multiply(dc, cxa, out=da[..., H:2 * H])
        xp.multiply(dh_m, tc, out=da[..., 3 * H:])
        da *= a * (1 - a)              # sigmoid' for i, f, o (the g block is overwritten next)
        dgb = da[..., 2 * H:3 * H]
        xp.multiply(g, g, out=dgb)
        xp.subtract(1, dgb, out=dgb)
        dgb *= i
        dgb *= dc
        dcx = dc * f
        dhx = None
        if mask is not None:
            dcx += xp.where(mask, 0, dc_in)
            if n[3]:
                dhx = _wrap(xp.where(mask, 0, dh))
        dat = _wrap(da)
        return (dat if n[0] else None), (dat if n[1] else None), (_wrap(dcx) if n[2] else None), dhx


def _lstm_backward_graph(ig, hg, cx, dhy, dcy, mask, n):
    """The LSTM cell gradient as ember Tensor ops (recorded when create_graph=True)."""
    from .. import cat
    H = cx.shape[-1]
    gates = ig + hg if hg is not None else ig
    i = gates[..., :H].sigmoid()
    f = gates[..., H:2 * H].sigmoid()
    g = gates[..., 2 * H:3 * H].tanh()
    o = gates[..., 3 * H:].sigmoid()
    tc = (f * cx + i * g).tanh()
    m = None
    if mask is not None:
        m = _wrap(mask.astype(cx._data.dtype))
        dhy_m, dcy_m = dhy * m, dcy * m
    else:
        dhy_m, dcy_m = dhy, dcy
    dc = dcy_m + dhy_m * o * (1 - tc * tc)
    da = cat([dc * g * i * (1 - i), dc * cx * f * (1 - f), dc * i * (1 - g * g),
              dhy_m * tc * o * (1 - o)], -1)
    dcx = dc * f
    dhx = None
    if m is not None:
        dcx = dcx + dcy * (1 - m)
        if n[3]:
            dhx = dhy * (1 - m)
    return (da if n[0] else None), (da if n[1] else None), (dcx if n[2] else None), dhx


class ThnnFusedGruCellBackward0(Function):
    """hy of a GRU cell from its input and hidden gate products (hgates includes b_hh)."""

    @staticmethod
    def forward(ctx, igates, hgates, hx, mask=None):
        xp = array_module(igates)
        H = hx.shape[-1]
        rz = igates[..., :2 * H] + hgates[..., :2 * H]
        rz *= 0.5
        xp.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        r = rz[..., :H]
        z = rz[..., H:]
        npre = r * hgates[..., 2 * H:]
        npre += igates[..., 2 * H:]
        nn_ = xp.tanh(npre, out=npre)
        hy = hx - nn_
        hy *= z
        hy += nn_
        if mask is not None:
            hy = xp.where(mask, hy, hx)
        ctx.mask = mask
        ctx.save_for_backward(igates, hgates, hx, rz, nn_)
        return hy

    @staticmethod
    def backward(ctx, dhy):
        ig, hg, hx, rz, nn_ = ctx.saved_tensors
        mask = ctx.mask
        n = ctx.needs_input_grad
        if _state.enabled:
            return _gru_backward_graph(ig, hg, hx, dhy, mask, n)
        rz, nv, hxa, hga, dh = rz._data, nn_._data, hx._data, hg._data, dhy._data
        xp = array_module(rz)
        H = hxa.shape[-1]
        dh_m = dh * mask if mask is not None else dh
        r, z = rz[..., :H], rz[..., H:]
        dgi = xp.empty(rz.shape[:-1] + (3 * H,), rz.dtype)
        dan = dgi[..., 2 * H:]
        xp.subtract(1, z, out=dan)
        dan *= dh_m
        dan *= 1 - nv * nv              # through the tanh of n
        xp.multiply(dan, hga[..., 2 * H:], out=dgi[..., :H])
        xp.subtract(hxa, nv, out=dgi[..., H:2 * H])
        dgi[..., H:2 * H] *= dh_m
        dgi[..., :2 * H] *= rz * (1 - rz)
        dgh = dgi.copy()
        dgh[..., 2 * H:] *= r
        dhx = dh_m * z
        if mask is not None:
            dhx += xp.where(mask, 0, dh)
        return (_wrap(dgi) if n[0] else None), (_wrap(dgh) if n[1] else None), \
            (_wrap(dhx) if n[2] else None)


def _gru_backward_graph(ig, hg, hx, dhy, mask, n):
    """The GRU cell gradient as ember Tensor ops (recorded when create_graph=True)."""
    from .. import cat
    H = hx.shape[-1]
    r = (ig[..., :H] + hg[..., :H]).sigmoid()
    z = (ig[..., H:2 * H] + hg[..., H:2 * H]).sigmoid()
    hn = hg[..., 2 * H:]
    nv = (ig[..., 2 * H:] + r * hn).tanh()
    m = None
    if mask is not None:
        m = _wrap(mask.astype(hx._data.dtype))
        dh_m = dhy * m
    else:
        dh_m = dhy
    dan = dh_m * (1 - z) * (1 - nv * nv)
    dar = dan * hn * r * (1 - r)
    daz = dh_m * (hx - nv) * z * (1 - z)
    dgi = cat([dar, daz, dan], -1)
    dgh = cat([dar, daz, dan * r], -1)
    dhx = dh_m * z
    if m is not None:
        dhx = dhx + dhy * (1 - m)
    return (dgi if n[0] else None), (dgh if n[1] else None), (dhx if n[2] else None)


def lstm_cell(igates, hgates, cx, hx=None, mask=None):
    """(hy, cy) of one LSTM step; `mask` (bool, (batch, 1)) keeps (hx, cx) where False."""
    return ThnnFusedLstmCellBackward0.apply(igates, hgates, cx, hx, mask=mask)


def gru_cell(igates, hgates, hx, mask=None):
    """hy of one GRU step; `mask` (bool, (batch, 1)) keeps hx where False."""
    return ThnnFusedGruCellBackward0.apply(igates, hgates, hx, mask=mask)
