"""ember.utils.data samplers (sampler.py, distributed.py) against torch.utils.data's."""
import time
from collections import Counter

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from torch.utils.data import distributed as tdistributed

import ember
import ember.utils.data as edata
from ember.utils.data import distributed as edistributed
from ember.utils.data import sampler as esampler

from _utils_data_helpers import same_error


def test_module_layout():
    for name in tdata.sampler.__all__:
        assert getattr(esampler, name) is getattr(edata, name)
    assert edistributed.DistributedSampler is edata.DistributedSampler


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(edata.Sampler())

    class Mine(edata.Sampler):
        def __iter__(self):
            return iter([2, 0])

    assert list(Mine()) == [2, 0]


@pytest.mark.parametrize('n', [0, 1, 7])
def test_sequential(n):
    se, st = edata.SequentialSampler(range(n)), tdata.SequentialSampler(range(n))
    assert list(se) == list(st) and len(se) == len(st)


@pytest.mark.parametrize('n,bs,drop', [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False),
                                       (2, 5, True), (0, 2, False)])
def test_batch_sampler_like_torch(n, bs, drop):
    be = edata.BatchSampler(edata.SequentialSampler(range(n)), bs, drop)
    bt = tdata.BatchSampler(tdata.SequentialSampler(range(n)), bs, drop)
    assert list(be) == list(bt)
    assert len(be) == len(bt)
    # any iterable of indices works as the inner sampler
    assert list(edata.BatchSampler([5, 4, 3, 2], 3, False)) == list(tdata.BatchSampler([5, 4, 3, 2], 3, False))


@pytest.mark.parametrize('bs,drop', [(0, False), (-1, False), (2.0, False), (True, False), (2, 1), (2, None)])
def test_batch_sampler_errors(bs, drop):
    same_error(lambda: edata.BatchSampler(range(4), bs, drop), lambda: tdata.BatchSampler(range(4), bs, drop))


def test_random_sampler_permutation_and_reproducible():
    data = range(20)
    s = edata.RandomSampler(data, generator=ember.Generator().manual_seed(4))
    first = list(s)
    assert sorted(first) == list(range(20)) and len(s) == 20
    assert list(edata.RandomSampler(data, generator=ember.Generator().manual_seed(4))) == first
    assert list(s) != first  # the generator moved on: the next epoch has a new order
    # an unseeded sampler follows the global seed
    ember.manual_seed(7)
    a = list(edata.RandomSampler(data))
    ember.manual_seed(7)
    assert list(edata.RandomSampler(data)) == a


def test_random_sampler_num_samples():
    s = edata.RandomSampler(range(5), num_samples=13, generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert len(out) == len(s) == 13
    # whole permutations back to back, then a cut one (as torch)
    assert sorted(out[:5]) == sorted(out[5:10]) == list(range(5))
    assert len(set(out[10:])) == 3
    short = list(edata.RandomSampler(range(5), num_samples=3, generator=ember.Generator().manual_seed(0)))
    assert len(short) == len(set(short)) == 3


def test_random_sampler_replacement():
    s = edata.RandomSampler(range(4), replacement=True, num_samples=1000, generator=ember.Generator().manual_seed(1))
    out = list(s)
    assert len(out) == len(s) == 1000
    counts = Counter(out)
    assert set(counts) == {0, 1, 2, 3}
    assert all(180 < c < 320 for c in counts.values())
    assert len(list(edata.RandomSampler(range(4), replacement=True, num_samples=33))) == 33


def test_random_sampler_is_lazy():
    start = time.perf_counter()
    for repl in (True, False):
        s = edata.RandomSampler(range(10), replacement=repl, num_samples=10 ** 10)
        assert len(s) == 10 ** 10
        it = iter(s)
        got = [next(it) for _ in range(50)]
        assert all(0 <= i < 10 for i in got)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize('kw', [dict(replacement=1), dict(replacement='yes'), dict(num_samples=0),
                                dict(num_samples=-3), dict(num_samples=2.5)])
def test_random_sampler_errors(kw):
    same_error(lambda: edata.RandomSampler(range(3), **kw), lambda: tdata.RandomSampler(range(3), **kw))


def test_random_sampler_empty_dataset():
    same_error(lambda: edata.RandomSampler([]), lambda: tdata.RandomSampler([]))


def test_subset_random_sampler():
    idx = [10, 3, 99, 42]
    s = edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(2))
    out = list(s)
    assert sorted(out) == sorted(idx) and len(s) == len(tdata.SubsetRandomSampler(idx)) == 4
    assert list(edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(2))) == out
    # the order is shuffled: over a few seeds, as with torch's sampler, more than one order shows up
    orders = {tuple(edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(k)))
              for k in range(8)}
    t_orders = {tuple(tdata.SubsetRandomSampler(idx, generator=torch.Generator().manual_seed(k)))
                for k in range(8)}
    assert len(orders) > 2 and len(t_orders) > 2
    assert all(sorted(o) == sorted(idx) for o in orders | t_orders)


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0, 0.0]
    s = edata.WeightedRandomSampler(w, 2000, generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert len(out) == len(s) == 2000
    counts = Counter(out)
    assert set(counts) == {1, 2}  # zero weight is never drawn
    assert 0.68 < counts[2] / 2000 < 0.82
    st = tdata.WeightedRandomSampler(w, 5)
    assert str(s.weights.dtype) == str(st.weights.dtype)
    nr = list(edata.WeightedRandomSampler([1, 2, 3, 4, 5], 5, replacement=False))
    assert sorted(nr) == [0, 1, 2, 3, 4]
    a = list(edata.WeightedRandomSampler(ember.tensor([1.0, 2.0, 3.0]), 10, generator=ember.Generator().manual_seed(3)))
    b = list(edata.WeightedRandomSampler(np.array([1.0, 2.0, 3.0]), 10, generator=ember.Generator().manual_seed(3)))
    assert a == b


@pytest.mark.parametrize('weights,n,repl', [([1.0, 2.0], 0, True), ([1.0, 2.0], True, True), ([1.0, 2.0], 2.0, True),
                                            ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 2, True), (1.0, 2, True)])
def test_weighted_random_sampler_errors(weights, n, repl):
    same_error(lambda: edata.WeightedRandomSampler(weights, n, repl), lambda: tdata.WeightedRandomSampler(weights, n, repl))


# ----- DistributedSampler --------------------------------------------------------------------------

def _torch_perm_as_ember(monkeypatch):
    """ember.randperm returns torch's permutation for the generator's seed, so indices can be compared."""
    def randperm(n, generator=None, **kw):
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(generator.initial_seed()))
        return ember.tensor(perm.numpy())
    monkeypatch.setattr(ember, 'randperm', randperm)


@pytest.mark.parametrize('n', [0, 1, 5, 10, 11, 13])
@pytest.mark.parametrize('replicas', [1, 3, 4, 20])
@pytest.mark.parametrize('drop_last', [False, True])
@pytest.mark.parametrize('shuffle', [False, True])
def test_distributed_sampler_like_torch(n, replicas, drop_last, shuffle, monkeypatch):
    _torch_perm_as_ember(monkeypatch)
    data = list(range(n))
    for rank in range(replicas):
        se = edata.DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=5,
                                      drop_last=drop_last)
        st = tdata.DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=5,
                                      drop_last=drop_last)
        assert (se.num_samples, se.total_size, len(se)) == (st.num_samples, st.total_size, len(st))
        for epoch in (0, 3):
            se.set_epoch(epoch)
            st.set_epoch(epoch)
            assert list(se) == list(st), (rank, epoch)


def test_distributed_sampler_covers_dataset_and_epochs_differ():
    data = list(range(17))
    parts = [list(edata.DistributedSampler(data, num_replicas=4, rank=r, seed=1)) for r in range(4)]
    assert sorted(set(sum(parts, []))) == data
    s = edata.DistributedSampler(data, num_replicas=2, rank=0)
    e0 = list(s)
    assert list(s) == e0  # same epoch, same order
    s.set_epoch(1)
    assert list(s) != e0
    assert s.epoch == 1


def test_distributed_sampler_errors():
    same_error(lambda: edata.DistributedSampler(range(4), num_replicas=2, rank=2),
               lambda: tdata.DistributedSampler(range(4), num_replicas=2, rank=2))
    same_error(lambda: edata.DistributedSampler(range(4), num_replicas=2, rank=-1),
               lambda: tdata.DistributedSampler(range(4), num_replicas=2, rank=-1))
    # no process group: torch raises (ValueError when torch.distributed is built, RuntimeError otherwise)
    with pytest.raises((RuntimeError, ValueError)):
        edata.DistributedSampler(range(4))
    assert tdistributed.DistributedSampler is tdata.DistributedSampler
