"""Tensor creation: tensor/as_tensor/from_numpy, zeros/ones/full/empty (+ _like), eye, arange,
linspace, logspace, and the legacy typed constructors (FloatTensor...)."""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module, move, device as _device, is_array, to_numpy
from .._tensor import Tensor, _wrap

_default_device = [None]


def _dev(device):
    if device is None:
        return _default_device[0]
    return _device(device)


def _finish(arr, dtype=None, device=None, requires_grad=False):
    dev = _dev(device)
    if dev is not None and dev.type != 'cpu':
        arr = move(arr, dev)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"zeros(): argument 'size' (position 1) must be tuple of ints, but found "
                            f"element of type {type(s).__name__} at pos 0")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _dtype_np(dtype, default=None):
    if dtype is None:
        return (default or D.get_default_dtype()).np
    return D.to_numpy(D.as_dtype(dtype))


# ----- tensor() ---------------------------------------------------------------------------------

def _infer_seq_shape(data, dim=0):
    """torch's ragged-list check, used only to word the error when NumPy refuses the data: the
    shape comes from the first element at each depth, then every element must fit it."""
    shape = []
    x = data
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    floaty = _any_float(data)

    def walk(x, d):
        if d == len(shape):
            if isinstance(x, (list, tuple)):
                raise TypeError(f"must be real number, not {type(x).__name__}" if floaty else
                                f"'{type(x).__name__}' object cannot be interpreted as an integer")
            return
        if not isinstance(x, (list, tuple)):
            raise TypeError("not a sequence")
        if len(x) != shape[d]:
            raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {len(x)})")
        for y in x:
            walk(y, d + 1)
    walk(data, 0)


def _any_float(data):
    if isinstance(data, (list, tuple)):
        return any(_any_float(x) for x in data)
    return isinstance(data, float)


def _has_tensor(data):
    if isinstance(data, Tensor):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _has_tensor(data[0]) or any(isinstance(x, Tensor) for x in data)
    return False


def _untensor(data):
    if isinstance(data, Tensor):
        a = to_numpy(data._data)
        return a.item() if a.ndim == 0 else [_untensor(x) for x in a] if a.dtype == object else a.tolist()
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def _to_array(data, dtype):
    """A fresh NumPy array with torch's dtype inference for Python data."""
    if isinstance(data, Tensor):
        arr = data._data.copy()
        if dtype is not None:
            arr = arr.astype(_dtype_np(dtype), copy=False)
        return arr
    if is_array(data):
        arr = data.copy() if isinstance(data, np.ndarray) else data.copy()
        if dtype is None:
            D.from_numpy(arr.dtype)  # raises for unsupported dtypes
            return arr
        return arr.astype(_dtype_np(dtype), copy=False)
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        if dtype is None:
            return arr.copy()
        return arr.astype(_dtype_np(dtype))
    if isinstance(data, (str, bytes)) or data is None or isinstance(data, dict):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if _has_tensor(data):
        data = _untensor(data)
    try:
        arr = np.array(data)
    except ValueError:
        _infer_seq_shape(data)
        raise
    if arr.dtype == object:
        _infer_seq_shape(data)
        bad = _first_bad(data)
        raise TypeError(f"new(): invalid data type '{type(bad).__name__}'")
    k = arr.dtype.kind
    if dtype is not None:
        return arr.astype(_dtype_np(dtype), copy=False)
    if k == 'f':
        return arr.astype(D.get_default_dtype().np, copy=False)
    if k == 'c':
        return arr.astype(D.default_complex().np, copy=False)
    if k in 'iu':
        return arr.astype(np.int64, copy=False)
    if k == 'b':
        return arr
    if k in 'US':
        raise TypeError("new(): invalid data type 'str'")
    return arr


def _first_bad(data):
    if isinstance(data, (list, tuple)):
        for x in data:
            b = _first_bad(x)
            if b is not None:
                return b
        return None
    return None if isinstance(data, (numbers.Number, np.generic)) else data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach()"
                      ".clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    return _finish(_to_array(data, dtype), dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a NumPy array or tensor of the right dtype."""
    if isinstance(data, Tensor):
        t = data
        if dtype is not None and D.as_dtype(dtype) is not t.dtype:
            t = t.to(D.as_dtype(dtype))
        if device is not None:
            t = t.to(device)
        return t
    if isinstance(data, np.ndarray):
        if dtype is None or data.dtype == _dtype_np(dtype):
            D.from_numpy(data.dtype)
            return _finish(data, None, device)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy(ndarray.dtype)
    if not ndarray.flags.writeable:
        import warnings
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support non-writable "
                      "tensors. This means writing to this tensor will result in undefined behavior.",
                      UserWarning, stacklevel=2)
    return _wrap(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad)


# ----- filled tensors ---------------------------------------------------------------------------

def _filled(fill, size, dtype, device, requires_grad, out, default=None):
    size = _size_args(size)
    npdt = _dtype_np(dtype, default)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, _wrap(np.full(size, fill, npdt)))
    dev = _dev(device)
    if dev is not None and dev.type == 'cuda':
        xp = __import__('cupy')
        with xp.cuda.Device(dev.index or 0):
            arr = xp.full(size, fill, npdt)
    else:
        arr = np.zeros(size, npdt) if fill == 0 else np.full(size, fill, npdt)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _kw_size(sizes, size, fname):
    """torch's `*size` also comes as a keyword: zeros(size=(2, 3))."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{fname}() got multiple values for argument 'size'")
    return (size,)


def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """A tensor of zeros."""
    size = _kw_size(sizes, size, 'zeros')
    if any(isinstance(x, (int, np.integer)) and x < 0 for x in
           (size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size)):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _filled(0, size, dtype, device, requires_grad, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None):
    """A tensor of ones."""
    return _filled(1, _kw_size(sizes, size, 'ones'), dtype, device, requires_grad, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor (ember fills it with zeros)."""
    return _filled(0, _kw_size(sizes, size, 'empty'), dtype, device, requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor filled with `fill_value` (dtype inferred from it when not given)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = D.scalar_dtype(fill_value)
    return _filled(fill_value, (size,) if not isinstance(size, (tuple, list)) else size, dtype, device,
                   requires_grad, out, default)


def _like(input, fill, dtype, device, requires_grad):
    dt = _dtype_np(dtype, input.dtype)
    xp = array_module(input._data)
    if device is not None and _device(device) != input.device:
        arr = np.full(input._data.shape, fill, dt)
        return _finish(arr, None, device, requires_grad)
    arr = xp.zeros(input._data.shape, dt) if fill == 0 else xp.full(input._data.shape, fill, dt)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(input, 0, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _like(input, fill_value, dtype, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """The identity matrix (n x m)."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    arr = np.eye(n, n if m is None else m, dtype=_dtype_np(dtype))
    return _finish(arr, dtype, device, requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from start (inclusive) to end (exclusive) by step."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    if dtype is None:
        dt = D.get_default_dtype() if is_float else D.int64
    else:
        dt = D.as_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    if dt.is_floating_point:
        arr = _float_arange(float(start), float(step), n, dt.np)
    elif is_float:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(dt.np)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, _wrap(arr))
    return _finish(arr, dt, device, requires_grad)


def _fma(a, b, c):
    """a * b + c rounded once (as the fused multiply-add torch's kernels use), from error-free
    transformations: Dekker's exact product and Knuth's exact sum."""
    p = a * b
    split = 134217729.0  # 2**27 + 1 (Veltkamp)
    ta = split * a
    ah = ta - (ta - a)
    al = a - ah
    tb = split * b
    bh = tb - (tb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def _vec_width(npdt):
    """Elements per SIMD vector in torch's CPU arange kernel (256-bit vectors)."""
    return 32 // np.dtype(npdt).itemsize


def _float_arange(start, step, n, npdt):
    """torch's CPU arange values bit for bit: each SIMD vector starts at base = start + idx*step
    (in double, stored in the output type) and holds base + j*step; the tail is start + idx*step.
    (Sizes past torch's parallel grain, 32768, may differ in the last bit where its chunks start.)"""
    if npdt in (np.float16, D._BF16):
        # accumulate in float32 (torch's acc type for half types); bases are stored as halves
        f = np.float32
        start, step = np.float64(f(start)), np.float64(f(step))
        w = _vec_width(npdt)
        idx = np.arange(n, dtype=np.float64)
        full = (n // (2 * w)) * (2 * w)
        b = np.floor(idx[:full] / w) * w
        base = (start + b * step).astype(f).astype(npdt).astype(np.float64)
        out = np.empty(n, npdt)
        out[:full] = (base + (idx[:full] - b) * step).astype(f).astype(npdt)
        out[full:] = (start + idx[full:] * step).astype(f).astype(npdt)
        return out
    if npdt not in (np.float32, np.float64):
        return (start + np.arange(n, dtype=np.float64) * step).astype(npdt)
    w = _vec_width(npdt)
    idx = np.arange(n, dtype=np.float64)
    full = (n // (2 * w)) * (2 * w)  # the vector loop takes two vectors per step; the rest is scalar
    head = idx[:full]
    base = _fma(np.floor(head / w) * w, step, start).astype(npdt).astype(np.float64)
    out = np.empty(n, npdt)
    out[:full] = _fma(head - np.floor(head / w) * w, step, base).astype(npdt)
    out[full:] = _fma(idx[full:], step, start).astype(npdt)
    return out


def _linspace_values(start, end, steps, npdt):
    """torch's CPU linspace values bit for bit: step = (end - start) / (steps - 1) in the output
    type; the first half is start + step*i, the second end - step*(steps-1-i), each one fused
    multiply-add."""
    if npdt in (np.float16, D._BF16):  # half types: every operation rounds to the type
        def h(x):
            return np.asarray(x, np.float32).astype(npdt).astype(np.float32)
        s, e = h(start), h(end)
        step = h(h(e - s) / h(steps - 1))
        i = np.arange(steps, dtype=np.float32)
        # the integer factor is converted to the half type too (c10's Half * int64_t)
        return np.where(i < steps // 2, h(s + h(step * h(i))),
                        h(e - h(step * h(steps - i - 1)))).astype(npdt)
    cdt = np.float32 if npdt == np.float32 else np.float64
    s, e = cdt(start), cdt(end)
    step = np.float64((e - s) / cdt(steps - 1))
    s, e = np.float64(s), np.float64(e)
    i = np.arange(steps, dtype=np.float64)
    return np.where(i < steps // 2, _fma(i, step, s), _fma(-step, steps - 1 - i, e)).astype(cdt)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """Deprecated torch.range: end inclusive, float by default."""
    if end is None:
        start, end = 0, start
    n = int(np.floor((end - start) / step)) + 1
    dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive (torch's symmetric formula)."""
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        arr = _linspace_values(float(start), float(end), steps, dt.np)
    arr = arr.astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
    exps = linspace(start, end, steps, dtype=D.float64)._data
    arr = np.power(base, exps).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


# ----- legacy constructors ------------------------------------------------------------------------

def _legacy_data(args, kwargs, dtype=None):
    dt = (dtype or D.get_default_dtype()).np
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        a = args[0]
        if isinstance(a, Tensor):
            return a._data
        if isinstance(a, (tuple, list)) or isinstance(a, np.ndarray):
            arr = np.array(a)
            if arr.dtype == object:
                _infer_seq_shape(a)
            return arr.astype(dt)
        if hasattr(a, '__len__') and not isinstance(a, str):
            return np.asarray(list(a)).astype(dt)
        raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
    return np.zeros(_size_args(args), dt)


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype

    def __call__(cls, *args, **kwargs):
        t = _wrap(_legacy_data(args, kwargs, cls._dtype))
        return t


def _legacy(name, dt):
    return _LegacyMeta(name, (), {'_dtype': dt, '__module__': 'torch'})


FloatTensor = _legacy('FloatTensor', D.float32)
DoubleTensor = _legacy('DoubleTensor', D.float64)
HalfTensor = _legacy('HalfTensor', D.float16)
BFloat16Tensor = _legacy('BFloat16Tensor', D.bfloat16)
LongTensor = _legacy('LongTensor', D.int64)
IntTensor = _legacy('IntTensor', D.int32)
ShortTensor = _legacy('ShortTensor', D.int16)
CharTensor = _legacy('CharTensor', D.int8)
ByteTensor = _legacy('ByteTensor', D.uint8)
BoolTensor = _legacy('BoolTensor', D.bool_)


# ----- new_* methods -------------------------------------------------------------------------

def _new_filled(fill, name):
    def method(self, *sizes, size=None, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
        return _filled(fill, _kw_size(sizes, size, name), dtype or self.dtype, device or self.device,
                       requires_grad, None)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Tensor.{name}: a new tensor of this one's dtype and device."
    return method


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    if dtype is None and not isinstance(data, (Tensor, np.ndarray)):
        dtype = self.dtype
    return tensor(data, dtype=dtype, device=device or self.device, requires_grad=requires_grad)


Tensor.new_zeros = _new_filled(0, 'new_zeros')
Tensor.new_ones = _new_filled(1, 'new_ones')
Tensor.new_empty = _new_filled(0, 'new_empty')
Tensor.new_full = new_full
Tensor.new_tensor = new_tensor


def _new(self, *args, **kwargs):
    """Legacy `tensor.new(...)`: same dtype, new data or size."""
    if not args:
        return _wrap(np.zeros((0,), self._data.dtype))
    return _wrap(_legacy_data(args, kwargs, self.dtype))


Tensor.new = _new
