"""default_collate / default_convert / collate against torch's."""
import collections
import copy

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from torch.utils.data._utils import collate as tcollate

import ember
import ember.utils.data as edata
from ember.utils.data._utils import collate as ecollate

from _utils_data_helpers import assert_same, same_error

Point = collections.namedtuple('Point', ['x', 'y'])


class MyList(list):
    pass


class FrozenSeq(collections.abc.Sequence):
    """A sequence type that cannot be rebuilt from a list: collated into a plain list."""

    def __init__(self, *items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


def _conv(obj, fw):
    """`obj` with every Tensor marker ('T', array) turned into a tensor of framework `fw`."""
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str) and obj[0] == 'T':
        return fw.tensor(obj[1])
    if isinstance(obj, Point):
        return Point(*(_conv(v, fw) for v in obj))
    if isinstance(obj, dict):
        out = copy.copy(obj)
        out.update((k, _conv(v, fw)) for k, v in obj.items())
        return out
    if isinstance(obj, MyList):
        return MyList(_conv(v, fw) for v in obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_conv(v, fw) for v in obj)
    return obj


def T(*vals, dtype=None):
    return ('T', np.array(vals, dtype=dtype))


BATCHES = {
    'tensors_f32': [T(1.0, 2.0, dtype=np.float32), T(3.0, 4.0, dtype=np.float32)],
    'tensors_i64': [T(1, 2), T(3, 4), T(5, 6)],
    'tensors_0d': [('T', np.array(1.5)), ('T', np.array(2.5))],
    'tensors_bool': [T(True), T(False)],
    'numpy_f32': [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    'numpy_i16': [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
    'numpy_u8': [np.arange(3, dtype=np.uint8)] * 2,
    'numpy_bool': [np.array([True, False])] * 2,
    'numpy_scalar_f32': [np.float32(1.5), np.float32(2.5)],
    'numpy_scalar_f64': [np.float64(1.5), np.float64(2.5)],
    'numpy_scalar_i32': [np.int32(1), np.int32(2)],
    'numpy_scalar_bool': [np.bool_(True), np.bool_(False)],
    'numpy_scalar_f16': [np.float16(1.5), np.float16(2.5)],
    'numpy_scalar_mixed': [np.int8(1), np.float32(2.5)],
    'numpy_scalar_u8': [np.uint8(1), np.uint8(255)],
    'numpy_0d_array': [np.array(3.0), np.array(4.0)],
    'floats': [1.0, 2.5, -3.0],
    'ints': [1, 2, 3],
    'bools': [True, False],
    'strings': ['a', 'bc'],
    'bytes': [b'a', b'bc'],
    'dicts': [{'a': 1, 'b': T(1.0)}, {'a': 2, 'b': T(2.0)}],
    'ordered_dict': [collections.OrderedDict(b=1.0, a='x'), collections.OrderedDict(b=2.0, a='y')],
    'defaultdict': [collections.defaultdict(int, k=1), collections.defaultdict(int, k=2)],
    'tuples': [(T(1.0), 1, 'a'), (T(2.0), 2, 'b')],
    'lists': [[T(1.0), 1.5], [T(2.0), 2.5]],
    'namedtuples': [Point(1, T(1.0)), Point(2, T(2.0))],
    'list_subclass': [MyList([1, 2]), MyList([3, 4])],
    'frozen_seq': [FrozenSeq(1, 2.0), FrozenSeq(3, 4.0)],
    'nested': [{'p': Point(x=[1, 2], y={'z': T(1, 2)}), 's': ('u', 1.0)},
               {'p': Point(x=[3, 4], y={'z': T(3, 4)}), 's': ('v', 2.0)}],
    'mixed_int_float': [1, 2.0],
    'mixed_float_int': [1.0, 2],
}


@pytest.mark.parametrize('name', list(BATCHES))
def test_default_collate_like_torch(name):
    batch = BATCHES[name]
    e = edata.default_collate(_conv(batch, ember))
    t = tdata.default_collate(_conv(batch, torch))
    assert_same(e, t)


@pytest.mark.parametrize('name', list(BATCHES))
def test_default_convert_like_torch(name):
    for sample in BATCHES[name]:
        assert_same(edata.default_convert(_conv(sample, ember)), tdata.default_convert(_conv(sample, torch)))


def test_default_convert_leaves_others_alone():
    for obj in ['abc', 3, 2.5, None, np.array(['a', 'b']), np.str_('x')]:
        e, t = edata.default_convert(obj), tdata.default_convert(obj)
        assert type(e) is type(t)
    arr = np.array([1, 2], dtype=np.int32)
    assert_same(edata.default_convert([arr, (arr,)]), tdata.default_convert([arr, (arr,)]))


def test_collate_errors_like_torch():
    # tensors of different shapes: torch.stack's error
    e = same_error(lambda: edata.default_collate([ember.zeros(2), ember.zeros(3)]),
                   lambda: tdata.default_collate([torch.zeros(2), torch.zeros(3)]))
    assert 'stack expects each tensor to be equal size' in str(e)
    same_error(lambda: edata.default_collate([np.zeros(2), np.zeros(3)]),
               lambda: tdata.default_collate([np.zeros(2), np.zeros(3)]))
    same_error(lambda: edata.default_collate([[1, 2], [1]]), lambda: tdata.default_collate([[1, 2], [1]]))
    same_error(lambda: edata.default_collate([(1, 2), (1,)]), lambda: tdata.default_collate([(1, 2), (1,)]))
    same_error(lambda: edata.default_collate([np.array(['a']), np.array(['b'])]),
               lambda: tdata.default_collate([np.array(['a']), np.array(['b'])]))
    same_error(lambda: edata.default_collate([np.array([{}], dtype=object)] * 2),
               lambda: tdata.default_collate([np.array([{}], dtype=object)] * 2))
    same_error(lambda: edata.default_collate([None, None]), lambda: tdata.default_collate([None, None]))
    same_error(lambda: edata.default_collate([object()]), lambda: tdata.default_collate([object()]))
    same_error(lambda: edata.default_collate([{'a': 1}, {'b': 1}]), lambda: tdata.default_collate([{'a': 1}, {'b': 1}]))


def test_collate_with_custom_map():
    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return sum(b.v for b in batch)

    emap = {**ecollate.default_collate_fn_map, Box: collate_box}
    tmap = {**tcollate.default_collate_fn_map, Box: collate_box}
    batch = [{'b': Box(1), 'x': 1.0}, {'b': Box(2), 'x': 2.0}]
    assert_same(ecollate.collate(batch, collate_fn_map=emap), tcollate.collate(batch, collate_fn_map=tmap))
    # subclasses are found through isinstance
    class SubBox(Box):
        pass
    assert ecollate.collate([SubBox(3), SubBox(4)], collate_fn_map=emap) == 7
    assert set(type(k).__name__ if not isinstance(k, type) else k.__name__ for k in ecollate.default_collate_fn_map
               if isinstance(k, type)) >= {'Tensor', 'ndarray', 'float', 'int', 'str', 'bytes'}


def test_collate_keeps_mapping_type_and_attrs():
    class Tagged(dict):
        pass
    a, b = Tagged(x=1), Tagged(x=2)
    a.tag = 'hello'
    out = edata.default_collate([a, b])
    assert type(out) is Tagged and out.tag == 'hello'
    assert_same(out['x'], tdata.default_collate([{'x': 1}, {'x': 2}])['x'])


def test_collate_stacks_values():
    e = edata.default_collate([ember.arange(3), ember.arange(3) + 10])
    assert e.tolist() == [[0, 1, 2], [10, 11, 12]]
    assert not e.requires_grad
