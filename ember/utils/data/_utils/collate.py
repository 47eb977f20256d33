"""Turning a list of samples into a batch (`default_collate`) and single samples into tensors (`default_convert`).

`collate` walks the structure of the first sample: containers are rebuilt with each field
collated across the batch; leaves are handed to the function registered for their type in
`collate_fn_map` (tensors are stacked, NumPy arrays and numbers become tensors, strings stay lists).
"""
import collections.abc
import copy
import functools
import re

import numpy as np

import ember
from ember import _dtype
from ember._tensor import Tensor

# NumPy dtype codes of strings and objects, which have no tensor twin.
np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                                  "dicts or lists; found {}")


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, '_fields')


def _rebuild_mapping(proto, items):
    """A mapping like `proto` (same type, extra attributes kept) holding `items`."""
    try:
        if isinstance(proto, collections.abc.MutableMapping):
            out = copy.copy(proto)
            out.update(items)
            return out
        return type(proto)(items)
    except TypeError:
        return items


def _rebuild_sequence(proto, items):
    """A sequence like `proto` holding `items` (a plain list if its type cannot be rebuilt)."""
    try:
        if isinstance(proto, collections.abc.MutableSequence):
            out = copy.copy(proto)
            for i, v in enumerate(items):
                out[i] = v
            return out
        return type(proto)(items)
    except TypeError:
        return items


def default_convert(data):
    """Convert NumPy arrays and scalars inside `data` into tensors, keeping its structure.

    This is the DataLoader's collate function when automatic batching is off (``batch_size=None``).
    Tuples come back as lists (as in torch); anything else is returned unchanged.
    """
    if isinstance(data, Tensor):
        return data
    t = type(data)
    if t.__module__ == 'numpy' and t.__name__ not in ('str_', 'string_'):
        if t is np.ndarray and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return ember.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(data[k]) for k in data})
    if _is_namedtuple(data):
        return t(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate `batch` (a list of samples of one structure) using `collate_fn_map` for the leaves.

    `collate_fn_map` maps a type (or tuple of types) to ``fn(batch, *, collate_fn_map)``; the exact
    type of the first sample is looked up first, then each key in order with ``isinstance``.
    """
    elem = batch[0]
    t = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(t)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map)
                                       for k in elem})
    if _is_namedtuple(elem):
        return t(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each field's samples arrive as a tuple (a list of strings stays that tuple, as in torch)
        fields = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # tuples come back as lists, as torch has always done
        return _rebuild_sequence(elem, fields)
    raise TypeError(default_collate_err_msg_format.format(t))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new leading dim (torch.stack's error when their shapes differ)."""
    return ember.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([ember.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    # torch keeps each NumPy scalar's own dtype (promoted across the batch): float64 scalars
    # make a float64 tensor, not one of the default dtype
    dt = functools.reduce(_dtype.promote_types, (_dtype.from_numpy(np.asarray(b).dtype) for b in batch))
    return ember.as_tensor(np.array(batch, dtype=dt.np))


def collate_float_fn(batch, *, collate_fn_map=None):
    return ember.tensor(batch, dtype=ember.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return ember.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch, as torch.utils.data.default_collate.

    Tensors are stacked along a new dim 0; NumPy arrays and scalars become tensors; python floats
    become a float64 tensor, ints an int64 one (bools a bool one); strings and bytes stay a list;
    mappings, namedtuples and sequences keep their structure with every field collated (tuples come
    back as lists).
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
