"""The only module that knows NumPy from CuPy.

Every op asks ``array_module(arr)`` for the module of its inputs, so CuPy arrays stay on the GPU
without any op naming ``numpy`` or ``cupy`` directly.
"""
import numpy as np

try:  # CuPy is optional: without it ember is CPU-only and `cuda.is_available()` is False.
    import cupy as _cupy
except Exception:  # ImportError, or a CuPy that finds no CUDA driver
    _cupy = None

ndarray = np.ndarray


def cupy_module():
    """The cupy module, or None when CuPy is not installed."""
    return _cupy


def array_module(arr):
    """numpy for NumPy arrays (the fast, common case), cupy for CuPy arrays."""
    if type(arr) is np.ndarray or _cupy is None:
        return np
    return _cupy.get_array_module(arr)


def is_array(obj):
    return isinstance(obj, np.ndarray) or (_cupy is not None and isinstance(obj, _cupy.ndarray))


def asarray(x, xp=np):
    """Wrap NumPy scalars (0-d reduction results) back into 0-d arrays."""
    if type(x) is np.ndarray:
        return x
    return xp.asarray(x)


def to_numpy(arr):
    """A NumPy array for `arr`, copying from the GPU if needed."""
    if type(arr) is np.ndarray:
        return arr
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        return _cupy.asnumpy(arr)
    return np.asarray(arr)


def cuda_available():
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


class device:
    """torch.device: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``."""

    __slots__ = ('type', 'index')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            self.type, self.index = 'cuda', type
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ':' in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {type}")
            type, _, idx = type.partition(':')
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in ('cpu', 'cuda', 'meta', 'mps'):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device "
                               f"string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device('cpu')


def device_of(arr):
    """The ember device an array lives on."""
    if type(arr) is np.ndarray:
        return CPU
    return device('cuda', int(arr.device.id))


def move(arr, dev):
    """`arr` on device `dev` (no copy when it is already there)."""
    if dev.type == 'cpu':
        return to_numpy(arr)
    if dev.type == 'cuda':
        if _cupy is None:
            raise AssertionError("Torch not compiled with CUDA enabled (ember: install cupy to use a GPU)")
        with _cupy.cuda.Device(dev.index or 0):
            return _cupy.asarray(arr)
    raise RuntimeError(f"ember does not support device type '{dev.type}'")
