"""torch.optim.Adadelta: unit-consistent steps from running averages of squared grads and steps."""
from .._backend import array_module
from ._kernels import _advance_step, _axpy, _effective_grad, _ema_square_, _real, _to_float
from ._validation import _check_eps, _check_kernel_flags, _check_lr, _check_non_negative
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    """Implements Adadelta (torch.optim.Adadelta).

    ``v = rho * v + (1 - rho) * g * g``; ``dx = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho * u + (1 - rho) * dx * dx``; ``p -= lr * dx``.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_eps(eps)
        _check_non_negative('weight_decay', weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(_FLAG_DEFAULTS)

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            rho = group['rho']
            eps = group['eps']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                state = self._lazy_state(p, group['capturable'], ('square_avg', 'acc_delta'))
                _advance_step(state)
                pa = _real(p._data)
                tmp, std, delta = self._tmp(pa, 3)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                sq = _real(state['square_avg']._data)
                acc = _real(state['acc_delta']._data)
                _ema_square_(sq, g, rho, std)
                xp.add(sq, eps, out=std)
                xp.sqrt(std, out=std)
                xp.add(acc, eps, out=delta)
                xp.sqrt(delta, out=delta)
                delta /= std
                delta *= g
                _ema_square_(acc, delta, rho, std)
                _axpy(pa, delta, -lr, delta)
                p._bump_version()
        return loss
