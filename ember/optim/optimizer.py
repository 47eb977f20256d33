"""torch.optim.Optimizer: param groups, per-parameter state, hooks and torch-compatible state dicts.

The concrete optimizers update parameters in place on their raw arrays (`p._data`) with ufuncs and
reusable scratch buffers (the kernels are in `_kernels.py`), so a step allocates nothing per
parameter and works unchanged on CuPy.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import numpy as np

from .._tensor import Tensor, _wrap
from .._backend import array_module, device_of, move
from ..autograd.grad_mode import enable_grad
from ..utils.hooks import RemovableHandle
from ._kernels import _step_tensor, _zeros_like

__all__ = ['Optimizer', 'register_optimizer_step_pre_hook', 'register_optimizer_step_post_hook']


class _RequiredParameter:
    """Singleton marking a default that every param group must supply (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

# The kernel-tuning group options most optimizers gained over torch releases: what `__setstate__`
# fills in (through `_upgrade_state`) when an older state dict lacks them.
_FLAG_DEFAULTS = dict(foreach=None, maximize=False, differentiable=False, capturable=False)

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()

_TENSOR_TYPE_NAMES = {
    'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
    'bfloat16': 'BFloat16Tensor', 'int64': 'LongTensor', 'int32': 'IntTensor',
    'int16': 'ShortTensor', 'int8': 'CharTensor', 'uint8': 'ByteTensor', 'bool': 'BoolTensor',
    'complex64': 'ComplexFloatTensor', 'complex128': 'ComplexDoubleTensor',
}


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        name = _TENSOR_TYPE_NAMES.get(str(obj._data.dtype), 'Tensor')
        cuda = '' if type(obj._data) is np.ndarray else 'cuda.'
        return f'torch.{cuda}{name}'
    module = getattr(obj, '__module__', '') or ''
    qualname = getattr(obj, '__qualname__', None) or getattr(type(obj), '__qualname__', '')
    if module in ('', 'builtins'):
        return type(obj).__qualname__ if not isinstance(obj, type) else qualname
    return f'{module}.{qualname}'


class Optimizer:
    """Base class for all optimizers (torch.optim.Optimizer).

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts defining groups.
        defaults: default values of the optimization options, used by groups that do not set them.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._scratch = {}
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))

        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- pickling / copying: only the data torch pickles ---------------------------------------
    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks',
                     '_optimizer_state_dict_pre_hooks', '_optimizer_state_dict_post_hooks',
                     '_optimizer_load_state_dict_pre_hooks', '_optimizer_load_state_dict_post_hooks'):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        if '_scratch' not in self.__dict__:
            self._scratch = {}
        self._patch_step_function()
        self.defaults.setdefault('differentiable', False)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != 'params':
                    s += f"    {key}: {group[key]}\n"
        s += ")"
        return s

    # -- step hooks ----------------------------------------------------------------------------
    def _optimizer_step_code(self):
        """Entry point for profilers; deliberately empty (as in torch)."""

    @staticmethod
    def profile_hook_step(func):
        """Wrap a `step` so the global and per-optimizer step hooks run around it."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self = args[0]
            pre = self._optimizer_step_pre_hooks
            if _global_optimizer_pre_hooks or pre:
                for hook in chain(_global_optimizer_pre_hooks.values(), pre.values()):
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if isinstance(result, tuple) and len(result) == 2:
                            args, kwargs = result
                        else:
                            raise RuntimeError(f"{func} must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {result}.")
            out = func(*args, **kwargs)
            self._optimizer_step_code()
            post = self._optimizer_step_post_hooks
            if post or _global_optimizer_post_hooks:
                for hook in chain(post.values(), _global_optimizer_post_hooks.values()):
                    hook(self, args, kwargs)
            return out

        return wrapper

    def _patch_step_function(self):
        self._zero_grad_profile_name = f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        cls = self.__class__
        if not getattr(cls.step, 'hooked', None):
            cls.step = self.profile_hook_step(cls.step)
            cls.step.hooked = True

    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` run before `step`."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None`` run after `step`."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks, hook, prepend):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer) -> None`` run before `state_dict`."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None`` run after `state_dict`."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None`` run before loading."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer) -> None`` run after `load_state_dict`."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dicts ---------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer state: ``{'state': {param_id: {...}}, 'param_groups': [{..., 'params': [ids]}]}``.

        Parameters are replaced by integer ids numbered in group order, exactly as torch does, so a
        state dict moves between ember and torch. State tensors are returned by reference.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != 'params'}
            for i, p in enumerate(group['params'], start):
                if id(p) not in mapping:
                    mapping[id(p)] = i
            packed['params'] = [mapping[id(p)] for p in group['params']]
            start += len(packed['params'])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {'state': packed_state, 'param_groups': param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        # Floating state follows the param's dtype and device; `step` stays as saved (a CPU
        # float32 scalar) unless the group is fused/capturable, where it lives with the param.
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg['params']:
                fused = pg.get('fused', False)
                capturable = pg.get('capturable', False)
                break
        arr = value._data
        pdev = device_of(param._data)
        if key == 'step':
            if not (capturable or fused):
                return value
            dtype = np.dtype(np.float32)
        elif param._data.dtype.kind in 'fc' or str(param._data.dtype) == 'bfloat16':
            dtype = param._data.dtype
        else:
            dtype = arr.dtype
        new = arr
        if device_of(new) != pdev:
            new = move(new, pdev)
        if new.dtype != dtype:
            new = new.astype(dtype)
        if new is arr:
            return value
        return _wrap(new, value.requires_grad)

    def load_state_dict(self, state_dict):
        """Load a state dict made by `state_dict` (ember's or torch's layout, which are the same)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict['param_groups'], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, key=k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, param_id=k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({'state': state, 'param_groups': param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # -- gradients and groups ------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default, else to zeros)."""
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None  # (the .grad setter's checks are for tensors, not None)
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    elif g.requires_grad:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    g._bump_version()

    def step(self, closure=None):
        """Perform a single optimization step; subclasses implement it."""
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a param group (a dict with ``'params'`` and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group['params']
        if isinstance(params, Tensor):
            param_group['params'] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use "
                            "a list instead.")
        else:
            param_group['params'] = list(params)

        tensors, names = [], []
        for param in param_group['params']:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group['params'] = tensors
        if names:
            if len(names) == len(tensors):
                param_group['param_names'] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")

        for param in param_group['params']:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get('differentiable', None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group['params']
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                which = "with names" if 'param_names' in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(id(p) for p in param_group['params']):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- helpers for the array kernels ---------------------------------------------------------
    def _tmp(self, arr, count, dtype=None):
        """`count` scratch arrays shaped like `arr` (of `dtype`, default arr's), reused across
        params and steps."""
        dtype = arr.dtype if dtype is None else dtype
        key = (dtype, type(arr), arr.device)
        pool = self._scratch.get(key)
        n = arr.size
        if pool is None or len(pool) < count or pool[0].size < n:
            size = n if pool is None else max(n, pool[0].size)
            k = count if pool is None else max(count, len(pool))
            xp = array_module(arr)
            pool = [xp.empty(size, dtype=dtype) for _ in range(k)]
            self._scratch[key] = pool
        shape = arr.shape
        if count == 1:
            return pool[0][:n].reshape(shape)
        return [b[:n].reshape(shape) for b in pool[:count]]

    def _lazy_state(self, p, on_device, names):
        """`p`'s state; on its first step (torch creates state lazily) a float32 `step` counter
        and a zero buffer shaped like `p` for each of `names`."""
        state = self.state[p]
        if len(state) == 0:
            state['step'] = _step_tensor(p, on_device)
            for name in names:
                state[name] = _zeros_like(p)
        return state

    def _upgrade_state(self, group_defaults, scalars=('step',), on_device=('capturable',)):
        """The subclasses' `__setstate__` work: fill the group options an older state dict lacks,
        and turn plain-number scalar state (older torch saved `step` as a float) into float32 0-d
        tensors, on the param's device where any of the group flags `on_device` is set (or
        always, when `on_device` is True)."""
        for group in self.param_groups:
            for name, value in group_defaults.items():
                group.setdefault(name, value)
            if not scalars:
                continue
            dev = True if on_device is True else any(group[flag] for flag in on_device)
            for p in group['params']:
                st = self.state.get(p, {})
                if len(st) != 0:
                    for key in scalars:
                        if not isinstance(st[key], Tensor):
                            st[key] = _step_tensor(p, dev, float(st[key]))

    @staticmethod
    def _params_with_grad(group):
        """(param, grad) for the params of `group` that have a gradient; a step skips the rest."""
        for p in group['params']:
            grad = p.grad
            if grad is not None:
                yield p, grad

    @staticmethod
    def _eval_closure(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()


def register_optimizer_step_pre_hook(hook):
    """Register a pre-step hook shared by all optimizers: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register a post-step hook shared by all optimizers: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle
