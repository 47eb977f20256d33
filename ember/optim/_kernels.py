"""Array kernels the optimizers share: in-place updates on raw parameter arrays (`p._data`).

They compute with the array module of their inputs, write into caller-owned scratch buffers and
allocate nothing per step, so every optimizer works unchanged on CuPy.
"""
import numpy as np

from .._backend import array_module, device_of, move
from .._tensor import Tensor, _wrap


def _to_float(x):
    """A python float for a hyper-parameter that may be given as a one-element Tensor."""
    if type(x) is float:
        return x
    if isinstance(x, Tensor):
        return float(x._data.reshape(-1)[0]) if x._data.size == 1 else float(x._data)
    return float(x)


def _step_tensor(p, on_param_device=False, value=0.0):
    """The float32 0-d `step` counter torch 2.x keeps (on the param's device when capturable/fused)."""
    arr = np.array(value, dtype=np.float32)
    if on_param_device and type(p._data) is not np.ndarray:
        arr = move(arr, device_of(p._data))
    return _wrap(arr)


def _scalar_tensor(p, value, on_param_device=False):
    """A float32 0-d state tensor such as NAdam's `mu_product` or ASGD's `eta`."""
    return _step_tensor(p, on_param_device, value)


def _zeros_like(p):
    a = p._data
    return _wrap(array_module(a).zeros_like(a))


def _full_like(p, value):
    a = p._data
    return _wrap(array_module(a).full_like(a, value))


def _real(a):
    """A real view of a complex array (torch's view_as_real), the array itself otherwise."""
    if a.dtype.kind == 'c':
        return a.view(a.real.dtype)
    return a


_AXPY = None
_ndarray = np.ndarray


def _load_axpy():
    # BLAS axpy (y += a * x) is one fused pass, rounding like torch's add(alpha)/lerp kernels.
    # scipy is optional and slow to import, so it is looked up on the first step only.
    global _AXPY
    try:
        from scipy.linalg import blas
        _AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}
    except Exception:  # no scipy: the two-pass NumPy fallback below
        _AXPY = {}
    return _AXPY


def _axpy(y, x, a, scratch):
    """y += a * x in place.

    `scratch` holds a * x when BLAS cannot be used (it may be `x` itself when x is disposable;
    None allocates).
    """
    f = (_AXPY if _AXPY is not None else _load_axpy()).get(y.dtype)
    if (f is not None and type(y) is _ndarray and type(x) is _ndarray and x.dtype is y.dtype
            and y.flags.c_contiguous and x.flags.c_contiguous and 0 < y.size < 2 ** 31):
        f(x.reshape(-1), y.reshape(-1), y.size, a)  # (positional: keywords cost f2py ~50%)
        return
    xp = array_module(y)
    if y.dtype.itemsize < 4 and y.dtype.kind not in 'iub':
        # half/bfloat16: one rounding of the float32 result, as torch's fused kernel does
        y[...] = (y.astype(np.float32) + x.astype(np.float32) * np.float32(a)).astype(y.dtype)
    elif scratch is None:
        y += xp.multiply(x, a)
    else:
        xp.multiply(x, a, out=scratch)
        y += scratch


def _lerp_(start, end, weight, tmp):
    """start += weight * (end - start) in place, with torch's two-branch formula for accuracy."""
    xp = array_module(start)
    xp.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        _axpy(start, tmp, weight, tmp)
    else:
        xp.copyto(start, end)
        _axpy(start, tmp, -(1.0 - weight), tmp)


def _effective_grad(g, p, weight_decay, maximize, out):
    """The gradient after `maximize` and L2 weight decay (grad + wd * param), into `out` if needed."""
    if weight_decay != 0:
        xp = array_module(p)
        if maximize:
            xp.negative(g, out=out)
        else:
            xp.copyto(out, g)
        _axpy(out, p, weight_decay, None)
        return out
    if maximize:
        return array_module(g).negative(g, out=out)
    return g



def _grad_with_weight_decay(g, p, lr, weight_decay, decoupled, maximize, out):
    """`_effective_grad`, except that decoupled (AdamW-style) decay shrinks the param instead.

    Decoupled decay multiplies `p` by ``1 - lr * weight_decay`` in place and leaves the gradient
    undecayed; otherwise the decay is the L2 term added to the gradient.
    """
    if weight_decay != 0 and decoupled:
        p *= 1 - lr * weight_decay
        return _effective_grad(g, p, 0, maximize, out)
    return _effective_grad(g, p, weight_decay, maximize, out)


def _ema_square_(avg, x, decay, tmp):
    """avg = decay * avg + (1 - decay) * x * x in place; `tmp` is scratch shaped like `x`.

    The running mean of squares behind Adam's second moment, RMSprop's and Adadelta's averages.
    """
    avg *= decay
    array_module(avg).multiply(x, x, out=tmp)
    _axpy(avg, tmp, 1 - decay, tmp)


def _adam_moments_(state, g, beta1, beta2, tmp):
    """Adam's moment estimates, updated in place and returned as real views: ``exp_avg`` moves
    toward `g` by ``1 - beta1``, ``exp_avg_sq`` is the running mean of ``g * g``."""
    m = _real(state['exp_avg']._data)
    v = _real(state['exp_avg_sq']._data)
    _lerp_(m, g, 1 - beta1, tmp)
    _ema_square_(v, g, beta2, tmp)
    return m, v


def _advance_step(state):
    """Count one more step in `state['step']` (a float32 0-d tensor, in place); the new count."""
    st = state['step']._data
    st += 1
    return float(st)
