"""torch.optim.RAdam: rectified Adam (Liu et al., 2019), optional decoupled weight decay."""
from .._backend import array_module
from ._kernels import (_adam_moments_, _advance_step, _axpy, _grad_with_weight_decay, _real,
                       _to_float)
from ._validation import (_check_betas, _check_eps, _check_kernel_flags, _check_lr,
                          _check_non_negative)
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['RAdam']


class RAdam(Optimizer):
    """Implements RAdam (torch.optim.RAdam).

    Takes the plain momentum step ``lr * m_hat`` while the variance estimate is unreliable
    (``rho_t <= 5``) and the rectified Adam step ``lr * m_hat * r_t * sqrt(1 - beta2**t) /
    (sqrt(v) + eps)`` afterwards.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_non_negative('weight_decay', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(dict(_FLAG_DEFAULTS, decoupled_weight_decay=False))

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            beta1, beta2 = group['betas']
            eps = group['eps']
            wd = group['weight_decay']
            decoupled = group['decoupled_weight_decay']
            maximize = group['maximize']
            rho_inf = 2 / (1 - beta2) - 1
            for p, grad in self._params_with_grad(group):
                state = self._lazy_state(p, group['capturable'], ('exp_avg', 'exp_avg_sq'))
                t = _advance_step(state)
                pa = _real(p._data)
                tmp, den = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _grad_with_weight_decay(_real(grad._data), pa, lr, wd, decoupled, maximize, tmp)
                m, v = _adam_moments_(state, g, beta1, beta2, den)
                bias_correction1 = 1 - beta1 ** t
                bias_correction2 = 1 - beta2 ** t
                rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
                if rho_t > 5.0:
                    # variance is tractable: rectified adaptive step
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    xp.sqrt(v, out=den)
                    den += eps
                    xp.divide(m, den, out=den)
                    _axpy(pa, den, -lr * rect * bias_correction2 ** 0.5 / bias_correction1, den)
                else:
                    _axpy(pa, m, -lr / bias_correction1, den)
                p._bump_version()
        return loss
