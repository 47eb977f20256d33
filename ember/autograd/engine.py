"""The backward engine: iterative, dependency-counted, no recursion.

1. Walk the graph from the roots once (an explicit stack) and count, for every node, how many
   edges point at it.
2. Pop ready nodes (all their gradient contributions arrived), run their backward, sum each
   produced gradient back to its input's shape and dtype (the one place broadcasting is undone),
   and add it into the next node's buffer; a node whose count reaches zero becomes ready.
Saved tensors are released after a node runs unless `retain_graph`.
"""
from .function import AccumulateGrad, _anomaly
from .grad_mode import _state

_wrap = None  # ember._tensor._wrap, set by ember._tensor (import cycle)


def _sum_to(g, shape, dtype):
    """Reduce a gradient to `shape` (undoing broadcasting) and cast it to `dtype`."""
    a = g._data
    if a.shape != shape:
        from .._ops.shape import sum_to_size
        g = sum_to_size(g, shape)
        a = g._data
    if a.dtype != dtype:
        g = g.to(_dtype_of(dtype))
    return g


def _dtype_of(np_dtype):
    from .._dtype import from_numpy
    return from_numpy(np_dtype)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None,
                 allow_unused=True, accumulate=True):
    """Backpropagate from `tensors` seeded with `grad_tensors`.

    With `accumulate`, leaf gradients are added into `.grad` (Tensor.backward); otherwise the
    gradients reaching `inputs` are returned (autograd.grad) and no `.grad` is touched.
    """
    roots = []
    for t, g in zip(tensors, grad_tensors):
        if t._grad_fn is not None:
            roots.append((t._grad_fn, t._output_nr, g))
        elif t._requires_grad:
            roots.append((t._accumulator(), 0, g))
        else:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")

    # capture points for autograd.grad: node -> [(output_nr, index in inputs)]
    captures = {}
    results = None
    if inputs is not None:
        results = [None] * len(inputs)
        for i, t in enumerate(inputs):
            if t._grad_fn is not None:
                key, nr = t._grad_fn, t._output_nr
            else:
                key, nr = t._accumulator(), 0
            captures.setdefault(key, []).append((nr, i))

    # 1. dependency counts (a node first met gets count 1 and is walked once)
    deps = {}
    stack = [r[0] for r in roots]
    root_set = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            c = deps.get(nxt)
            if c is None:
                deps[nxt] = 1
                if nxt not in root_set:
                    stack.append(nxt)
            else:
                deps[nxt] = c + 1

    # 2. seed the buffers
    buffers = {}
    for node, nr, g in roots:
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node_outputs(node)
        buf[nr] = _add(buf[nr], g)
    ready = [n for n in buffers if n not in deps]

    prev = _state.enabled
    _state.enabled = create_graph
    anomaly = _anomaly[0]
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if type(node) is AccumulateGrad:
                _accumulate(node, grads[0], captures, results, accumulate, create_graph)
                continue
            if node._tensor_pre_hooks is not None or node._pre_hooks is not None:
                grads = _run_pre_hooks(node, grads)
            if captures:
                cap = captures.get(node)
                if cap is not None:
                    for nr, i in cap:
                        results[i] = _add(results[i], grads[nr])
            if node._released and node._saved is None and _had_saved(node):
                node.saved_tensors  # raises the "backward through the graph a second time" error
            if len(grads) == 1:
                if grads[0] is None:
                    grads[0] = _zeros_for_output(node, 0)
            else:
                for i in range(len(grads)):
                    if grads[i] is None:
                        grads[i] = _zeros_for_output(node, i)
            if anomaly:
                out = _backward_with_anomaly(node, grads)
            else:
                out = node.backward(node, *grads)
            if type(out) is not tuple:
                out = (out,)
            if node._post_hooks is not None:
                for h in list(node._post_hooks.values()):
                    r = h(out, tuple(grads))
                    if r is not None:
                        out = tuple(r)
            if not retain_graph:
                if node._saved is not None:
                    node.__dict__['_had_saved'] = True
                    node._saved = None
                node._released = True
            meta = node._input_meta
            n_out = len(out)
            i = 0
            for nxt, nr in node.next_functions:
                if nxt is None:
                    i += 1
                    continue
                g = out[i] if i < n_out else None
                if g is not None:
                    shape, dt = meta[i]
                    a = g._data
                    if a.shape != shape or a.dtype != dt:
                        g = _sum_to(g, shape, dt)
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * node_outputs(nxt)
                        buf[nr] = g
                    elif buf[nr] is None:
                        buf[nr] = g
                    else:
                        buf[nr] = buf[nr] + g
                i += 1
                c = deps[nxt] - 1
                deps[nxt] = c
                if c == 0:
                    if nxt in buffers:
                        ready.append(nxt)
                    else:  # every contribution was None: its inputs get nothing from here
                        _skip(nxt, deps, buffers, ready)
    finally:
        _state.enabled = prev
    return results


def _run_pre_hooks(node, grads):
    th = node._tensor_pre_hooks
    if th:
        for nr, hooks in th.items():
            if grads[nr] is None:
                continue
            for h in list(hooks.values()):
                r = h(grads[nr])
                if r is not None:
                    grads[nr] = r
    if node._pre_hooks:
        for h in list(node._pre_hooks.values()):
            r = h(tuple(grads))
            if r is not None:
                grads = list(r)
    return grads


def _backward_with_anomaly(node, grads):
    try:
        out = node.backward(node, *grads)
    except Exception:
        if node._anomaly_trace:
            _print_trace(node)
        raise
    _check_nan(node, out if type(out) is tuple else (out,))
    return out


def _had_saved(node):
    return node.__dict__.get('_had_saved', False)


def _skip(node, deps, buffers, ready):
    """Propagate 'no gradient' through a node none of whose outputs got one."""
    stack = [node]
    while stack:
        n = stack.pop()
        for nxt, _ in n.next_functions:
            if nxt is None:
                continue
            c = deps[nxt] - 1
            deps[nxt] = c
            if c == 0:
                if nxt in buffers:
                    ready.append(nxt)
                else:
                    stack.append(nxt)


def node_outputs(node):
    return 1 if type(node) is AccumulateGrad else node._n_outputs


def _zeros_for_output(node, i):
    """A zero gradient for an output that received none (multi-output nodes)."""
    shapes = node.__dict__.get('_output_meta')
    if shapes is None:
        raise RuntimeError(f"{node.name()}: missing gradient for output {i}")
    shape, dt, xp = shapes[i]
    return _wrap(xp.zeros(shape, dt))


def _accumulate(node, g, captures, results, accumulate, create_graph):
    var = node._var()
    if node._pre_hooks or (var is not None and var._backward_hooks):
        if var is not None and var._backward_hooks:
            for h in list(var._backward_hooks.values()):
                r = h(g)
                if r is not None:
                    g = r
    cap = captures.get(node)
    if cap is not None:
        for _, i in cap:
            results[i] = _add(results[i], g)
    if not accumulate or var is None:
        return
    if not create_graph:
        g = g.detach() if g._grad_fn is not None else g
    old = var._grad
    if old is None:
        # a fresh grad must not alias an array the graph still uses (e.g. the seed `ones`)
        if not create_graph:
            g = _wrap(g._data.copy())
        var._grad = g
    elif create_graph:
        var._grad = old + g
    else:
        xp_add = old._data.__iadd__
        try:
            xp_add(g._data)
        except Exception:
            var._grad = old + g
        else:
            old._bump_version()
    hooks = var._post_acc_hooks
    if hooks:
        for h in list(hooks.values()):
            h(var)


def _check_nan(node, out):
    for g in out:
        if g is not None and g._data.dtype.kind in 'fc':
            xp_any = (g._data != g._data).any()
            if bool(xp_any):
                if node._anomaly_trace:
                    _print_trace(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its 0th output."
                                   if out[0] is g else
                                   f"Function '{node.name()}' returned nan values in its "
                                   f"{out.index(g)}th output.")


def _print_trace(node):
    import sys
    import warnings
    msg = ("Error detected in " + node.name() + ". Traceback of forward call that caused the error:\n"
           + ''.join(node._anomaly_trace))
    warnings.warn(msg, UserWarning, stacklevel=2)
    print(msg, file=sys.stderr)
