"""More sampling: normal (all overloads), bernoulli, poisson, and the in-place samplers bernoulli_,
exponential_, geometric_, cauchy_, log_normal_.

Samples come from the (ember) Generator's NumPy stream on the host and are moved to the tensor's
device. As in torch these ops are not reparameterised: gradients through them are zero.
"""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module, move, device_of
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node as Function
from .random import _gen, _fill_sample
from .reduction import _type_name


def _sample_np(dt):
    return np.float64 if dt == np.float64 else np.float32


def _like_device(arr, ref):
    return arr if type(ref) is np.ndarray else move(arr, device_of(ref))


class _Sampled(Function):
    """A sample whose gradient w.r.t. its parameters is zero (torch's Normal/BernoulliBackward)."""

    @staticmethod
    def forward(ctx, *params, sample):
        ctx.shapes = [None if p is None else p.shape for p in params]
        return sample

    @staticmethod
    def backward(ctx, grad):
        return tuple(None if s is None else grad.new_zeros(s) for s in ctx.shapes)


def _named(name):
    return type(name, (_Sampled,), {'__qualname__': name})


NormalBackward1 = _named('NormalBackward1')
NormalBackward2 = _named('NormalBackward2')
NormalBackward3 = _named('NormalBackward3')
BernoulliBackward0 = _named('BernoulliBackward0')
PoissonBackward0 = _named('PoissonBackward0')


def _std_check(std):
    if isinstance(std, Tensor):
        if std._data.size and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def _fmt(x):
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Samples from N(mean, std^2): tensor/float mean and std broadcast, or floats with a size."""
    g = _gen(generator)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    _std_check(std)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                            "but expected (float mean, float std, tuple of ints size, *, ...)")
        from .creation import _size_args, _finish, _dtype_np
        shape = _size_args((size,) if isinstance(size, (int, np.integer)) else tuple(size))
        npdt = _dtype_np(dtype)
        arr = (g.standard_normal(shape, _sample_np(npdt)) * std + mean).astype(npdt)
        r = _finish(arr, dtype, device, requires_grad)
    else:
        ref = mean if tm else std
        if tm and ts:
            from ._helpers import broadcast_shapes_msg
            msg = broadcast_shapes_msg(mean._data.shape, std._data.shape)
            if msg:
                raise RuntimeError(msg)
            shape = tuple(np.broadcast_shapes(mean._data.shape, std._data.shape))
            dt = D.promote_types(mean.dtype, std.dtype)
        else:
            shape = ref._data.shape
            dt = ref.dtype
        if not dt.is_floating_point:
            raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{_type_name(dt)}\'')
        from .._backend import to_numpy
        m = to_numpy(mean._data) if tm else mean
        s = to_numpy(std._data) if ts else std
        arr = (g.standard_normal(shape, _sample_np(dt.np)) * s + m).astype(dt.np)
        arr = _like_device(arr, ref._data)
        cls = NormalBackward3 if tm and ts else NormalBackward1 if tm else NormalBackward2
        r = cls.apply(mean if tm else None, std if ts else None, sample=arr)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def _check_p(p, name):
    if isinstance(p, Tensor):
        a = p._data
        if a.size and (bool((a < 0).any()) or bool((a > 1).any())):
            raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={_fmt(a.reshape(-1)[0])}")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={_fmt(p)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: each element is 1 with probability input (or p), in input's dtype."""
    g = _gen(generator)
    a = input._data
    if p is not None:
        _check_p(p, 'bernoulli_')
        prob = p
    else:
        if a.dtype.kind not in 'fV':
            raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                      f"'{_type_name(input.dtype)}'")
        if a.size and (bool((a < 0).any()) or bool((a > 1).any()) or bool(array_module(a).isnan(a).any())):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                               "error message be improved?  If so, please report an enhancement request "
                               "to PyTorch.)")
        from .._backend import to_numpy
        prob = to_numpy(a).astype(np.float64)
    arr = (g.random(a.shape) < prob).astype(a.dtype)
    arr = _like_device(arr, a)
    r = BernoulliBackward0.apply(input if p is None else None, sample=arr) if a.dtype.kind in 'fV' \
        else _wrap(arr)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples, 1 with probability p (a float or a tensor broadcast to self)."""
    _check_p(p, 'bernoulli_')
    g = _gen(generator)
    if isinstance(p, Tensor):
        from .._backend import to_numpy
        p = np.broadcast_to(to_numpy(p._data).astype(np.float64), self._data.shape)
    return _fill_sample(self, (g.random(self._data.shape) < p).astype(self._data.dtype))


def poisson(input, generator=None):
    """Samples from Poisson(rate = input), in input's dtype."""
    a = input._data
    if a.size and bool((a < 0).any()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    from .._backend import to_numpy
    arr = _gen(generator).poisson(to_numpy(a).astype(np.float64)).astype(a.dtype)
    return PoissonBackward0.apply(input, sample=_like_device(arr, a))


def _float_check(self, name):
    if self._data.dtype.kind not in 'fV':
        raise NotImplementedError(f'"{name}" not implemented for \'{_type_name(self.dtype)}\'')


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples from Exponential(lambd)."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    _float_check(self, 'exponential_cpu')
    g = _gen(generator)
    return _fill_sample(self, g.standard_exponential(self._data.shape, _sample_np(self._data.dtype)) / lambd)


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (values >= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    return _fill_sample(self, _gen(generator).geometric(p, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples from Cauchy(median, sigma)."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    _float_check(self, 'cauchy_cpu')
    g = _gen(generator)
    return _fill_sample(self, median + sigma * g.standard_cauchy(self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp of samples from N(mean, std^2)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    _float_check(self, 'log_normal_cpu')
    g = _gen(generator)
    return _fill_sample(self, np.exp(mean + std * g.standard_normal(self._data.shape)))


Tensor.bernoulli = bernoulli
Tensor.bernoulli_ = bernoulli_
Tensor.exponential_ = exponential_
Tensor.geometric_ = geometric_
Tensor.cauchy_ = cauchy_
Tensor.log_normal_ = log_normal_
