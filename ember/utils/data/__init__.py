"""ember.utils.data: datasets, samplers and the DataLoader, as torch.utils.data."""
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset,
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .distributed import DistributedSampler
from .dataloader import DataLoader, _DatasetKind, default_collate, default_convert, get_worker_info

__all__ = ['BatchSampler', 'ChainDataset', 'ConcatDataset', 'DataLoader', 'Dataset', 'DistributedSampler',
           'IterableDataset', 'RandomSampler', 'Sampler', 'SequentialSampler', 'StackDataset', 'Subset',
           'SubsetRandomSampler', 'TensorDataset', 'WeightedRandomSampler', '_DatasetKind', 'default_collate',
           'default_convert', 'get_worker_info', 'random_split']

from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.utils.data')
