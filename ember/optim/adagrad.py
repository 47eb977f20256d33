"""torch.optim.Adagrad: per-coordinate steps scaled by the sum of past squared gradients."""
from .._backend import array_module
from ._kernels import (_advance_step, _axpy, _effective_grad, _full_like, _real, _step_tensor,
                       _to_float)
from ._validation import _check_eps, _check_kernel_flags, _check_lr, _check_non_negative
from .optimizer import Optimizer

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    """Implements Adagrad (torch.optim.Adagrad).

    ``s += g * g``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``; the accumulator
    starts at ``initial_accumulator_value`` (its state exists from construction, as in torch).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_non_negative('lr_decay', lr_decay)
        _check_non_negative('weight_decay', weight_decay)
        _check_non_negative('initial_accumulator_value', initial_accumulator_value)
        _check_eps(eps)
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
        self._upgrade_state(dict(foreach=None, maximize=False, differentiable=False, fused=None),
                            on_device=('fused',))

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
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state = self._init_state(p, group)
                t = _advance_step(state)
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
