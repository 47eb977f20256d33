"""torch.optim.RMSprop: scale steps by a running average of squared gradients (Hinton's lecture)."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _lerp_,
                        _real, _step_tensor, _to_float, _zeros_like)

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
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('momentum', 0)
            group.setdefault('centered', False)
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
            alpha = group['alpha']
            eps = group['eps']
            wd = group['weight_decay']
            momentum = group['momentum']
            centered = group['centered']
            maximize = group['maximize']
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['square_avg'] = _zeros_like(p)
                    if momentum > 0:
                        state['momentum_buffer'] = _zeros_like(p)
                    if centered:
                        state['grad_avg'] = _zeros_like(p)
                state['step']._data += 1
                pa = _real(p._data)
                tmp, avg = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                sq = _real(state['square_avg']._data)
                sq *= alpha
                xp.multiply(g, g, out=avg)
                _axpy(sq, avg, 1 - alpha, avg)
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
