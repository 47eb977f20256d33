"""The dropout family: elementwise, channel-wise (1d/2d/3d) and the SELU-preserving alpha variants."""
import warnings

import numpy as np

from ..._backend import array_module, move, device_of
from ..._ops.random import _gen
from ..._tensor import _wrap


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, shape, p, generator=None):
    """A {0, 1} array of `shape` (broadcastable to input) keeping each entry with prob 1 - p."""
    a = input._data
    m = (_gen(generator).random(shape, np.float64 if a.dtype == np.float64 else np.float32) >= p)
    m = m.astype(a.dtype if a.dtype.kind == 'f' else np.float32)
    if type(a) is not np.ndarray:
        m = move(m, device_of(a))
    return m


def _apply(input, mult, inplace, add=None):
    out_fn = (lambda s: s * _wrap(mult) + _wrap(add)) if add is not None else (lambda s: s * _wrap(mult))
    if inplace:
        from ..._ops.inplace import apply_inplace

        def direct():
            a = input._data
            a *= mult
            if add is not None:
                a += add
        return apply_inplace(input, out_fn, direct=direct)
    return out_fn(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only)."""
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, array_module(input._data).zeros((), input._data.dtype), inplace)
    mask = _keep_mask(input, input.shape, p)
    return _apply(input, mask * (1.0 / (1 - p)), inplace)


def _feature_shape(input, batched):
    lead = 2 if batched else 1
    return tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)


def _feature_dropout(input, p, training, inplace, batched):
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, array_module(input._data).zeros((), input._data.dtype), inplace)
    mask = _keep_mask(input, _feature_shape(input, batched), p)
    return _apply(input, mask * (1.0 / (1 - p)), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) / (C, L) input."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
                           "spatial dimension, a channel dimension, and an optional batch dimension (i.e. "
                           "2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, input.dim() == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) / (C, H, W) input."""
    d = input.dim()
    if d not in (3, 4):
        warnings.warn(f"dropout2d: Received a {d}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise "
                      "dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional "
                      "batch dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if d == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                      "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
                      "the channel dim. This behavior will change in a future release to interpret the "
                      "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d instead.",
                      UserWarning, stacklevel=2)
    return _feature_dropout(input, p, training, inplace, d >= 3)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) / (C, D, H, W) input."""
    d = input.dim()
    if d not in (4, 5):
        warnings.warn(f"dropout3d: Received a {d}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout3d exists to provide channel-wise "
                      "dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional "
                      "batch dimension (i.e. 4D or 5D inputs).", UserWarning, stacklevel=2)
    return _feature_dropout(input, p, training, inplace, d == 5 or d not in (4, 5))


_ALPHA = 1.7580993408473766


def _alpha(input, p, training, inplace, shape):
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return _apply(input, array_module(input._data).zeros((), input._data.dtype), inplace)
    keep = _keep_mask(input, shape, p)
    a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    return _apply(input, keep * a, inplace, add=b.astype(input._data.dtype, copy=False))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the SELU self-normalising mean and variance."""
    return _alpha(input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Channel-wise alpha dropout."""
    return _alpha(input, p, training, inplace, _feature_shape(input, True))
