"""torch.amp.GradScaler: dynamic loss scaling for mixed-precision training.

The algorithm is torch's: multiply the loss by `scale` before backward; before the optimizer step,
divide the gradients by `scale` and check them for inf/NaN; skip the step when any is found and
shrink the scale by `backoff_factor`; grow it by `growth_factor` after `growth_interval` clean
steps in a row. It runs on any array module (NumPy or CuPy). As in torch, a scaler made for
'cuda' on a machine without CUDA warns and disables itself, and a disabled scaler passes
everything through (`scale(loss) is loss`, `step` just calls `optimizer.step()`).
"""
import warnings
from collections import defaultdict
from enum import Enum

import numpy as np

from .._backend import array_module

__all__ = ['GradScaler', 'OptState']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    return {'stage': OptState.READY, 'found_inf_per_device': {}}


class GradScaler:
    """Dynamic loss scaler (`torch.amp.GradScaler(device='cuda', init_scale=2**16, ...)`)."""

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        from .._backend import device as _device
        self._device = _device(device).type
        self._enabled = bool(enabled)
        if self._device == 'cuda' and self._enabled:
            from .. import cuda
            if not cuda.is_available():
                warnings.warn(f"{self._torch_name()} is enabled, but CUDA is not available.  "
                              "Disabling.", UserWarning, stacklevel=3)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _torch_name(self):
        return 'torch.cuda.amp.GradScaler' if self._device == 'cuda' else 'torch.amp.GradScaler'

    # ----- scale / unscale ----------------------------------------------------------------
    def _lazy_init(self, like):
        from .._ops.creation import full
        dev = like.device
        self._scale = full((), self._init_scale, dtype=_f32(), device=dev)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=_i32(), device=dev)

    def scale(self, outputs):
        """Multiply `outputs` (a tensor or nested lists/tuples of tensors) by the scale factor."""
        if not self._enabled:
            return outputs
        from .._tensor import Tensor
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init(outputs)
            return outputs * self._scale.to(device=outputs.device)

        def apply(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init(val)
                return val * self._scale.to(device=val.device)
            if isinstance(val, (list, tuple)):
                out = [apply(v) for v in val]
                return type(val)(out) if isinstance(val, tuple) else out
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16):
        for group in optimizer.param_groups:
            for p in group['params']:
                g = p.grad
                if g is None:
                    continue
                if not allow_fp16 and g.dtype.name == 'float16':
                    raise ValueError("Attempting to unscale FP16 gradients.")
                arr = g._data
                xp = array_module(arr)
                if not bool(xp.isfinite(arr).all()):
                    found_inf._data[...] = 1.0
                # torch multiplies in float32 (the scale's dtype) and rounds once to the grad dtype;
                # float32 grads (the common case) are scaled in place, with no temporaries
                if arr.dtype == inv_scale._data.dtype:
                    xp.multiply(arr, inv_scale._data, out=arr)
                else:
                    arr[...] = (arr.astype(np.float32) * inv_scale._data).astype(arr.dtype)
                g._bump_version()
        return {str(found_inf.device): found_inf}

    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in " \
              "the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale, in place, and look for inf/NaN."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker('unscale_')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last "
                               "update().")
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        from .._ops.creation import full
        inv_scale = _wrap_like(self._scale, 1.0 / self._scale._data.astype(np.float64))
        found_inf = full((), 0.0, dtype=_f32(), device=self._scale.device)
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        state['stage'] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, state, *args, **kwargs):
        if not sum(float(v.item()) for v in state['found_inf_per_device'].values()):
            return optimizer.step(*args, **kwargs)
        return None

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and call `optimizer.step()` unless inf/NaN gradients were found."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if 'closure' in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker('step')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state['stage'] is OptState.READY:
            self.unscale_(optimizer)
        if not state['found_inf_per_device']:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, state, *args, **kwargs)
        state['stage'] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Adjust the scale for the next iteration (back off on inf/NaN, grow after a clean run)."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker('update')
        if new_scale is not None:
            from .._tensor import Tensor
            if isinstance(new_scale, float):
                scale._data[...] = new_scale
            else:
                if not (isinstance(new_scale, Tensor) and new_scale.numel() == 1
                        and new_scale.dtype.name == 'float32' and not new_scale.requires_grad):
                    raise AssertionError("new_scale should be a float or a 1-element "
                                         "torch.cuda.FloatTensor or torch.FloatTensor with "
                                         "requires_grad=False.")
                scale._data[...] = new_scale._data.reshape(())
        else:
            found = [float(v.item()) for st in self._per_optimizer_states.values()
                     for v in st['found_inf_per_device'].values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if sum(found) > 0:
                scale._data[...] = scale._data * np.float32(self._backoff_factor)
                tracker._data[...] = 0
            else:
                n = int(tracker._data) + 1
                if n == self._growth_interval:
                    scale._data[...] = scale._data * np.float32(self._growth_factor)
                    n = 0
                tracker._data[...] = n
            scale._bump_version()
            tracker._bump_version()
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    # ----- accessors and state ------------------------------------------------------------
    def get_scale(self):
        """The current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker.item())

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """The scaler's state (empty when disabled), as torch writes it."""
        if not self._enabled:
            return {}
        return {'scale': self.get_scale(), 'growth_factor': self._growth_factor,
                'backoff_factor': self._backoff_factor, 'growth_interval': self._growth_interval,
                '_growth_tracker': self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from "
                               "a disabled instance of GradScaler.")
        self._init_scale = state_dict['scale']
        if self._scale is not None:
            self._scale._data[...] = state_dict['scale']
        self._growth_factor = state_dict['growth_factor']
        self._backoff_factor = state_dict['backoff_factor']
        self._growth_interval = state_dict['growth_interval']
        self._init_growth_tracker = state_dict['_growth_tracker']
        if self._growth_tracker is not None:
            self._growth_tracker._data[...] = state_dict['_growth_tracker']

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            # like torch: the per-iteration optimizer bookkeeping does not travel
            state['_per_optimizer_states'] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._enabled:
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)


def _f32():
    from .. import float32
    return float32


def _i32():
    from .. import int32
    return int32


def _wrap_like(t, arr):
    from .._tensor import _wrap
    xp = array_module(t._data)
    return _wrap(xp.asarray(arr, dtype=np.float32))
