"""DataLoader in the main process (num_workers=0) and its argument checks, against torch's."""
import multiprocessing
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from ember.utils.data import dataloader as edataloader

from _utils_data_helpers import assert_same, same_error


def _datasets(n=10):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    return (edata.TensorDataset(ember.tensor(x), ember.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


class Squares:
    """A map-style dataset that both frameworks can read (python numbers and dicts)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {'i': i, 'sq': float(i * i), 'name': f's{i}', 'arr': np.full(2, i, np.int32)}

    def __len__(self):
        return self.n


def test_module_layout():
    assert edataloader.DataLoader is edata.DataLoader
    assert edataloader.default_collate is edata.default_collate
    assert edataloader.get_worker_info is edata.get_worker_info
    assert edata._DatasetKind.Map == tdata._DatasetKind.Map
    assert edata._DatasetKind.Iterable == tdata._DatasetKind.Iterable
    assert edata.get_worker_info() is None
    import ember.utils
    assert ember.utils.data is edata


@pytest.mark.parametrize('kw', [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=4),
                                dict(batch_size=None), dict(batch_size=20)])
def test_sequential_batches_like_torch(kw):
    de, dt = _datasets()
    le, lt = edata.DataLoader(de, **kw), tdata.DataLoader(dt, **kw)
    assert len(le) == len(lt)
    be, bt = list(le), list(lt)
    assert len(be) == len(bt)
    for a, b in zip(be, bt):
        assert_same(a, b)


@pytest.mark.parametrize('batch_size', [None, 1, 3])
def test_structured_samples_like_torch(batch_size):
    le = edata.DataLoader(Squares(7), batch_size=batch_size)
    lt = tdata.DataLoader(Squares(7), batch_size=batch_size)
    for a, b in zip(list(le), list(lt), strict=True):
        assert_same(a, b)


def test_sampler_and_batch_sampler_like_torch():
    de, dt = _datasets()
    order = [9, 0, 4, 4, 2]
    for a, b in zip(edata.DataLoader(de, sampler=order, batch_size=2), tdata.DataLoader(dt, sampler=order, batch_size=2),
                    strict=True):
        assert_same(a, b)
    batches = [[1, 2], [9], [3, 3, 0]]
    le, lt = edata.DataLoader(de, batch_sampler=batches), tdata.DataLoader(dt, batch_sampler=batches)
    assert len(le) == len(lt) == 3
    for a, b in zip(le, lt, strict=True):
        assert_same(a, b)
    sampler_e = edata.BatchSampler(edata.SequentialSampler(de), 4, True)
    sampler_t = tdata.BatchSampler(tdata.SequentialSampler(dt), 4, True)
    for a, b in zip(edata.DataLoader(de, batch_sampler=sampler_e), tdata.DataLoader(dt, batch_sampler=sampler_t),
                    strict=True):
        assert_same(a, b)


def test_tensor_dataset_batches_like_torch():
    # a plain TensorDataset is read one gather per batch: the same batches as sample by sample
    x = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10)
    sub_e = type('Sub', (edata.TensorDataset,), {})
    batches = [[3, 1, 4], [-1, 0], [np.int64(2), 5], [9]]
    for de in (edata.TensorDataset(ember.tensor(x), ember.tensor(y)), sub_e(ember.tensor(x), ember.tensor(y))):
        dt = tdata.TensorDataset(torch.tensor(x), torch.tensor(y))
        for a, b in zip(edata.DataLoader(de, batch_sampler=batches), tdata.DataLoader(dt, batch_sampler=batches),
                        strict=True):
            assert_same(a, b)
    same_error(lambda: list(edata.DataLoader(edata.TensorDataset(ember.arange(5)), batch_sampler=[[1, 7]])),
               lambda: list(tdata.DataLoader(tdata.TensorDataset(torch.arange(5)), batch_sampler=[[1, 7]])))
    # tensors that require grad are stacked, keeping torch's graph
    be = next(iter(edata.DataLoader(edata.TensorDataset(ember.ones(4, 2, requires_grad=True)), batch_size=2)))
    bt = next(iter(tdata.DataLoader(tdata.TensorDataset(torch.ones(4, 2, requires_grad=True)), batch_size=2)))
    assert type(be[0].grad_fn).__name__ == type(bt[0].grad_fn).__name__ == 'StackBackward0'


def test_collate_fn_and_getitems():
    de, dt = _datasets()
    fn = lambda batch: len(batch)  # noqa: E731
    assert list(edata.DataLoader(de, batch_size=4, collate_fn=fn)) == list(tdata.DataLoader(dt, batch_size=4, collate_fn=fn))

    class Batched:
        calls = []

        def __getitem__(self, i):
            raise AssertionError('__getitems__ should be used')

        def __getitems__(self, idx):
            Batched.calls.append(list(idx))
            return [i * 10 for i in idx]

        def __len__(self):
            return 5

    out = [b.tolist() for b in edata.DataLoader(Batched(), batch_size=2)]
    assert out == [[0, 10], [20, 30], [40]]
    assert Batched.calls == [[0, 1], [2, 3], [4]]


def test_shuffle_generator_reproducible():
    de, _ = _datasets(20)

    def run(seed):
        g = ember.Generator().manual_seed(seed)
        return [b[1].tolist() for b in edata.DataLoader(de, batch_size=6, shuffle=True, generator=g)]

    a = run(0)
    assert a == run(0) and a != run(1)
    assert sorted(sum(a, [])) == list(range(20))
    # two epochs of one loader differ; the same seed replays both
    g = ember.Generator().manual_seed(3)
    loader = edata.DataLoader(de, batch_size=20, shuffle=True, generator=g)
    e1, e2 = [next(iter(loader))[1].tolist() for _ in range(2)]
    assert e1 != e2
    g.manual_seed(3)
    assert [next(iter(loader))[1].tolist() for _ in range(2)] == [e1, e2]
    # without a generator the global seed decides
    ember.manual_seed(11)
    x = [b[1].tolist() for b in edata.DataLoader(de, batch_size=5, shuffle=True)]
    ember.manual_seed(11)
    assert x == [b[1].tolist() for b in edata.DataLoader(de, batch_size=5, shuffle=True)]
    assert isinstance(edata.DataLoader(de, shuffle=True).sampler, edata.RandomSampler)
    assert isinstance(edata.DataLoader(de, shuffle=False).sampler, edata.SequentialSampler)


class ERange(edata.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        info = edata.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n if self.length is None else self.length


class TRange(tdata.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        info = tdata.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n if self.length is None else self.length


@pytest.mark.parametrize('kw', [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)])
def test_iterable_dataset_like_torch(kw):
    le, lt = edata.DataLoader(ERange(8), **kw), tdata.DataLoader(TRange(8), **kw)
    assert len(le) == len(lt)
    for a, b in zip(le, lt, strict=True):
        assert_same(a, b)


def test_iterable_dataset_length_warning():
    le, lt = edata.DataLoader(ERange(5, length=3)), tdata.DataLoader(TRange(5, length=3))
    assert len(le) == len(lt) == 3
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter('always')
        list(le)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter('always')
        list(lt)
    assert len(we) == len(wt) == 2
    assert 'was reported to be 3(when accessing len(dataloader)), but 4 samples have been fetched' in str(we[0].message)


def test_len_without_dataset_len():
    NoLen = type('NoLen', (edata.IterableDataset,), {'__iter__': lambda self: iter([1])})
    TNoLen = type('NoLen', (tdata.IterableDataset,), {'__iter__': lambda self: iter([1])})

    same_error(lambda: len(edata.DataLoader(NoLen())), lambda: len(tdata.DataLoader(TNoLen())))


def _err(kw, iterable=False, n=6):
    de, dt = (ERange(n), TRange(n)) if iterable else _datasets(n)
    return same_error(lambda: edata.DataLoader(de, **kw), lambda: tdata.DataLoader(dt, **kw))


@pytest.mark.parametrize('kw', [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True), dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], sampler=[0]), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(batch_size=0), dict(batch_size=-2), dict(drop_last=2),
    dict(multiprocessing_context='fork'), dict(num_workers=1, multiprocessing_context='nope'),
    dict(num_workers=1, multiprocessing_context=3),
])
def test_argument_errors_like_torch(kw):
    _err(kw)


@pytest.mark.parametrize('kw', [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_argument_errors_like_torch(kw):
    _err(kw, iterable=True)


def test_timeout_needs_workers_like_torch():
    de, dt = _datasets()
    same_error(lambda: iter(edata.DataLoader(de, timeout=1)), lambda: iter(tdata.DataLoader(dt, timeout=1)))


def test_attributes_frozen_after_init():
    de, dt = _datasets()
    le, lt = edata.DataLoader(de), tdata.DataLoader(dt)
    for attr in ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset', 'persistent_workers'):
        same_error(lambda: setattr(le, attr, 2), lambda: setattr(lt, attr, 2))
    le.num_workers = 0  # others stay writable, as in torch
    le.collate_fn = edata.default_convert


def test_attributes_like_torch():
    de, dt = _datasets()
    for kw in (dict(), dict(batch_size=None), dict(batch_sampler=[[0]]), dict(num_workers=2),
               dict(num_workers=2, prefetch_factor=3, persistent_workers=True, in_order=False)):
        le, lt = edata.DataLoader(de, **kw), tdata.DataLoader(dt, **kw)
        for attr in ('batch_size', 'drop_last', 'num_workers', 'prefetch_factor', 'timeout', 'pin_memory',
                     'persistent_workers', 'in_order', '_auto_collation', 'pin_memory_device'):
            assert getattr(le, attr) == getattr(lt, attr), attr
        assert type(le.sampler).__name__ == type(lt.sampler).__name__
        assert le.collate_fn.__name__ == lt.collate_fn.__name__
    ctx = edata.DataLoader(de, num_workers=1, multiprocessing_context='spawn').multiprocessing_context
    assert isinstance(ctx, multiprocessing.context.BaseContext) and ctx.get_start_method() == 'spawn'
    own = multiprocessing.get_context('fork')
    assert edata.DataLoader(de, num_workers=1, multiprocessing_context=own).multiprocessing_context is own


def test_pin_memory_accepted_with_torchs_warnings():
    de, dt = _datasets()
    for kw in (dict(pin_memory=True), dict(pin_memory=True, pin_memory_device='cuda')):
        with warnings.catch_warnings(record=True) as we:
            warnings.simplefilter('always')
            out_e = list(edata.DataLoader(de, batch_size=5, **kw))
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter('always')
            out_t = list(tdata.DataLoader(dt, batch_size=5, **kw))
        if not ember._backend.cuda_available() and not torch.accelerator.is_available():
            assert [str(w.message) for w in we] == [str(w.message) for w in wt]
        for a, b in zip(out_e, out_t, strict=True):
            assert_same(a, b)


def test_iterator_protocol():
    de, _ = _datasets()
    loader = edata.DataLoader(de, batch_size=4)
    it = iter(loader)
    assert iter(it) is it and len(it) == 3
    next(it), next(it), next(it)
    with pytest.raises(StopIteration):
        next(it)
    import pickle
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(loader))
    assert edata.DataLoader[int] is not None  # generic, as torch's


def test_dataset_errors_propagate_in_main_process():
    class Bad(edata.Dataset):
        def __getitem__(self, i):
            raise KeyError(f'no {i}')

        def __len__(self):
            return 3

    with pytest.raises(KeyError, match='no 0'):
        next(iter(edata.DataLoader(Bad())))
