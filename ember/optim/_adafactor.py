"""torch.optim.Adafactor: Adam-like steps with a factored (row x column) second moment."""
import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from ._kernels import _advance_step, _axpy, _lerp_, _step_tensor, _to_float
from ._validation import _check_tensor_lr
from .optimizer import Optimizer

__all__ = ['Adafactor']


def _eps_of(dtype):
    if str(dtype) == 'bfloat16':
        import ml_dtypes
        return float(ml_dtypes.finfo(dtype).eps)
    return float(np.finfo(dtype).eps)


class Adafactor(Optimizer):
    """Implements Adafactor (Shazeer & Stern, 2018) as torch.optim.Adafactor.

    Matrices keep only running row and column means of ``g**2`` (their outer product, normalised
    by the row mean, estimates the second moment); vectors keep the full variance. The relative
    step ``min(lr, 1/sqrt(t)) * max(eps2, rms(p))`` scales an update clipped to RMS ``d``.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(dict(foreach=None), on_device=())

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            eps1, eps2 = group['eps']
            beta2_decay = group['beta2_decay']
            d = group['d']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                pa = p._data
                if pa.dtype.kind == 'c':
                    raise RuntimeError("Adafactor does not support complex parameters")
                xp = array_module(pa)
                g = grad._data
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p)
                    if g.ndim > 1:
                        state['row_var'] = _wrap(xp.zeros(g.shape[:-1] + (1,), dtype=g.dtype))
                        state['col_var'] = _wrap(xp.zeros(g.shape[:-2] + (1, g.shape[-1]),
                                                          dtype=g.dtype))
                    else:
                        state['variance'] = _wrap(xp.zeros_like(g))
                if maximize:
                    g = -g
                e1 = _eps_of(pa.dtype) if eps1 is None else eps1
                t = _advance_step(state)
                one_minus_beta2_t = t ** beta2_decay
                rho_t = min(lr, 1 / t ** 0.5)
                rms = float(xp.sqrt(xp.vdot(pa, pa))) / pa.size ** 0.5 if pa.size else 0.0
                alpha = max(eps2, rms) * rho_t
                if wd != 0:
                    pa *= 1 - lr * wd
                upd = self._tmp(pa, 1)
                sq = g * g
                if g.ndim > 1:
                    row_var, col_var = state['row_var']._data, state['col_var']._data
                    # torch forms these as norm(g)**2 / n; the same roundings keep paths close
                    row_mean = xp.square(xp.sqrt(sq.sum(axis=-1, keepdims=True))) / g.shape[-1]
                    col_mean = xp.square(xp.sqrt(sq.sum(axis=-2, keepdims=True))) / g.shape[-2]
                    _lerp_(row_var, row_mean, one_minus_beta2_t, xp.empty_like(row_var))
                    _lerp_(col_var, col_mean, one_minus_beta2_t, xp.empty_like(col_var))
                    xp.matmul(row_var, col_var, out=upd)
                    norm = xp.maximum(row_var.mean(axis=-2, keepdims=True), e1)
                    upd /= norm
                else:
                    var = state['variance']._data
                    _lerp_(var, sq, one_minus_beta2_t, upd)
                    xp.copyto(upd, var)
                xp.maximum(upd, e1 * e1, out=upd)
                xp.sqrt(upd, out=upd)
                xp.reciprocal(upd, out=upd)
                upd *= g
                upd_rms = float(xp.sqrt(xp.vdot(upd, upd))) / (upd.size ** 0.5 * d) if upd.size else 0.0
                denom = max(1.0, upd_rms)
                _axpy(pa, upd, -alpha / denom, upd)
                p._bump_version()
        return loss
