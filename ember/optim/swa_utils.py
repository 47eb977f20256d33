"""torch.optim.swa_utils: stochastic weight averaging, EMA models, SWALR and update_bn."""
import itertools
import math
import warnings
from copy import deepcopy

import numpy as np

from .._backend import array_module, device as _device, device_of, move
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import no_grad
from ..nn import Module
from .lr_scheduler import LRScheduler, _format_param
from ._kernels import _lerp_

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn',
           'get_ema_avg_fn', 'get_swa_avg_fn']


def _is_float(a):
    return a.dtype.kind in 'fc' or str(a.dtype) == 'bfloat16'


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place exponential-moving-average update for lists of tensors (for `multi_avg_fn`)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         f"range.")

    def ema_update(ema_param_list, current_param_list, _):
        for p_ema, p_model in zip(ema_param_list, current_param_list):
            a = p_ema._data
            if _is_float(a):
                _lerp_(a, p_model._data, 1 - decay, array_module(a).empty_like(a))
            else:
                a[...] = a * decay + p_model._data * (1 - decay)
            p_ema._bump_version()

    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running-mean update for lists of tensors (for `multi_avg_fn`)."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        n = int(num_averaged) if isinstance(num_averaged, Tensor) else num_averaged
        for p_avg, p_model in zip(averaged_param_list, current_param_list):
            a = p_avg._data
            if _is_float(a):
                # torch computes the weight 1 / (n + 1) as a float32 scalar tensor
                _lerp_(a, p_model._data, float(np.float32(1 / (n + 1))),
                       array_module(a).empty_like(a))
            else:
                a[...] = a + (p_model._data - a) * (1.0 / (n + 1))
            p_avg._bump_version()

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """``decay * ema + (1 - decay) * current``, one tensor at a time (for `avg_fn`)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         f"range.")

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """``avg + (current - avg) / (n + 1)``, one tensor at a time (for `avg_fn`)."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _swa_default_(avg, cur, n):
    """torch's CPU default: avg + (cur - avg) / (n + 1), the result copied back into avg's dtype."""
    xp = array_module(avg)
    if _is_float(avg):
        tmp = xp.subtract(cur, avg)
        tmp /= n + 1
        avg += tmp
    else:
        # integer buffers: true division gives float32 (the default dtype), copy_ truncates
        diff = (cur - avg).astype(np.float32) / np.float32(n + 1)
        avg[...] = (avg.astype(np.float32) + diff)


class AveragedModel(Module):
    """A copy of `model` whose parameters track the average (SWA) or EMA of `model`'s.

    ``update_parameters(model)`` folds in the current weights: by default an equal-weight running
    mean, else ``avg_fn(avg, current, n_averaged)`` per tensor or ``multi_avg_fn(avgs, currents,
    n_averaged)`` per list. With ``use_buffers=True`` buffers are averaged too; otherwise they
    are copied.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        n = np.zeros((), dtype=np.int64)
        if device is not None:
            n = move(n, _device(device))
        self.register_buffer('n_averaged', _wrap(n))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold `model`'s current parameters (and buffers, with use_buffers) into the average."""
        if self.use_buffers:
            self_params = itertools.chain(self.module.parameters(), self.module.buffers())
            model_params = itertools.chain(model.parameters(), model.buffers())
        else:
            self_params, model_params = self.parameters(), model.parameters()
        pairs = []
        n = int(self.n_averaged._data)
        for p_avg, p_model in zip(self_params, model_params):
            cur = p_model._data
            if device_of(cur) != device_of(p_avg._data):
                cur = move(cur, device_of(p_avg._data))
            pairs.append((p_avg, cur))
            if n == 0:
                p_avg._data[...] = cur
                p_avg._bump_version()
        if n > 0:
            if self.multi_avg_fn is not None:
                groups = {}
                for p_avg, cur in pairs:
                    key = (device_of(p_avg._data), p_avg._data.dtype)
                    avgs, curs = groups.setdefault(key, ([], []))
                    avgs.append(p_avg.detach())
                    curs.append(_wrap(cur))
                for (dev, _), (avgs, curs) in groups.items():
                    self.multi_avg_fn(avgs, curs, self._n_on(dev))
            elif self.avg_fn is None:
                for p_avg, cur in pairs:
                    _swa_default_(p_avg._data, cur, n)
                    p_avg._bump_version()
            else:
                for p_avg, cur in pairs:
                    new = self.avg_fn(p_avg.detach(), _wrap(cur), self._n_on(device_of(p_avg._data)))
                    p_avg._data[...] = new._data
                    p_avg._bump_version()
        if not self.use_buffers:
            # buffers (e.g. BatchNorm statistics) follow the model; update_bn can recompute them
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                src = b_model._data
                if device_of(src) != device_of(b_swa._data):
                    src = move(src, device_of(b_swa._data))
                b_swa._data[...] = src
                b_swa._bump_version()
        self.n_averaged._data += 1
        self.n_averaged._bump_version()

    def _n_on(self, dev):
        arr = self.n_averaged._data
        if device_of(arr) != dev:
            arr = move(arr, dev)
        return _wrap(arr)


def update_bn(loader, model, device=None):
    """Recompute BatchNorm running statistics with one pass over `loader` (after SWA).

    Each BatchNorm's running mean/var are reset and re-estimated as a cumulative average over the
    batches (the first element of a list/tuple batch is the input).
    """
    from ..nn.modules.batchnorm import _BatchNorm
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to `swa_lr` over `anneal_epochs` epochs ('cos' or 'linear'), then holds it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1):
        swa_lrs = _format_param('swa_lr', optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group['swa_lr'] = lr
        if anneal_strategy not in ['cos', 'linear']:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # recover the lr before annealing from the current one, then anneal it one step further
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group['lr'], group['swa_lr'], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group['swa_lr'] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == 'cos' else self._linear_anneal

    def state_dict(self):
        """Attributes except the optimizer and the anneal function (restored from its name)."""
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
