"""torch.optim.NAdam: Adam with Nesterov momentum (Dozat, 2016), optional decoupled weight decay."""
from .._backend import array_module
from ._kernels import (_adam_moments_, _advance_step, _axpy, _grad_with_weight_decay, _real,
                       _scalar_tensor, _step_tensor, _to_float, _zeros_like)
from ._validation import (_check_betas, _check_eps, _check_kernel_flags, _check_lr,
                          _check_non_negative)
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['NAdam']


class NAdam(Optimizer):
    """Implements NAdam (torch.optim.NAdam).

    With ``mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))`` and their running product,
    ``p -= lr * (1 - mu_t) / (1 - prod_t) * g / d + lr * mu_{t+1} / (1 - prod_{t+1}) * m / d``
    where ``d = sqrt(v / (1 - beta2**t)) + eps``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_non_negative('weight_decay', weight_decay)
        _check_non_negative('momentum_decay', momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(dict(_FLAG_DEFAULTS, decoupled_weight_decay=False),
                            scalars=('step', 'mu_product'))

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            beta1, beta2 = group['betas']
            eps = group['eps']
            wd = group['weight_decay']
            momentum_decay = group['momentum_decay']
            decoupled = group['decoupled_weight_decay']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['mu_product'] = _scalar_tensor(p, 1.0, group['capturable'])
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                t = _advance_step(state)
                pa = _real(p._data)
                tmp, den, tmp3 = self._tmp(pa, 3)
                xp = array_module(pa)
                bias_correction2 = 1 - beta2 ** t
                g = _grad_with_weight_decay(_real(grad._data), pa, lr, wd, decoupled, maximize, tmp)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
                mp = state['mu_product']._data
                mp *= mu
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                m, v = _adam_moments_(state, g, beta1, beta2, den)
                # denom = sqrt(v / bc2) + eps, with sqrt(bc2) folded into the step scalars
                s = bias_correction2 ** 0.5
                xp.sqrt(v, out=den)
                den += eps * s
                xp.divide(g, den, out=tmp3)
                _axpy(pa, tmp3, -lr * (1.0 - mu) / (1.0 - mu_product) * s, tmp3)
                xp.divide(m, den, out=tmp3)
                _axpy(pa, tmp3, -lr * mu_next / (1.0 - mu_product_next) * s, tmp3)
                p._bump_version()
        return loss
