"""ember.autograd: backward, grad, grad modes, custom Functions, anomaly mode, gradcheck."""
from .._backend import array_module
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .engine import run_backward
from .graph import Node
from .function import Function, FunctionCtx, InplaceFunction, once_differentiable
from .anomaly_mode import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,
                           is_anomaly_check_nan_enabled)
from . import graph, function, anomaly_mode, grad_mode, forward_ad  # noqa: F401

__all__ = ['backward', 'grad', 'Function', 'FunctionCtx', 'once_differentiable', 'no_grad',
           'enable_grad', 'set_grad_enabled', 'inference_mode', 'detect_anomaly',
           'set_detect_anomaly', 'gradcheck', 'gradgradcheck', 'functional', 'Variable']


def _tensor_cls():
    """ember.Tensor (bound on first use: ember._tensor imports this package)."""
    global _tensor_cls, _Tensor
    from .._tensor import Tensor as _Tensor
    _tensor_cls = lambda: _Tensor  # noqa: E731
    return _Tensor


def _make_grads(outputs, grad_outputs, create_graph):
    Tensor = _tensor_cls()
    res = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in 'fV':
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                       f"but got {out.dtype}")
                res.append(graph._wrap(array_module(out._data).ones_like(out._data)))
            else:
                res.append(None)
            continue
        if not isinstance(g, Tensor):
            from .._ops.creation import as_tensor
            g = as_tensor(g, dtype=out.dtype)
        if g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.shape}.")
        if out._data.dtype.kind in 'fcV' and g._data.dtype.kind not in 'fcV':
            raise RuntimeError(f"For output[{i}] of floating point type, grad_output[{i}] must be "
                               f"floating point too, but got {g.dtype}")
        if g._data.dtype != out._data.dtype and out._data.dtype.kind in 'fcV':
            if 'c' in (g._data.dtype.kind, out._data.dtype.kind):
                raise RuntimeError(
                    "For complex Tensors, both grad_output and output are required to have the same "
                    f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                    f"output[{i}] has a dtype of {out.dtype}.")
            # the graph works in each value's own dtype (torch casts the seed the same way)
            g = g.to(out.dtype)
        if not create_graph and g._grad_fn is not None:
            g = g.detach()
        res.append(g)
    return res


def _tensors(x):
    if isinstance(x, _tensor_cls()):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def _grad_list(grads, n):
    if grads is None:
        return [None] * n
    grads = [grads] if isinstance(grads, _tensor_cls()) else list(grads)
    if len(grads) != n:
        raise RuntimeError(f"got {n} tensors and {len(grads)} gradients")
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the leaves' `.grad` the gradients of `tensors` (summed over them).

    `grad_tensors` are the vectors of the vector-Jacobian product (needed for non-scalar outputs);
    `create_graph` records the backward pass itself, for higher-order gradients; `inputs`
    restricts the accumulation to those tensors (leaves or not).
    """
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _tensors(tensors)
    grad_tensors = _grad_list(grad_tensors, len(tensors))
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(tensors):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
    grads = _make_grads(tensors, grad_tensors, create_graph)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
        run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)
        return
    if create_graph:
        import warnings
        warnings.warn("Using backward() with create_graph=True will create a reference cycle between "
                      "the parameter and its gradient which can cause a memory leak. We recommend "
                      "using autograd.grad when creating the graph to avoid this. If you have to use "
                      "this function, make sure to reset the .grad fields of your parameters to None "
                      "after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` w.r.t. `inputs`, returned as a tuple (nothing is accumulated
    into `.grad`).

    With `create_graph=True` the result is itself differentiable (gradient penalties,
    Hessian-vector products). `allow_unused` returns None for inputs the outputs do not depend on
    (zeros with `materialize_grads`). `is_grads_batched` treats the first dimension of each
    grad_output as a batch of vectors.
    """
    from .._tensor import Tensor
    single_input = isinstance(inputs, Tensor)
    outputs = _tensors(outputs)
    inputs_t = _tensors(inputs)
    if not inputs_t:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    grad_outputs = _grad_list(grad_outputs, len(outputs))
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(outputs):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
    for t in inputs_t:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if is_grads_batched:
        return _batched_grad(outputs, inputs_t, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    grads = _make_grads(outputs, grad_outputs, create_graph)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_t, accumulate=False)
    out = []
    for t, g in zip(inputs_t, res):
        if g is None:
            if materialize_grads:
                from .._ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph and g._grad_fn is not None:
            g = g.detach()
        out.append(g)
    return tuple(out)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    from .._ops.selection import stack
    n = None
    for g in grad_outputs:
        if g is not None:
            n = g.shape[0]
    if n is None:
        raise RuntimeError("is_grads_batched=True requires grad_outputs")
    per = []
    for b in range(n):
        gs = [None if g is None else g[b] for g in grad_outputs]
        per.append(grad(outputs, inputs, gs, retain_graph=True if b < n - 1 else retain_graph,
                        create_graph=create_graph, allow_unused=allow_unused,
                        materialize_grads=materialize_grads))
    out = []
    for i in range(len(inputs)):
        col = [p[i] for p in per]
        out.append(None if any(c is None for c in col) else stack(col))
    return tuple(out)


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, _tensor_cls())


class Variable(metaclass=_VariableMeta):
    """Deprecated: Variables are Tensors. `Variable(t, requires_grad=...)` returns `t`, and every
    Tensor is an instance of Variable."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if requires_grad:
            data.requires_grad_(True)
        return data


# last: their module-level code must not need the names above during import
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402
from . import functional  # noqa: E402

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.autograd')
