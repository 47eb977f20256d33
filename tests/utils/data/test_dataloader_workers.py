"""DataLoader with worker processes: results, seeding, errors, dead workers, timeouts and shutdown."""
import gc
import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from torch.utils.data._utils import worker as tworker

import ember
import ember.utils.data as edata
from ember.utils.data._utils import worker as eworker

from _utils_data_helpers import assert_same

pytestmark = pytest.mark.skipif(not hasattr(os, 'fork'), reason='worker tests use fork')


def _tensor_datasets(n=12):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n)
    return (edata.TensorDataset(ember.tensor(x), ember.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


def _children():
    return {p.pid for p in multiprocessing.active_children()}


class Sharded:
    """An iterable dataset for either framework that splits range(n) between workers."""

    def __new__(cls, fw, n):
        base = fw.utils.data.IterableDataset

        class _Sharded(base):
            def __iter__(self):
                info = fw.utils.data.get_worker_info()
                if info is None:
                    return iter(range(n))
                per = -(-n // info.num_workers)
                return iter(range(info.id * per, min(n, (info.id + 1) * per)))

            def __len__(self):
                return n

        return _Sharded()


@pytest.mark.parametrize('kw', [dict(batch_size=5), dict(batch_size=5, drop_last=True), dict(batch_size=None),
                                dict(batch_size=3, prefetch_factor=1), dict(batch_size=2, prefetch_factor=4),
                                dict(batch_size=5, collate_fn=len), dict(batch_size=5, pin_memory=False, timeout=30)])
def test_map_dataset_like_torch(kw):
    de, dt = _tensor_datasets()
    le = edata.DataLoader(de, num_workers=2, **kw)
    lt = tdata.DataLoader(dt, num_workers=2, **kw)
    assert len(le) == len(lt)
    for a, b in zip(le, lt, strict=True):
        assert_same(a, b)


@pytest.mark.parametrize('kw', [dict(batch_size=None), dict(batch_size=2), dict(batch_size=4, drop_last=True)])
def test_iterable_dataset_sharded_like_torch(kw):
    le = edata.DataLoader(Sharded(ember, 11), num_workers=2, **kw)
    lt = tdata.DataLoader(Sharded(torch, 11), num_workers=2, **kw)
    assert len(le) == len(lt)
    for a, b in zip(le, lt, strict=True):
        assert_same(a, b)


def test_same_batches_with_or_without_workers():
    de, _ = _tensor_datasets(20)

    def run(nw, seed):
        g = ember.Generator().manual_seed(seed)
        loader = edata.DataLoader(de, batch_size=3, shuffle=True, num_workers=nw, generator=g)
        return [b[1].tolist() for b in loader]

    ref = run(0, 5)
    assert run(2, 5) == ref and run(1, 5) == ref
    assert run(2, 6) != ref


class _Info(edata.Dataset):
    def __getitem__(self, i):
        info = edata.get_worker_info()
        return {'id': info.id, 'n': info.num_workers, 'seed': info.seed, 'initial': ember.initial_seed(),
                'random': random.random(), 'np': float(np.random.rand()), 'pid': os.getpid(),
                'ds': type(info.dataset).__name__}

    def __len__(self):
        return 2


def test_worker_info_and_seeding():
    g = ember.Generator().manual_seed(123)
    base = int(ember.empty((), dtype=ember.int64).random_(generator=ember.Generator().manual_seed(123)).item())
    loader = edata.DataLoader(_Info(), batch_size=None, num_workers=2, generator=g)
    got = list(loader)
    assert [r['id'] for r in got] == [0, 1]  # tasks go round-robin
    for r in got:
        seed = base + r['id']
        assert r['n'] == 2 and r['ds'] == '_Info' and r['seed'] == seed and r['initial'] == seed
        assert r['random'] == random.Random(seed).random()
        np_seed = eworker._numpy_seed(base, r['id'])
        # NumPy is seeded exactly as torch seeds it in its workers
        assert list(np_seed) == tworker._generate_state(base, r['id'])
        assert r['np'] == np.random.RandomState(np_seed).rand()
        assert r['pid'] != os.getpid()
    with pytest.raises(Exception):
        got_info = eworker.WorkerInfo(id=0, num_workers=1, seed=0, dataset=None)
        got_info.id = 3
    assert edata.get_worker_info() is None


class _Noisy(edata.Dataset):
    """Random augmentation through every RNG a worker seeds."""

    def __getitem__(self, i):
        return float(ember.rand(()).item()) + random.random() + float(np.random.rand()) + i

    def __len__(self):
        return 8


def test_random_augmentation_reproducible():
    def run(seed, nw=2):
        loader = edata.DataLoader(_Noisy(), batch_size=2, shuffle=True, num_workers=nw,
                                  generator=ember.Generator().manual_seed(seed))
        return [b.tolist() for b in loader]

    a = run(0)
    assert a == run(0)
    assert a != run(1)
    ember.manual_seed(9)
    b = [x.tolist() for x in edata.DataLoader(_Noisy(), batch_size=4, num_workers=2)]
    ember.manual_seed(9)
    assert b == [x.tolist() for x in edata.DataLoader(_Noisy(), batch_size=4, num_workers=2)]


def test_worker_init_fn():
    class Offset(edata.Dataset):
        offset = 0

        def __getitem__(self, i):
            return i + self.offset

        def __len__(self):
            return 6

    def init(worker_id):
        edata.get_worker_info().dataset.offset = 100 * (worker_id + 1)

    out = [int(x) for x in edata.DataLoader(Offset(), batch_size=None, num_workers=2, worker_init_fn=init)]
    assert out == [100, 201, 102, 203, 104, 205]


class _RaisesOnTwo:
    """Samples 0..3, raising `exc` for index 2 (mixed into an ember and a torch Dataset)."""

    def __init__(self, exc):
        self.exc = exc

    def __getitem__(self, i):
        if i == 2:
            raise self.exc
        return i

    def __len__(self):
        return 4


class _Raises(_RaisesOnTwo, edata.Dataset):
    pass


class _TRaises(_RaisesOnTwo, tdata.Dataset):
    pass


def test_worker_exception_carries_traceback_like_torch():
    le = edata.DataLoader(_Raises(ValueError('bad sample 2')), batch_size=None, num_workers=2)
    lt = tdata.DataLoader(_TRaises(ValueError('bad sample 2')), batch_size=None, num_workers=2)
    it_e, it_t = iter(le), iter(lt)
    assert int(next(it_e)) == int(next(it_t)) == 0
    assert int(next(it_e)) == int(next(it_t)) == 1
    with pytest.raises(ValueError) as ee:
        next(it_e)
    with pytest.raises(ValueError) as et:
        next(it_t)
    me, mt = str(ee.value), str(et.value)
    assert me.splitlines()[:2] == mt.splitlines()[:2] == [
        'Caught ValueError in DataLoader worker process 0.', 'Original Traceback (most recent call last):']
    assert me.splitlines()[-1] == mt.splitlines()[-1] == 'ValueError: bad sample 2'
    assert 'in __getitem__' in me
    # the iterator goes on after the error, as torch's does
    assert int(next(it_e)) == int(next(it_t)) == 3
    # run both to the end so the workers stop now (torch's iterator, left to the garbage
    # collector in a reference cycle, waits 5 s per worker for them)
    assert list(it_e) == list(it_t) == []


def test_worker_exception_kinds():
    with pytest.raises(KeyError) as ei:
        list(edata.DataLoader(_Raises(KeyError('k')), num_workers=2))
    assert 'Caught KeyError in DataLoader worker process 0' in str(ei.value)
    assert '\\n' not in str(ei.value)  # printed readably, not as a repr

    class NeedsTwo(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    with pytest.raises(RuntimeError, match='Caught NeedsTwo in DataLoader worker process'):
        list(edata.DataLoader(_Raises(NeedsTwo(1, 2)), num_workers=2))

    def bad_init(worker_id):
        raise ZeroDivisionError('init failed')

    with pytest.raises(ZeroDivisionError, match='Caught ZeroDivisionError in DataLoader worker process'):
        list(edata.DataLoader(list(range(4)), num_workers=2, worker_init_fn=bad_init))


def test_unpicklable_batch_reports_error():
    loader = edata.DataLoader(list(range(4)), batch_size=2, num_workers=2, collate_fn=lambda b: (lambda: b),
                              timeout=20)
    with pytest.raises(Exception, match='in DataLoader worker process 0'):
        next(iter(loader))


class _Dies(edata.Dataset):
    def __init__(self, how):
        self.how = how

    def __getitem__(self, i):
        if i == 3:
            if self.how == 'exit':
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    def __len__(self):
        return 8


@pytest.mark.parametrize('how', ['exit', 'kill'])
def test_dead_worker_is_an_error_not_a_hang(how):
    before = _children()
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) [\d, ]+\) exited unexpectedly'):
        list(edata.DataLoader(_Dies(how), batch_size=None, num_workers=2))
    assert time.monotonic() - start < 4
    gc.collect()
    assert _children() - before == set()


class _Slow(edata.Dataset):
    def __getitem__(self, i):
        if i == 1:
            time.sleep(0.6)
        return i

    def __len__(self):
        return 4


def test_timeout():
    loader = edata.DataLoader(_Slow(), batch_size=None, num_workers=2, timeout=0.2)
    it = iter(loader)
    assert int(next(it)) == 0
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r'DataLoader timed out after 0.2 seconds'):
        next(it)
    assert time.monotonic() - start < 0.55
    del it
    # a generous timeout lets the slow item through
    assert [int(x) for x in edata.DataLoader(_Slow(), batch_size=None, num_workers=2, timeout=5)] == [0, 1, 2, 3]


def test_early_shutdown_leaves_no_processes():
    de, _ = _tensor_datasets(40)
    before = _children()
    it = iter(edata.DataLoader(de, batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del it
    gc.collect()
    assert not any(w.is_alive() for w in workers)
    assert all(not os.path.exists(f'/proc/{w.pid}') or w.exitcode is not None for w in workers)
    for _ in edata.DataLoader(de, batch_size=2, num_workers=2):
        break
    gc.collect()
    assert _children() - before == set()
    # running to the end shuts the workers down as well
    it = iter(edata.DataLoader(de, batch_size=20, num_workers=2))
    workers = list(it._workers)
    assert len(list(it)) == 2
    assert not any(w.is_alive() for w in workers)
    del it


def test_persistent_workers():
    de, _ = _tensor_datasets(10)
    g = ember.Generator().manual_seed(0)
    loader = edata.DataLoader(de, batch_size=3, shuffle=True, num_workers=2, persistent_workers=True, generator=g)
    epochs, pids = [], []
    for _ in range(3):
        it = iter(loader)
        pids.append([w.pid for w in it._workers])
        epochs.append([b[1].tolist() for b in it])
    assert pids[0] == pids[1] == pids[2]
    assert all(sorted(sum(e, [])) == list(range(10)) for e in epochs)
    assert epochs[0] != epochs[1]
    # a cut-short epoch does not leak stale batches into the next one
    it = iter(loader)
    next(it)
    full = [b[1].tolist() for b in iter(loader)]
    assert sorted(sum(full, [])) == list(range(10)) and len(full) == 4
    workers = loader._iterator._workers
    del loader, it
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_iterable():
    loader = edata.DataLoader(Sharded(ember, 7), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    assert [b.tolist() for b in loader] == first
    ref = [b.tolist() for b in tdata.DataLoader(Sharded(torch, 7), batch_size=2, num_workers=2)]
    assert first == ref


class _SlowFirst(edata.Dataset):
    def __getitem__(self, i):
        if i == 0:
            time.sleep(0.5)
        return i

    def __len__(self):
        return 6


def test_in_order():
    ordered = [int(x) for x in edata.DataLoader(_SlowFirst(), batch_size=None, num_workers=2)]
    assert ordered == list(range(6))
    loose = [int(x) for x in edata.DataLoader(_SlowFirst(), batch_size=None, num_workers=2, in_order=False)]
    assert sorted(loose) == list(range(6)) and loose[0] != 0


def test_spawn_context():
    de, _ = _tensor_datasets(9)
    ref = [b[0].tolist() for b in edata.DataLoader(de, batch_size=4)]
    # one spawn run only: every spawned worker imports ember afresh ('spawn' as a string is
    # turned into this same context, see test_dataloader.py)
    loader = edata.DataLoader(de, batch_size=4, num_workers=2, multiprocessing_context=multiprocessing.get_context('spawn'))
    assert [b[0].tolist() for b in loader] == ref


def test_tensor_pickle_roundtrip():
    import pickle
    t = ember.arange(6).reshape(2, 3).float()
    u = pickle.loads(pickle.dumps(t))
    assert u.dtype == t.dtype and u.shape == t.shape and u.tolist() == t.tolist()
