"""torch.optim.Adagrad: per-coordinate steps scaled by the sum of past squared gradients."""
from .._backend import array_module
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad,
                        _full_like, _real, _step_tensor, _to_float)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    """Implements Adagrad (torch.optim.Adagrad).

    ``s += g * g``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``; the accumulator
    starts at ``initial_accumulator_value`` (its state exists from construction, as in torch).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable, fused, foreach)
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state['step'] = _step_tensor(p, bool(group['fused']))
        init = self.defaults['initial_accumulator_value']
        if p._data.dtype.kind == 'c':
            init = complex(init, init)
        state['sum'] = _full_like(p, init)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('foreach', None)
            group.setdefault('maximize', False)
            group.setdefault('differentiable', False)
            group.setdefault('fused', None)

    def share_memory(self):
        """Move the accumulators to shared memory (torch's Hogwild helper)."""
        for group in self.param_groups:
            for p in group['params']:
                acc = self.state[p]['sum']
                if not hasattr(acc, 'share_memory_'):
                    raise NotImplementedError("torch.optim.Adagrad.share_memory is not available "
                                              "in ember (Tensor.share_memory_ is missing)")
                acc.share_memory_()

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            lr_decay = group['lr_decay']
            eps = group['eps']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state = self._init_state(p, group)
                st = state['step']._data
                st += 1
                t = float(st)
                pa = _real(p._data)
                tmp, std = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                clr = lr / (1 + (t - 1) * lr_decay)
                s = _real(state['sum']._data)
                xp.multiply(g, g, out=std)
                s += std
                xp.sqrt(s, out=std)
                std += eps
                xp.divide(g, std, out=std)
                _axpy(pa, std, -clr, std)
                p._bump_version()
        return loss
