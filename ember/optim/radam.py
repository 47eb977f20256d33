"""torch.optim.RAdam: rectified Adam (Liu et al., 2019), optional decoupled weight decay."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _lerp_,
                        _real, _step_tensor, _to_float, _zeros_like)

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
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('foreach', None)
            group.setdefault('maximize', False)
            group.setdefault('differentiable', False)
            group.setdefault('decoupled_weight_decay', False)
            group.setdefault('capturable', False)
            for p in group['params']:
                st = self.state.get(p, {})
                if len(st) != 0 and not isinstance(st['step'], Tensor):
                    st['step'] = _step_tensor(p, group['capturable'], float(st['step']))

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
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                st = state['step']._data
                st += 1
                t = float(st)
                pa = _real(p._data)
                tmp, den = self._tmp(pa, 2)
                xp = array_module(pa)
                if wd != 0 and decoupled:
                    pa *= 1 - lr * wd
                    g = _effective_grad(_real(grad._data), pa, 0, maximize, tmp)
                else:
                    g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                m = _real(state['exp_avg']._data)
                v = _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1, den)
                v *= beta2
                xp.multiply(g, g, out=den)
                _axpy(v, den, 1 - beta2, den)
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
