"""dtype and device conversion: to/type/float/double/..., cpu/cuda, type_as."""
import numpy as np

from .. import _dtype as D
from .._backend import array_module, device as _device, device_of, move
from .._tensor import Tensor, tensor_method, _wrap
from ..autograd.graph import Node as Function
from .reduction import _TYPE_NAMES


class ToCopyBackward0(Function):
    @staticmethod
    def forward(ctx, a, npdt, dev):
        ctx.src_dtype = a.dtype
        ctx.src_dev = device_of(a)
        if dev is not None:
            a = move(a, dev)
        if npdt is not None and a.dtype != npdt:
            if a.dtype.kind == 'c' and npdt.kind != 'c':
                import warnings
                warnings.warn("Casting complex values to real discards the imaginary part",
                              UserWarning, stacklevel=4)
                a = a.real
            a = a.astype(npdt)
        return a

    @staticmethod
    def backward(ctx, grad):
        return grad.to(device=ctx.src_dev, dtype=D.from_numpy(ctx.src_dtype))


def _parse_to(args, kwargs):
    dtype = kwargs.pop('dtype', None)
    dev = kwargs.pop('device', None)
    copy = kwargs.pop('copy', False)
    kwargs.pop('non_blocking', None)
    kwargs.pop('memory_format', None)
    other = kwargs.pop('tensor', None)  # to(tensor=t): t's dtype and device
    if other is not None:
        args = (other,) + tuple(args)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                        f"{next(iter(kwargs))}")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, _device, int)) and not isinstance(a, bool):
            dev = a
        elif a is None:
            continue
        elif isinstance(a, bool):
            continue  # non_blocking positional
        else:
            dtype = D.as_dtype(a)
    return (D.as_dtype(dtype) if dtype is not None else None,
            _device(dev) if dev is not None else None, copy)


def to(self, *args, **kwargs):
    """Convert dtype and/or device; returns self when nothing changes (unless copy=True)."""
    dtype, dev, copy = _parse_to(args, dict(kwargs))
    npdt = dtype.np if dtype is not None else None
    if dtype is not None and npdt is None:
        D.to_numpy(dtype)
    if dev is not None:
        cur = device_of(self._data)
        if dev.type == cur.type and (dev.index is None or dev.index == cur.index):
            dev = None
    if (npdt is None or npdt == self._data.dtype) and dev is None:
        return self.clone() if copy else self
    if npdt == self._data.dtype:
        npdt = None
    return ToCopyBackward0.apply(self, npdt=npdt, dev=dev)


_LEGACY = {k: v + 'Tensor' for k, v in _TYPE_NAMES.items()}  # float32 -> FloatTensor
_FROM_LEGACY = {v: k for k, v in _LEGACY.items()}


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """Without arguments the type name ('torch.FloatTensor'); with one, a converted tensor."""
    if dtype is None:
        name = 'torch.' + _LEGACY[self.dtype.name]
        if type(self._data) is not np.ndarray:
            name = name.replace('torch.', 'torch.cuda.')
        return name
    if isinstance(dtype, str):
        name = dtype.split('.')[-1]
        if name in _FROM_LEGACY:
            t = to(self, D.as_dtype(_FROM_LEGACY[name]))
            return t.cuda() if '.cuda.' in dtype else t
        return to(self, D.as_dtype(dtype))
    if isinstance(dtype, type) and hasattr(dtype, '_dtype'):
        return to(self, dtype._dtype)
    return to(self, D.as_dtype(dtype))


def _caster(dt):
    def method(self, memory_format=None):
        return to(self, dt)
    method.__doc__ = f"self.to({dt})"
    return method


def cpu(self, memory_format=None):
    return to(self, 'cpu')


def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, _device('cuda', device if isinstance(device, int) else 0)
              if not isinstance(device, (str, _device)) else device)


def type_as(self, other):
    return to(self, other.dtype)


def view_dtype(self, dtype):
    """Reinterpret the bytes as another dtype (no grad)."""
    dt = D.as_dtype(dtype)
    return _wrap(self._data.view(dt.np))


tensor_method('to')(to)
tensor_method('type')(type_)
tensor_method('cpu')(cpu)
tensor_method('cuda')(cuda)
tensor_method('type_as')(type_as)
for _name, _dt in (('float', D.float32), ('double', D.float64), ('half', D.float16),
                   ('bfloat16', D.bfloat16), ('long', D.int64), ('int', D.int32), ('short', D.int16),
                   ('char', D.int8), ('byte', D.uint8), ('bool', D.bool_), ('cfloat', D.complex64),
                   ('cdouble', D.complex128)):
    setattr(Tensor, _name, _caster(_dt))


class memory_format:
    """torch.memory_format: accepted wherever torch takes `memory_format=` (ember stores every
    tensor in the layout NumPy gives it; channels_last is accepted and ignored)."""

    __slots__ = ('_name',)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return 'torch.' + self._name

    def __reduce__(self):
        return self._name


contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')
