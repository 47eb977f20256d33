"""unique, unique_consecutive, searchsorted, bucketize, histc, bincount (no gradients)."""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, _wrap, _wrap_dim
from .reduction import _type_name
from ._opargs import out_result as _out, require_tensor as _check


def _pack(out, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return out
    res = [out]
    if return_inverse:
        res.append(inverse)
    if return_counts:
        res.append(counts)
    return tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along `dim`), sorted; optionally the inverse map and the
    counts. NaNs are all distinct, as in torch."""
    _check('unique', input)
    a = input._data
    xp = array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        vals, inv, cnt = xp.unique(flat, return_inverse=True, return_counts=True, equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        d = _wrap_dim(int(dim), a.ndim)
        if a.ndim == 0:
            raise IndexError("unique(): dim out of range for a 0-d tensor")
        if a.shape[d] == 0:
            vals = a.copy()
            inv = xp.zeros((0,), np.int64)
            cnt = xp.zeros((0,), np.int64)
        else:
            vals, inv, cnt = xp.unique(a, return_inverse=True, return_counts=True, axis=d,
                                       equal_nan=False)
            inv = inv.reshape(-1)
    return _pack(_wrap(vals), _wrap(inv.astype(np.int64)), _wrap(cnt.astype(np.int64)),
                 return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along `dim`)."""
    _check('unique_consecutive', input)
    a = input._data
    xp = array_module(a)
    if dim is None:
        rows = a.reshape(-1, 1)
        d = None
    else:
        d = _wrap_dim(int(dim), a.ndim)
        rows = xp.moveaxis(a, d, 0).reshape(a.shape[d], -1) if a.ndim else a.reshape(1, 1)
    n = rows.shape[0]
    if n == 0:
        starts = xp.zeros((0,), bool)
    else:
        change = (rows[1:] != rows[:-1]).any(axis=1)
        starts = xp.concatenate([xp.ones((1,), bool), change])
    pos = xp.nonzero(starts)[0]
    counts = xp.diff(xp.concatenate([pos, xp.asarray([n])])).astype(np.int64)
    inverse = (xp.cumsum(starts) - 1).astype(np.int64)
    if d is None:
        vals = a.reshape(-1)[pos]
        inverse = inverse.reshape(a.shape)
    else:
        vals = xp.take(a, pos, axis=d) if a.ndim else a.copy()
    return _pack(_wrap(vals), _wrap(inverse), _wrap(counts), return_inverse, return_counts)


def _common(seq, vals):
    dt = D.promote_types(D.from_numpy(seq.dtype), D.from_numpy(vals.dtype))
    return seq.astype(dt.np, copy=False), vals.astype(dt.np, copy=False)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Indices at which `input` would be inserted to keep the innermost dim of sorted_sequence
    sorted (the first such index, or the last with right=True / side='right')."""
    _check('searchsorted', sorted_sequence, 'sorted_sequence')
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if side == 'left' and right:
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                               "side of left while right was True")
        right = side == 'right'
    seq = sorted_sequence._data
    xp = array_module(seq)
    scalar = not isinstance(input, Tensor)
    if scalar:
        if not isinstance(input, (numbers.Number, np.generic)):
            raise TypeError(f"searchsorted(): argument 'input' must be Tensor or Number, not "
                            f"{type(input).__name__}")
        vals = xp.asarray(input)
        if seq.ndim != 1:
            raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                               "boundaries tensor dimension is 1, but we got boundaries tensor "
                               f"dim({seq.ndim}) and input value's dim(0) numel(1)")
    else:
        vals = input._data
    if sorter is not None:
        s = sorter._data if isinstance(sorter, Tensor) else xp.asarray(sorter)
        if s.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, "
                               f"but got boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(s.shape)}")
        seq = xp.take_along_axis(seq, s.astype(np.int64), axis=-1)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, "
                           "but got 0 dimension")
    if seq.ndim > 1 and (vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
    seq, vals = _common(seq, vals)
    how = 'right' if right else 'left'
    if seq.ndim == 1:
        r = xp.searchsorted(seq, vals, side=how)
    else:
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = vals.reshape(-1, vals.shape[-1])
        r = xp.stack([xp.searchsorted(s2[i], v2[i], side=how) for i in range(s2.shape[0])]) \
            if s2.shape[0] else xp.zeros(v2.shape, np.int64)
        r = r.reshape(vals.shape)
    r = xp.asarray(r).astype(np.int32 if out_int32 else np.int64)
    return _out(_wrap(r), out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket (defined by 1-D `boundaries`) each element falls into."""
    _check('bucketize', boundaries, 'boundaries', 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with `bins` equal-width bins over [min, max] (the data's range when equal)."""
    _check('histc', input)
    a = input._data
    if a.dtype.kind not in 'f' and a.dtype != D._BF16:
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_type_name(input.dtype)}\'')
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for bins")
    xp = array_module(a)
    x = a.astype(np.float64).reshape(-1)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    if lo == hi:
        finite = x[xp.isfinite(x)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = (x >= lo) & (x <= hi)
    xs = x[inside]
    # the bin position is computed in the input's precision, as torch does
    ft = a.dtype.type
    pos = ((a.reshape(-1)[inside] - ft(lo)) * ft(bins) / (ft(hi) - ft(lo))).astype(np.float64)
    idx = xp.clip(xp.floor(pos).astype(np.int64), 0, bins - 1) if xs.size else \
        xp.zeros((0,), np.int64)
    r = xp.bincount(idx, minlength=bins)[:bins].astype(a.dtype)
    return _out(_wrap(r), out)


def bincount(input, weights=None, minlength=0):
    """Count of each non-negative integer value (or the sum of `weights` falling on it)."""
    _check('bincount', input)
    a = input._data
    if a.dtype.kind not in 'iub':
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_type_name(input.dtype)}\'')
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = array_module(a)
    if weights is None:
        return _wrap(xp.bincount(a.astype(np.int64), minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    r = xp.bincount(a.astype(np.int64), weights=w.astype(np.float64), minlength=minlength)
    dt = w.dtype if w.dtype.kind == 'f' else np.dtype(np.float64)
    return _wrap(r.astype(dt))
