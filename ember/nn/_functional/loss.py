"""Loss functions: torch's argument handling and checks around the primitives of
`ember/_ops/nn_losses.py`, or compositions of Tensor ops where torch composes too."""
import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._argcheck import checks_own_input
from ..._backend import device_of, move, to_numpy
from ..._ops._helpers import broadcast_shapes_msg
from ..._ops.reduction import _type_name
from ..._ops import nn_losses as L
from ..._ops.comparison import where
from ..._ops.pointwise_binary import clamp_min, minimum
from ..._ops.creation import tensor as _tensor
from ..._tensor import Tensor, _wrap
from .activation import log_softmax, relu, logsigmoid, softplus
from ._utils import reduction_enum, shape_str


def _apply_reduction(loss, reduction):
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


from ..._ops.loss import MseLossBackward0, mse_loss_prim  # noqa: E402


def _same_size_warning(input, target, stacklevel=3):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=stacklevel + 1)


def _promote(a, b):
    if a._data.dtype != b._data.dtype:
        dt = D.promote_types(a.dtype, b.dtype)
        return a.to(dt), b.to(dt)
    return a, b


def _check_bcast(a, b):
    msg = broadcast_shapes_msg(a.shape, b.shape)
    if msg:
        raise RuntimeError(msg)


@checks_own_input  # (torch fails on a non-Tensor here with an AttributeError, as this does)
def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean squared error."""
    if weight is None and size_average is None and reduce is None and \
            reduction in ('mean', 'sum', 'none'):
        # the common case (same shape and dtype) goes straight to the fused primitive
        try:
            a, b = input._data, target._data
        except AttributeError:  # not Tensors: the checks below name the problem
            pass
        else:
            if a.shape == b.shape and a.dtype == b.dtype:
                return MseLossBackward0.apply(input, target, reduction=reduction)
    reduction = reduction_enum(size_average, reduce, reduction)
    _same_size_warning(input, target)
    _check_bcast(input, target)
    input, target = _promote(input, target)
    if weight is not None:
        return _apply_reduction((input - target).pow(2) * weight, reduction)
    if input.shape != target.shape:
        input, target = _broadcast_pair(input, target)
    return mse_loss_prim(input, target, reduction)


def _broadcast_pair(a, b):
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return a.expand(shape), b.expand(shape)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean absolute error."""
    reduction = reduction_enum(size_average, reduce, reduction)
    _same_size_warning(input, target)
    _check_bcast(input, target)
    d = (input - target).abs()
    if weight is not None:
        d = d * weight
    return _apply_reduction(d, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """Quadratic below beta, linear above (Huber loss divided by beta)."""
    reduction = reduction_enum(size_average, reduce, reduction)
    _same_size_warning(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_bcast(input, target)
    input, target = _promote(input, target)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    if input.shape != target.shape:
        input, target = _broadcast_pair(input, target)
    return L.SmoothL1LossBackward0.apply(input, target, beta=float(beta), reduction=reduction)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """Quadratic below delta, delta-scaled linear above."""
    reduction = reduction_enum(None, None, reduction)
    _same_size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_bcast(input, target)
    input, target = _promote(input, target)
    if input.shape != target.shape:
        input, target = _broadcast_pair(input, target)
    if weight is not None:
        loss = L.HuberLossBackward0.apply(input, target, delta=float(delta), reduction='none')
        return _apply_reduction(loss * weight, reduction)
    return L.HuberLossBackward0.apply(input, target, delta=float(delta), reduction=reduction)


def _class_target_checks(input, target, weight, fname='nll_loss'):
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif input.dim() == 2:
        if target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}).")
    else:
        if input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}).")
        exp = tuple(input.shape[:1]) + tuple(input.shape[2:])
        if tuple(target.shape) != exp:
            raise RuntimeError(f"Expected target size {shape_str(exp)}, got {shape_str(target.shape)}")
    k = target._data.dtype
    if not ((k.kind == 'i' and k.itemsize == 8) or (k.kind == 'u' and k.itemsize == 1)):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_name(target.dtype)}")
    C = input.shape[1] if input.dim() >= 2 else input.shape[0]
    if weight is not None and (weight.numel() != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but "
                           f"got weight tensor of shape: {shape_str(weight.shape)}")
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                           f"{_type_name(weight.dtype)}")
    return C


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    """Negative log likelihood of class indices given log-probabilities (class dim 1)."""
    reduction = reduction_enum(size_average, reduce, reduction)
    C = _class_target_checks(input, target, weight)
    x, t = input, target
    if x.dim() == 1:
        x = x.unsqueeze(0)
        t = t.reshape(1)
    ta = t._data.astype('int64', copy=False)
    bad = (ta != ignore_index) & ((ta < 0) | (ta >= C))
    if bad.any():
        raise IndexError(f"Target {int(ta[bad].ravel()[0])} is out of bounds.")
    out = L.nll_prim(x, _wrap(ta), None if weight is None else weight.reshape(-1), ignore_index,
                     reduction)
    if input.dim() == 1 and reduction == 'none':
        out = out.reshape(())
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    """log_softmax over dim 1 then nll_loss, for class-index or class-probability targets."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    cdim = 0 if input.dim() == 1 else 1
    if tuple(target.shape) == tuple(input.shape):
        if target._data.dtype.kind not in 'fV':
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_type_name(target.dtype)}")
        return _ce_prob(input, target, weight, reduction, label_smoothing, cdim)
    lp = log_softmax(input, cdim)
    nll = nll_loss(lp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return nll
    C = input.shape[cdim]
    ignore = _wrap(target._data == ignore_index)
    if weight is not None:
        shape = [1] * input.dim()
        shape[cdim] = C
        smooth = -(lp * weight.reshape(shape)).sum(cdim)
    else:
        smooth = -lp.sum(cdim)
    smooth = where(ignore, smooth * 0, smooth)
    if reduction == 'mean':
        keep = ~ignore._data
        if weight is not None:
            denom = weight._data[target._data[keep]].sum()
        else:
            denom = keep.sum()
        ret = smooth.sum() / _tensor(float(denom), dtype=input.dtype)
    elif reduction == 'sum':
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - label_smoothing) + ret * (label_smoothing / C)


def _ce_prob(input, target, weight, reduction, label_smoothing, cdim):
    C = input.shape[cdim]
    lp = log_softmax(input, cdim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / C
    prod = lp * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[cdim] = C
        prod = prod * weight.reshape(shape)
    if reduction == 'mean':
        if input.numel() == 0:
            return -prod.sum() * float('nan')
        return -prod.sum() / (input.numel() / C)
    if reduction == 'sum':
        return -prod.sum()
    return -prod.sum(cdim)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction='mean'):
    """-(y log x + (1 - y) log(1 - x)), logs clamped at -100."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        shape = np.broadcast_shapes(tuple(weight.shape), tuple(input.shape))
        weight = weight.expand(shape)
    return L.BinaryCrossEntropyBackward0.apply(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    """Sigmoid + binary cross entropy in one numerically stable step (pos_weight scales positives)."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return L.BinaryCrossEntropyWithLogitsBackward0.apply(input, target, weight, pos_weight,
                                                          reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """KL(target || exp(input)) pointwise: target * (log target - input)."""
    if size_average is not None or reduce is not None:
        reduction = reduction_enum(size_average, reduce, reduction)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                      "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                      "major release.", UserWarning, stacklevel=2)
    if reduction not in ('mean', 'sum', 'none', 'batchmean'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = _wrap(target._data > 0)
        safe = where(pos, target, target * 0 + 1)
        loss = target * safe.log() - target * input
    if reduction == 'batchmean':
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _apply_reduction(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    """Negative log likelihood of a Poisson target with rate exp(input) (or input)."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        mask = _wrap(target._data > 1)
        safe = where(mask, target, target * 0 + 1)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(mask, stirling, stirling * 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """Negative log likelihood of target under N(input, var)."""
    if isinstance(var, (int, float)):
        var = _tensor(float(var), dtype=input.dtype)
        var = var.expand(input.shape)
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = _ClampNoGrad.apply(var, lo=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, reduction)


from ...autograd.graph import Node


class _ClampNoGrad(Node):
    """clamp_min applied as torch does inside no_grad on a clone: the gradient passes unchanged."""

    @staticmethod
    def forward(ctx, a, lo):
        return np.maximum(a, lo).astype(a.dtype, copy=False) if type(a) is np.ndarray else \
            a.clip(lo, None)

    @staticmethod
    def backward(ctx, g):
        return g


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction='mean'):
    """max(0, -y * (x1 - x2) + margin)."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got "
                           f"sizes: input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _apply_reduction(clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    """x where y == 1, max(0, margin - x) where y == -1."""
    reduction = reduction_enum(size_average, reduce, reduction)
    zeros = input * 0
    margin_clamp = clamp_min(margin - input, 0)
    out_margin = where(_wrap(target._data != 1), margin_clamp, zeros)
    out_self = where(_wrap(target._data != -1), input, zeros)
    return _apply_reduction(out_margin + out_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """log(1 + exp(-y * x))."""
    reduction = reduction_enum(size_average, reduce, reduction)
    return _apply_reduction(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction='mean'):
    """Per-class logistic loss averaged over classes."""
    reduction = reduction_enum(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    C = input.shape[-1] if input.dim() else 1
    loss = loss.sum(dim=input.dim() - 1) / C if input.dim() else loss
    return _apply_reduction(loss, reduction)


def _host(t):
    """Target indices on the host (they only shape constant masks)."""
    return to_numpy(t._data)


def _dev(arr, like):
    """A host-built constant on the device of tensor `like`."""
    return _wrap(move(arr, device_of(like._data)))


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """sum over (target j, non-target i) of max(0, 1 - (x[j] - x[i])) / C; targets end at -1."""
    reduction = reduction_enum(size_average, reduce, reduction)
    x = input.unsqueeze(0) if input.dim() == 1 else input
    N, C = x.shape
    tn = _host(target).reshape(N, C).astype(np.int64)
    valid = np.cumprod(tn >= 0, axis=1).astype(bool)  # entries before the first -1
    tgt = np.where(valid, tn, 0)
    is_t = np.zeros((N, C), bool)
    rows = np.repeat(np.arange(N), C)
    is_t[rows[valid.ravel()], tgt[valid]] = True
    xt = x[(np.arange(N)[:, None], tgt)]  # (N, C): score of each listed target
    m = relu(1 - xt.unsqueeze(2) + x.unsqueeze(1))  # (N, j, i)
    mask = valid[:, :, None] & ~is_t[:, None, :]
    loss = (m * _dev(mask.astype(x._data.dtype), x)).sum((1, 2)) / C
    if input.dim() == 1:
        loss = loss.reshape(())
    return _apply_reduction(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    """sum over i != y of max(0, margin - x[y] + x[i])^p / C (times weight[y])."""
    reduction = reduction_enum(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input.unsqueeze(0) if input.dim() == 1 else input
    N, C = x.shape
    t = _host(target).reshape(-1).astype(np.int64)
    if ((t < 0) | (t >= C)).any():
        raise RuntimeError("target out of range")
    xy = x[(np.arange(N), t)].unsqueeze(1)
    m = relu(margin - xy + x)
    if p == 2:
        m = m * m
    if weight is not None:
        m = m * weight[(t,)].unsqueeze(1)
    off = np.ones((N, C), x._data.dtype)
    off[np.arange(N), t] = 0
    loss = (m * _dev(off, x)).sum(1) / C
    if input.dim() == 1:
        loss = loss.reshape(())
    return _apply_reduction(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction='mean'):
    """1 - cos(x1, x2) where y == 1, max(0, cos - margin) where y == -1."""
    reduction = reduction_enum(size_average, reduce, reduction)
    d = input1.dim() - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = cos * 0
    pos = 1 - cos
    neg = clamp_min(cos - margin, 0)
    out = where(_wrap(target._data == 1), pos, zeros) + where(_wrap(target._data == -1), neg, zeros)
    return _apply_reduction(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    """max(0, d(a, p) - d(a, n) + margin) with p-norm distances."""
    from .distance import pairwise_distance
    reduction = reduction_enum(size_average, reduce, reduction)
    if not (anchor.dim() == positive.dim() == negative.dim()):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same "
                           f"number of dimensions, but got: anchor {anchor.dim()}D, positive "
                           f"{positive.dim()}D, and negative {negative.dim()}D inputs")
    dp = pairwise_distance(anchor, positive, p, eps)
    dn = pairwise_distance(anchor, negative, p, eps)
    if swap:
        ds = pairwise_distance(positive, negative, p, eps)
        dn = minimum(dn, ds)
    return _apply_reduction(clamp_min(margin + dp - dn, 0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction='mean'):
    """Triplet loss with any distance function (pairwise_distance by default)."""
    from .distance import pairwise_distance
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                         f"{margin} instead")
    dist = distance_function if distance_function is not None else pairwise_distance
    dp = dist(anchor, positive)
    dn = dist(anchor, negative)
    if swap:
        ds = dist(positive, negative)
        dn = minimum(dn, ds)
    loss = clamp_min(dp - dn + margin, 0)
    return _apply_reduction(loss, reduction_enum(None, None, reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean',
             zero_infinity=False):
    """Connectionist Temporal Classification loss over (T, N, C) log-probabilities."""
    from ..._ops.ctc import ctc_prim
    reduction = reduction_enum(None, None, reduction)
    unb = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unb else log_probs
    tg = targets.unsqueeze(0) if unb and targets.dim() == 1 and not isinstance(target_lengths, (list, tuple)) \
        and target_lengths.dim() == 0 else targets

    def _lens(v):
        if isinstance(v, Tensor):
            return v.reshape(-1)
        return _tensor(list(v) if isinstance(v, (list, tuple)) else [v], dtype=D.int64)
    il, tl = _lens(input_lengths), _lens(target_lengths)
    T, N, C = lp.shape
    if il.numel() != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.numel() != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    if bool((il._data > T).any()):
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{int(il._data.max())} (while checking arguments for ctc_loss_cpu)")
    nll = ctc_prim(lp, tg, il, tl, blank, zero_infinity)
    if unb:
        nll = nll.reshape(())
    if reduction == 'mean':
        denom = np.maximum(tl._data.astype(np.float64), 1).astype(lp._data.dtype)
        return (nll / _wrap(denom.reshape(nll.shape))).mean()
    if reduction == 'sum':
        return nll.sum()
    return nll
