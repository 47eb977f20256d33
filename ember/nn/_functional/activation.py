"""Activation functions (and their in-place `_` forms) and the softmax family."""
import warnings

from ... import _dtype as D
from ..._argcheck import checks_own_input, not_tensor
from ..._ops import activation as A
from ..._ops.softmax import softmax_prim, log_softmax_prim
from ..._ops.unary import sigmoid as _sigmoid, tanh as _tanh, relu as _relu
from ..._tensor import Tensor


def _need_float(input, kernel):
    if not isinstance(input, Tensor):
        raise not_tensor(kernel, input)
    A._check_float(input, kernel)


def _act(name, input, inplace, kernel, **p):
    _need_float(input, kernel)
    if inplace:
        return A.pointwise_inplace(name, input, **p)
    return A.pointwise(name, input, **p)


# relu, sigmoid and tanh name a non-Tensor input themselves (through the ember ops they call),
# so the nn.ReLU/Sigmoid/Tanh layers' calls skip the argument-check wrapper
@checks_own_input
def relu(input, inplace=False):
    """max(0, x)."""
    if inplace:
        if not isinstance(input, Tensor):
            raise not_tensor('relu_', input)
        return input.relu_()
    return _relu(input)


def relu_(input):
    return input.relu_()


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return _act('Threshold', input, inplace, 'threshold_cpu', threshold=threshold, value=value)


def threshold_(input, threshold, value):
    return _act('Threshold', input, True, 'threshold_cpu', threshold=threshold, value=value)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _act('Hardtanh', input, inplace, 'hardtanh', min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    return _act('LeakyRelu', input, inplace, 'leaky_relu_cpu', negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _act('Elu', input, inplace, 'elu_cpu', alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _act('Elu', input, inplace, 'elu_cpu', alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _act('Celu', input, inplace, 'elu_cpu', alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate='none'):
    """x * Phi(x) (or its tanh approximation with approximate='tanh')."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act('Gelu', input, False, 'GeluKernelImpl', approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (a.k.a. swish)."""
    return _act('Silu', input, inplace, 'silu')


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _act('Mish', input, inplace, 'mish')


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear above the threshold."""
    return _act('Softplus', input, False, 'softplus', beta=beta, threshold=threshold)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _act('Hardsigmoid', input, inplace, 'hardsigmoid_cpu')


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _act('Hardswish', input, inplace, 'hardswish_cpu')


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return _act('LogSigmoid', input, False, 'log_sigmoid_forward')


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd else 0."""
    return _act('Hardshrink', input, False, 'hardshrink_cpu', lambd=lambd)


def softshrink(input, lambd=0.5):
    """x - lambd, x + lambd or 0 (soft thresholding)."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _act('Softshrink', input, False, 'softshrink_cpu', lambd=lambd)


@checks_own_input
def sigmoid(input):
    """1 / (1 + exp(-input))."""
    return _sigmoid(input)


@checks_own_input
def tanh(input):
    """Hyperbolic tangent."""
    return _tanh(input)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU: slope ~ U(lower, upper) on x <= 0 in training, their mean in eval."""
    _need_float(input, 'rrelu_with_noise')
    noise = A.rrelu_noise(input, lower, upper, training)
    if inplace:
        from ..._ops.inplace import apply_inplace

        def direct():
            input._data[...] = input._data * noise
        return apply_inplace(input, lambda s: A.RreluWithNoiseBackward0.apply(s, noise=noise),
                             direct=direct)
    return A.RreluWithNoiseBackward0.apply(input, noise=noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def prelu(input, weight):
    """x if x > 0 else weight * x, weight per channel (dim 1) or shared."""
    _need_float(input, 'prelu')
    n = weight.numel()
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.dim()}")
    if n != 1:
        ch = input.shape[1] if input.dim() >= 2 else 1
        if input.dim() == 0 or n != ch:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {n} and channel size = {ch}.")
    return A.PreluKernelBackward0.apply(input, weight)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    from ..._tensor import _wrap_dim
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    _need_float(input, 'glu')
    return A.GluBackward0.apply(input, dim=d)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _soft(prim, name, input, dim, dtype, stacklevel, negate=False):
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    if dtype is not None:
        input = input.to(D.as_dtype(dtype))
    if input._data.dtype.kind not in 'fV':
        from ..._ops.reduction import _type_name
        raise RuntimeError(f'"{"softmax" if prim is softmax_prim else "log_softmax"}_lastdim_kernel_impl" '
                           f"not implemented for '{_type_name(input.dtype)}'")
    if negate:
        input = -input
    from ..._tensor import _wrap_dim
    if input.dim() == 0:
        _wrap_dim(dim, 0)
        return prim(input.reshape(1), 0).reshape(())
    return prim(input, _wrap_dim(dim, input.dim()))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim (max-shifted, stable)."""
    return _soft(softmax_prim, 'softmax', input, dim, dtype, _stacklevel)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x)."""
    return _soft(softmax_prim, 'softmin', input, dim, dtype, _stacklevel, negate=True)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)), computed in one stable pass."""
    return _soft(log_softmax_prim, 'log_softmax', input, dim, dtype, _stacklevel)


__all__ = ['relu', 'relu_', 'threshold', 'threshold_', 'hardtanh', 'hardtanh_', 'relu6', 'leaky_relu',
           'leaky_relu_', 'elu', 'elu_', 'selu', 'selu_', 'celu', 'celu_', 'gelu', 'silu', 'mish',
           'softplus', 'softsign', 'hardsigmoid', 'hardswish', 'logsigmoid', 'hardshrink', 'softshrink',
           'tanhshrink', 'rrelu', 'rrelu_', 'prelu', 'glu', 'softmax', 'softmin', 'log_softmax',
           'sigmoid', 'tanh']
