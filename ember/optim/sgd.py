"""torch.optim.SGD: stochastic gradient descent with momentum, dampening and Nesterov momentum."""
import numpy as np

from .._backend import array_module
from .._tensor import _wrap
from . import _kernels
from ._kernels import _axpy, _effective_grad, _real, _to_float
from ._validation import _check_kernel_flags, _check_tensor_lr
from .optimizer import Optimizer

__all__ = ['SGD']

_ndarray = np.ndarray


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), as torch.optim.SGD.

    ``g = grad + weight_decay * p``; with momentum ``b = momentum * b + (1 - dampening) * g``
    (``b = g`` on the first step) and ``g = g + momentum * b`` (Nesterov) or ``g = b``;
    then ``p -= lr * g`` (``+=`` when maximizing).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_kernel_flags(self, differentiable, fused, foreach)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('nesterov', False)
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('differentiable', False)
            group.setdefault('fused', False)

    def step(self, closure=None):
        """Perform a single optimization step (`closure` re-evaluates the model, returns the loss)."""
        loss = None if closure is None else self._eval_closure(closure)
        for group in self.param_groups:
            lr = group['lr']
            if type(lr) is not float:  # (an int, or a Tensor learning rate)
                lr = _to_float(lr)
            momentum = group['momentum']
            wd = group['weight_decay']
            maximize = group['maximize']
            if momentum == 0 and wd == 0 and not maximize:
                _plain_sgd(group['params'], lr)
                continue
            wd = _to_float(wd)
            dampening = group['dampening']
            nesterov = group['nesterov']
            # plain SGD needs no scratch: the update is one BLAS axpy
            need_tmp = wd != 0 or maximize or nesterov or (momentum != 0 and dampening != 0)
            tmp = tmp2 = None
            for p, grad in self._params_with_grad(group):
                pa = _real(p._data)
                if need_tmp:
                    tmp, tmp2 = self._tmp(pa, 2)
                g = _effective_grad(_real(grad._data), pa, wd, maximize, tmp)
                xp = array_module(pa)
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get('momentum_buffer')
                    if buf_t is None:
                        state['momentum_buffer'] = _wrap(g.copy().view(p._data.dtype))
                        buf = _real(state['momentum_buffer']._data)
                    else:
                        buf = _real(buf_t._data)
                        buf *= momentum
                        if dampening == 0:
                            buf += g
                        else:
                            _axpy(buf, g, 1 - dampening, tmp2)
                    if nesterov:
                        if g is not tmp:
                            xp.copyto(tmp, g)
                            g = tmp
                        _axpy(g, buf, momentum, tmp2)
                    else:
                        g = buf
                _axpy(pa, g, -lr, tmp2)
                p._bump_version()
        return loss


def _plain_sgd(params, lr):
    """p -= lr * grad for every param with a gradient: the loop of every seed-style training step,
    kept free of the momentum/decay machinery. A contiguous float32/float64 CPU param takes one
    BLAS axpy called directly (the general `_axpy` checks cost more than the update itself on
    small layers)."""
    table = _kernels._AXPY if _kernels._AXPY is not None else _kernels._load_axpy()
    alpha = -lr
    for p in params:
        grad = p._grad if p._grad_fn is None else p.grad  # (a non-leaf param warns, as in torch)
        if grad is None:
            continue
        pa, ga = p._data, grad._data
        f = table.get(pa.dtype)
        n = pa.size
        # the param must be contiguous (ravel is then a view the update lands in); the gradient
        # is only read, so a copy from ravel would do
        if (f is not None and ga.dtype is pa.dtype and type(pa) is _ndarray and type(ga) is _ndarray
                and pa.flags.c_contiguous and 0 < n < 2 ** 31):
            f(ga.ravel(), pa.ravel(), n, alpha)
        else:
            _axpy(_real(pa), _real(ga), alpha, None)
        c = p._version_counter  # (p._bump_version(), inlined)
        if c is None:
            p._version_counter = [1]
        else:
            c[0] += 1
