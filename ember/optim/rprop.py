"""torch.optim.Rprop: resilient backpropagation, per-weight step sizes driven by gradient signs."""
from .._backend import array_module
from ._kernels import _advance_step, _full_like, _real, _step_tensor, _to_float, _zeros_like
from ._validation import _check_kernel_flags, _check_lr
from .optimizer import _FLAG_DEFAULTS, Optimizer

__all__ = ['Rprop']


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm (torch.optim.Rprop).

    Each weight's step size grows by ``etaplus`` while its gradient keeps its sign and shrinks by
    ``etaminus`` when it flips (that step is then skipped), clamped to ``step_sizes``;
    ``p -= sign(g) * step_size``.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._upgrade_state(_FLAG_DEFAULTS)

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            step_size_min, step_size_max = group['step_sizes']
            maximize = group['maximize']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _step_tensor(p, group['capturable'])
                    state['prev'] = _zeros_like(p)
                    lr = _to_float(group['lr'])
                    state['step_size'] = _full_like(grad, complex(lr, lr)
                                                    if p._data.dtype.kind == 'c' else lr)
                _advance_step(state)
                pa = _real(p._data)
                g, factor = self._tmp(pa, 2)
                xp = array_module(pa)
                if maximize:
                    xp.negative(_real(grad._data), out=g)
                else:
                    xp.copyto(g, _real(grad._data))
                prev = _real(state['prev']._data)
                step_size = _real(state['step_size']._data)
                xp.multiply(g, prev, out=factor)
                flipped, kept = self._tmp(pa, 2, bool)
                xp.less(factor, 0, out=flipped)
                xp.greater(factor, 0, out=kept)
                factor.fill(1)
                xp.copyto(factor, etaplus, where=kept)
                xp.copyto(factor, etaminus, where=flipped)
                step_size *= factor
                xp.clip(step_size, step_size_min, step_size_max, out=step_size)
                # a sign flip skips this step and forgets the gradient, so the next step is neutral
                xp.copyto(g, 0, where=flipped)
                xp.sign(g, out=factor)
                factor *= step_size
                pa -= factor
                prev[...] = g
                p._bump_version()
        return loss
