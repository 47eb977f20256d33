"""torch.optim.RMSprop: scale steps by a running average of squared gradients (Hinton's lecture)."""
from .._backend import array_module
from ._kernels import _advance_step, _axpy, _effective_grad, _ema_square_, _lerp_, _real, _to_float
from ._validation import _check_eps, _check_kernel_flags, _check_lr, _check_non_negative
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    """Implements RMSprop (torch.optim.RMSprop), optionally centered and with momentum.

    ``v = alpha * v + (1 - alpha) * g * g``; ``d = sqrt(v - gbar**2) + eps`` (centered, with
    ``gbar = lerp(gbar, g, 1 - alpha)``) or ``sqrt(v) + eps``; then ``b = momentum * b + g / d`` and
    ``p -= lr * b``, or ``p -= lr * g / d`` without momentum.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_eps(eps)
        _check_non_negative('momentum', momentum)
        _check_non_negative('weight_decay', weight_decay)
        _check_non_negative('alpha', alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(dict(_FLAG_DEFAULTS, momentum=0, centered=False))

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            alpha = group['alpha']
            eps = group['eps']
            wd = group['weight_decay']
            momentum = group['momentum']
            centered = group['centered']
            maximize = group['maximize']
            buffers = (('square_avg',) + (('momentum_buffer',) if momentum > 0 else ())
                       + (('grad_avg',) if centered else ()))
            for p, grad in self._params_with_grad(group):
                state = self._lazy_state(p, group['capturable'], buffers)
                _advance_step(state)
                pa = _real(p._data)
                tmp, avg = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                sq = _real(state['square_avg']._data)
                _ema_square_(sq, g, alpha, avg)
                if centered:
                    ga = _real(state['grad_avg']._data)
                    _lerp_(ga, g, 1 - alpha, avg)
                    xp.multiply(ga, ga, out=avg)
                    xp.subtract(sq, avg, out=avg)
                    xp.sqrt(avg, out=avg)
                else:
                    xp.sqrt(sq, out=avg)
                avg += eps
                if momentum > 0:
                    buf = _real(state['momentum_buffer']._data)
                    buf *= momentum
                    xp.divide(g, avg, out=avg)
                    buf += avg
                    _axpy(pa, buf, -lr, avg)
                else:
                    xp.divide(g, avg, out=avg)
                    _axpy(pa, avg, -lr, avg)
                p._bump_version()
        return loss
