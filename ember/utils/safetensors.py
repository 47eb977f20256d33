"""ember.utils.safetensors: .safetensors files, interchangeable with ``safetensors.torch``.

Uses the optional ``safetensors`` package (its NumPy API); bfloat16 travels as ml_dtypes'
bfloat16, which the package reads and writes by name. The functions mirror
``safetensors.torch``: `save_file`, `load_file`, `save`, `load`, `save_model`, `load_model`.
"""
import numpy as np

from .. import _dtype as D
from .._backend import device as _device, move, to_numpy
from .._tensor import Tensor, _wrap
from .._checkpoint_writer import _bounds, _ptr, _root

__all__ = ['save_file', 'load_file', 'save', 'load', 'save_model', 'load_model']


def _package():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError("ember.utils.safetensors needs the 'safetensors' package: "
                          "pip install safetensors (or pip install 'ember[safetensors]')") from None
    return safetensors


# safetensors dtype codes -> numpy dtypes, for `load` of raw bytes
_CODES = {'F64': np.float64, 'F32': np.float32, 'F16': np.float16, 'BF16': D._BF16,
          'I64': np.int64, 'U64': np.uint64, 'I32': np.int32, 'U32': np.uint32, 'I16': np.int16,
          'U16': np.uint16, 'I8': np.int8, 'U8': np.uint8, 'BOOL': np.bool_, 'C64': np.complex64}


def _find_shared(tensors):
    """Groups of names whose tensors overlap in memory (safetensors.torch's rule)."""
    by_root = {}
    for name, t in tensors.items():
        arr = t._data
        if arr.size == 0:
            continue
        by_root.setdefault(id(_root(arr)), []).append(name)
    groups = []
    for names in by_root.values():
        areas = sorted((_bounds(tensors[n]._data) + (n,)) for n in names)
        start, stop, name = areas[0]
        groups.append({name})
        for start, end, name in areas[1:]:
            if start >= stop:
                groups.append({name})
            else:
                groups[-1].add(name)
            stop = max(stop, end)
    return groups


def _arrays(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    failing = [g for g in _find_shared(tensors) if len(g) > 1]
    if failing:
        raise RuntimeError(
            f"Some tensors share memory, this will lead to duplicate memory on disk and potential "
            f"differences when loading them again: {failing}.\nA potential way to correctly save "
            f"your model is to use `save_model`.")
    out = {}
    for k, v in tensors.items():
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It "
                f"either means you are trying to save tensors which are reference of each other in "
                f"which case it's recommended to save only the full tensors, and reslice at load "
                f"time, or simply call `.contiguous()` on your tensor to pack it before saving.")
        out[k] = to_numpy(v._data)  # a GPU tensor is copied to the host first
    return out


def save_file(tensors, filename, metadata=None):
    """Write a dict of contiguous, non-overlapping tensors to a .safetensors file."""
    _package()
    import safetensors.numpy
    safetensors.numpy.save_file(_arrays(tensors), filename, metadata=metadata)


def save(tensors, metadata=None):
    """The .safetensors bytes of a dict of tensors."""
    _package()
    import safetensors.numpy
    return safetensors.numpy.save(_arrays(tensors), metadata=metadata)


def _to_device(arrays, device):
    dev = _device(device)
    out = {}
    for k, a in arrays.items():
        D.from_numpy(a.dtype)  # TypeError for a dtype ember has no twin for
        out[k] = _wrap(a if dev.type == 'cpu' else move(a, dev))
    return out


def load_file(filename, device='cpu'):
    """Read a .safetensors file into a dict of tensors on `device`."""
    _package()
    import safetensors.numpy
    arrays = safetensors.numpy.load_file(filename)
    return _to_device({k: a if a.flags.writeable else a.copy() for k, a in arrays.items()}, device)


def load(data):
    """Tensors from .safetensors bytes."""
    safetensors = _package()
    arrays = {}
    for name, view in safetensors.deserialize(data):
        npd = _CODES.get(view['dtype'])
        if npd is None:
            raise TypeError(f"ember has no dtype for safetensors dtype {view['dtype']} (tensor "
                            f"{name!r})")
        arrays[name] = np.frombuffer(bytearray(view['data']), npd).reshape(view['shape'])
    return _to_device(arrays, 'cpu')


def _is_complete(t):
    lo, hi = _bounds(_root(t._data))
    return _ptr(t._data) == lo and t._data.nbytes == hi - lo


def _remove_duplicate_names(state_dict, *, preferred_names=None, discard_names=None):
    """For each group of tensors sharing memory: the name kept -> the names dropped."""
    preferred_names = set(preferred_names or ())
    discard_names = set(discard_names or ())
    to_remove = {}
    for shared in _find_shared(state_dict):
        if len(shared) < 2:
            continue
        complete = {n for n in shared if _is_complete(state_dict[n])}
        if not complete:
            raise RuntimeError(
                f"Error while trying to find names to remove to save state dict, but found no "
                f"suitable name to keep for saving amongst: {shared}. None is covering the entire "
                f"storage.Refusing to save/load the model since you could be storing much more "
                f"memory than needed.")
        keep = sorted(complete)[0]
        preferred = complete - discard_names
        if preferred:
            keep = sorted(preferred)[0]
        if preferred_names & complete:
            keep = sorted(preferred_names & complete)[0]
        to_remove[keep] = [n for n in sorted(shared) if n != keep]
    return to_remove


def save_model(model, filename, metadata=None, force_contiguous=True):
    """Save `model.state_dict()`, storing tied (shared) tensors once and noting them in metadata."""
    state_dict = model.state_dict()
    for kept, removed in _remove_duplicate_names(state_dict).items():
        for name in removed:
            if metadata is None:
                metadata = {}
            metadata.setdefault(name, kept)
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as e:
        raise ValueError(f"{e} Or use save_model(..., force_contiguous=True), read the docs for "
                         f"potential caveats.") from None


def load_model(model, filename, strict=True, device='cpu'):
    """Load a .safetensors file into `model`; returns (missing, unexpected) names."""
    state_dict = load_file(filename, device=device)
    to_removes = _remove_duplicate_names(model.state_dict(), preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing, unexpected = set(missing), list(unexpected)
    for removed in to_removes.values():
        for name in removed:
            if name not in missing:
                unexpected.append(name)
            else:
                missing.remove(name)
    if strict and (missing or unexpected):
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            error += "\n    Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(missing))
        if unexpected:
            error += "\n    Unexpected key(s) in state_dict: " + ", ".join(
                f'"{k}"' for k in sorted(unexpected))
        raise RuntimeError(error)
    return missing, unexpected
