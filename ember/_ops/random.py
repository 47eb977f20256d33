"""Random numbers: Generator, the default generator and its seeding, rand/randn/randint/randperm.

ember's streams come from NumPy's PCG64 (not bit-identical to torch's Mersenne Twister); the same
seed gives the same numbers on every run and platform.
"""
import json
import os

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from .creation import _size_args, _finish, _dtype_np


class Generator:
    """A random number generator; every random op takes one as `generator=`."""

    def __init__(self, device='cpu'):
        from .._backend import device as _device
        self.device = _device(device)
        self._seed = None
        self.seed()

    def manual_seed(self, seed):
        """Reseed; returns the generator (as torch does)."""
        seed = int(seed)
        if seed < 0:
            seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        if seed >= 2 ** 64:
            raise RuntimeError("Overflow when unpacking long")
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Reseed from OS entropy; returns the new seed."""
        s = int.from_bytes(os.urandom(8), 'little') & 0x7FFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a uint8 tensor (restorable with set_state)."""
        blob = json.dumps({'seed': self._seed, 'state': self._np.bit_generator.state}).encode()
        return _wrap(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError("expected a torch.ByteTensor, but got " + type(new_state).__name__)
        d = json.loads(bytes(new_state._data.tobytes()).decode())
        self._seed = d['seed']
        bg = np.random.PCG64()
        bg.state = d['state']
        self._np = np.random.Generator(bg)
        return self

    def __reduce__(self):
        return (_rebuild_generator, (str(self.device), self.get_state()._data.tobytes()))


def _rebuild_generator(device, state):
    g = Generator(device)
    g.set_state(_wrap(np.frombuffer(state, np.uint8).copy()))
    return g


default_generator = Generator()


def _gen(generator):
    return (generator or default_generator)._np


def manual_seed(seed):
    """Seed the default generator (and CuPy's, when present); returns the default generator."""
    default_generator.manual_seed(seed)
    from .._backend import cupy_module
    cp = cupy_module()
    if cp is not None:
        try:
            cp.random.seed(int(seed) & 0xFFFF_FFFF)
        except Exception:
            pass
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _float_sample(sample, size, dtype):
    npdt = _dtype_np(dtype)
    if npdt in (np.float32, np.float64):
        return sample(size, npdt)
    if np.dtype(npdt).kind not in 'fV':
        name = D.from_numpy(np.dtype(npdt)).name
        raise RuntimeError(f'"check_uniform_bounds" not implemented for \'{name}\'')
    return sample(size, np.float32).astype(npdt)


def _kw_size(sizes, size, fname):
    """torch's `*size` also comes as a keyword: rand(size=(2, 3))."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{fname}() got multiple values for argument 'size'")
    return (size,)


def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples in [0, 1)."""
    size = _size_args(_kw_size(sizes, size, 'rand'))
    g = _gen(generator)
    arr = _float_sample(lambda s, dt: g.random(s, dt), size, dtype)
    return _finish(arr, dtype, device, requires_grad)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples."""
    size = _size_args(_kw_size(sizes, size, 'randn'))
    g = _gen(generator)
    arr = _float_sample(lambda s, dt: g.standard_normal(s, dt), size, dtype)
    return _finish(arr, dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """Integers uniform in [low, high); `randint(high, size)` or `randint(low, high, size)`."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    size = _size_args((size,) if isinstance(size, int) else size)
    arr = _gen(generator).integers(low, high, size, dtype=np.int64)
    npdt = _dtype_np(dtype, D.int64)
    return _finish(arr.astype(npdt, copy=False), dtype, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    arr = _gen(generator).permutation(int(n)).astype(_dtype_np(dtype, D.int64))
    return _finish(arr, dtype, device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return rand(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return randn(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                   device=device or input.device, generator=generator)


# ----- in-place samplers (Tensor methods) ----------------------------------------------------

def _fill_sample(self, arr):
    from .inplace import _leaf_check
    _leaf_check(self)
    from .._backend import move, device_of
    if type(self._data) is not np.ndarray:
        arr = move(arr, device_of(self._data))
    self._data[...] = arr.astype(self._data.dtype, copy=False)
    self._bump_version()
    return self


def _sample_dtype(self):
    return np.float64 if self._data.dtype == np.float64 else np.float32


def uniform_(self, from_=0, to=1, *, generator=None, **kwargs):
    """Fill with samples from U(from, to); torch spells the lower bound's keyword `from`."""
    if kwargs:
        if set(kwargs) != {'from'}:
            raise TypeError(f"uniform_() got an unexpected keyword argument "
                            f"'{next(k for k in kwargs if k != 'from')}'")
        from_ = kwargs['from']
    g = _gen(generator)
    a = g.random(self._data.shape, _sample_dtype(self))
    a = a * (to - from_) + from_
    return _fill_sample(self, a)


def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with samples from N(mean, std^2)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    g = _gen(generator)
    a = g.standard_normal(self._data.shape, _sample_dtype(self))
    if std != 1:
        a *= std
    if mean != 0:
        a += mean
    return _fill_sample(self, a)


Tensor.uniform_ = uniform_
Tensor.normal_ = normal_


# ----- integer sampling: random_ and multinomial ---------------------------------------------

# random_() without bounds draws integers a float dtype holds exactly: [0, 2**digits]
_FLOAT_DIGITS = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}
_C_TYPE_NAMES = {'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short', 'int32': 'int',
                 'int64': 'long', 'uint16': 'unsigned short', 'uint32': 'unsigned int',
                 'uint64': 'unsigned long'}


def random_(self, *args, generator=None, **kwargs):
    """Fill with integers uniform in [from, to - 1]: ``random_()``, ``random_(to)``, ``random_(from, to)``.

    Without `to` the top is the dtype's: its max for integers, ``2**digits`` for floats (the
    largest range of integers it holds exactly), 1 for bool.
    """
    lo, hi = 0, None
    if len(args) == 1 and 'to' not in kwargs:
        hi = args[0]
    elif args:
        lo, hi = (args + (None,))[:2]
    lo = kwargs.get('from', lo)
    hi = kwargs.get('to', hi)
    d = D.from_numpy(self._data.dtype)
    if d.is_complex:
        raise RuntimeError(f'"random_from_to" not implemented for \'{d.name}\'')
    if d is D.bool_:
        top = 1
    elif d.is_floating_point:
        top = 2 ** _FLOAT_DIGITS[d.name]
    else:
        top = int(np.iinfo(d.np).max)
    if hi is None:
        last = top
    else:
        if lo >= hi:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
        last = hi - 1
    if not d.is_floating_point and d is not D.bool_:
        info = np.iinfo(d.np)
        cname = _C_TYPE_NAMES.get(d.name, d.name)
        if not info.min <= lo <= info.max:
            raise RuntimeError(f"from is out of bounds for {cname}")
        if not info.min <= last <= info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {cname}")
    draw_dt = np.uint64 if last > np.iinfo(np.int64).max else np.int64
    a = _gen(generator).integers(lo, last, self._data.shape, dtype=draw_dt, endpoint=True)
    return _fill_sample(self, a)


Tensor.random_ = random_


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distribution(s) whose weights are `input`'s rows.

    Without replacement every row yields distinct indices (drawn as the top `num_samples` of
    weight / Exp(1) keys, so zero-weight categories only come after all the others).
    """
    from .._backend import to_numpy, move, device_of
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        from .reduction import _type_name
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    p = to_numpy(input._data).astype(np.float64)
    rows = p.reshape(1, -1) if p.ndim == 1 else p
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = _gen(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        u = g.random((rows.shape[0], num_samples)) * cdf[:, -1:]
        idx = np.stack([np.searchsorted(c, r, side='right') for c, r in zip(cdf, u)])
        idx = np.minimum(idx, n - 1)  # u * total may round up to the total itself
    else:
        keys = rows / g.standard_exponential(rows.shape)
        idx = np.argsort(-keys, axis=1, kind='stable')[:, :num_samples]
    idx = idx.astype(np.int64)
    if p.ndim == 1:
        idx = idx[0]
    if type(input._data) is not np.ndarray:
        idx = move(idx, device_of(input._data))
    result = _wrap(idx)
    if out is not None:
        out._data = result._data
        out._bump_version()
        return out
    return result


Tensor.multinomial = multinomial
