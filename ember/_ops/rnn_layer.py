"""A whole LSTM layer (one direction) as one graph node: torch's CPU `MkldnnRnnLayerBackward0`.

The computation is the per-step one (`h @ W_hh.T` plus the fused cell math of `rnn_cell.py`),
run in a loop over NumPy arrays, so a 50-step sequence costs one node instead of a hundred.
Backward walks the steps in reverse with one `dgates @ W_hh` product per step and forms the
W_hh gradient as a single product over all steps; the input-gate gradient is the stacked gate
gradients, no scatter needed. When the backward must itself be differentiable
(`create_graph=True`), it rebuilds the per-step graph from the saved inputs (fused cell nodes,
which have their own differentiable backward) and differentiates that.
"""
from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node as Function
from ..autograd.grad_mode import _state
from .rnn_cell import _lstm_scale, lstm_cell


class MkldnnRnnLayerBackward0(Function):
    """(output (T, B, H), h_T, c_T) of one LSTM layer direction.

    Inputs: gi (T, B, 4H) = x W_ih^T + b_ih + b_hh for every step; h0, c0 (B, H) or None (zeros);
    w_hh (4H, H). `masks` (per-step bool (B, 1), or None) freeze finished rows; `reverse` runs the
    steps from last to first.
    """

    @staticmethod
    def forward(ctx, gi, h0, c0, w_hh, masks=None, reverse=False):
        xp = array_module(gi)
        T, B, G = gi.shape
        H = G // 4
        dt = gi.dtype
        zero_h0 = h0 is None
        if zero_h0:
            h0 = xp.zeros((B, H), dt)
        if c0 is None:
            c0 = xp.zeros((B, H), dt)
        scale = _lstm_scale(H, dt, xp)
        # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: the halving is folded into the inputs and weights
        # once, so each step is one tanh over all four gate blocks and one affine fix-up
        acts = gi * scale                 # becomes sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)
        w_t = (w_hh * scale[:, None]).T
        mul, add = _affine(B, H, dt, xp)
        cs = xp.empty((T, B, H), dt)      # cell state after each step
        tcs = xp.empty((T, B, H), dt)     # tanh of the new cell (before any mask)
        out = xp.empty((T, B, H), dt)
        tmp = xp.empty((B, G), dt)
        ig = xp.empty((B, H), dt)
        h, c = h0, c0
        H2, H3 = 2 * H, 3 * H
        for k, t in enumerate(range(T - 1, -1, -1) if reverse else range(T)):
            a = acts[t]
            if k or not zero_h0:          # a zero initial state adds nothing
                xp.matmul(h, w_t, out=tmp)
                a += tmp
            xp.tanh(a, out=a)
            a *= mul
            a += add
            cn = cs[t]
            xp.multiply(a[:, H:H2], c, out=cn)
            xp.multiply(a[:, :H], a[:, H2:H3], out=ig)
            cn += ig
            tc = tcs[t]
            xp.tanh(cn, out=tc)
            hn = out[t]
            xp.multiply(a[:, H3:], tc, out=hn)
            if masks is not None:
                m = masks[t]
                xp.copyto(cn, c, where=~m)
                xp.copyto(hn, h, where=~m)
            h, c = hn, cn
        ctx.masks, ctx.reverse = masks, reverse
        ctx.save_for_backward(gi, h0, c0, w_hh, out, cs, tcs, acts)
        return out, h.copy(), c.copy()

    @staticmethod
    def backward(ctx, dout, dhT, dcT):
        gi, h0, c0, w_hh, out, cs, tcs, acts = ctx.saved_tensors
        n = ctx.needs_input_grad
        if _state.enabled:
            return _layer_backward_graph(ctx, gi, h0, c0, w_hh, dout, dhT, dcT, n)
        masks, reverse = ctx.masks, ctx.reverse
        w = w_hh._data
        outa, csa, tcsa, a = out._data, cs._data, tcs._data, acts._data
        h0a, c0a = h0._data, c0._data
        xp = array_module(a)
        T, B, G = a.shape
        H = G // 4
        H2, H3 = 2 * H, 3 * H
        # every factor that does not depend on the incoming gradient, for all steps at once
        c_prev = _shifted(csa, c0a, reverse, xp)
        i, f, g, o = a[..., :H], a[..., H:H2], a[..., H2:H3], a[..., H3:]
        q = a * (1 - a)                   # sigmoid' on the i, f, o blocks
        q[..., :H] *= g
        q[..., H:H2] *= c_prev
        xp.multiply(g, g, out=q[..., H2:H3])
        xp.subtract(1, q[..., H2:H3], out=q[..., H2:H3])
        q[..., H2:H3] *= i
        q[..., H3:] *= tcsa
        p1 = tcsa * tcsa
        xp.subtract(1, p1, out=p1)
        p1 *= o
        q3 = q.reshape(T, B, 4, H)[:, :, :3]
        dG = xp.empty_like(a)
        dG3 = dG.reshape(T, B, 4, H)[:, :, :3]
        douta = dout._data
        # steps whose output gradient is all zero (e.g. only the last output is used) skip the add
        live = douta.reshape(T, -1).any(1).tolist()
        dh = dhT._data.copy()
        dc = dcT._data.copy()
        dct = xp.empty_like(dc)
        order = range(T) if reverse else range(T - 1, -1, -1)
        last = order[-1]
        for t in order:
            if live[t]:
                dh += douta[t]
            if masks is not None:
                m = masks[t]
                keep_h, keep_c = xp.where(m, 0, dh), xp.where(m, 0, dc)
                dh *= m
                dc *= m
            xp.multiply(dh, p1[t], out=dct)
            dct += dc
            xp.multiply(dct[:, None, :], q3[t], out=dG3[t])
            xp.multiply(dh, q[t, :, H3:], out=dG[t, :, H3:])
            dc = dct * f[t]
            if masks is not None:
                dc += keep_c
            if t == last and not n[1]:
                break                     # the initial state needs no gradient
            dh = dG[t] @ w
            if masks is not None:
                dh += keep_h
        dw = None
        if n[3]:
            # h_{t-1} of every step: one product over all steps gives the whole W_hh gradient
            hp = _shifted(outa, h0a, reverse, xp)
            dw = _wrap(dG.reshape(T * B, G).T @ hp.reshape(T * B, H))
        return (_wrap(dG) if n[0] else None), (_wrap(dh) if n[1] else None), \
            (_wrap(dc) if n[2] else None), dw


_AFFINE = {}


def _affine(batch, hidden, dtype, xp):
    """(mul, add) turning tanh(x / 2) into sigmoid(x) on the i, f, o blocks, identity on g.

    Materialised at the full (batch, 4 * hidden) shape: same-shape operands are about twice as
    fast as a broadcast row in NumPy's inner loops.
    """
    key = (batch, hidden, dtype, xp)
    r = _AFFINE.get(key)
    if r is None:
        mul = xp.full((batch, 4 * hidden), 0.5, dtype)
        add = xp.full((batch, 4 * hidden), 0.5, dtype)
        mul[:, 2 * hidden:3 * hidden] = 1
        add[:, 2 * hidden:3 * hidden] = 0
        r = _AFFINE[key] = (mul, add)
        if len(_AFFINE) > 64:
            _AFFINE.pop(next(iter(_AFFINE)))
    return r


def _shifted(seq, first, reverse, xp):
    """The value before each step: `first` at the first processed step, seq[t -+ 1] elsewhere."""
    prev = xp.empty_like(seq)
    if reverse:
        prev[:-1] = seq[1:]
        prev[-1] = first
    else:
        prev[1:] = seq[:-1]
        prev[0] = first
    return prev


def _layer_backward_graph(ctx, gi, h0, c0, w_hh, dout, dhT, dcT, n):
    """Differentiable backward: rebuild the steps as a graph of fused cells and differentiate it."""
    from .. import autograd, stack
    from .linalg_core import mm
    masks, reverse = ctx.masks, ctx.reverse
    T = gi.shape[0]
    w_t = w_hh.t()
    h, c = h0, c0
    outs = [None] * T
    steps = gi.unbind(0)
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        m = masks[t] if masks is not None else None
        h, c = lstm_cell(steps[t], mm(h, w_t), c, h if m is not None else None, m)
        outs[t] = h
    ins = [x for x, need in zip((gi, h0, c0, w_hh), n) if need]
    grads = iter(autograd.grad([stack(outs, 0), h, c], ins, [dout, dhT, dcT], create_graph=True,
                               allow_unused=True))
    return tuple(next(grads) if need else None for need in n)


def lstm_layer(gi, h0, c0, w_hh, masks=None, reverse=False):
    """(output, h_T, c_T) of one LSTM layer direction over precomputed input gates `gi`."""
    return MkldnnRnnLayerBackward0.apply(gi, h0, c0, w_hh, masks=masks, reverse=reverse)
