"""The loop each DataLoader worker process runs, and `get_worker_info` for code running inside one.

Protocol: the main process puts ``(task_idx, index)`` on a worker's own index queue; the worker
answers on the shared result queue with the pickled ``(task_idx, batch)`` (or an ExceptionWrapper
in place of the batch). ``None`` tells the worker to exit; a ``_ResumeIteration`` starts a new
epoch for persistent workers and is echoed back so the main process knows where the epoch begins.
Results are pickled here, in the worker, rather than in the queue's feeder thread, so that a
batch that cannot be pickled comes back as an error instead of vanishing.
"""
import os
import pickle
import queue
import random
from dataclasses import dataclass

import numpy as np
import numpy.random  # noqa: F401  (numpy imports it lazily; a forked worker must not import)

import ember

from . import ExceptionWrapper, MP_STATUS_CHECK_INTERVAL

_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a worker knows about itself: its `id`, `num_workers`, its `seed` and its copy of the `dataset`."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = 'multiprocessing'


def get_worker_info():
    """The :class:`WorkerInfo` of the current DataLoader worker process; None in the main process.

    Use it in an IterableDataset's ``__iter__`` or in a ``worker_init_fn`` to give every worker its
    own share of the data, or to seed other libraries with ``info.seed``.
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Start a new epoch (persistent workers)."""
    seed: object = None


def _numpy_seed(base_seed, worker_id):
    """Four 32-bit words that seed NumPy's global RNG in worker `worker_id`.

    A SeedSequence hash of (worker_id, base_seed) rather than base_seed + worker_id, so workers
    of consecutive epochs never share NumPy streams.
    """
    mask = 0xFFFFFFFF
    words = [worker_id, base_seed & mask, (base_seed >> 32) & mask, 0]
    return np.random.SeedSequence(words).generate_state(4)


def _seed_worker(base_seed, worker_id):
    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


def _pack(idx, data, worker_id):
    """Pickle a result; a batch that will not pickle is replaced by the error saying why."""
    try:
        return pickle.dumps((idx, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if not isinstance(data, ExceptionWrapper):
            data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        return pickle.dumps((idx, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        # the exception class itself cannot be pickled (e.g. defined inside a function): it is
        # raised as a RuntimeError whose message still names it
        data.exc_type = RuntimeError
        return pickle.dumps((idx, data), protocol=pickle.HIGHEST_PROTOCOL)


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers, persistent_workers):
    from ..dataloader import _DatasetKind  # the dataloader module imports this one

    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        # A failing worker_init_fn or dataset __iter__ is reported on the first task, not here:
        # the main process is only listening for results.
        pending_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            pending_error = ExceptionWrapper(where=where)

        exhausted = False
        parent = os.getppid()
        while os.getppid() == parent:  # a changed parent pid means the main process died
            try:
                msg = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(msg, _ResumeIteration):
                data_queue.put(_pack(msg, None, worker_id))
                exhausted = False
                try:
                    fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                          drop_last)
                except Exception:
                    pending_error = ExceptionWrapper(where=where)
                continue
            if msg is None:
                break
            if done_event.is_set() or exhausted:
                continue  # shutting down, or nothing left to give: wait for the final None
            idx, index = msg
            if pending_error is not None:
                data, pending_error = pending_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        exhausted = True
                    else:
                        data = ExceptionWrapper(where=where)
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put(_pack(idx, data, worker_id))
            del data, idx, index, msg  # drop the batch before blocking on the next task
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process reports it
    if done_event.is_set():
        # nobody reads what is still buffered: exit without waiting for the feeder thread
        data_queue.cancel_join_thread()
        data_queue.close()
