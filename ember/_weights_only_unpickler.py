"""Reading the pickle inside a torch checkpoint: torch's global names mapped to ember objects.

A checkpoint's ``data.pkl`` names torch objects (``torch._utils._rebuild_tensor_v2``,
``torch.FloatStorage``, ``torch.Size``...). ember never imports torch: `find_class` maps each of
those names to an ember twin defined or imported here.

Safety (``weights_only=True``, the default of `ember.load`): the restricted unpickler's
`find_class` is the only way a pickle can reach a Python object it did not build itself, so it
hands out nothing but tensors' rebuild functions, primitive containers, ``Size``, dtypes, devices
and what the user allow-listed with `add_safe_globals`. Every callable a ``REDUCE`` or ``NEWOBJ``
opcode can call and every class a ``BUILD`` can touch comes from that list, so a refused file runs
no code: the refusal happens at the ``GLOBAL`` opcode, before anything is called.
"""
import _compat_pickle
import collections
import contextlib
import importlib
import pickle
from _codecs import encode as _codecs_encode

import numpy as np

from . import _dtype as D
from ._backend import array_module

__all__ = ['add_safe_globals', 'clear_safe_globals', 'get_safe_globals', 'safe_globals']


# ----- user allow-list -------------------------------------------------------------------------

_user_globals = []


def add_safe_globals(safe_globals):
    """Allow-list globals for ``ember.load(..., weights_only=True)``.

    Each entry is an object (a class or function, named by ``__module__.__qualname__``) or an
    ``(object, "module.name")`` pair for objects whose pickled name differs from that.
    """
    _user_globals.extend(safe_globals)


def get_safe_globals():
    """The list of user allow-listed globals."""
    return list(_user_globals)


def clear_safe_globals():
    """Forget every user allow-listed global."""
    _user_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Context manager: allow-list `safe_globals` (as `add_safe_globals`) inside the block only."""
    saved = list(_user_globals)
    _user_globals.extend(safe_globals)
    try:
        yield
    finally:
        _user_globals[:] = saved


def _global_name(obj):
    return f'{getattr(obj, "__module__", "?")}.{getattr(obj, "__qualname__", getattr(obj, "__name__", "?"))}'


def _user_lookup(full):
    # a torch-named global also matches the user's ember twin (torch.nn.X -> ember.nn.X)
    names = (full, 'ember' + full[5:]) if full.startswith('torch.') else (full,)
    for entry in reversed(_user_globals):
        if isinstance(entry, tuple):
            obj, name = entry
        else:
            obj, name = entry, _global_name(entry)
        if name in names:
            return obj, True
    return None, False


# ----- storages ----------------------------------------------------------------------------------

class _StorageType:
    """What ``torch.FloatStorage`` (or ``torch.storage.UntypedStorage``: dtype None) unpickles to."""

    __slots__ = ('name', 'dtype')

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f'StorageType(dtype={self.dtype})'


_STORAGE_NAMES = {'bool': 'BoolStorage', 'uint8': 'ByteStorage', 'int8': 'CharStorage',
                  'int16': 'ShortStorage', 'int32': 'IntStorage', 'int64': 'LongStorage',
                  'float16': 'HalfStorage', 'bfloat16': 'BFloat16Storage', 'float32': 'FloatStorage',
                  'float64': 'DoubleStorage', 'complex64': 'ComplexFloatStorage',
                  'complex128': 'ComplexDoubleStorage'}
STORAGE_NAMES = {D._BY_NAME[k]: v for k, v in _STORAGE_NAMES.items()}
# dtypes torch pickles through an untyped storage and `_rebuild_tensor_v3`
UNTYPED_DTYPES = (D.uint16, D.uint32, D.uint64)


class LoadedStorage:
    """A storage read back from a checkpoint: one 1-D uint8 array on its device, plus typed views.

    Every tensor of the file that names this storage becomes a view of `raw`, so tensors that
    shared memory when saved share it again after loading.
    """

    __slots__ = ('raw', 'dtype', '_views')

    def __init__(self, raw, dtype):
        self.raw, self.dtype, self._views = raw, dtype, {}

    def typed(self, dtype):
        v = self._views.get(dtype)
        if v is None:
            npd = D.to_numpy(dtype)
            if self.raw.nbytes % npd.itemsize:
                raise RuntimeError(f"storage of {self.raw.nbytes} bytes cannot hold elements of {dtype}")
            v = self._views[dtype] = self.raw.view(npd)
        return v


def _strided_view(arr, offset, size, stride):
    """View `size`/`stride` (in elements) of the 1-D array `arr` from element `offset` on."""
    if not (_ints(size) and _ints(stride) and isinstance(offset, int)) or len(size) != len(stride) \
            or offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"invalid tensor geometry in checkpoint: offset={offset!r} size={size!r} "
                           f"stride={stride!r}")
    isz = arr.itemsize
    numel = 1
    for s in size:
        numel *= s
    extent = offset + (1 + sum((n - 1) * st for n, st in zip(size, stride)) if numel else 0)
    if extent > arr.shape[0]:
        # a tensor reaching past its storage would read foreign memory: a corrupt or hostile file
        raise RuntimeError(f"tensor of size {tuple(size)} with stride {tuple(stride)} and offset "
                           f"{offset} is out of bounds for a storage of {arr.shape[0]} elements")
    strides = tuple(st * isz for st in stride)
    if type(arr) is np.ndarray or isinstance(arr, np.ndarray):
        return np.ndarray(tuple(size), arr.dtype, buffer=arr, offset=min(offset, arr.shape[0]) * isz,
                          strides=strides)
    xp = array_module(arr)
    return xp.lib.stride_tricks.as_strided(arr[offset:], shape=tuple(size), strides=strides)


def _ints(seq):
    return isinstance(seq, (tuple, list)) and all(isinstance(s, int) for s in seq)


# ----- rebuild functions (the twins of torch._utils._rebuild_*) ------------------------------

def _check_storage(storage):
    if not isinstance(storage, LoadedStorage):
        raise pickle.UnpicklingError(f"expected a storage to rebuild a tensor from, got "
                                     f"{type(storage).__name__}")


def _tensor_from(arr, requires_grad):
    from ._tensor import _wrap
    return _wrap(arr, bool(requires_grad))


def _rebuild_tensor(storage, storage_offset, size, stride):
    """torch._utils._rebuild_tensor: a tensor viewing a typed storage."""
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    """torch._utils._rebuild_tensor_v2: a tensor viewing a typed storage."""
    _check_storage(storage)
    if storage.dtype is None:
        raise RuntimeError("a tensor rebuilt with _rebuild_tensor_v2 needs a typed storage")
    return _tensor_from(_strided_view(storage.typed(storage.dtype), storage_offset, size, stride),
                        requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    """torch._utils._rebuild_tensor_v3: a tensor of `dtype` viewing an untyped storage."""
    _check_storage(storage)
    if not isinstance(dtype, D.dtype):
        raise pickle.UnpicklingError(f"expected a dtype, got {type(dtype).__name__}")
    return _tensor_from(_strided_view(storage.typed(dtype), storage_offset, size, stride),
                        requires_grad)


def _parameter_class():
    try:
        from .nn.parameter import Parameter
        return Parameter
    except ImportError:
        try:
            from .nn import Parameter
            return Parameter
        except ImportError:
            return None


def _as_parameter(data, requires_grad):
    from ._tensor import Tensor
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(f"expected a tensor to make a Parameter of, got "
                                     f"{type(data).__name__}")
    cls = _parameter_class()
    if cls is None:  # ember.nn not built: a leaf tensor is the closest thing
        data.requires_grad_(bool(requires_grad))
        return data
    return cls(data, bool(requires_grad))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """torch._utils._rebuild_parameter: an nn.Parameter around a rebuilt tensor."""
    return _as_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """torch._utils._rebuild_parameter_with_state: a Parameter with extra python attributes."""
    return _set_obj_state(_as_parameter(data, requires_grad), state)


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for d in (dict_state, slots_state):
        if d:
            for k, v in d.items():
                setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: rebuild with `func`, then retype and restore attributes."""
    from ._tensor import Tensor
    if func not in _REBUILDERS:
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2 can only call a tensor rebuild "
                                     f"function, got {func!r}")
    ret = func(*args)
    if type(ret) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise pickle.UnpicklingError(f"cannot rebuild a tensor as {new_type!r}")
        ret = Tensor._make_subclass(new_type, ret, ret.requires_grad)
    setstate = getattr(type(ret), '__setstate__', Tensor.__setstate__)
    if setstate is not Tensor.__setstate__:
        ret.__setstate__(state)
        return ret
    return _set_obj_state(ret, state)


_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state)
_LAYOUTS = ('strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc',
            '_mkldnn', 'jagged')


def _get_layout(name):
    """torch.serialization._get_layout: the layout named `name` ('torch.strided')."""
    import ember
    short = name.rpartition('.')[2] if isinstance(name, str) else None
    if short not in _LAYOUTS:
        raise pickle.UnpicklingError(f"unknown layout {name!r}")
    layout = getattr(ember, short, None)  # only a layout, never another ember attribute
    return layout if layout is not None and not callable(layout) else name


# ----- the name tables ---------------------------------------------------------------------------

_tables = {}


def torch_table():
    """torch global name -> ember object, for every name a torch checkpoint may hold safely."""
    t = _tables.get('torch')
    if t is not None:
        return t
    from ._tensor import Tensor
    from ._size import Size
    from ._backend import device
    t = {
        'torch._utils._rebuild_tensor': _rebuild_tensor,
        'torch._utils._rebuild_tensor_v2': _rebuild_tensor_v2,
        'torch._utils._rebuild_tensor_v3': _rebuild_tensor_v3,
        'torch._utils._rebuild_parameter': _rebuild_parameter,
        'torch._utils._rebuild_parameter_with_state': _rebuild_parameter_with_state,
        'torch._tensor._rebuild_from_type_v2': _rebuild_from_type_v2,
        'torch.serialization._get_layout': _get_layout,
        'torch.Size': Size,
        'torch.device': device,
        'torch.Tensor': Tensor,
        'torch._tensor.Tensor': Tensor,
        'torch.storage.UntypedStorage': _StorageType('UntypedStorage', None),
        'torch.UntypedStorage': _StorageType('UntypedStorage', None),
    }
    for d, name in STORAGE_NAMES.items():
        t[f'torch.{name}'] = t[f'torch.cuda.{name}'] = _StorageType(name, d)
    for name, d in D._BY_NAME.items():
        t[f'torch.{name}'] = d
    param = _parameter_class()
    if param is not None:
        t['torch.nn.parameter.Parameter'] = param
        _tables['torch'] = t  # complete: cache it (without Parameter, ask again next load)
    return t


_SAFE_BUILTINS = {
    'collections.OrderedDict': collections.OrderedDict,
    'collections.Counter': collections.Counter,
    'builtins.set': set,
    'builtins.frozenset': frozenset,
    'builtins.bytearray': bytearray,
    'builtins.complex': complex,
    '_codecs.encode': _codecs_encode,  # how protocol 2 pickles bytes
}


def _unsupported_global(full):
    short = full.rpartition('.')[2]
    return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
            "do those steps only if you trust the source of the checkpoint. \n\t(1) Re-running "
            "`ember.load` with `weights_only` set to `False` will likely succeed, but it can result in "
            "arbitrary code execution. Do it only if you got the file from a trusted source.\n\t(2) "
            "Alternatively, to load with `weights_only=True` please check the recommended steps in "
            "the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
            f"{full} was not an allowed global by default. Please use "
            f"`ember.serialization.add_safe_globals([{short}])` or the "
            f"`ember.serialization.safe_globals([{short}])` context manager to allowlist this global "
            "if you trust this class/function.")


def weights_only_failure(message):
    """The UnpicklingError a weights-only load raises for anything but a refused global."""
    return pickle.UnpicklingError(
        "Weights only load failed. Re-running `ember.load` with `weights_only` set to `False` will "
        "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
        f"file from a trusted source.\n\nWeightsUnpickler error: {message}")


def _ember_twin(module, name):
    """`ember.<rest>` for a global `torch.<rest>` (ember mirrors torch's module paths)."""
    try:
        obj = importlib.import_module('ember' + module[5:])
        for part in name.split('.'):
            obj = getattr(obj, part)
        return obj
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"ember cannot load the global {module}.{name}: ember has no "
                                     f"twin of this torch object") from None


# ----- unpicklers --------------------------------------------------------------------------------

def _py3_name(module, name):
    """Python 2 names in protocol-2 pickles (``__builtin__.set``) as Python 3 spells them."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _PersistentHook:
    """Mixin: hands storage persistent ids to the loader's function, refuses other ids."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent = persistent_load

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] in ('storage', b'storage', 'module',
                                                               b'module')):
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r}")
        return self._persistent(pid)


class WeightsUnpickler(_PersistentHook, pickle._Unpickler):
    """Accepts only tensors, primitive containers, Size, dtypes, devices and allow-listed globals.

    Built on pickle's Python unpickler so that, beyond `find_class`, every opcode that calls or
    mutates something checks its target: REDUCE/NEWOBJ/OBJ call only what `find_class` handed out,
    and BUILD only fills instances of dicts, tensors and allow-listed classes (never a class, a
    function or a shared object such as a dtype).
    """

    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, persistent_load, **kwargs)
        self._callables = set()   # ids of what find_class returned
        self._user_types = set()  # ids of user allow-listed classes

    def find_class(self, module, name):
        module, name = _py3_name(module, name)  # an overridden find_class skips pickle's fix_imports
        full = f'{module}.{name}'
        obj, found = _user_lookup(full)
        if found:
            self._user_types.add(id(obj))
        else:
            obj = _SAFE_BUILTINS.get(full)
            if obj is None:
                obj = torch_table().get(full)
            if obj is None:
                raise pickle.UnpicklingError(_unsupported_global(full))
        self._callables.add(id(obj))
        return obj

    def _check_call(self, func):
        if id(func) not in self._callables:
            raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function {func!r}")

    def load_reduce(self):
        self._check_call(self.stack[-2])
        pickle._Unpickler.load_reduce(self)
    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_newobj(self):
        self._check_call(self.stack[-2])
        pickle._Unpickler.load_newobj(self)
    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self):
        self._check_call(self.stack[-3])
        pickle._Unpickler.load_newobj_ex(self)
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def load_obj(self):
        mark = self.metastack[-1] if self.metastack else self.stack
        if not mark:
            raise pickle.UnpicklingError("OBJ without a class")
        self._check_call(mark[0])
        pickle._Unpickler.load_obj(self)
    dispatch[pickle.OBJ[0]] = load_obj

    def load_build(self):
        from ._tensor import Tensor
        inst = self.stack[-2]
        t = type(inst)
        if isinstance(inst, type) or not (t in (collections.OrderedDict, collections.Counter) or
                                          isinstance(inst, Tensor) or id(t) in self._user_types):
            raise pickle.UnpicklingError(f"Can only build Tensor, Parameter, OrderedDict or types "
                                         f"allowlisted via `add_safe_globals`, but got {t}")
        pickle._Unpickler.load_build(self)
    dispatch[pickle.BUILD[0]] = load_build


class FullUnpickler(_PersistentHook, pickle.Unpickler):
    """Plain pickle (runs whatever the file asks for), with torch names mapped to ember twins."""

    def find_class(self, module, name):
        module, name = _py3_name(module, name)
        if module == 'torch' or module.startswith('torch.'):
            obj = torch_table().get(f'{module}.{name}')
            if obj is not None:
                return obj
            return _ember_twin(module, name)
        return super().find_class(module, name)
