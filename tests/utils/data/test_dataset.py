"""ember.utils.data.dataset against torch.utils.data.dataset."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from ember.utils.data import dataset as edataset

from _utils_data_helpers import assert_same, same_error


def _pair(values):
    arr = np.asarray(values)
    return ember.tensor(arr), torch.tensor(arr)


def test_module_layout():
    assert edataset.Dataset is edata.Dataset
    for name in tdata.dataset.__all__:
        assert getattr(edataset, name) is getattr(edata, name)


def test_dataset_base():
    same_error(lambda: edata.Dataset()[0], lambda: tdata.Dataset()[0])

    class E(edata.Dataset):
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 3

    both = E() + E()
    assert isinstance(both, edata.ConcatDataset) and len(both) == 6 and both[4] == 1


def test_tensor_dataset():
    xe, xt = _pair(np.arange(12.0).reshape(6, 2))
    ye, yt = _pair(np.arange(6))
    de, dt = edata.TensorDataset(xe, ye), tdata.TensorDataset(xt, yt)
    assert len(de) == len(dt) == 6
    for i in (0, 3, -1):
        assert_same(de[i], dt[i])
    assert_same(de[1:4], dt[1:4])
    ze, zt = _pair(np.arange(5))
    same_error(lambda: edata.TensorDataset(xe, ze), lambda: tdata.TensorDataset(xt, zt))


def test_stack_dataset():
    ae, at = _pair(np.arange(8).reshape(4, 2))
    be, bt = _pair(np.arange(4.0))
    se, st = edata.StackDataset(ae, be), tdata.StackDataset(at, bt)
    assert len(se) == len(st) == 4
    assert_same(se[2], st[2])
    assert_same(se.__getitems__([0, 3]), st.__getitems__([0, 3]))
    de, dt = edata.StackDataset(x=ae, y=be), tdata.StackDataset(x=at, y=bt)
    assert_same(de[1], dt[1])
    assert_same(de.__getitems__([2, 1]), dt.__getitems__([2, 1]))
    # a member with __getitems__ answers the whole batch
    sub_e, sub_t = edata.Subset(ae, [3, 2, 1, 0]), tdata.Subset(at, [3, 2, 1, 0])
    assert_same(edata.StackDataset(sub_e, be).__getitems__([0, 1]),
                tdata.StackDataset(sub_t, bt).__getitems__([0, 1]))
    same_error(lambda: edata.StackDataset(ae, y=be), lambda: tdata.StackDataset(at, y=bt))
    same_error(lambda: edata.StackDataset(), lambda: tdata.StackDataset())
    same_error(lambda: edata.StackDataset(ae, be[:2]), lambda: tdata.StackDataset(at, bt[:2]))
    same_error(lambda: edata.StackDataset(a=ae, b=be[:2]), lambda: tdata.StackDataset(a=at, b=bt[:2]))


def test_concat_dataset():
    parts = [list(range(3)), list(range(10, 15)), [], list(range(20, 22))]
    ce, ct = edata.ConcatDataset(parts), tdata.ConcatDataset(parts)
    assert len(ce) == len(ct) == 10
    assert ce.cumulative_sizes == ct.cumulative_sizes
    assert [ce[i] for i in range(-10, 10)] == [ct[i] for i in range(-10, 10)]
    same_error(lambda: ce[-11], lambda: ct[-11])
    same_error(lambda: ce[10], lambda: ct[10])
    same_error(lambda: edata.ConcatDataset([]), lambda: tdata.ConcatDataset([]))

    class EI(edata.IterableDataset):
        def __iter__(self):
            return iter([])

    class TI(tdata.IterableDataset):
        def __iter__(self):
            return iter([])

    same_error(lambda: edata.ConcatDataset([EI()]), lambda: tdata.ConcatDataset([TI()]))
    with pytest.warns(FutureWarning):
        assert ce.cummulative_sizes == ct.cumulative_sizes


class _RangeBody:
    """Iterates range(n) and has a length (mixed into an ember and a torch IterableDataset)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class _ERange(_RangeBody, edata.IterableDataset):
    pass


class _TRange(_RangeBody, tdata.IterableDataset):
    pass


def test_chain_dataset_and_iterable_add():
    ce = edata.ChainDataset([_ERange(3), _ERange(2)])
    ct = tdata.ChainDataset([_TRange(3), _TRange(2)])
    assert list(ce) == list(ct) and len(ce) == len(ct)
    assert list(_ERange(2) + _ERange(3)) == list(_TRange(2) + _TRange(3))
    assert isinstance(_ERange(2) + _ERange(3), edata.ChainDataset)
    same_error(lambda: list(edata.ChainDataset([_ERange(1), [1]])),
               lambda: list(tdata.ChainDataset([_TRange(1), [1]])))
    same_error(lambda: len(edata.ChainDataset([[1]])), lambda: len(tdata.ChainDataset([[1]])))


def test_subset():
    base = list(range(100, 110))
    se, st = edata.Subset(base, [7, 2, 5]), tdata.Subset(base, [7, 2, 5])
    assert len(se) == len(st) == 3
    assert [se[i] for i in range(3)] == [st[i] for i in range(3)]
    assert se.__getitems__([2, 0]) == st.__getitems__([2, 0])
    xe, xt = _pair(np.arange(10) * 3)
    assert_same(edata.Subset(xe, [4, 1])[[0, 1]], tdata.Subset(xt, [4, 1])[[0, 1]])

    # same class name on both sides, since the message names it
    EBad = type('Bad', (edata.Subset,), {'__getitem__': lambda self, i: 0})
    TBad = type('Bad', (tdata.Subset,), {'__getitem__': lambda self, i: 0})

    same_error(lambda: EBad(base, [0]), lambda: TBad(base, [0]))


def _torch_perm_as_ember(monkeypatch):
    """Make ember.randperm return torch's permutation for the same seed, to compare algorithms."""
    def randperm(n, generator=None, **kw):
        seed = generator.initial_seed()
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        return ember.tensor(perm.numpy())
    monkeypatch.setattr(ember, 'randperm', randperm)


@pytest.mark.parametrize('lengths', [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [10], [0.25] * 4])
def test_random_split_like_torch(lengths, monkeypatch):
    _torch_perm_as_ember(monkeypatch)
    data = list(range(10))
    se = edata.random_split(data, lengths, generator=ember.Generator().manual_seed(3))
    st = tdata.random_split(data, lengths, generator=torch.Generator().manual_seed(3))
    assert [len(s) for s in se] == [len(s) for s in st]
    assert [list(s) for s in se] == [list(s) for s in st]
    assert all(isinstance(s, edata.Subset) for s in se)


def test_random_split_properties():
    data = list(range(30))
    a = edata.random_split(data, [0.2, 0.8], generator=ember.Generator().manual_seed(5))
    b = edata.random_split(data, [0.2, 0.8], generator=ember.Generator().manual_seed(5))
    assert [s.indices for s in a] == [s.indices for s in b]
    assert sorted(a[0].indices + a[1].indices) == data
    ember.manual_seed(1)
    c = edata.random_split(data, [10, 20])
    ember.manual_seed(1)
    d = edata.random_split(data, [10, 20])
    assert [s.indices for s in c] == [s.indices for s in d]


def test_random_split_errors_and_warnings():
    data = list(range(10))
    same_error(lambda: edata.random_split(data, [3, 3]), lambda: tdata.random_split(data, [3, 3]))
    same_error(lambda: edata.random_split(data, [1.2, -0.2]), lambda: tdata.random_split(data, [1.2, -0.2]))
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter('always')
        edata.random_split(list(range(3)), [0.9, 0.05, 0.05])
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter('always')
        tdata.random_split(list(range(3)), [0.9, 0.05, 0.05])
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]
    assert len(we) >= 1


def test_random_split_default_generator_as_torch():
    # torch's default is the default generator itself, so seeding it makes the split reproducible
    import inspect
    assert inspect.signature(edata.random_split).parameters['generator'].default is ember.default_generator
    assert inspect.signature(tdata.random_split).parameters['generator'].default is torch.default_generator
    data = list(range(20))
    ember.manual_seed(11)
    a = [list(s) for s in edata.random_split(data, [5, 15])]
    ember.manual_seed(11)
    b = [list(s) for s in edata.random_split(data, [0.25, 0.75])]
    assert a == b and sorted(a[0] + a[1]) == data
