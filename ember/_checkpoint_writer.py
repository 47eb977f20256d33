"""Writing torch's checkpoint format: the pickler that speaks torch's names, and the zip records.

Used by `ember.save` (ember/serialization.py). A tensor is pickled as torch pickles it:
``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks)``
where `storage` is a persistent id ``('storage', torch.FloatStorage, key, location, numel)``.
Tensors whose arrays are views of one base array share one storage, so views stay views.
"""
import collections
import ctypes
import os
import pickle
import sys
import zipfile

import numpy as np

from . import _dtype as D
from ._backend import array_module, device as _device, to_numpy
from ._size import Size
from ._weights_only_unpickler import STORAGE_NAMES, UNTYPED_DTYPES

MAGIC_NUMBER = 0x1950a86a20f9469cfc6c   # legacy (non-zip) format header, as torch writes it
PROTOCOL_VERSION = 1001
ALIGN = 64                              # torch aligns every record's data to 64 bytes


class _Global:
    """A global written by name (``GLOBAL module name``) without importing it."""

    __slots__ = ('module', 'name')

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle insists that a reduce function be callable
        raise TypeError(f"{self.module}.{self.name} is a pickle name, not a function")


class _ParamData:
    """A Parameter's data, pickled as the plain tensor inside ``_rebuild_parameter``."""

    __slots__ = ('t',)

    def __init__(self, t):
        self.t = t


class _StorageRef:
    __slots__ = ('key', 'type_name', 'location', 'numel')

    def __init__(self, key, type_name, location, numel):
        self.key, self.type_name, self.location, self.numel = key, type_name, location, numel


def _ptr(a):
    try:
        return a.__array_interface__['data'][0]
    except AttributeError:
        return a.data.ptr


def _root(arr):
    """The array that owns `arr`'s memory (the end of its chain of views)."""
    cls = np.ndarray if isinstance(arr, np.ndarray) else type(arr)
    r = arr
    while True:
        b = r.base
        if isinstance(b, cls):
            r = b
        elif type(b).__name__ == 'DummyArray' and isinstance(getattr(b, 'base', None), cls):
            r = b.base  # numpy's as_strided keeps a DummyArray between a view and its base
        else:
            return r


def _bounds(a):
    """[lo, hi) byte addresses spanned by array `a`."""
    lo = hi = _ptr(a)
    if a.size == 0:
        return lo, hi
    for n, s in zip(a.shape, a.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + a.itemsize


class Storages:
    """The storages met while pickling; tensors viewing one array share one storage record."""

    def __init__(self, legacy=False):
        self.by_root = {}    # id(root) -> (ref, dtype, lo)
        self.sources = []    # (key, root-or-copy, lo, hi, element size): roots are kept alive
        self.legacy = legacy

    def _new(self, dtype, location, source, lo, hi):
        key = str(len(self.sources))
        untyped = dtype in UNTYPED_DTYPES
        nbytes = hi - lo
        ref = _StorageRef(key, 'UntypedStorage' if untyped else STORAGE_NAMES[dtype], location,
                          nbytes if untyped else nbytes // dtype.itemsize)
        self.sources.append((key, source, lo, hi, 1 if untyped else dtype.itemsize))
        return ref

    def add(self, arr, dtype, location):
        """(storage ref, offset, strides) in elements for array `arr` of ember dtype `dtype`."""
        isz = arr.itemsize
        if arr.size and arr.dtype.isnative:
            root = _root(arr)
            lo, hi = _bounds(root)
            p = _ptr(arr)
            strides = []
            ok = (p - lo) % isz == 0 and (hi - lo) % isz == 0 and (
                isinstance(root, np.ndarray) or root.flags.c_contiguous)
            for n, s in zip(arr.shape, arr.strides):
                if n == 1:
                    strides.append(s // isz if s >= 0 and s % isz == 0 else 0)
                elif s < 0 or s % isz:
                    ok = False  # torch strides are whole elements and never negative
                else:
                    strides.append(s // isz)
            if ok:
                ent = self.by_root.get(id(root))
                if ent is None:
                    ent = self.by_root[id(root)] = (self._new(dtype, location, root, lo, hi), dtype, lo)
                if ent[1] is dtype:
                    return ent[0], (p - lo) // isz, tuple(strides)
        # reversed/odd strides, another dtype over the same memory, foreign byte order: own copy
        xp = array_module(arr)
        copy = xp.ascontiguousarray(arr)
        if not copy.dtype.isnative:
            copy = copy.astype(copy.dtype.newbyteorder('='))
        stride, acc = [], 1
        for n in reversed(arr.shape):
            stride.append(acc)
            acc *= n
        lo = _ptr(copy)
        return self._new(dtype, location, copy, lo, lo + copy.nbytes), 0, tuple(reversed(stride))

    @staticmethod
    def data(source, lo, hi):
        """The bytes [lo, hi) of `source` as a host buffer."""
        if hi == lo:
            return b''
        if not isinstance(source, np.ndarray):  # a GPU array: copy its bytes to the host
            return to_numpy(source.reshape(-1).view(array_module(source).uint8))
        if source.flags.c_contiguous and _ptr(source) == lo:
            return source.reshape(-1).view(np.uint8)
        # a root with gaps or a non-C layout: read its whole span straight from memory
        return np.frombuffer((ctypes.c_char * (hi - lo)).from_address(lo), np.uint8)


class Pickler(pickle._Pickler):
    """Pickles ember objects under torch's names (tensors, Size, device, dtypes)."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self._storages = storages
        self._names = {}
        from ._tensor import Tensor
        self._Tensor = Tensor

    def _g(self, module, name):
        g = self._names.get((module, name))
        if g is None:
            g = self._names[(module, name)] = _Global(module, name)
        return g

    def persistent_id(self, obj):
        if type(obj) is not _StorageRef:
            return None
        mod = 'torch.storage' if obj.type_name == 'UntypedStorage' else 'torch'
        pid = ('storage', self._g(mod, obj.type_name), obj.key, obj.location, obj.numel)
        return pid + (None,) if self._storages.legacy else pid

    def _tensor_args(self, t, requires_grad):
        arr = t._data
        dtype = D.from_numpy(arr.dtype)
        ref, offset, stride = self._storages.add(arr, dtype, str(t.device))
        args = (ref, offset, tuple(arr.shape), stride, requires_grad, collections.OrderedDict())
        if dtype in UNTYPED_DTYPES:
            return self._g('torch._utils', '_rebuild_tensor_v3'), args + (dtype,)
        return self._g('torch._utils', '_rebuild_tensor_v2'), args

    def reducer_override(self, obj):
        if isinstance(obj, self._Tensor):
            # python attributes set on the tensor travel as torch's "state" (internal fields of
            # ember's Tensor all start with '_')
            state = {k: v for k, v in obj.__dict__.items() if not k.startswith('_')}
            if getattr(obj, '_is_param', False):
                args = (_ParamData(obj), obj.requires_grad, collections.OrderedDict())
                if state:
                    return self._g('torch._utils', '_rebuild_parameter_with_state'), args + (state,)
                return self._g('torch._utils', '_rebuild_parameter'), args
            func, args = self._tensor_args(obj, obj.requires_grad)
            if state:
                return (self._g('torch._tensor', '_rebuild_from_type_v2'),
                        (func, self._g('torch', 'Tensor'), args, state))
            return func, args
        t = type(obj)
        if t is _ParamData:
            return self._tensor_args(obj.t, False)
        if t is Size:
            return self._g('torch', 'Size'), (tuple(obj),)
        if t is _device:
            return self._g('torch', 'device'), ((obj.type,) if obj.index is None else
                                                 (obj.type, obj.index))
        return NotImplemented

    def _save_named_global(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f'{obj.module}\n{obj.name}\n'.encode('utf-8'))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(self._g('torch', obj.name))

    dispatch[_Global] = _save_named_global
    dispatch[D.dtype] = _save_dtype


def _serialization_id():
    return f'{int.from_bytes(os.urandom(16), "little"):040d}'[:40].encode()


def _write_record(zf, name, data):
    """One STORED zip entry whose data starts on a 64-byte boundary (so it can be memory-mapped)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    nbytes = data.nbytes if isinstance(data, (memoryview, np.ndarray)) else len(data)
    info.file_size = nbytes
    zip64 = nbytes * 1.05 > zipfile.ZIP64_LIMIT   # zipfile's own rule for adding a zip64 field
    header = 30 + len(name.encode('utf-8')) + (20 if zip64 else 0)
    pad = -(zf.fp.tell() + header) % ALIGN
    if pad:
        if pad < 4:
            pad += ALIGN
        info.extra = b'FB' + (pad - 4).to_bytes(2, 'little') + b'Z' * (pad - 4)
    with zf.open(info, 'w', force_zip64=zip64) as w:
        if isinstance(data, np.ndarray):
            data = memoryview(data)
        step = 1 << 26  # large storages go in chunks, so no whole-storage bytes copy is made
        if nbytes > step and isinstance(data, memoryview):
            data = data.cast('B')
            for i in range(0, nbytes, step):
                w.write(data[i:i + step])
        else:
            w.write(data)


def write_zip(fh, archive, pickled, storages):
    with zipfile.ZipFile(fh, 'w', zipfile.ZIP_STORED) as zf:
        _write_record(zf, f'{archive}/data.pkl', pickled)
        _write_record(zf, f'{archive}/.format_version', b'1')
        _write_record(zf, f'{archive}/.storage_alignment', str(ALIGN).encode())
        _write_record(zf, f'{archive}/byteorder', sys.byteorder.encode())
        for key, source, lo, hi, _ in storages.sources:
            _write_record(zf, f'{archive}/data/{key}', Storages.data(source, lo, hi))
        _write_record(zf, f'{archive}/version', b'3\n')
        _write_record(zf, f'{archive}/.data/serialization_id', _serialization_id())


def write_legacy(fh, obj, protocol):
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION,
                   dict(protocol_version=PROTOCOL_VERSION, little_endian=sys.byteorder == 'little',
                        type_sizes=dict(short=2, int=4, long=4))):
        pickle.dump(header, fh, protocol=protocol)
    storages = Storages(legacy=True)
    Pickler(fh, protocol, storages).dump(obj)
    pickle.dump([key for key, *_ in storages.sources], fh, protocol=protocol)
    for key, source, lo, hi, unit in storages.sources:
        # each storage: its element count (int64), then its bytes
        fh.write(((hi - lo) // unit).to_bytes(8, sys.byteorder, signed=True))
        fh.write(Storages.data(source, lo, hi))
