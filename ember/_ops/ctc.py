"""Connectionist Temporal Classification loss: the alpha-beta recursion in log space, vectorised
over the batch and the extended (blank-interleaved) target, looping over time.

The gradient is torch's: exp(log_probs) - posterior occupancy, i.e. the gradient with respect to
the logits when log_probs came from log_softmax (log_softmax's backward then leaves it unchanged).
"""
import numpy as np

from .._backend import array_module, to_numpy
from .._tensor import _wrap
from ..autograd.graph import Node

_NEG = -np.inf


def _lse(*arrs):
    m = arrs[0]
    for a in arrs[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isfinite(m), m, 0.0)
    s = sum(np.exp(a - safe) for a in arrs)
    with np.errstate(divide='ignore'):
        return np.where(np.isfinite(m), safe + np.log(s), m)


def _ctc(lp, targets, in_lens, tg_lens, blank):
    """Per-sample negative log likelihoods and d(nll)/d(log_probs) in torch's convention."""
    T, N, C = lp.shape
    Smax = int(tg_lens.max()) if N else 0
    S2 = 2 * Smax + 1
    ext = np.full((N, S2), blank, np.int64)
    for n in range(N):
        ext[n, 1:2 * tg_lens[n]:2] = targets[n][:tg_lens[n]]
    # skip transition s-2 -> s allowed when l'(s) is not blank and differs from l'(s-2)
    skip = np.zeros((N, S2), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    valid_s = np.arange(S2)[None, :] < (2 * tg_lens[:, None] + 1)
    rows = np.arange(N)[:, None]
    emit = np.empty((T, N, S2))
    for t in range(T):
        emit[t] = lp[t][rows, ext]
    emit[:, ~valid_s] = _NEG

    alpha = np.full((T, N, S2), _NEG)
    alpha[0, :, 0] = emit[0, :, 0]
    if S2 > 1:
        alpha[0, :, 1] = np.where(tg_lens > 0, emit[0, :, 1], _NEG)
    for t in range(1, T):
        a = alpha[t - 1]
        a1 = np.concatenate([np.full((N, 1), _NEG), a[:, :-1]], 1)
        a2 = np.concatenate([np.full((N, 2), _NEG), a[:, :-2]], 1)
        a2 = np.where(skip, a2, _NEG)
        alpha[t] = _lse(a, a1, a2) + emit[t]
    last = in_lens - 1
    aT = alpha[last, np.arange(N)]  # (N, S2)
    end = 2 * tg_lens
    e1 = aT[np.arange(N), end]
    e2 = np.where(tg_lens > 0, aT[np.arange(N), np.maximum(end - 1, 0)], _NEG)
    ll = _lse(e1, e2)
    nll = -ll

    beta = np.full((T, N, S2), _NEG)
    for n in range(N):
        tl = last[n]
        beta[tl, n, end[n]] = emit[tl, n, end[n]]
        if tg_lens[n] > 0:
            beta[tl, n, end[n] - 1] = emit[tl, n, end[n] - 1]
    skip_next = np.zeros((N, S2), bool)
    skip_next[:, :-2] = skip[:, 2:]
    for t in range(T - 2, -1, -1):
        b = beta[t + 1]
        b1 = np.concatenate([b[:, 1:], np.full((N, 1), _NEG)], 1)
        b2 = np.concatenate([b[:, 2:], np.full((N, 2), _NEG)], 1)
        b2 = np.where(skip_next, b2, _NEG)
        new = _lse(b, b1, b2) + emit[t]
        active = (t < last)[:, None]
        beta[t] = np.where(active, new, beta[t])
    ab = alpha + beta  # (T, N, S2)
    lcab = np.full((T, N, C), _NEG)
    for n in range(N):
        for s in range(int(2 * tg_lens[n] + 1)):
            c = ext[n, s]
            lcab[:, n, c] = _lse(lcab[:, n, c], ab[:, n, s])
    with np.errstate(over='ignore', invalid='ignore'):
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    tmask = np.arange(T)[:, None] < in_lens[None, :]
    grad = np.where(tmask[:, :, None], grad, 0.0)
    return nll, grad


class CtcLossBackward0(Node):
    @staticmethod
    def forward(ctx, lp, targets, in_lens, tg_lens, blank, zero_infinity):
        xp = array_module(lp)
        lpn = to_numpy(lp).astype(np.float64)
        tg = to_numpy(targets)
        il = to_numpy(in_lens).astype(np.int64)
        tl = to_numpy(tg_lens).astype(np.int64)
        if tg.ndim == 1:  # concatenated targets
            offs = np.concatenate([[0], np.cumsum(tl)[:-1]])
            rows = [tg[o:o + l] for o, l in zip(offs, tl)]
        else:
            rows = [tg[n] for n in range(tg.shape[0])]
        nll, grad = _ctc(lpn, rows, il, tl, blank)
        if zero_infinity:
            inf = ~np.isfinite(nll)
            nll = np.where(inf, 0.0, nll)
            grad = np.where(inf[None, :, None], 0.0, grad)
        ctx.grad = xp.asarray(grad.astype(lp.dtype))
        return xp.asarray(nll.astype(lp.dtype))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(1, -1, 1) * _wrap(ctx.grad), None, None, None


def ctc_prim(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    return CtcLossBackward0.apply(log_probs, targets, input_lengths, target_lengths, blank=blank,
                                  zero_infinity=zero_infinity)
