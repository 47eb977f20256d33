"""torch.optim.Adadelta: unit-consistent steps from running averages of squared grads and steps."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _real,
                        _step_tensor, _to_float, _zeros_like)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    """Implements Adadelta (torch.optim.Adadelta).

    ``v = rho * v + (1 - rho) * g * g``; ``dx = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho * u + (1 - rho) * dx * dx``; ``p -= lr * dx``.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
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
            rho = group['rho']
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
                    state['square_avg'] = _zeros_like(p)
                    state['acc_delta'] = _zeros_like(p)
                state['step']._data += 1
                pa = _real(p._data)
                tmp, std, delta = self._tmp(pa, 3)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                sq = _real(state['square_avg']._data)
                acc = _real(state['acc_delta']._data)
                sq *= rho
                xp.multiply(g, g, out=std)
                _axpy(sq, std, 1 - rho, std)
                xp.add(sq, eps, out=std)
                xp.sqrt(std, out=std)
                xp.add(acc, eps, out=delta)
                xp.sqrt(delta, out=delta)
                delta /= std
                delta *= g
                acc *= rho
                xp.multiply(delta, delta, out=std)
                _axpy(acc, std, 1 - rho, std)
                _axpy(pa, delta, -lr, delta)
                p._bump_version()
        return loss
