"""embedding, embedding_bag and one_hot."""
import numpy as np

from ..._backend import array_module, to_numpy
from ..._ops import embedding as E
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad


def _check_indices(input, fname='embedding'):
    if input._data.dtype.kind not in 'iu':
        from ..._ops.reduction import _type_name
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got torch.{_type_name(input.dtype)}Tensor instead (while "
                           f"checking arguments for {fname})")


def _padding_idx(padding_idx, num):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < num, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
        padding_idx = num + padding_idx
    return padding_idx


def _renorm_(weight, idx, max_norm, norm_type):
    """Scale the referenced rows whose norm exceeds max_norm down to max_norm (in place)."""
    xp = array_module(weight._data)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    sub = w[rows]
    if norm_type == float('inf'):
        nrm = xp.abs(sub).max(axis=1)
    else:
        nrm = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(nrm > max_norm, max_norm / (nrm + 1e-7), 1.0).astype(w.dtype)
    with no_grad():
        w[rows] = sub * scale[:, None]
        weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer indices in `input` (any shape)."""
    _check_indices(input)
    num = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, num)
    idx = input._data.astype(np.int64, copy=False)
    if idx.size and (int(idx.min()) < -num or int(idx.max()) >= num or int(idx.min()) < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return E.embedding_prim(weight, idx, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes of bags of embeddings without materialising the per-index rows."""
    _check_indices(input, 'embedding_bag')
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError(f"mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is "
                                  f"only supported for mode='sum' (got mode='{mode}'). Please open a "
                                  "feature request on GitHub.")
    num = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, num)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a "
                             f"mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        B, Lb = input.shape
        flat = input.reshape(-1)
        offs = np.arange(0, B * Lb, Lb) if Lb else np.zeros(B, np.int64)
        psw = per_sample_weights.reshape(-1) if per_sample_weights is not None else None
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        flat = input
        offs = to_numpy(offsets._data).astype(np.int64)
        if len(offs) and offs[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                               f"start from position 0. However, got {offs[0]}")
        if include_last_offset:
            offs = offs[:-1]
        psw = per_sample_weights
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    idx = to_numpy(flat._data).astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, array_module(weight._data).asarray(idx), max_norm, norm_type)
    B = len(offs)
    n = len(idx)
    seg = E.segment_ids(offs, n)
    keep = np.ones(n, bool) if padding_idx is None else idx != padding_idx
    xp = array_module(weight._data)
    rows = E.embedding_prim(weight, xp.asarray(idx[keep]), None, scale_grad_by_freq)
    segk = seg[keep]
    if mode == 'max':
        outs = []
        for b in range(B):
            sel = np.nonzero(segk == b)[0]
            if len(sel) == 0:
                outs.append(weight[0] * 0)
            else:
                r = rows[xp.asarray(sel)]
                outs.append(_max_rows(r))
        from ..._ops.activation import cat2
        if not outs:
            return weight[:0] * 0
        res = outs[0].unsqueeze(0)
        for o in outs[1:]:
            res = cat2(res, o.unsqueeze(0), 0)
        return res
    if psw is not None:
        rows = rows * psw[_wrap(xp.asarray(np.nonzero(keep)[0]))].unsqueeze(1)
    out = E.segment_sum(rows, xp.asarray(segk), B)
    if mode == 'mean':
        cnt = np.bincount(segk, minlength=B).astype(np.float64)
        cnt = np.maximum(cnt, 1)
        out = out / _wrap(xp.asarray(cnt.astype(weight._data.dtype)).reshape(B, 1))
    return out


def _max_rows(r):
    """Column-wise max over the rows of r, gradient to the (first) argmax row."""
    a = r._data
    xp = array_module(a)
    arg = a.argmax(axis=0)
    return r[(xp.asarray(arg), xp.arange(a.shape[1]))]


def one_hot(tensor, num_classes=-1):
    """Integer class indices -> int64 one-hot rows (num_classes inferred as max + 1 when -1)."""
    if not isinstance(tensor, Tensor) or tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = array_module(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if int(a.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(a.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(np.int64)
    return _wrap(out)


__all__ = ['embedding', 'embedding_bag', 'one_hot']
