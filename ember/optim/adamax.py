"""torch.optim.Adamax: Adam with the infinity norm in place of the second moment."""
from .._backend import array_module
from ._kernels import _advance_step, _axpy, _effective_grad, _lerp_, _real, _to_float
from ._validation import (_check_betas, _check_eps, _check_kernel_flags, _check_lr,
                          _check_non_negative)
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['Adamax']


class Adamax(Optimizer):
    """Implements Adamax (torch.optim.Adamax).

    ``m = lerp(m, g, 1 - beta1)``, ``u = max(beta2 * u, |g| + eps)``,
    ``p -= lr / (1 - beta1**t) * m / u``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_non_negative('weight_decay', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
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
            beta1, beta2 = group['betas']
            eps = group['eps']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                state = self._lazy_state(p, group['capturable'], ('exp_avg', 'exp_inf'))
                t = _advance_step(state)
                pa = _real(p._data)
                tmp, tmp2 = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                m = _real(state['exp_avg']._data)
                u = _real(state['exp_inf']._data)
                _lerp_(m, g, 1 - beta1, tmp2)
                u *= beta2
                xp.abs(g, out=tmp2)
                tmp2 += eps
                xp.maximum(u, tmp2, out=u)
                clr = lr / (1 - beta1 ** t)
                xp.divide(m, u, out=tmp2)
                _axpy(pa, tmp2, -clr, tmp2)
                p._bump_version()
        return loss
