"""ember.autograd: backward, grad, grad modes, graph nodes."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .engine import run_backward
from . import function as _function_module


def _make_grads(outputs, grad_outputs, create_graph):
    from .._tensor import Tensor, _wrap
    res = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in 'fcV':
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                       f"but got {out.dtype}")
                from .._backend import array_module
                res.append(_wrap(array_module(out._data).ones_like(out._data)))
            else:
                res.append(None)
        else:
            if not isinstance(g, Tensor):
                from .._ops.creation import as_tensor
                g = as_tensor(g, dtype=out.dtype)
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and "
                                   f"output[0] has a shape of {out.shape}.")
            if not create_graph and g._grad_fn is not None:
                g = g.detach()
            res.append(g)
    return res


def _tensors(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the leaves' `.grad` the gradients of `tensors`."""
    tensors = _tensors(tensors)
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    else:
        from .._tensor import Tensor
        grad_tensors = [grad_tensors] if isinstance(grad_tensors, Tensor) else list(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(tensors, grad_tensors, create_graph)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        res = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
        for t, g in zip(inputs, res):
            if g is None:
                continue
            if t._grad_fn is not None and not t._retains_grad:
                continue
            if not create_graph:
                g = g.detach()
            t._grad = g if t._grad is None else t._grad + g
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` w.r.t. `inputs`, returned (not accumulated into `.grad`)."""
    outputs = _tensors(outputs)
    inputs_t = _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = list(_tensors(grad_outputs)) if not isinstance(grad_outputs, (list, tuple)) \
            else list(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs_t:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for t in outputs:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
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


def set_detect_anomaly(mode, check_nan=True):
    """Turn anomaly detection on or off (NaN checks in backward, forward tracebacks)."""
    _function_module._anomaly[0] = bool(mode)
    return _AnomalyRestore(not mode)


class _AnomalyRestore:
    def __init__(self, prev):
        self.prev = prev

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _function_module._anomaly[0] = self.prev


class detect_anomaly:
    """Context manager (and decorator) enabling anomaly detection inside its block."""

    def __init__(self, check_nan=True):
        import warnings
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", UserWarning, stacklevel=2)
        self.prev = False

    def __enter__(self):
        self.prev = _function_module._anomaly[0]
        _function_module._anomaly[0] = True

    def __exit__(self, *exc):
        _function_module._anomaly[0] = self.prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with self:
                return fn(*a, **k)
        return wrapper


def is_anomaly_enabled():
    return _function_module._anomaly[0]
