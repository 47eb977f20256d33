"""DistributedSampler: each of `num_replicas` processes reads its own slice of the dataset."""
import importlib
import math

import ember

from .sampler import Sampler

__all__ = ['DistributedSampler']


def _dist():
    # ember.distributed sits above the data layer; it is looked up only when the world size or
    # rank has to be asked of it.
    try:
        dist = importlib.import_module('ember.distributed')
    except ImportError:
        dist = None
    if dist is None or not getattr(dist, 'is_available', lambda: False)():
        raise RuntimeError("Requires distributed package to be available")
    return dist


class DistributedSampler(Sampler):
    """Restricts loading to the slice of the dataset that belongs to replica `rank`.

    The index list (shuffled with ``seed + epoch`` when `shuffle`) is padded by wrapping around to
    a multiple of `num_replicas` (or cut to one when `drop_last`), and replica ``rank`` takes every
    ``num_replicas``-th index starting at ``rank``. Call :meth:`set_epoch` before each epoch so
    that shuffling differs between epochs.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = _dist().get_world_size()
        if rank is None:
            rank = _dist().get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(self.dataset)
        if self.drop_last and n % self.num_replicas != 0:
            # the tail that does not divide evenly is dropped so no replica sees a repeated sample
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return list(range(n))
        g = ember.Generator()
        g.manual_seed(self.seed + self.epoch)
        return ember.randperm(n, generator=g).tolist()

    def __iter__(self):
        indices = self._order()
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            missing = self.total_size - len(indices)
            if missing > 0:
                # wrap around as many times as it takes (tiny datasets, many replicas)
                reps = math.ceil(missing / len(indices))
                indices += (indices * reps)[:missing]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match total_size "
                                 f"({self.total_size})")
        mine = indices[self.rank:self.total_size:self.num_replicas]
        if len(mine) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(mine)}) does not match "
                                 f"num_samples ({self.num_samples})")
        return iter(mine)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch: with ``shuffle=True`` every epoch gets its own order (seeded ``seed + epoch``)."""
        self.epoch = epoch
