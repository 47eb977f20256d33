"""Separable linear resampling: adaptive average pooling and interpolate (nearest, linear,
bilinear, bicubic, trilinear) as one small matrix per spatial dimension.

Each of these maps is linear in the input and acts on every spatial dimension independently, so
y = x x_0 M_0 x_1 M_1 ... with M_i of shape (out_i, in_i). The backward applies the transposed
matrices (the same primitive), which makes every order of derivative exact.
"""
import numpy as np

from .._backend import array_module
from ..autograd.graph import Node


def apply_mats(x, mats):
    xp = array_module(x)
    nd = len(mats)
    for i, m in enumerate(mats):
        if m is None:
            continue
        m = xp.asarray(m, dtype=x.dtype)
        ax = x.ndim - nd + i
        if ax == x.ndim - 1:
            x = xp.matmul(x, m.T)
        else:
            x = xp.moveaxis(xp.matmul(xp.moveaxis(x, ax, -1), m.T), -1, ax)
    return xp.ascontiguousarray(x)


class _Separable(Node):
    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        return apply_mats(x, mats)

    @staticmethod
    def backward(ctx, grad):
        return _SeparableT.apply(grad, mats=tuple(None if m is None else m.T for m in ctx.mats))


class _SeparableT(_Separable):
    pass


_NAMES = {}


def separable(x, mats, name):
    """Apply per-dim matrices; the graph node is named `name` (torch's grad_fn name)."""
    cls = _NAMES.get(name)
    if cls is None:
        cls = _NAMES[name] = type(name, (_Separable,), {})
    return cls.apply(x, mats=tuple(mats))


# ----- the matrices ---------------------------------------------------------------------------

def adaptive_avg_matrix(L, O):
    m = np.zeros((O, L))
    for i in range(O):
        s = (i * L) // O
        e = -((-(i + 1) * L) // O)
        m[i, s:e] = 1.0 / (e - s)
    return m


def _scale(L, O, align_corners, scale):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return (L - 1) / (O - 1) if O > 1 else 0.0
    if scale is not None and scale > 0:
        return 1.0 / scale
    return L / O


def nearest_matrix(L, O, scale, exact=False):
    sc = (1.0 / scale) if (scale is not None and scale > 0) else L / O
    dst = np.arange(O, dtype=np.float64)
    # torch computes the source index in float32
    if exact:
        src = np.floor(((dst + 0.5) * np.float32(sc)).astype(np.float32))
    else:
        src = np.floor((dst.astype(np.float32) * np.float32(sc)).astype(np.float32))
    src = np.minimum(src.astype(np.int64), L - 1)
    m = np.zeros((O, L))
    m[np.arange(O), src] = 1.0
    return m


def linear_matrix(L, O, align_corners, scale):
    sc = _scale(L, O, align_corners, scale)
    dst = np.arange(O, dtype=np.float64)
    if align_corners:
        src = dst * sc
    else:
        src = np.maximum((dst + 0.5) * sc - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), L - 1)
    i1 = np.minimum(i0 + 1, L - 1)
    lam = src - i0
    m = np.zeros((O, L))
    np.add.at(m, (np.arange(O), i0), 1 - lam)
    np.add.at(m, (np.arange(O), i1), lam)
    return m


def _cubic_weights(t, A=-0.75):
    def c1(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return c2(t + 1), c1(t), c1(1 - t), c2(2 - t)


def cubic_matrix(L, O, align_corners, scale):
    sc = _scale(L, O, align_corners, scale)
    dst = np.arange(O, dtype=np.float64)
    src = dst * sc if align_corners else (dst + 0.5) * sc - 0.5
    i = np.floor(src).astype(np.int64)
    t = src - i
    m = np.zeros((O, L))
    for k, w in zip(range(-1, 3), _cubic_weights(t)):
        idx = np.clip(i + k, 0, L - 1)
        np.add.at(m, (np.arange(O), idx), w)
    return m


def is_integer_ratio(L, O):
    return O > 0 and L % O == 0


__all__ = ['separable', 'adaptive_avg_matrix', 'nearest_matrix', 'linear_matrix', 'cubic_matrix']
