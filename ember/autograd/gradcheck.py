"""gradcheck / gradgradcheck: compare autograd's gradients with central finite differences.

Every Jacobian entry is checked through a real-valued loss: for output element m and unit
grad_output g (1, and also 1j for a complex output), L = Re(conj(g) * out[m]). The analytical
side is `autograd.grad(out, inputs, onehot(m) * g)`, which by torch's convention is
dL/dx (+ 1j * dL/dy for a complex input x + iy); the numerical side perturbs each input element
(its real and imaginary parts separately) by +-eps. This covers real and complex inputs and
outputs with one rule.
"""
import warnings

import numpy as np

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a gradient does not match."""


def _as_tuple(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _is_float(t):
    return t._data.dtype.kind in 'fc' or t._data.dtype.kind == 'V'


def _differentiable_outputs(out):
    from .._tensor import Tensor
    return [o for o in _as_tuple(out) if isinstance(o, Tensor) and _is_float(o)]


def _host(a):
    from .._backend import to_numpy
    return np.asarray(to_numpy(a))


def _to_tensor(arr):
    from .._tensor import _wrap
    return _wrap(np.ascontiguousarray(arr))


def _eval(func, inputs):
    # not under no_grad: func may itself differentiate (gradgradcheck's does)
    outs = _differentiable_outputs(func(*inputs))
    return [_host(o._data).astype(np.complex128 if o._data.dtype.kind == 'c' else np.float64)
            for o in outs]


def _numerical_columns(func, inputs, diff_idx, eps, out_shapes):
    """d(out)/d(input) by central differences: per input, an array (n_in, [re, im], n_out_total)
    of complex derivatives of the flattened outputs."""
    res = []
    for i in diff_idx:
        x = inputs[i]
        a = x._data
        is_c = a.dtype.kind == 'c'
        parts = (1, 1j) if is_c else (1,)
        n = a.size
        cols = np.zeros((n, len(parts), sum(int(np.prod(s)) for s in out_shapes)), np.complex128)
        host = _host(a)
        for j in range(n):
            idx = np.unravel_index(j, a.shape) if a.ndim else ()
            orig = host[idx]
            for p, unit in enumerate(parts):
                a[idx] = orig + eps * unit
                plus = _eval_flat(func, inputs)
                a[idx] = orig - eps * unit
                minus = _eval_flat(func, inputs)
                a[idx] = orig
                cols[j, p] = (plus - minus) / (2 * eps)
        res.append(cols)
    return res


def _eval_flat(func, inputs):
    outs = _eval(func, inputs)
    if not outs:
        return np.zeros(0)
    return np.concatenate([o.reshape(-1).astype(np.complex128) for o in outs])


def _loss_rows(cols, g):
    """From complex output derivatives to dL/dx (+ 1j dL/dy) for L = Re(conj(g) * out)."""
    d = (np.conj(g) * cols).real  # (n_in, parts)
    if d.shape[1] == 2:
        return d[:, 0] + 1j * d[:, 1]
    return d[:, 0]


def _fmt(arr, dtype):
    from .._dtype import from_numpy
    t = _to_tensor(arr)
    if t._data.dtype.kind == 'c' and dtype.kind != 'c':
        t = _to_tensor(arr.real)
    return repr(t.to(from_numpy(dtype)) if t._data.dtype != dtype else t)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of `func` at `inputs` (those requiring grad) against finite differences.

    Returns True, or raises GradcheckError (returns False with `raise_exception=False`). Use
    float64 inputs. `nondet_tol` bounds how much two backward passes may differ;
    `check_undefined_grad` checks that backward copes with missing output gradients.
    `check_batched_grad` needs nothing extra here (batched grads are computed one by one).
    """
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("torch.autograd.forward_ad (check_forward_ad) is not available in "
                                  "ember")
    try:
        _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_undefined_grad,
                   check_grad_dtypes, check_backward_ad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_grad_dtypes,
               check_backward_ad, fast_mode):
    from .._tensor import Tensor
    from . import grad as autograd_grad
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none "
                         "of them have requires_grad=True.")
    for n, i in enumerate(diff_idx):
        dt = inputs[i]._data.dtype
        if dt not in (np.float64, np.complex128):
            warnings.warn(f"Input #{n} requires gradient and is not a double precision floating point "
                          "or complex. This check will likely fail if all the inputs are not of double "
                          "precision floating point or complex. ", UserWarning, stacklevel=3)
    outs = _differentiable_outputs(func(*inputs))
    shapes = [o._data.shape for o in outs]
    num = _numerical_columns(func, inputs, diff_idx, eps, shapes)
    diff_inputs = [inputs[i] for i in diff_idx]
    offset = 0
    for k, o in enumerate(outs):
        size = o._data.size
        sl = slice(offset, offset + size)
        offset += size
        if not o._requires_grad:
            for cols in num:
                if not np.allclose(cols[:, :, sl], 0, rtol=rtol, atol=atol):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
            continue
        if not check_backward_ad:
            continue
        units = (1, 1j) if o._data.dtype.kind == 'c' else (1,)
        if fast_mode:
            _fast_check(o, k, outs, func, inputs, diff_idx, diff_inputs, num, sl, units, atol, rtol)
            continue
        for u in units:
            analytical = [np.zeros((x._data.size, size), np.complex128) for x in diff_inputs]
            numerical = [np.zeros((x._data.size, size), np.complex128) for x in diff_inputs]
            for m in range(size):
                g1 = _vjp(autograd_grad, o, diff_inputs, m, u, check_grad_dtypes)
                g2 = _vjp(autograd_grad, o, diff_inputs, m, u, False)
                for n, (a1, a2) in enumerate(zip(g1, g2)):
                    if np.abs(a1 - a2).max(initial=0) > nondet_tol:
                        raise GradcheckError(
                            "Backward is not reentrant, i.e., running backward with same input and "
                            "grad_output multiple times gives different values, although analytical "
                            "gradient matches numerical gradient.The tolerance for nondeterminism "
                            f"was {nondet_tol}.")
                    analytical[n][:, m] = a1
                    numerical[n][:, m] = _loss_rows(num[n][:, :, sl.start + m], u)
            for n in range(len(diff_inputs)):
                a, nu = analytical[n], numerical[n]
                if not np.allclose(a, nu, rtol=rtol, atol=atol):
                    dt = np.result_type(diff_inputs[n]._data.dtype, o._data.dtype)
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k} with respect to input {n},\n"
                        f"numerical:{_fmt(nu, dt)}\nanalytical:{_fmt(a, dt)}\n")
    if check_backward_ad:
        _check_zero_grad_outputs(autograd_grad, outs, diff_inputs)
        if check_undefined_grad:
            _check_undefined_grad(outs)
    return True


def _vjp(autograd_grad, o, diff_inputs, m, unit, check_dtypes):
    from .._tensor import _wrap
    from .._backend import array_module
    xp = array_module(o._data)
    go = xp.zeros(o._data.shape, o._data.dtype)
    go.reshape(-1)[m] = unit
    grads = autograd_grad(o, diff_inputs, _wrap(go), retain_graph=True, allow_unused=True)
    res = []
    for x, g in zip(diff_inputs, grads):
        if g is None:
            res.append(np.zeros(x._data.size))
            continue
        if g._data.shape != x._data.shape:
            raise GradcheckError("Gradient has incorrect size")
        if check_dtypes and g._data.dtype != x._data.dtype:
            raise GradcheckError("Gradient has dtype mismatch")
        res.append(_host(g._data).reshape(-1).astype(np.complex128))
    return res


def _fast_check(o, k, outs, func, inputs, diff_idx, diff_inputs, num, sl, units, atol, rtol):
    """torch's fast mode: compare v^T J u for one random u (over inputs) and v (over the output)."""
    from . import grad as autograd_grad
    from .._tensor import _wrap
    rng = np.random.default_rng(0)
    size = o._data.size
    for unit in units:
        v = rng.standard_normal(size)
        us = [rng.standard_normal(x._data.size) for x in diff_inputs]
        numerical = 0.0
        for n, x in enumerate(diff_inputs):
            rows = np.stack([_loss_rows(num[n][:, :, sl.start + m], unit) for m in range(size)], 1)
            numerical += np.real(us[n] @ (rows @ v))
        go = _wrap((v * unit).reshape(o._data.shape).astype(o._data.dtype))
        grads = autograd_grad(o, diff_inputs, go, retain_graph=True, allow_unused=True)
        analytical = 0.0
        for n, g in enumerate(grads):
            if g is not None:
                analytical += np.real(us[n] @ _host(g._data).reshape(-1))
        if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
            raise GradcheckError(
                f"Jacobian mismatch for output {k} with respect to input 0,\n"
                f"numerical:{numerical}\nanalytical:{analytical}\n\n"
                "The above quantities relating the numerical and analytical jacobians are computed \n"
                "in fast mode.\n")


def _check_zero_grad_outputs(autograd_grad, outs, diff_inputs):
    """Zero output gradients must give zero input gradients (torch's mul-by-grad_output test)."""
    from .._ops.creation import zeros_like
    live = [o for o in outs if o._requires_grad]
    if not live:
        return
    grads = autograd_grad(live, diff_inputs, [zeros_like(o) for o in live], retain_graph=True,
                          allow_unused=True)
    for g in grads:
        if g is not None and bool((_host(g._data) != 0).any()):
            raise GradcheckError("backward not multiplied by grad_output")


def _check_undefined_grad(outs):
    """Backward must cope with undefined (None) output gradients. In ember only a custom Function
    with set_materialize_grads(False) ever receives None: the engine never calls a node none of
    whose outputs got a gradient, and fills zeros for the others."""
    seen = set()
    for o in outs:
        fn = o.grad_fn
        if fn is None or id(fn) in seen or not fn._custom or fn.__dict__.get('materialize_grads', True):
            continue
        seen.add(id(fn))
        grads = fn(*([None] * fn._n_outputs))   # an exception here propagates, as in torch
        for g in grads:
            if g is not None and not np.allclose(_host(g._data), 0):
                _warn_bc_breaking()
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are "
                    "undefined or zero. Please look at \"Notes about undefined output gradients\" in "
                    "\"tools/autograd/derivatives.yaml\"")


def _warn_bc_breaking():
    warnings.warn("Backwards compatibility: New undefined gradient support checking feature is "
                  "enabled by default, but it may break existing callers of this function. If this "
                  "is true for you, you can call this function with \"check_undefined_grad=False\" "
                  "to disable the feature", UserWarning, stacklevel=4)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of the map (inputs, grad_outputs) -> input gradients.

    Without `grad_outputs`, random ones (float64 when the output is) are drawn.
    """
    from .._tensor import Tensor
    from .._ops.random import randn
    from . import grad as autograd_grad
    if check_fwd_over_rev:
        raise NotImplementedError("torch.autograd.forward_ad (check_fwd_over_rev) is not available in "
                                  "ember")
    tupled = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(tupled) if isinstance(t, Tensor) and t._requires_grad]
    if grad_outputs is None:
        outs = _differentiable_outputs(func(*tupled))
        grad_outputs = []
        for o in outs:
            if not o._requires_grad:
                continue
            g = randn(*o._data.shape, dtype=o.dtype)
            if gen_non_contig_grad_outputs:
                g = _non_contiguous(g)
            grad_outputs.append(g.requires_grad_(True))
    else:
        grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(tupled)

    def new_func(*args):
        inp = args[:n_in]
        gos = args[n_in:]
        outs = [o for o in _differentiable_outputs(func(*inp)) if o._requires_grad]
        diff = [inp[i] for i in diff_idx]
        grads = autograd_grad(outs, diff, list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not check_rev_over_rev:
        return True
    return gradcheck(new_func, tupled + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode)


def _non_contiguous(t):
    from .._tensor import _wrap
    a = t._data
    xp_big = np.zeros(a.shape + (2,), a.dtype) if isinstance(a, np.ndarray) else None
    if xp_big is None:
        from .._backend import array_module
        xp_big = array_module(a).zeros(a.shape + (2,), a.dtype)
    xp_big[..., 0] = a
    return _wrap(xp_big[..., 0])
