"""torch.optim.Adam (and the decoupled-weight-decay variant AdamW builds on)."""
from .._backend import array_module
from .._tensor import Tensor
from .optimizer import (Optimizer, _axpy, _check_kernel_flags, _check_tensor_lr, _effective_grad, _lerp_,
                        _real, _step_tensor, _to_float, _zeros_like)

__all__ = ['Adam']


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


class Adam(Optimizer):
    """Implements Adam (torch.optim.Adam), with optional AMSGrad and decoupled weight decay.

    ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``,
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``; AMSGrad uses the
    running maximum of ``v``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor) and betas[i]._data.size != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable, fused, foreach)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('amsgrad', False)
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('capturable', False)
            group.setdefault('differentiable', False)
            group.setdefault('decoupled_weight_decay', False)
            group.setdefault('fused', None)
            for p in group['params']:
                st = self.state.get(p, {})
                if len(st) != 0 and not isinstance(st['step'], Tensor):
                    st['step'] = _step_tensor(p, group['capturable'] or group['fused'],
                                              float(st['step']))

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            beta1, beta2 = group['betas']
            beta1, beta2 = _to_float(beta1), _to_float(beta2)
            eps = group['eps']
            wd = group['weight_decay']
            amsgrad = group['amsgrad']
            maximize = group['maximize']
            decoupled = group['decoupled_weight_decay']
            on_device = bool(group['capturable'] or group['fused'])
            for p in group['params']:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, on_device)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                    if amsgrad:
                        state['max_exp_avg_sq'] = _zeros_like(p)
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
                if amsgrad:
                    vmax = _real(state['max_exp_avg_sq']._data)
                    xp.maximum(vmax, v, out=vmax)
                    v = vmax
                step_size = lr / (1 - beta1 ** t)
                bc2_sqrt = (1 - beta2 ** t) ** 0.5
                # p -= step_size * m / (sqrt(v) / bc2_sqrt + eps), with bc2_sqrt folded into the
                # scalars: two passes fewer, the same value up to rounding
                xp.sqrt(v, out=den)
                den += eps * bc2_sqrt
                xp.divide(m, den, out=den)
                _axpy(pa, den, -step_size * bc2_sqrt, den)
                p._bump_version()
        return loss
