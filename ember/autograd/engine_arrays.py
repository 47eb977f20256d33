"""The engine's fast path: a plain `backward()` (no graph to build, no hooks, no anomaly mode) run
on raw arrays. `engine.run_backward` and `Tensor.backward` hand such calls here; every other
backward goes through `engine.run_backward`'s general loop.
"""
from heapq import heappop, heappush
from sys import getrefcount as _getrefcount

import numpy as _np

from .._backend import array_module
from .graph import AccumulateGrad
from .grad_mode import _state


def _wrap(arr):
    """ember._tensor._wrap (bound on first use: _tensor imports this package)."""
    global _wrap
    from .._tensor import _wrap
    return _wrap(arr)


_new = object.__new__
_Tensor = None  # ember.Tensor, bound by ember._tensor once it is defined


def backward_scalar(node, nr, a, retain_graph):
    """`loss.backward()` for a one-element floating `loss` (array `a`, made by output `nr` of
    `node`) when the fast path applies (see Tensor.backward): seeded with ones, on raw arrays."""
    if type(a) is _np.ndarray:
        ones = _np.array(1, a.dtype)  # (np.ones is a Python function: several times slower)
        if a.ndim:
            ones = ones.reshape(a.shape)
    else:
        ones = array_module(a).ones_like(a)
    _run_on_arrays(((node, nr, ones),), retain_graph)


def _seed(roots):
    """The engine's starting state for `roots`: (buffers, heap, the single ready node or None).
    Gradients reaching leaves directly are accumulated here."""
    if len(roots) == 1:
        node, nr, g = roots[0]
        if type(node) is not AccumulateGrad and node._n_outputs == 1:
            return {node: [g]}, [], node  # (loss.backward(): one node, no heap needed)
    buffers = {}
    heap = []
    for node, nr, g in roots:
        if type(node) is AccumulateGrad:
            var = node._var()
            if var is not None:
                _accumulate_array(var, g)
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
            heappush(heap, (-node._seq, node))
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    return buffers, heap, None


def _run_on_arrays(roots, retain_graph):
    """backward() with no graph to build, no hooks and no anomaly mode, on raw arrays.

    Nodes run from the highest creation sequence number down (every node was made after the
    nodes of its inputs, so all contributions to a node have arrived when it is popped): no
    dependency-counting pass is needed, and nodes that receive no gradient are never visited.
    Gradients reaching a leaf are added into `.grad` at once (no hooks can observe the order).
    Nodes that define `backward_arrays` run without any Tensor wrapping; the others get wrapped
    grads, under no_grad. This loop is the hot path of every training step, hence its shape:
    a buffer list per pending node, edges walked with zip, the first leaf gradient stored inline,
    and a chain of nodes (one pending node at a time, the usual case) run without the heap.
    """
    # `single`: the next node to run when it is the only pending one: nothing queued later can
    # feed it (every node found later is an input of it or of its inputs, so has a lower
    # sequence number)
    buffers, heap, single = _seed(roots)
    prev = _state.enabled
    _state.enabled = False
    try:
        while True:
            if single is not None:
                node = single
                single = None
            elif heap:
                node = heappop(heap)[1]
            else:
                break
            grads = buffers.pop(node)
            if node._n_outputs != 1:  # (a one-output node's buffer is only made with a gradient)
                for g in grads:
                    if g is None:
                        _fill_missing_arrays(node, grads)
                        break
            fast = node.backward_arrays
            if fast is not None:
                out = fast(node, *grads)
            else:
                out = node.backward(node, *[None if g is None else _wrap(g) for g in grads])
                if type(out) is not tuple:
                    out = (out,)
                out = tuple([None if o is None else o._data for o in out])
            if type(out) is not tuple:
                out = (out,)
            if not retain_graph and node._saved is not None:
                node._saved = node._raw_saved = None
                node._released = True
            nf = node.next_functions
            if len(out) != len(nf):
                out = (out + (None,) * len(nf))[:len(nf)]
            for (nxt, nr), a, m in zip(nf, out, node._input_meta):
                if a is None or nxt is None:
                    continue
                # (m is None for ops whose gradients need no check: Node._exact_input_grads)
                if m is not None and (a.shape != m[0] or (a.dtype is not m[1] and a.dtype != m[1])):
                    a = _sum_to_array(a, m[0], m[1])
                if type(nxt) is AccumulateGrad:
                    var = nxt._var()
                    if var is not None:
                        if var._grad is None:
                            # a fresh array nothing else holds becomes .grad as it is (torch's
                            # AccumulateGrad steals such a gradient too); any other is copied
                            if type(a) is _ndarray:
                                if _getrefcount(a) > _UNSHARED_REFS or a.base is not None:
                                    a = a.copy()
                                t = _new(_Tensor)  # (_wrap, inlined)
                                t._data = a
                                t._requires_grad = False
                                t._grad_fn = None
                                var._grad = t
                            else:
                                var._grad = _wrap(a.copy())
                        else:
                            _accumulate_array(var, a)
                    continue
                buf = buffers.get(nxt)
                if buf is None:
                    if nxt._n_outputs == 1:
                        buffers[nxt] = [a]
                    else:
                        buf = buffers[nxt] = [None] * nxt._n_outputs
                        buf[nr] = a
                    if single is None and not heap:
                        single = nxt
                    else:
                        if single is not None:
                            heappush(heap, (-single._seq, single))
                            single = None
                        heappush(heap, (-nxt._seq, nxt))
                elif buf[nr] is None:
                    buf[nr] = a
                else:
                    buf[nr] = buf[nr] + a
    finally:
        _state.enabled = prev


def _count_unshared_refs():
    """sys.getrefcount of a gradient array in `_run_on_arrays`'s edge loop when nothing but the
    backward's result tuple holds it (the tuple, zip's reused result tuple, the loop variable,
    getrefcount's argument). Measured on the same loop shape rather than assumed, because
    interpreters differ in how they count those references; tests/autograd/test_grad_steal.py
    checks both that such arrays are taken and that shared ones are not."""
    out = (_np.empty(1),)
    for (_nxt, _nr), a, _m in zip(((None, 0),), out, (None,)):
        return _getrefcount(a)


_ndarray = _np.ndarray
_UNSHARED_REFS = _count_unshared_refs()


def _sum_to_array(a, shape, dtype):
    """Sum a broadcast gradient array back to `shape` and cast it to `dtype`."""
    if a.shape != shape:
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and a.shape[i + lead] != 1)
        if axes:
            a = a.sum(axis=axes, keepdims=True)
        if lead or a.shape != shape:
            a = a.reshape(shape)
    if a.dtype != dtype:
        a = a.astype(dtype)
    return a


def _fill_missing_arrays(node, grads):
    """Zero gradients for the outputs of a multi-output op that received none (custom Functions
    decide for themselves, see ctx.set_materialize_grads)."""
    if node._custom:
        return
    meta = node.__dict__.get('_output_meta')
    for i, g in enumerate(grads):
        if g is None and meta is not None and meta[i] is not None:
            shape, dt, xp = meta[i]
            grads[i] = xp.zeros(shape, dt)


def _accumulate_array(var, a):
    """.grad += a: a fresh copy the first time (a may alias graph arrays), in place after."""
    old = var._grad
    if old is None:
        var._grad = _wrap(a.copy())
    elif old._grad_fn is None and old._data.dtype == a.dtype and old._data.shape == a.shape:
        old._data += a
        old._bump_version()
    else:
        from .engine import _accumulate_into
        _accumulate_into(var, _wrap(a), False)
