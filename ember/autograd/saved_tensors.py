"""Saved tensors: how a graph node keeps the values its forward saved, and the saved-tensor
hooks (`saved_tensors_hooks`, `save_on_cpu`, `disable_saved_tensors_hooks`) that may pack them.

`Node.apply` (graph.py) packs, `Node.saved_tensors` and `Node.saved_arrays` unpack. (graph.py
imports this module, so what it needs from graph.py it imports when called.)
"""


def _wrap(arr):
    """ember._tensor._wrap (bound on first use: _tensor imports this package)."""
    global _wrap
    from .._tensor import _wrap
    return _wrap(arr)


def _view_grad_fn(t):
    from .graph import _view_grad_fn
    return _view_grad_fn(t)


def _version_error(ctx, t, saved_version, current, output_nr):
    from .graph import _version_error
    _version_error(ctx, t, saved_version, current, output_nr)


# Saved values: ('i', tensor, version) for an input (or any Tensor a custom Function saved),
# ('o', nr, array, counter, version) for an output (kept without the output Tensor object, so
# output -> grad_fn -> output makes no reference cycle), a bare array for anything else, or,
# under saved_tensors_hooks, ('h', unpack_hook, packed, kind, info).

_saved_hooks = []          # stack of (pack_hook, unpack_hook)
_hooks_disabled = [None]   # the error message while disable_saved_tensors_hooks is active


def _pack(a, inputs, outs, result):
    if a is None:
        return None
    for t in inputs:
        if t is not None and t._data is a:
            return ('i', t, t._version) if not _saved_hooks else _hook_pack_input(t)
    for i, o in enumerate(outs):
        if o is a:
            r = result[i]
            if _saved_hooks:
                return _hook_pack(r, 'o', i)
            return ('o', i, a, r._vc(), r._version_counter[0])
    return a if not _saved_hooks else _hook_pack(_wrap(a), 'a', None)


def _hook_pack(t, kind, info):
    pack, unpack = _saved_hooks[-1]
    stack = _saved_hooks[:]
    _saved_hooks.clear()  # ops inside the hook save their own tensors without hooks
    try:
        packed = pack(t)
    finally:
        _saved_hooks[:] = stack
    return ('h', unpack, packed, kind, info)


def _hook_pack_input(t):
    fn = _view_grad_fn(t) if t._base is not None else t._grad_fn
    acc = t._accumulator() if fn is None and t._requires_grad else None
    return _hook_pack(t, 'i', (fn, t._output_nr, t._requires_grad, acc))


def _unpack(ctx, s):
    if s is None:
        return None
    if type(s) is tuple:
        kind = s[0]
        if kind == 'i':
            t, v = s[1], s[2]
            if t._version != v:
                _version_error(ctx, t, v, t._version, None)
            return t
        if kind == 'h':
            return _hook_unpack(ctx, s)
        _, nr, a, counter, v = s
        if counter[0] != v:
            _version_error(ctx, _wrap(a), v, counter[0], nr)
        t = _wrap(a)
        t._requires_grad = True
        t._grad_fn = ctx
        t._output_nr = nr
        t._version_counter = counter
        return t
    return _wrap(s)


def _as_saved(t, a):
    """Input `t` as it was saved: a tensor of array `a` (t's data then) that stands where `t`
    stands in the graph, so double backward still reaches t's history or t itself."""
    r = _wrap(a)
    r._requires_grad = t._requires_grad
    fn = _view_grad_fn(t) if t._base is not None else t._grad_fn
    r._grad_fn = fn
    if fn is not None:
        r._output_nr = t._output_nr
    elif t._requires_grad:
        r._grad_acc = t._accumulator()  # gradients reach the original leaf
    r._version_counter = t._vc()
    return r


def _hook_unpack(ctx, s):
    """Unpack through the user's hook, reconnecting the result to the graph as the saved tensor
    was (so double backward still reaches the right nodes and leaves)."""
    _, unpack, packed, kind, info = s
    t = unpack(packed)
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result "
                        f"of type {type(t).__name__}")
    r = _wrap(t._data)
    if kind == 'o':
        r._requires_grad = True
        r._grad_fn = ctx
        r._output_nr = info
    elif kind == 'i':
        fn, nr, rg, acc = info
        r._requires_grad = rg
        r._grad_fn = fn
        if nr:
            r._output_nr = nr
        if acc is not None:
            r._grad_acc = acc  # gradients reach the original leaf
    return r


class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it go through `pack_hook(tensor)` and
    come back through `unpack_hook(packed)` when backward needs them (e.g. to offload or
    compress them). In-place modification checks do not apply to packed tensors."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _hooks_disabled[0] is not None:
            raise RuntimeError(_hooks_disabled[0])
        _saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept in host memory and moved back to their device for backward."""

    def __init__(self, pin_memory=False, device_type='cuda'):
        def pack(t):
            return (t.device, t.cpu())

        def unpack(packed):
            device, t = packed
            return t.to(device)
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Context manager (and decorator) in which saved_tensors_hooks raise `error_message`."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self.prev = _hooks_disabled[0]
        _hooks_disabled[0] = self.error_message

    def __exit__(self, *exc):
        _hooks_disabled[0] = self.prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper
