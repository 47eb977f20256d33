"""torch.optim.Muon: momentum SGD whose 2-D updates are orthogonalised by Newton-Schulz steps."""
import math

import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from ._kernels import _axpy, _lerp_, _to_float
from ._validation import _check_tensor_lr
from .optimizer import Optimizer

__all__ = ['Muon']

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.775
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a):
    """Round a float32 array to bfloat16 precision (torch runs Newton-Schulz in bfloat16)."""
    import ml_dtypes
    return a.astype(ml_dtypes.bfloat16).astype(np.float32)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """An approximately orthogonal matrix with `grad`'s singular vectors (quintic Newton-Schulz).

    Works on float32 arrays rounded to bfloat16 after every op, as torch's bfloat16 kernels round
    their float32 accumulations.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    xp = array_module(grad)
    x = _bf16(grad.astype(np.float32))
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(xp.asarray(xp.sqrt(xp.vdot(x, x)), dtype=np.float32))
    x = _bf16(x / xp.maximum(norm, np.float32(eps)))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == 'original':
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == 'match_rms_adamw':
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Implements Muon (torch.optim.Muon) for 2-D parameters.

    ``b = lerp(b, g, 1 - momentum)``; the update (Nesterov: ``lerp(g, b, momentum)``) is
    orthogonalised by `ns_steps` Newton-Schulz iterations; decoupled weight decay, then
    ``p -= adjusted_lr * update``.
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ['original', 'match_rms_adamw']:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            momentum = group['momentum']
            for p, grad in self._params_with_grad(group):
                pa, g = p._data, grad._data
                if pa.dtype.kind == 'c':
                    raise RuntimeError("Muon does not support complex parameters")
                xp = array_module(pa)
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    state['momentum_buffer'] = _wrap(xp.zeros_like(g))
                buf = state['momentum_buffer']._data
                tmp = self._tmp(pa, 1)
                _lerp_(buf, g, 1 - momentum, tmp)
                if group['nesterov']:
                    upd = g.copy()
                    _lerp_(upd, buf, momentum, tmp)
                else:
                    upd = buf
                upd = _zeropower_via_newtonschulz(upd, group['ns_coefficients'],
                                                  group['ns_steps'], group['eps'])
                adjusted_lr = _adjust_lr(lr, group['adjust_lr_fn'], pa.shape)
                pa *= 1 - lr * group['weight_decay']
                _axpy(pa, xp.ascontiguousarray(upd, dtype=pa.dtype), -adjusted_lr, None)
                p._bump_version()
        return loss
