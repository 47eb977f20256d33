"""The recurrent loop shared by nn.RNN, nn.LSTM and nn.GRU (compositions of primitives only).

Per layer and direction: the input projection of every timestep is one matmul up front (its result
unbound into per-step views), then each step is one `h @ W_hh.T` and one fused cell node
(`ember/_ops/rnn_cell.py`). A plain LSTM direction runs the same steps, input projection
included, inside a single layer node (`ember/_ops/rnn_layer.py`, torch's MkldnnRnnLayerBackward0).
Packed sequences run as padded, time-major batches sorted by decreasing length, with a per-step
row mask that freezes the state of finished sequences, so the final hidden state of every
sequence is the one after its own last step.
"""
import numpy as np

from .._backend import array_module
from .._ops.comparison import where
from .._ops.linalg_core import _tn, linear, mm
from .._ops.rnn_cell import lstm_cell, gru_cell
from .._ops.rnn_layer import lstm_layer
from .._ops.selection import cat, stack, unbind
from .._tensor import _wrap


def step_masks(batch_sizes, batch, xp):
    """Per timestep a bool (batch, 1) array: True for rows whose sequence is still running."""
    rows = np.arange(batch)[:, None]
    if xp is np:
        return [rows < int(b) for b in batch_sizes]
    return [xp.asarray(rows < int(b)) for b in batch_sizes]


def run_rnn(mode, x, hx, cx, weights, num_layers, bidirectional, has_bias, proj_size, dropout,
            training, masks=None):
    """Run the stacked recurrence over a padded time-major input.

    x: (T, B, I); hx: (L*D, B, Hr) or None; cx: (L*D, B, H) or None (LSTM).
    weights: the module's flat weight list in torch's order. Returns (output, h_n, c_n).
    """
    D = 2 if bidirectional else 1
    per = 2 + (2 if has_bias else 0) + (1 if proj_size > 0 else 0)
    T, B = x.shape[0], x.shape[1]
    h_n, c_n = [], []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            w = weights[k * per:(k + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih = b_hh = None
            if has_bias:
                b_ih, b_hh = w[2], w[3]
            w_hr = w[-1] if proj_size > 0 else None
            h0 = hx[k] if hx is not None else None
            c0 = cx[k] if cx is not None else None
            out, hT, cT = _run_direction(mode, layer_in, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr,
                                         d == 1, masks, T, B)
            outs.append(out)
            h_n.append(hT)
            if cT is not None:
                c_n.append(cT)
        layer_in = outs[0] if D == 1 else cat(outs, 2)
        if dropout and training and layer < num_layers - 1:
            from . import functional as F
            layer_in = F.dropout(layer_in, dropout, training=True)
    return layer_in, stack(h_n, 0), (stack(c_n, 0) if c_n else None)


def _run_direction(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr, reverse, masks, T, B):
    if mode == 'LSTM' and w_hr is None:
        # the whole direction, input projection included, as one node (the same per-step math,
        # looped over arrays)
        _check_dtypes(x, w_ih)
        return lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h, c, masks, reverse)
    if mode == 'GRU':
        gi = linear(x, w_ih, b_ih)
    else:
        # b_hh only ever adds to the same gates as b_ih, so it is folded into the one projection
        bias = b_ih + b_hh if b_ih is not None else None
        gi = linear(x, w_ih, bias)
    steps = unbind(gi, 0)
    w_hh_t = w_hh.t()
    w_hr_t = w_hr.t() if w_hr is not None else None
    outs = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    if h is None:
        h = _zeros(x, B, w_hh.shape[1])
    if mode == 'LSTM' and c is None:
        c = _zeros(x, B, w_hh.shape[0] // 4)
    for t in order:
        m = masks[t] if masks is not None else None
        if mode == 'LSTM':
            hg = mm(h, w_hh_t)
            if w_hr_t is None:
                h, c = lstm_cell(steps[t], hg, c, h if m is not None else None, m)
            else:
                hnew, c = lstm_cell(steps[t], hg, c, None, m)
                hnew = mm(hnew, w_hr_t)
                h = hnew if m is None else where(_wrap(m), hnew, h)
        elif mode == 'GRU':
            h = gru_cell(steps[t], linear(h, w_hh, b_hh), h, m)
        else:
            pre = steps[t] + mm(h, w_hh_t)
            hnew = pre.tanh() if mode == 'RNN_TANH' else pre.relu()
            h = hnew if m is None else where(_wrap(m), hnew, h)
        outs[t] = h
    return stack(outs, 0), h, (c if mode == 'LSTM' else None)


def _check_dtypes(x, w):
    # the message linear() gives for the same mismatch
    if x._data.dtype != w._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tn(x.dtype)} and "
                           f"{_tn(w.dtype)}")


def _zeros(like, *shape):
    return _wrap(array_module(like._data).zeros(shape, like._data.dtype))
