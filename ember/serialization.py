"""ember.save / ember.load in PyTorch's checkpoint format, without torch.

A checkpoint is a zip archive holding one folder: ``data.pkl`` (a protocol-2 pickle whose tensors
are ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`` calls and whose
storages are persistent ids ``('storage', torch.FloatStorage, key, location, numel)``), one
``data/<key>`` record of raw little-endian bytes per storage, and the small ``byteorder``,
``version``, ``.format_version``, ``.storage_alignment`` and ``.data/serialization_id`` records.
ember writes torch's global names itself (a pickler that emits ``GLOBAL torch._utils
_rebuild_tensor_v2``) and maps them back to ember functions when loading, so torch reads ember's
files and ember reads torch's.

The writing side lives in `ember._checkpoint_writer`, the unpickling side in
`ember._weights_only_unpickler`. Loading is weights-only by default; saving to a path is
crash-safe: a temporary file in the same folder is written, fsynced and renamed over the target.
"""
import io
import os
import pickle
import sys
import zipfile
import zlib

import numpy as np

from . import _dtype as D
from ._backend import array_module, cuda_available, device as _device, is_array, move, to_numpy
from ._checkpoint_writer import (MAGIC_NUMBER as _MAGIC_NUMBER, PROTOCOL_VERSION as _PROTOCOL_VERSION,
                                 Pickler, Storages, write_legacy, write_zip)
from ._weights_only_unpickler import (FullUnpickler, LoadedStorage, WeightsUnpickler, _StorageType,
                                      add_safe_globals, clear_safe_globals, get_safe_globals,
                                      safe_globals, weights_only_failure)

__all__ = ['save', 'load', 'add_safe_globals', 'safe_globals', 'get_safe_globals',
           'clear_safe_globals', 'DEFAULT_PROTOCOL']

DEFAULT_PROTOCOL = 2


# ===== saving ====================================================================================

def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save `obj` (tensors, state_dicts, nested containers, modules) to `f` in torch's format.

    `f` is a path (written crash-safely: temporary file, fsync, atomic rename) or a binary file
    object. The file loads with ``torch.load`` as well as with `ember.load`.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("torch.save(pickle_module=...) with a module other than pickle "
                                  "is not available in ember")
    if pickle_protocol < 2:
        raise ValueError(f"ember.save needs pickle protocol 2 or higher, got {pickle_protocol}")

    def write(fh, archive):
        if not _use_new_zipfile_serialization:
            write_legacy(fh, obj, pickle_protocol)
            return
        buf = io.BytesIO()
        storages = Storages()
        Pickler(buf, pickle_protocol, storages).dump(obj)
        write_zip(fh, archive, buf.getvalue(), storages)

    if not _is_path(f):
        if not hasattr(f, 'write'):
            raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a "
                                 f"'write' attribute, got {type(f).__name__}")
        write(f, 'archive')
        return
    _atomic_write(os.fspath(f), write)


def _archive_name(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem if stem and stem.isascii() and stem.isprintable() and '/' not in stem else 'archive'


def _atomic_write(path, write):
    path = os.path.realpath(path)  # write through a symlink, as a plain open() would
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    tmp = os.path.join(folder, f'.{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0), 0o666)
    try:
        with os.fdopen(fd, 'wb') as fh:
            write(fh, _archive_name(path))
            fh.flush()
            os.fsync(fh.fileno())
        try:  # keep the permission bits of the file being replaced
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# ===== loading ===================================================================================

def _location_str(loc):
    if isinstance(loc, bytes):
        loc = loc.decode('ascii')
    if isinstance(loc, _device):
        return str(loc)
    if isinstance(loc, str):
        return loc
    raise TypeError(f"map_location should be a str, bytes, device, dict or callable, got "
                    f"{type(loc).__name__}")


def _to_location(raw, location):
    """Storage bytes `raw` restored on the device named `location` (torch's default_restore_location)."""
    try:
        dev = _device(location)
    except (RuntimeError, TypeError):
        raise RuntimeError(f"don't know how to restore data location of storage (tagged with "
                           f"{location})") from None
    if dev.type == 'cpu':
        return to_numpy(raw)
    if dev.type == 'cuda':
        if not cuda_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use ember.load with "
                               "map_location=ember.device('cpu') to map your storages to the CPU.")
        return move(raw, _device('cuda', dev.index or 0))
    raise RuntimeError(f"don't know how to restore data location of storage (tagged with "
                       f"{location})")


def _restore_fn(map_location):
    """fn(raw_bytes_array, location, dtype) -> raw bytes array on the device map_location picks."""
    if map_location is None:
        return lambda raw, loc, dtype: _to_location(raw, loc)
    if isinstance(map_location, dict):
        table = {_location_str(k): _location_str(v) for k, v in map_location.items()}
        return lambda raw, loc, dtype: _to_location(raw, table.get(loc, loc))
    if isinstance(map_location, (str, bytes, _device)):
        target = _location_str(map_location)
        return lambda raw, loc, dtype: _to_location(raw, target)
    if callable(map_location):
        from ._tensor import Tensor, _wrap

        def restore(raw, loc, dtype):
            # torch passes a storage; ember's nearest thing is a 1-D tensor over the same bytes
            storage = _wrap(raw.view(D.to_numpy(dtype)) if dtype is not None else raw)
            res = map_location(storage, loc)
            if res is None:
                return _to_location(raw, loc)
            arr = res._data if isinstance(res, Tensor) else res
            if not is_array(arr):
                raise TypeError(f"map_location must return a storage (tensor) or None, got "
                                f"{type(res).__name__}")
            xp = array_module(arr)
            return xp.ascontiguousarray(arr).reshape(-1).view(xp.uint8)
        return restore
    raise TypeError(f"map_location should be a str, bytes, device, dict or callable, got "
                    f"{type(map_location).__name__}")


class _CorruptFile(RuntimeError):
    pass


def _corrupt(name, what, err=None):
    detail = f' ({type(err).__name__}: {err})' if err is not None else ''
    return _CorruptFile(f"PytorchStreamReader failed {what}. The checkpoint file '{name}' is "
                        f"truncated or corrupted; it may not have been saved completely or was "
                        f"modified after saving{detail}")


def _read_into(stream, buf, name, what):
    """Fill uint8 array `buf` from `stream` in bounded chunks."""
    mv = memoryview(buf)
    pos, n = 0, buf.nbytes
    while pos < n:
        chunk = stream.read(min(n - pos, 1 << 24))
        if not chunk:
            raise _corrupt(name, f'reading {what}: expected {n} bytes, found {pos}')
        mv[pos:pos + len(chunk)] = chunk
        pos += len(chunk)


def _swap_bytes(raw, dtype):
    """Byte-swap storage bytes of `dtype` in place (a big-endian file on a little-endian host)."""
    isz = dtype.itemsize // (2 if dtype.is_complex else 1)
    if isz > 1:
        raw.view(f'u{isz}').byteswap(inplace=True)


class _ZipCheckpoint:
    """Reads storages out of a torch zip checkpoint."""

    def __init__(self, fh, name, path, mmap):
        self.name, self.path, self.mmap = name, path, mmap
        try:
            self.zf = zipfile.ZipFile(fh)
            names = self.zf.namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as e:
            raise _corrupt(name, 'reading zip archive: failed finding central directory', e) from None
        if not names:
            raise _corrupt(name, 'reading zip archive: the archive is empty')
        self.prefix = names[0].split('/', 1)[0]
        self.names = set(names)
        if f'{self.prefix}/constants.pkl' in self.names and f'{self.prefix}/code/' in \
                {n[:len(self.prefix) + 6] for n in names}:
            raise RuntimeError(f"'{name}' is a TorchScript archive (torch.jit.save); ember cannot "
                               "load TorchScript")
        if f'{self.prefix}/data.pkl' not in self.names:
            raise RuntimeError(f"PytorchStreamReader failed locating file data.pkl: file not found "
                               f"in '{name}'")

    def has(self, rec):
        return f'{self.prefix}/{rec}' in self.names

    def read(self, rec):
        try:
            return self.zf.read(f'{self.prefix}/{rec}')
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise _corrupt(self.name, f'reading file {rec}', e) from None

    def read_storage(self, key, nbytes):
        rec = f'data/{key}'
        full = f'{self.prefix}/{rec}'
        if full not in self.names:
            raise _corrupt(self.name, f'locating file {rec}: file not found')
        info = self.zf.getinfo(full)
        if info.file_size != nbytes:
            raise _corrupt(self.name, f'reading file {rec}: the storage should hold {nbytes} bytes '
                                      f'but the record holds {info.file_size}')
        if nbytes == 0:
            return np.empty(0, np.uint8)
        if self.mmap and info.compress_type == zipfile.ZIP_STORED:
            return np.memmap(self.path, np.uint8, mode='c', offset=self._data_offset(info),
                             shape=(nbytes,))
        buf = np.empty(nbytes, np.uint8)
        fp = self.zf.fp
        if info.compress_type == zipfile.ZIP_STORED and hasattr(fp, 'readinto'):
            # one read straight into the storage, then the CRC over it (zipfile's reader copies
            # every chunk twice)
            fp.seek(self._data_offset(info))
            mv, pos = memoryview(buf), 0
            while pos < nbytes:
                got = fp.readinto(mv[pos:])
                if not got:
                    raise _corrupt(self.name, f'reading file {rec}: expected {nbytes} bytes, '
                                              f'found {pos}')
                pos += got
            if zlib.crc32(mv) != info.CRC:
                raise _corrupt(self.name, f'reading file {rec}: CRC-32 mismatch')
            return buf
        try:
            with self.zf.open(info) as stream:
                _read_into(stream, buf, self.name, rec)
                stream.read(1)  # reach the end, where zipfile checks the CRC
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise _corrupt(self.name, f'reading file {rec}', e) from None
        return buf

    def _data_offset(self, info):
        fp = self.zf.fp
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) != 30 or header[:4] != b'PK\x03\x04':
            raise _corrupt(self.name, f'reading the header of {info.filename}')
        return info.header_offset + 30 + int.from_bytes(header[26:28], 'little') + \
            int.from_bytes(header[28:30], 'little')


def _storage_pid(pid):
    if len(pid) not in (5, 6):
        raise pickle.UnpicklingError(f"malformed storage persistent id {pid!r}")
    _, storage_type, key, location, numel = pid[:5]
    if not isinstance(storage_type, _StorageType):
        raise pickle.UnpicklingError(f"expected a storage type in {pid!r}")
    if isinstance(key, bytes):
        key = key.decode('ascii')
    if isinstance(location, bytes):
        location = location.decode('ascii')
    if not (isinstance(key, (str, int)) and isinstance(location, str) and isinstance(numel, int)
            and numel >= 0):
        raise pickle.UnpicklingError(f"malformed storage persistent id {pid!r}")
    return storage_type.dtype, str(key), location, numel, pid[5] if len(pid) == 6 else None


def _load_zip(fh, name, path, unpickler, restore, mmap, kwargs):
    ckpt = _ZipCheckpoint(fh, name, path, mmap)
    byteorder = ckpt.read('byteorder').decode() if ckpt.has('byteorder') else 'little'
    if byteorder not in ('little', 'big'):
        raise ValueError("Unknown endianness type: " + byteorder)
    swap = byteorder != sys.byteorder
    loaded = {}

    def persistent_load(pid):
        dtype, key, location, numel, _ = _storage_pid(pid)
        st = loaded.get(key)
        if st is None:
            raw = ckpt.read_storage(key, numel * (dtype.itemsize if dtype is not None else 1))
            if swap and dtype is not None:
                _swap_bytes(raw, dtype)
            st = loaded[key] = LoadedStorage(restore(raw, location, dtype), dtype)
        return st

    return unpickler(io.BytesIO(ckpt.read('data.pkl')), persistent_load, **kwargs).load()


def _load_legacy(fh, name, unpickler, restore, kwargs):
    """torch.save(..., _use_new_zipfile_serialization=False): pickles, then raw storages."""
    def no_pid(pid):
        raise pickle.UnpicklingError("unexpected persistent id in a legacy checkpoint header")
    try:
        magic = unpickler(fh, no_pid, **kwargs).load()
    except pickle.UnpicklingError as e:
        if str(e).startswith('Weights only load failed'):
            raise  # a refused global: say so, not "corrupt file"
        raise _CorruptFile(f"ember.load: '{name}' is neither a zip checkpoint nor a legacy "
                           f"torch.save file (Invalid magic number; corrupt file?): {e}") from None
    except Exception as e:
        raise _CorruptFile(f"ember.load: '{name}' is neither a zip checkpoint nor a legacy "
                           f"torch.save file (Invalid magic number; corrupt file?): {e}") from None
    if magic != _MAGIC_NUMBER:
        raise _CorruptFile(f"Invalid magic number; corrupt file? ('{name}' is not a checkpoint)")
    version = unpickler(fh, no_pid, **kwargs).load()
    if version != _PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    sys_info = unpickler(fh, no_pid, **kwargs).load()
    little = sys_info.get('little_endian', True) if isinstance(sys_info, dict) else True
    roots, views = {}, {}

    def persistent_load(pid):
        if pid[0] in ('module', b'module'):
            return pid[1]
        dtype, key, location, numel, view = _storage_pid(pid)
        if dtype is None:
            dtype = D.uint8
        if key not in roots:
            roots[key] = (LoadedStorage(np.empty(numel * dtype.itemsize, np.uint8), dtype), location)
        st = roots[key][0]
        if view is None:
            return st
        view_key, offset, size = view
        if view_key not in views:
            isz = dtype.itemsize
            views[view_key] = LoadedStorage(st.raw[offset * isz:(offset + size) * isz], dtype)
        return views[view_key]

    result = unpickler(fh, persistent_load, **kwargs).load()
    keys = unpickler(fh, no_pid, **kwargs).load()
    for key in keys:
        st, location = roots[str(key)]
        header = fh.read(8)
        if len(header) != 8:
            raise _corrupt(name, f'reading storage {key}: the file ends early')
        numel = int.from_bytes(header, 'little' if little else 'big', signed=True)
        isz = 1 if st.dtype is None else st.dtype.itemsize
        if numel * isz != st.raw.nbytes:
            raise _corrupt(name, f'reading storage {key}: expected {st.raw.nbytes} bytes, the file '
                                 f'says {numel * isz}')
        _read_into(fh, st.raw, name, f'storage {key}')
        if little != (sys.byteorder == 'little'):
            _swap_bytes(st.raw, st.dtype)
        if restore(st.raw, location, st.dtype) is not st.raw:
            raise NotImplementedError("torch.load of a legacy (non-zip) checkpoint onto a device "
                                      "other than the CPU is not available in ember; load it with "
                                      "map_location='cpu' and move the tensors")
    return result


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load what `ember.save` or ``torch.save`` wrote.

    `weights_only` (default True) refuses every global but tensors, primitive containers, Size,
    dtypes, devices and what `ember.serialization.add_safe_globals` allow-listed. `map_location`
    is a device string, an `ember.device`, a dict ``{saved_location: new_location}`` or a
    callable ``(storage, location) -> storage or None`` as in torch. `mmap=True` maps the storages
    of a file path instead of reading them (copy-on-write).
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("torch.load(pickle_module=...) with a module other than pickle "
                                  "is not available in ember")
    kwargs = {'encoding': pickle_load_args.pop('encoding', 'utf-8'),
              'errors': pickle_load_args.pop('errors', 'strict')}
    if pickle_load_args:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(pickle_load_args)}")
    unpickler = WeightsUnpickler if weights_only else FullUnpickler
    restore = _restore_fn(map_location)
    if _is_path(f):
        path = os.fspath(f)
        with open(path, 'rb') as fh:
            return _load_stream(fh, path, path, unpickler, restore, bool(mmap), weights_only, kwargs)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not hasattr(f, 'read'):
        raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a "
                             f"'read' attribute, got {type(f).__name__}")
    name = getattr(f, 'name', None)
    name = name if isinstance(name, str) else f'<{type(f).__name__}>'
    if not (hasattr(f, 'seek') and f.seekable()):
        f = io.BytesIO(f.read())
    return _load_stream(f, name, None, unpickler, restore, False, weights_only, kwargs)


def _load_stream(fh, name, path, unpickler, restore, mmap, weights_only, kwargs):
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if not head:
        raise _CorruptFile(f"ember.load: '{name}' is empty: Ran out of input")
    is_zip = head[:2] == b'PK'
    if mmap and not is_zip:
        raise RuntimeError("mmap can only be used with files saved with `torch.save(_use_new_"
                           "zipfile_serialization=True)`, please torch.save your checkpoint with "
                           "this option in order to use mmap.")
    try:
        if is_zip:
            return _load_zip(fh, name, path, unpickler, restore, mmap, kwargs)
        return _load_legacy(fh, name, unpickler, restore, kwargs)
    except _CorruptFile:
        raise
    except EOFError as e:
        raise _corrupt(name, 'reading the pickle: it ends early', e) from None
    except pickle.UnpicklingError as e:
        if weights_only and not str(e).startswith('Weights only load failed'):
            raise weights_only_failure(str(e)) from None
        raise
    except (TypeError, AttributeError, ValueError, KeyError, IndexError) as e:
        if weights_only:
            raise weights_only_failure(f'{type(e).__name__}: {e}') from None
        raise
