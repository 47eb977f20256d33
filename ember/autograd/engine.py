"""The backward engine: iterative, dependency-counted, no recursion. (A plain `backward()` with no
hooks, anomaly mode or graph to build runs on raw arrays instead: `engine_arrays.py`.)

1. Walk the graph from the roots once (an explicit stack) and count, for every node, how many
   edges point at it. When only some inputs are wanted (`autograd.grad`, `backward(inputs=...)`),
   also mark the nodes that lead to them; no other node runs.
2. Pop ready nodes (all their gradient contributions arrived), run their backward, sum each
   produced gradient back to its input's shape and dtype (the one place broadcasting is undone),
   and add it into the next node's buffer; a node whose count reaches zero becomes ready.
Saved tensors are released after a node runs unless `retain_graph`.
"""
from .engine_arrays import _fill_missing_arrays, _run_on_arrays
from .graph import AccumulateGrad, _anomaly, hooks_used
from .anomaly_mode import _check_nan as _nan_check
from .grad_mode import _state


def _wrap(arr):
    """ember._tensor._wrap (bound on first use: _tensor imports this package)."""
    global _wrap
    from .._tensor import _wrap
    return _wrap(arr)


_Tensor = None  # ember.Tensor, bound by ember._tensor once it is defined


def _sum_to(g, shape, dtype):
    """Reduce a gradient to `shape` (undoing broadcasting) and cast it to `dtype`."""
    if g._data.shape != shape:
        from .._ops.shape import sum_to_size
        g = sum_to_size(g, shape)
    if g._data.dtype != dtype:
        from .._dtype import from_numpy
        g = g.to(from_numpy(dtype))
    return g


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _root(t):
    fn = t._grad_fn
    if t._base is not None:
        from .graph import _view_grad_fn
        fn = _view_grad_fn(t)
    if fn is not None:
        return fn, t._output_nr
    return t._accumulator(), 0


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate from `tensors` seeded with `grad_tensors`.

    Without `inputs`, leaf gradients are added into `.grad` (Tensor.backward). With `inputs`, only
    the nodes leading to them run; their gradients are returned (autograd.grad) or, with
    `accumulate`, added into their `.grad` (backward(inputs=...)).
    """
    roots = []
    i = 0
    for t, g in zip(tensors, grad_tensors):
        fn = t._grad_fn
        if fn is None and not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
        if fn is not None and t._base is None:
            roots.append((fn, t._output_nr, g))
        else:
            node, nr = _root(t)
            roots.append((node, nr, g))
        i += 1

    if inputs is None and not create_graph and not hooks_used[0] and not _anomaly[0]:
        _run_on_arrays([(node, nr, g._data) for node, nr, g in roots], retain_graph)
        return None

    captures = None
    results = None
    if inputs is not None:
        captures = {}
        results = [None] * len(inputs)
        for i, t in enumerate(inputs):
            key, nr = _root(t)
            captures.setdefault(key, []).append((nr, i))

    # 1. dependency counts (and, with inputs, which nodes lead to them); a node is walked when
    # first met, which the count itself records
    deps = {}
    if len(roots) == 1:
        stack = [roots[0][0]]
        root_set = stack
    else:
        root_set = {r[0] for r in roots}
        stack = list(root_set)
    order = [] if captures is not None else None
    while stack:
        node = stack.pop()
        if order is not None:
            order.append(node)
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
    needed = None
    if captures is not None:
        needed = _needed_nodes(order, captures, deps)

    # 2. seed the buffers
    buffers = {}
    for node, nr, g in roots:
        if needed is not None and node not in needed and node not in captures:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
        buf[nr] = _add(buf[nr], g)
    ready = [n for n in buffers if n not in deps]

    wanted = None if needed is None else needed | set(captures)
    anomaly = _anomaly[0]
    prev = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if type(node) is AccumulateGrad:
                var = node._var()
                if (captures is None and var is not None and not create_graph
                        and not node._pre_hooks and not node._post_hooks
                        and var._backward_hooks is None and var._post_acc_hooks is None):
                    _fast_accumulate(var, grads[0])
                else:
                    _accumulate(node, grads[0], captures, results, inputs, accumulate, create_graph)
                continue
            th = node._tensor_pre_hooks
            if th:
                _tensor_hooks(th, grads)
            if node._pre_hooks:
                for h in list(node._pre_hooks.values()):
                    r = h(tuple(grads))
                    if r is not None:
                        grads = list(_checked_values(h, grads, r))
            if captures is not None:
                cap = captures.get(node)
                if cap is not None:
                    _capture(cap, grads, results, inputs, accumulate, create_graph)
                if node not in needed:  # nothing past it is wanted
                    continue
            for g in grads:
                if g is None:
                    _fill_missing(node, grads)
                    break
            if anomaly:
                out = _call_backward_anomaly(node, grads)
            else:
                out = node.backward(node, *grads)
                if type(out) is not tuple:
                    out = (out,)
            if node._post_hooks:
                for h in list(node._post_hooks.values()):
                    r = h(out, tuple(grads))
                    if r is not None:
                        out = _checked_values(h, out, r)
            if not retain_graph and node._saved is not None:
                node._saved = node._raw_saved = None
                node._released = True
            nf = node.next_functions
            if len(out) < len(nf):
                out = out + (None,) * (len(nf) - len(out))
            for (nxt, nr), g, m in zip(nf, out, node._input_meta):
                if nxt is None or (wanted is not None and nxt not in wanted):
                    continue
                if g is not None:
                    a = g._data
                    if m is not None and (a.shape != m[0] or
                                          (a.dtype is not m[1] and a.dtype != m[1])):
                        g = _sum_to(g, m[0], m[1])
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt._n_outputs
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                c = deps[nxt] - 1
                deps[nxt] = c
                if c == 0:
                    if nxt in buffers:
                        ready.append(nxt)
                    else:  # every contribution was None: its inputs get nothing from here
                        _skip(nxt, deps, buffers, ready, needed)
    finally:
        _state.enabled = prev
    return results


def _fast_accumulate(var, g):
    """.grad += g with no hooks and no graph: a copy the first time, in place after."""
    old = var._grad
    if old is None:
        var._grad = _wrap(g._data.copy())
    elif old._grad_fn is None and old._data.dtype == g._data.dtype and old._data.shape == g._data.shape:
        old._data += g._data
        old._bump_version()
    else:
        _accumulate_into(var, g, False)


def _needed_nodes(order, captures, deps):
    """Nodes whose backward must run so that gradients reach the capture points.

    `order` lists nodes in DFS discovery order from the roots; a node is processed only after all
    its successors (reverse topological order via dependency counts), without recursion."""
    remaining = dict(deps)
    reaches = set(captures)  # nodes whose *buffers* are wanted
    needed = set()           # nodes whose *backward* must run
    # Kahn's order from the roots, reversed, visits successors first.
    topo = []
    ready = [n for n in order if remaining.get(n, 0) == 0]
    while ready:
        n = ready.pop()
        topo.append(n)
        for nxt, _ in n.next_functions:
            if nxt is None:
                continue
            c = remaining[nxt] - 1
            remaining[nxt] = c
            if c == 0:
                ready.append(nxt)
    for n in reversed(topo):
        for nxt, _ in n.next_functions:
            if nxt is not None and nxt in reaches:
                needed.add(n)
                reaches.add(n)
                break
    return needed


def _tensor_hooks(th, grads):
    """Run tensor hooks (register_hook on non-leaf tensors), then retain_grad's, as torch does."""
    for nr, hooks in th.items():
        g = grads[nr]
        if g is None:
            continue
        retain = None
        for k, h in list(hooks.items()):
            if k == 'retain_grad':
                retain = h
                continue
            r = h(g)
            if r is not None:
                g = _checked_value(h, g, r)
        grads[nr] = g
        if retain is not None:
            retain(g)


def _hook_name(hook):
    return getattr(hook, '__name__', type(hook).__name__)


def _checked_value(hook, old, new):
    """`new`, which backward hook `hook` returned in place of gradient `old`, after torch's checks:
    a Tensor of the same dtype, device and shape. The engine relies on this: gradients keep the
    shape and dtype of the values they belong to."""
    if not isinstance(new, _Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    a, b = old._data, new._data
    if a.dtype != b.dtype or type(a) is not type(b):
        from .._ops.conversion import type_
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was "
                           f"{type_(old)} got {type_(new)})")
    if a.shape != b.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return new


def _checked_values(hook, old, new):
    """The tuple of gradients a node hook returned in place of `old`, checked as torch does."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {len(old)})")
    for o, n in zip(old, new):
        if n is not None:
            _checked_value(hook, o, n)
    return tuple(new)


def _capture(cap, grads, results, inputs, accumulate, create_graph):
    for nr, i in cap:
        g = grads[nr]
        if accumulate:
            _accumulate_into(inputs[i], g, create_graph)
        else:
            results[i] = _add(results[i], g)


def _call_backward_anomaly(node, grads):
    try:
        out = node.backward(node, *grads)
    except Exception:
        if node._anomaly_trace:
            _print_trace(node)
        raise
    if type(out) is not tuple:
        out = (out,)
    if _nan_check[0]:
        _check_nan(node, out)
    return out


def _skip(node, deps, buffers, ready, needed):
    """Propagate 'no gradient' through a node none of whose outputs got one (or not needed)."""
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


def _fill_missing(node, grads):
    """_fill_missing_arrays, with the zeros it adds as Tensors."""
    missing = [i for i, g in enumerate(grads) if g is None]
    _fill_missing_arrays(node, grads)
    for i in missing:
        if grads[i] is not None:
            grads[i] = _wrap(grads[i])


def _accumulate(node, g, captures, results, inputs, accumulate, create_graph):
    var = node._var()
    if var is not None and var._backward_hooks:
        for h in list(var._backward_hooks.values()):
            r = h(g)
            if r is not None:
                g = _checked_value(h, g, r)
    if node._pre_hooks:
        for h in list(node._pre_hooks.values()):
            r = h((g,))
            if r is not None:
                g = _checked_values(h, (g,), r)[0]
    if captures is not None:
        cap = captures.get(node)
        if cap is not None:
            _capture(cap, [g], results, inputs, accumulate, create_graph)
            if accumulate and var is not None and var._post_acc_hooks:  # backward(inputs=...)
                for h in list(var._post_acc_hooks.values()):
                    h(var)
    elif var is not None:
        _accumulate_into(var, g, create_graph)
        hooks = var._post_acc_hooks
        if hooks:
            for h in list(hooks.values()):
                h(var)
    if node._post_hooks:
        for h in list(node._post_hooks.values()):
            h((), (g,))


def _accumulate_into(var, g, create_graph):
    """Add `g` into `var.grad` (in place when no graph is being built, as torch does)."""
    if g is None:
        return
    if not create_graph and g._grad_fn is not None:
        g = g.detach()
    old = var._grad
    if old is None:
        if not create_graph:
            # a fresh .grad must not alias an array the graph or the caller still holds
            g = _wrap(g._data.copy())
        var._grad = g
    elif create_graph or old._grad_fn is not None or old._data.dtype != g._data.dtype:
        var._grad = old + g
    else:
        try:
            old._data += g._data
        except (ValueError, TypeError):
            var._grad = old + g
        else:
            old._bump_version()


def _check_nan(node, out):
    for i, g in enumerate(out):
        if g is not None and g._data.dtype.kind in 'fc' and bool((g._data != g._data).any()):
            if node._anomaly_trace:
                _print_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _print_trace(node):
    import warnings
    msg = ("Error detected in " + node.name() + ". Traceback of forward call that caused the error:\n"
           + ''.join(node._anomaly_trace))
    warnings.warn(msg, UserWarning, stacklevel=3)
