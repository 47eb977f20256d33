"""ember.utils.dlpack: zero-copy exchange with NumPy, torch, CuPy and any DLPack producer.

`Tensor.__dlpack__` hands out its array's own DLPack capsule and `from_dlpack` wraps what
``numpy.from_dlpack`` (CPU) or ``cupy.from_dlpack`` (GPU) makes of a producer's capsule, so no
byte is copied either way. NumPy has no bfloat16 in its DLPack support, so bfloat16 crosses as
uint16 with the capsule's dtype code rewritten (kDLBfloat <-> kDLUInt, same 16 bits) before the
consumer reads it.
"""
import ctypes

import numpy as np

from .. import _dtype as D
from .._backend import cupy_module
from .._tensor import Tensor, _wrap

__all__ = ['to_dlpack', 'from_dlpack']

# DLPack enums (dlpack.h)
_kDLCPU, _kDLCUDA, _kDLCUDAHost, _kDLCUDAManaged = 1, 2, 3, 13
_kDLUInt, _kDLBfloat = 1, 4

_GetPointer = ctypes.pythonapi.PyCapsule_GetPointer
_GetPointer.restype = ctypes.c_void_p
_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_GetName = ctypes.pythonapi.PyCapsule_GetName
_GetName.restype = ctypes.c_char_p
_GetName.argtypes = [ctypes.py_object]
_IsCapsule = ctypes.pythonapi.PyCapsule_IsValid
_IsCapsule.restype = ctypes.c_int
_IsCapsule.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _dltensor(capsule):
    """Address of the DLTensor inside an unconsumed DLPack capsule."""
    name = _GetName(capsule)
    if name == b'dltensor':           # DLManagedTensor: the DLTensor comes first
        return _GetPointer(capsule, name)
    if name == b'dltensor_versioned':  # DLManagedTensorVersioned: version, ctx, deleter, flags
        return _GetPointer(capsule, name) + 32
    raise RuntimeError(f"from_dlpack received an invalid capsule (named {name!r}); note that a "
                       "DLTensor capsule can be consumed only once")


# offsets inside DLTensor: data 0, device (type, id) 8/12, ndim 16, dtype (code, bits, lanes) 20..
def _device(addr):
    return ctypes.c_int32.from_address(addr + 8).value, ctypes.c_int32.from_address(addr + 12).value


def _dtype_code(addr):
    return ctypes.c_uint8.from_address(addr + 20).value, ctypes.c_uint8.from_address(addr + 21).value


def _set_dtype_code(addr, code):
    ctypes.c_uint8.from_address(addr + 20).value = code


class _Capsule:
    """Presents an already made capsule through the ``__dlpack__`` protocol."""

    def __init__(self, capsule, device):
        self._capsule, self._device = capsule, device

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._device


def _is_capsule(obj):
    return type(obj).__name__ == 'PyCapsule'


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """Tensor.__dlpack__: a DLPack capsule viewing this tensor's memory (no copy)."""
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    arr = self._data
    kwargs = {k: v for k, v in (('stream', stream), ('max_version', max_version),
                                ('dl_device', dl_device), ('copy', copy)) if v is not None}
    bf16 = D._BF16 is not None and arr.dtype == D._BF16
    if bf16:
        arr = arr.view(np.uint16)
    capsule = arr.__dlpack__(**kwargs)
    if bf16:
        _set_dtype_code(_dltensor(capsule), _kDLBfloat)
    return capsule


def _dlpack_device(self):
    """Tensor.__dlpack_device__: (DLPack device type, device index)."""
    return self._data.__dlpack_device__()


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = _dlpack_device


def to_dlpack(tensor):
    """A DLPack capsule (``dltensor``) viewing `tensor`'s memory, as torch.utils.dlpack.to_dlpack."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")
    return _dlpack(tensor)


def _capsule_of(ext):
    try:
        return ext.__dlpack__(max_version=(1, 0))
    except TypeError:  # a producer that predates DLPack 1.0 keywords
        return ext.__dlpack__()


def from_dlpack(ext_tensor):
    """A Tensor sharing memory with `ext_tensor`: an object with ``__dlpack__`` or a DLPack capsule."""
    if _is_capsule(ext_tensor):
        capsule = ext_tensor
        device = _device(_dltensor(capsule))
    elif hasattr(ext_tensor, '__dlpack__'):
        device = tuple(int(d) for d in ext_tensor.__dlpack_device__())
        if device[0] in (_kDLCUDA, _kDLCUDAManaged):
            return _wrap(_cupy().from_dlpack(ext_tensor))
        capsule = _capsule_of(ext_tensor)
    else:
        raise TypeError(f"from_dlpack(): expected an object with a __dlpack__ method or a DLPack "
                        f"capsule, got {type(ext_tensor).__name__}")
    if device[0] in (_kDLCUDA, _kDLCUDAManaged):
        return _wrap(_cupy().from_dlpack(capsule))
    if device[0] not in (_kDLCPU, _kDLCUDAHost):
        raise RuntimeError(f"Unsupported device_type: {device[0]} (ember takes CPU and CUDA "
                           f"DLPack tensors)")
    addr = _dltensor(capsule)
    bf16 = _dtype_code(addr) == (_kDLBfloat, 16)
    if bf16:
        if D._BF16 is None:
            raise RuntimeError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
        _set_dtype_code(addr, _kDLUInt)  # NumPy reads the 16 bits as uint16; we view them back
    arr = np.from_dlpack(_Capsule(capsule, (_kDLCPU, 0)))
    if bf16:
        arr = arr.view(D._BF16)
    return _wrap(arr)


def _cupy():
    cp = cupy_module()
    if cp is None:
        raise RuntimeError("from_dlpack() of a CUDA tensor needs CuPy (pip install cupy) in ember")
    return cp
