"""A whole LSTM layer (one direction) as one graph node: torch's CPU `MkldnnRnnLayerBackward0`.

Like torch's node it takes the layer input and all four weights: the input projection of every
step is one product up front, then each step is `h @ W_hh.T` plus the fused cell math of
`rnn_cell.py`, run in a loop over NumPy arrays, so a 50-step sequence costs one node instead of a
hundred. The gate activations are kept block-major, (T, 4, B, H), so every gate block of a step
is contiguous. Backward walks the steps in reverse with one `dgates @ W_hh` product per step and
forms the W_ih, W_hh and bias gradients as single products over all steps. When the backward
must itself be differentiable (`create_graph=True`), it rebuilds the per-step graph from the
saved inputs (a linear projection and fused cell nodes, which have their own differentiable
backward) and differentiates that.
"""
from .._backend import array_module
from .._tensor import _wrap
from ..autograd.graph import Node as Function
from ..autograd.grad_mode import _state
from .rnn_cell import _lstm_scale, lstm_cell


class MkldnnRnnLayerBackward0(Function):
    """(output (T, B, H), h_T, c_T) of one LSTM layer direction, input projection included.

    Inputs: x (T, B, I); w_ih (4H, I); w_hh (4H, H); b_ih, b_hh (4H) or None; h0, c0 (B, H) or
    None (zeros). `masks` (per-step bool (B, 1), or None) freeze finished rows; `reverse` runs the
    steps from last to first.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0, masks=None, reverse=False):
        xp = array_module(x)
        T, B = x.shape[0], x.shape[1]
        G = w_ih.shape[0]
        H = G // 4
        dt = x.dtype
        zero_h0 = h0 is None
        if zero_h0:
            h0 = xp.zeros((B, H), dt)
        if c0 is None:
            c0 = xp.zeros((B, H), dt)
        scale = _lstm_scale(H, dt, xp)
        # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: the halving is folded into the weights and bias
        # once, so each step is one tanh over all four gate blocks and one affine fix-up.
        # The gate activations are kept block-major, (T, 4, B, H): every gate block of a step is
        # contiguous, which makes the cell math here and the whole-sequence passes of backward
        # about twice as fast as on (B, 4H) column blocks. The input projection writes them in
        # that order directly, as a product batched over (step, gate block), with the bias as an
        # extra input column of ones (cheaper than a separate pass over the activations).
        w_in = w_ih
        if b_ih is not None:
            I = x.shape[2]
            xa = xp.empty((T, B, I + 1), dt)
            xa[..., :I] = x
            xa[..., I] = 1
            x_in = xa
            w_in = xp.concatenate([w_ih, (b_ih + b_hh)[:, None]], 1)
        else:
            x_in = x
        w_in4 = xp.ascontiguousarray((w_in * scale[:, None]).reshape(4, H, -1).transpose(0, 2, 1))
        # becomes sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)
        acts = xp.matmul(x_in.reshape(T, 1, B, -1), w_in4)
        # W_hh as four (H, H) blocks: the batched product writes h W_hh^T block-major, as
        # fast as the single (B, 4H) product and without a strided add
        w4 = xp.ascontiguousarray((w_hh * scale[:, None]).reshape(4, H, H).transpose(0, 2, 1))
        mul, add = _affine(B, H, dt, xp)
        cs = xp.empty((T, B, H), dt)      # cell state after each step
        tcs = xp.empty((T, B, H), dt)     # tanh of the new cell (before any mask)
        out = xp.empty((T, B, H), dt)
        tmp = xp.empty((4, B, H), dt)
        ig = xp.empty((B, H), dt)
        h, c = h0, c0
        matmul, tanh, multiply = xp.matmul, xp.tanh, xp.multiply
        for k, t in enumerate(range(T - 1, -1, -1) if reverse else range(T)):
            a = acts[t]
            if k or not zero_h0:          # a zero initial state adds nothing
                matmul(h, w4, out=tmp)
                a += tmp
            tanh(a, out=a)
            a *= mul
            a += add
            cn = cs[t]
            multiply(a[1], c, out=cn)
            multiply(a[0], a[2], out=ig)
            cn += ig
            tc = tcs[t]
            tanh(cn, out=tc)
            hn = out[t]
            multiply(a[3], tc, out=hn)
            if masks is not None:
                m = masks[t]
                xp.copyto(cn, c, where=~m)
                xp.copyto(hn, h, where=~m)
            h, c = hn, cn
        ctx.masks, ctx.reverse, ctx.zero_h0 = masks, reverse, zero_h0
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, cs, tcs, acts)
        return out, h.copy(), c.copy()

    @staticmethod
    def backward(ctx, dout, dhT, dcT):
        n = ctx.needs_input_grad
        if _state.enabled:
            return _layer_backward_graph(ctx, *ctx.saved_tensors[:7], dout, dhT, dcT, n)
        x, w_ih, w, _, _, h0a, c0a, outa, csa, tcsa, a = ctx.saved_arrays()
        masks, reverse = ctx.masks, ctx.reverse
        xp = array_module(a)
        T, _, B, H = a.shape
        G = 4 * H
        q, p1 = _grad_factors(a, csa, tcsa, c0a, reverse, xp)
        f = a[:, 1]
        dG = xp.empty((T, B, G), a.dtype)
        dG4 = dG.reshape(T, B, 4, H).transpose(0, 2, 1, 3)
        douta = dout._data
        # steps whose output gradient is all zero (e.g. only the last output is used) skip the add
        live = douta.reshape(T, -1).any(1).tolist()
        dh = dhT._data.copy()
        dc = dcT._data.copy()
        dct = xp.empty_like(dc)
        order = range(T) if reverse else range(T - 1, -1, -1)
        last = order[-1]
        matmul, multiply = xp.matmul, xp.multiply
        for t in order:
            if live[t]:
                dh += douta[t]
            if masks is not None:
                m = masks[t]
                keep_h, keep_c = xp.where(m, 0, dh), xp.where(m, 0, dc)
                dh *= m
                dc *= m
            multiply(dh, p1[t], out=dct)
            dct += dc
            g4 = dG4[t]
            multiply(dct, q[t, :3], out=g4[:3])
            multiply(dh, q[t, 3], out=g4[3])
            multiply(dct, f[t], out=dc)
            if masks is not None:
                dc += keep_c
            if t == last and not n[5]:
                break                     # the initial state needs no gradient
            matmul(dG[t], w, out=dh)      # dh has been used up by this step: reuse it
            if masks is not None:
                dh += keep_h
        dG2 = dG.reshape(T * B, G)
        dx = dw_ih = dw_hh = db_ih = db_hh = None
        if n[0]:
            dx = _wrap(matmul(dG2, w_ih).reshape(x.shape))
        if n[1]:
            dw_ih = _wrap(matmul(dG2.T, x.reshape(T * B, -1)))
        if n[2]:
            dw_hh = _wrap(_w_hh_grad(dG, outa, h0a, ctx.zero_h0, reverse, xp))
        if n[3] or n[4]:
            # column sums through BLAS: much faster than sum(axis=0) over a tall, narrow matrix
            db = xp.ones(T * B, dG.dtype) @ dG2 if dG.dtype.itemsize >= 4 else dG2.sum(0)
            db_ih = _wrap(db) if n[3] else None
            db_hh = _wrap(db.copy() if n[3] else db) if n[4] else None
        return dx, dw_ih, dw_hh, db_ih, db_hh, (_wrap(dh) if n[5] else None), \
            (_wrap(dc) if n[6] else None)


def _grad_factors(a, cs, tcs, c0, reverse, xp):
    """Every backward factor that does not depend on the incoming gradient, for all steps at once.

    a: the block-major activations (T, 4, B, H). q (T, 4, B, H): dG = [dc~ * q_i, dc~ * q_f,
    dc~ * q_g, dh * q_o] with dc~ the cell gradient of the step; p1 (T, B, H): dc~ = dh * p1 + dc.
    """
    i, g, o = a[:, 0], a[:, 2], a[:, 3]
    q = xp.subtract(1, a)
    q *= a                            # s (1 - s): sigmoid' on the i, f, o blocks
    q[:, 0] *= g
    # c_{t-1} without materialising the shifted sequence
    qf = q[:, 1]
    if reverse:
        qf[:-1] *= cs[1:]
        qf[-1] *= c0
    else:
        qf[1:] *= cs[:-1]
        qf[0] *= c0
    qg = q[:, 2]
    xp.multiply(g, g, out=qg)
    xp.subtract(1, qg, out=qg)
    qg *= i
    q[:, 3] *= tcs
    p1 = xp.multiply(tcs, tcs)
    xp.subtract(1, p1, out=p1)
    p1 *= o
    return q, p1


def _w_hh_grad(dG, out, h0, zero_h0, reverse, xp):
    """sum_t dG_t^T h_{t-1}: one product over all steps (a zero initial state drops its step)."""
    T, B, G = dG.shape
    H = out.shape[-1]
    if reverse:
        dg, hp = dG[:-1], out[1:]
        first = dG[-1]
    else:
        dg, hp = dG[1:], out[:-1]
        first = dG[0]
    dw = xp.matmul(dg.reshape((T - 1) * B, G).T, hp.reshape((T - 1) * B, H))
    if not zero_h0:
        dw += first.T @ h0
    return dw


_AFFINE = {}


def _affine(batch, hidden, dtype, xp):
    """(mul, add) turning tanh(x / 2) into sigmoid(x) on the i, f, o blocks, identity on g.

    Materialised at the full block-major (4, batch, hidden) shape: same-shape operands are about
    twice as fast as a broadcast in NumPy's inner loops.
    """
    key = (batch, hidden, dtype, xp)
    r = _AFFINE.get(key)
    if r is None:
        mul = xp.full((4, batch, hidden), 0.5, dtype)
        add = xp.full((4, batch, hidden), 0.5, dtype)
        mul[2] = 1
        add[2] = 0
        r = _AFFINE[key] = (mul, add)
        if len(_AFFINE) > 64:
            _AFFINE.pop(next(iter(_AFFINE)))
    return r


def _layer_backward_graph(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0, dout, dhT, dcT, n):
    """Differentiable backward: rebuild the steps as a graph of fused cells and differentiate it."""
    from .. import autograd, stack
    from .linalg_core import linear, mm
    masks, reverse = ctx.masks, ctx.reverse
    T = x.shape[0]
    gi = linear(x, w_ih, b_ih)
    if b_hh is not None:
        gi = gi + b_hh
    w_t = w_hh.t()
    h, c = h0, c0
    outs = [None] * T
    steps = gi.unbind(0)
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        m = masks[t] if masks is not None else None
        h, c = lstm_cell(steps[t], mm(h, w_t), c, h if m is not None else None, m)
        outs[t] = h
    ins = [v for v, need in zip((x, w_ih, w_hh, b_ih, b_hh, h0, c0), n) if need]
    grads = iter(autograd.grad([stack(outs, 0), h, c], ins, [dout, dhT, dcT], create_graph=True,
                               allow_unused=True))
    return tuple(next(grads) if need else None for need in n)


def lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0, masks=None, reverse=False):
    """(output, h_T, c_T) of one LSTM layer direction over the input sequence x (T, B, I)."""
    return MkldnnRnnLayerBackward0.apply(x, w_ih, w_hh, b_ih, b_hh, h0, c0, masks=masks,
                                         reverse=reverse)
