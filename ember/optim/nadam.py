"""torch.optim.NAdam: Adam with Nesterov momentum (Dozat, 2016), optional decoupled weight decay."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _lerp_,
                        _real, _scalar_tensor, _step_tensor, _to_float, _zeros_like)

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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('capturable', False)
            group.setdefault('differentiable', False)
            group.setdefault('decoupled_weight_decay', False)
            for p in group['params']:
                st = self.state.get(p, {})
                if len(st) != 0:
                    if not isinstance(st['step'], Tensor):
                        st['step'] = _step_tensor(p, group['capturable'], float(st['step']))
                    if not isinstance(st['mu_product'], Tensor):
                        st['mu_product'] = _scalar_tensor(p, float(st['mu_product']),
                                                          group['capturable'])

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
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['mu_product'] = _scalar_tensor(p, 1.0, group['capturable'])
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                st = state['step']._data
                st += 1
                t = float(st)
                pa = _real(p._data)
                tmp, den, tmp3 = self._tmp(pa, 3)
                xp = array_module(pa)
                bias_correction2 = 1 - beta2 ** t
                if wd != 0 and decoupled:
                    pa *= 1 - lr * wd
                    g = _effective_grad(_real(grad._data), pa, 0, maximize, tmp)
                else:
                    g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
                mp = state['mu_product']._data
                mp *= mu
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                m = _real(state['exp_avg']._data)
                v = _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1, den)
                v *= beta2
                xp.multiply(g, g, out=den)
                _axpy(v, den, 1 - beta2, den)
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
