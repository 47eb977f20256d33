"""torch.optim.Adam (and the decoupled-weight-decay variant AdamW builds on)."""
from .._backend import array_module
from .._tensor import Tensor
from ._kernels import (_adam_moments_, _advance_step, _axpy, _grad_with_weight_decay, _real,
                       _to_float)
from ._validation import (_check_betas, _check_eps, _check_kernel_flags, _check_lr,
                          _check_non_negative)
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['Adam']

_STATE = ('exp_avg', 'exp_avg_sq')
_AMSGRAD_STATE = _STATE + ('max_exp_avg_sq',)


class Adam(Optimizer):
    """Implements Adam (torch.optim.Adam), with optional AMSGrad and decoupled weight decay.

    ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``,
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``; AMSGrad uses the
    running maximum of ``v``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_non_negative('weight_decay', weight_decay)
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
        self._upgrade_state(dict(_FLAG_DEFAULTS, amsgrad=False, decoupled_weight_decay=False,
                                 fused=None),
                            on_device=('capturable', 'fused'))

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
            for p, grad in self._params_with_grad(group):
                state = self._lazy_state(p, on_device, _AMSGRAD_STATE if amsgrad else _STATE)
                t = _advance_step(state)
                pa = _real(p._data)
                tmp, den = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _grad_with_weight_decay(_real(grad._data), pa, lr, wd, decoupled, maximize, tmp)
                m, v = _adam_moments_(state, g, beta1, beta2, den)
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
