"""nn.functional: compositions of primitives (no backward code here), plus the fused losses."""
from .. import _dtype as D
from .._ops.linalg_core import linear
from .._ops.unary import sigmoid, tanh, relu as _relu
from .._ops.loss import mse_loss_prim


def _legacy_reduction(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return 'mean'
    if reduce:
        return 'sum'
    return 'none'


def relu(input, inplace=False):
    """max(0, x)."""
    if inplace:
        return input.relu_()
    return _relu(input)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean squared error between input and target."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if target.shape != input.shape:
        import warnings
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=2)
        from .._ops._helpers import broadcast_shapes_msg
        msg = broadcast_shapes_msg(input.shape, target.shape)
        if msg:
            raise RuntimeError(msg)
    if input._data.dtype != target._data.dtype:
        dt = D.promote_types(input.dtype, target.dtype)
        input, target = input.to(dt), target.to(dt)
    return mse_loss_prim(input, target, reduction)


__all__ = ['linear', 'sigmoid', 'tanh', 'relu', 'mse_loss']

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.nn.functional')
