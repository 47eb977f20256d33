"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

Everything here runs without recording a graph (as torch's, under no_grad). Norms are computed per
tensor on its own array module, then combined, so CPU and GPU gradients both work. `foreach` is
accepted and changes nothing: the per-tensor loop is already one array call per tensor.
"""
import functools
import math
import types
import warnings

from ..._backend import array_module
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad

__all__ = ['clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_', 'get_total_norm',
           'clip_grads_with_norm_']


def _no_grad(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad():
            return fn(*args, **kwargs)
    return wrapper


def _tensor_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _vector_norm(a, p):
    """The p-norm of all entries of array `a`, as a 0-d array of a's dtype."""
    xp = array_module(a)
    if a.size == 0:
        return xp.zeros((), a.dtype)
    if p == math.inf:
        return xp.abs(a).max()
    if p == -math.inf:
        return xp.abs(a).min()
    if p == 0:
        return xp.asarray((a != 0).sum(), a.dtype)
    if p == 2:
        r = a.ravel()
        return xp.sqrt(xp.dot(r, r)) if a.dtype.kind != 'c' else xp.sqrt((xp.abs(r) ** 2).sum())
    if p == 1:
        return xp.abs(a).sum()
    return (xp.abs(a) ** p).sum() ** (1.0 / p)


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors` (as if they were one concatenated vector)."""
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        from ... import tensor
        return tensor(0.0)
    first = tensors[0]._data
    xp = array_module(first)
    norms = [xp.asarray(_vector_norm(t._data, norm_type)) for t in tensors]
    dt = first.dtype
    for n in norms[1:]:
        dt = xp.result_type(dt, n.dtype)
    total = _vector_norm(xp.stack([n.astype(dt) for n in norms]), norm_type)
    total_t = _wrap(xp.asarray(total, dt))
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total_t


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)) in place."""
    parameters = _tensor_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else total_norm
    xp = array_module(grads[0]._data)
    coef = xp.minimum(max_norm / (tn + 1e-6), 1.0)
    for g in grads:
        g._data *= coef.astype(g._data.dtype) if hasattr(coef, 'astype') else coef
        g._bump_version()


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradient norm of `parameters` (a tensor or an iterable) to `max_norm`, in place.

    Returns the total norm of the gradients before clipping (a 0-d tensor).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of `parameters` into [-clip_value, clip_value], in place."""
    parameters = _tensor_list(parameters)
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    for g in grads:
        a = g._data
        array_module(a).clip(a, -clip_value, clip_value, out=a)
        g._bump_version()
