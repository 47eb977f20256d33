"""torch.optim.ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992)."""
from .._backend import array_module
from ._kernels import (_advance_step, _axpy, _effective_grad, _real, _scalar_tensor, _step_tensor,
                       _to_float, _zeros_like)
from ._validation import _check_kernel_flags, _check_lr, _check_non_negative
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['ASGD']


class ASGD(Optimizer):
    """Implements averaged SGD (torch.optim.ASGD).

    ``p *= 1 - lambd * eta``; ``p -= eta * g``; the average ``ax`` follows ``p`` (copies it while
    ``mu == 1``, then ``ax += mu * (p - ax)``); ``eta = lr / (1 + lambd * lr * t) ** alpha`` and
    ``mu = 1 / max(1, t - t0)``.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_non_negative('weight_decay', weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(_FLAG_DEFAULTS,
                            scalars=('step', 'eta', 'mu'), on_device=True)

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group['lr'])
            lambd = group['lambd']
            alpha = group['alpha']
            t0 = group['t0']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, True)
                    state['eta'] = _scalar_tensor(p, lr, True)
                    state['mu'] = _scalar_tensor(p, 1.0, True)
                    state['ax'] = _zeros_like(p)
                t = _advance_step(state)
                pa = _real(p._data)
                tmp, tmp2 = self._tmp(pa, 2)
                xp = array_module(pa)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                eta_arr = state['eta']._data
                mu_arr = state['mu']._data
                eta = float(eta_arr)
                pa *= 1 - lambd * eta
                _axpy(pa, g, -eta, tmp2)
                ax = _real(state['ax']._data)
                mu = float(mu_arr)
                if mu != 1:
                    xp.subtract(pa, ax, out=tmp2)
                    tmp2 *= mu_arr
                    ax += tmp2
                else:
                    ax[...] = pa
                eta_arr[...] = lr / ((1 + lambd * lr * t) ** alpha)
                mu_arr[...] = 1 / max(1, t - t0)
                p._bump_version()
        return loss
