"""batch_norm, instance_norm, layer_norm, group_norm, rms_norm, local_response_norm, normalize."""
import numpy as np

from ..._ops import norm as N
from ..._ops.comparison import where
from ..._tensor import _wrap
from ..._backend import array_module
from ...autograd.grad_mode import no_grad
from ._utils import shape_str


def _update_running(running, new, momentum):
    """running <- (1 - momentum) * running + momentum * new, outside autograd."""
    if running is None:
        return
    a = running._data
    a *= (1 - momentum)
    a += (momentum * new).astype(a.dtype, copy=False)
    running._bump_version()


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalise over the batch (and spatial dims) per channel; training updates running stats."""
    if input.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    C = input.shape[1]
    if training:
        n = input.numel() // C if C else 0
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    for name, t in (('running_mean', running_mean), ('running_var', running_var)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        training = True  # no running statistics: always use the batch's
    mean = None if running_mean is None else running_mean._data
    var = None if running_var is None else running_var._data
    out, stats = N.batch_norm_prim(input, weight, bias, mean, var, training, eps)
    if training and stats is not None and (running_mean is not None or running_var is not None):
        m, v = stats
        n = input.numel() // C
        with no_grad():
            _update_running(running_mean, m, momentum)
            _update_running(running_var, v * (n / (n - 1)), momentum)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) plane on its own (batch_norm on a (1, N*C, ...) view)."""
    spatial = int(np.prod(input.shape[2:])) if input.dim() >= 3 else 1
    if use_input_stats and spatial <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    b, c = input.shape[0], input.shape[1]
    shape = (1, b * c) + tuple(input.shape[2:])
    x = input.contiguous().reshape(shape)

    def rep(t):
        return None if t is None else t.unsqueeze(0).expand(b, c).reshape(-1)
    w, bb = rep(weight), rep(bias)
    rm = rv = None
    if running_mean is not None:
        xp = array_module(running_mean._data)
        rm = _wrap(xp.tile(running_mean._data, b))
        rv = _wrap(xp.tile(running_var._data, b))
    out = batch_norm(x, rm, rv, w, bb, use_input_stats, momentum, eps)
    if running_mean is not None and use_input_stats:
        running_mean._data[...] = rm._data.reshape(b, c).mean(0)
        running_mean._bump_version()
        running_var._data[...] = rv._data.reshape(b, c).mean(0)
        running_var._bump_version()
    return out.reshape(input.shape)


def _norm_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing `normalized_shape` dims."""
    ns = _norm_shape(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or k > input.dim():
        raise RuntimeError(f"Given normalized_shape={shape_str(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size{shape_str(input.shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of "
                           f"shape {shape_str(weight.shape)} and normalized_shape = {shape_str(ns)}")
    if bias is not None and tuple(bias.shape) != ns:
        raise RuntimeError(f"Expected bias to be of same shape as normalized_shape, but got bias of "
                           f"shape {shape_str(bias.shape)} and normalized_shape = {shape_str(ns)}")
    return N.layer_norm_prim(input, weight, bias, k, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise over groups of channels (and all spatial dims) per sample."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    C = input.shape[1]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {shape_str(input.shape)} and num_groups={num_groups}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels "
                               f"in input, but got {name} of shape {shape_str(t.shape)} and input of "
                               f"shape {shape_str(input.shape)}")
    return N.group_norm_prim(input, weight, bias, num_groups, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times weight."""
    ns = _norm_shape(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={shape_str(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size{shape_str(input.shape)}")
    if eps is None:
        eps = float(np.finfo(np.float32 if input._data.dtype.kind != 'f' else input._data.dtype).eps)
    dims = tuple(range(input.dim() - k, input.dim()))
    r = (input * input).mean(dims, keepdim=True) + eps
    out = input * r.pow(-0.5)
    if weight is not None:
        out = out * weight
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each value by the energy of its `size` neighbouring channels."""
    from .vision import pad
    from .pooling import avg_pool2d, avg_pool3d
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p over dim, eps)."""
    from ..._tensor import _wrap_dim
    d = _wrap_dim(dim, input.dim())
    nrm = N.vector_norm(input, p, (d,), True)
    nrm = where(_wrap(nrm._data < eps), nrm * 0 + eps, nrm)
    r = input / nrm.expand(input.shape)
    if out is not None:
        from ..._ops.inplace import copy_into_out
        return copy_into_out(out, r)
    return r


__all__ = ['batch_norm', 'instance_norm', 'layer_norm', 'group_norm', 'rms_norm',
           'local_response_norm', 'normalize']
