"""torch.optim.Adamax: Adam with the infinity norm in place of the second moment."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _lerp_,
                        _real, _step_tensor, _to_float, _zeros_like)

__all__ = ['Adamax']


class Adamax(Optimizer):
    """Implements Adamax (torch.optim.Adamax).

    ``m = lerp(m, g, 1 - beta1)``, ``u = max(beta2 * u, |g| + eps)``,
    ``p -= lr / (1 - beta1**t) * m / u``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
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
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('foreach', None)
            group.setdefault('maximize', False)
            group.setdefault('differentiable', False)
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
            maximize = group['maximize']
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_inf'] = _zeros_like(p)
                st = state['step']._data
                st += 1
                t = float(st)
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
