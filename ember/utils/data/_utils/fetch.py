"""Fetchers: read one (possibly batched) index's worth of samples from a dataset and collate them."""
from ..dataset import TensorDataset
from .collate import default_collate


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Pulls the next sample (or the next `len(index)` samples) from the dataset's iterator."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """Indexes the dataset: one key, or a batch of keys through ``__getitems__`` when it has one."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        # A plain TensorDataset batched by default_collate is one gather per tensor: the same
        # tensors as indexing sample by sample and stacking, without a Python round trip per sample.
        self._gather = (auto_collation and type(dataset) is TensorDataset and collate_fn is default_collate)

    def fetch(self, possibly_batched_index):
        if self._gather and self._gatherable(possibly_batched_index):
            idx = list(possibly_batched_index)
            return [t[idx] for t in self.dataset.tensors]
        if self.auto_collation:
            getitems = getattr(self.dataset, '__getitems__', None)
            if getitems:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[i] for i in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)

    def _gatherable(self, index):
        # integer keys only (other keys may mean something else to __getitem__), and no autograd
        # history to keep: stacking records StackBackward0, a gather would not
        return (len(index) > 0 and all(type(i) is int for i in index)
                and not any(t.requires_grad for t in self.dataset.tensors))
