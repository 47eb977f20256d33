"""The autograd graph: `Node` (every grad_fn and every primitive op), `AccumulateGrad`, saved tensors.

A primitive op is a `Node` subclass named as torch names its grad_fn (`MulBackward0`).
`forward(ctx, *arrays, **params)` computes on raw arrays; `backward(ctx, *grads)` is written with
ember Tensor ops, so the backward itself records a graph when `create_graph=True` and double
backward needs no extra code. The node object *is* the ctx: whatever forward stores on it is there
for backward, and nothing else is allocated per op.

(`ember.autograd.Function`, in `function.py`, is the user-facing class whose forward works on
Tensors; its grad_fn objects are Nodes too.)
"""
import itertools
import weakref

import numpy as np

from .._backend import array_module
from .grad_mode import _state
# how a node keeps what forward saved; the hooks are public here too, as torch.autograd.graph's
from .saved_tensors import (_saved_hooks, _hooks_disabled, _pack, _hook_pack,  # noqa: F401
                            _hook_pack_input, _unpack, _as_saved, saved_tensors_hooks, save_on_cpu,
                            disable_saved_tensors_hooks)

_anomaly = [False]  # [enabled]; a list so every importer sees the same switch
# set once any backward hook (tensor, node, leaf or post-accumulate) is registered in this process:
# until then plain backward() may run on raw arrays (engine_arrays._run_on_arrays)
hooks_used = [False]
_new = object.__new__
_sequence = itertools.count(1)
_NO_EDGE = (None, 0)
_NEEDS_ONE = (True,)
# the _input_meta of _exact_input_grads ops: no shape to check for any input (the engine zips
# it with the node's edges, so an endless run of None fits every arity)
_NO_META = itertools.repeat(None)


_ndarray = np.ndarray
_Tensor = None  # ember.Tensor, bound by ember._tensor once it is defined


def _wrap(arr):
    """ember._tensor._wrap (bound on first use: _tensor imports this module)."""
    global _wrap
    from .._tensor import _wrap
    return _wrap(arr)


class Node:
    """Base of every primitive op and graph node (the object behind `tensor.grad_fn`)."""

    __slots__ = ('next_functions', 'needs_input_grad', '_input_meta', '_saved', '_raw_saved',
                 '_released', '_n_outputs', '_seq', '__dict__', '__weakref__')

    # Rarely set (hooks, anomaly mode): class defaults, so recording an op does not write them.
    _tensor_pre_hooks = None
    _pre_hooks = None
    _post_hooks = None
    _anomaly_trace = None

    # ops that return views of their (first) input set this, so the outputs share the
    # input's base and version counter
    _is_view = False
    # ops whose outputs at these indices carry no gradient (indices of max/sort...)
    _non_differentiable_outputs = ()
    # True for the nodes of user-defined autograd.Functions (they materialize missing grads
    # themselves and check what backward returns)
    _custom = False
    # True for ops whose gradients always come out in the shape and dtype of their inputs when
    # the incoming ones match their output (linear, the activations, mse_loss): the engine then
    # needs no record of the inputs' shapes to check them against. Gradients entering the graph
    # are in the outputs' shape and dtype (seeds are made or cast so, hook results are checked),
    # so this holds all the way through.
    _exact_input_grads = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    # -- ctx API used inside forward --------------------------------------------------------
    def save_for_backward(self, *arrays):
        """Keep arrays for backward; inputs and outputs come back as graph-connected Tensors."""
        self._raw_saved = arrays

    @property
    def saved_tensors(self):
        """The saved values as Tensors (checked against in-place modification since saving)."""
        saved = self._saved
        if saved is None:
            if self._released:
                raise RuntimeError(
                    "Trying to backward through the graph a second time (or directly access saved "
                    "tensors after they have already been freed). Saved intermediate values of the "
                    "graph are freed when you call .backward() or autograd.grad(). Specify "
                    "retain_graph=True if you need to backward through the graph a second time or if "
                    "you need to access saved tensors after calling backward.")
            return ()
        out = [_unpack(self, s) for s in saved]
        raw = self._raw_saved
        if raw is not None:
            for i, (s, a) in enumerate(zip(saved, raw)):
                if type(s) is tuple and s[0] == 'i' and s[1]._data is not a:
                    out[i] = _as_saved(s[1], a)  # `t.data = ...` since: backward uses the old values
        return tuple(out)

    def saved_arrays(self):
        """The saved values as raw arrays, with the same in-place checks as `saved_tensors`.

        For a primitive's `backward_arrays`, the engine's fast path when no graph is built."""
        saved = self._saved
        if saved is None:
            return self.saved_tensors  # raises once released; () when nothing was saved
        raw = self._raw_saved
        if raw is not None:
            # the arrays forward saved are still at hand (no saved-tensor hooks packed them):
            # only the in-place checks are left to do
            for s in saved:
                if type(s) is tuple:
                    if s[0] == 'i':
                        t = s[1]
                        c = t._version_counter  # (None: never written, so still at the saved 0)
                        if c is not None and c[0] != s[2]:
                            _version_error(self, t, s[2], c[0], None)
                    elif s[3][0] != s[4]:  # an output: ('o', nr, array, counter, version)
                        _version_error(self, _wrap(s[2]), s[4], s[3][0], s[1])
            return raw
        out = []
        for s in saved:
            if type(s) is tuple:
                kind = s[0]
                if kind == 'i':
                    t = s[1]
                    c = t._version_counter  # (None: never written, so still at the saved 0)
                    if c is not None and c[0] != s[2]:
                        _version_error(self, t, s[2], c[0], None)
                    out.append(t._data)
                    continue
                if kind == 'o':
                    _, nr, a, counter, v = s
                    if counter[0] != v:
                        _version_error(self, _wrap(a), v, counter[0], nr)
                    out.append(a)
                    continue
                out.append(_unpack(self, s)._data)
            else:
                out.append(s)
        return out

    # A primitive may define `backward_arrays(ctx, *grad_arrays) -> arrays`: the same gradient as
    # `backward`, on raw arrays, used by the engine when no graph is recorded (create_graph=False)
    # to skip Tensor wrapping on the hot path. `backward` stays the definition (double backward).
    backward_arrays = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # a subclass that redefines backward must not inherit its parent's array version
        if 'backward' in cls.__dict__ and 'backward_arrays' not in cls.__dict__:
            cls.backward_arrays = None

    # -- node API --------------------------------------------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f'<{type(self).__name__} object at {hex(id(self))}>'

    def __call__(self, *grads):
        """Run this node's backward on `grads` (as calling a torch grad_fn does)."""
        out = type(self).backward(self, *grads)
        return out

    def register_hook(self, fn):
        """`fn(grad_inputs, grad_outputs)` runs after this node's backward; it may return new
        grad_inputs. Returns a handle whose `remove()` unregisters it."""
        from ..utils.hooks import RemovableHandle
        hooks_used[0] = True
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        """`fn(grad_outputs)` runs before this node's backward and may return new grad_outputs."""
        from ..utils.hooks import RemovableHandle
        hooks_used[0] = True
        if self._pre_hooks is None:
            self._pre_hooks = {}
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h

    @property
    def metadata(self):
        d = self.__dict__.get('_metadata')
        if d is None:
            d = self.__dict__['_metadata'] = {}
        return d

    def _init_graph_fields(self):
        self._seq = next(_sequence)
        self._released = False
        self._raw_saved = None
        self._tensor_pre_hooks = self._pre_hooks = self._post_hooks = None
        self._anomaly_trace = None

    @classmethod
    def apply(cls, *inputs, **params):
        """Run forward on the inputs' arrays; record a node when any input requires grad.

        Every op of every forward pass comes through here, so the common case (no views, no
        saved-tensor hooks, one ndarray output) is written out inline: one input that is not a
        view without any per-input list, several in one pass.
        """
        ctx = _new(cls)
        if not _state.enabled:
            return _wrap_outputs(cls.forward(ctx, *[None if t is None else t._data for t in inputs],
                                             **params), cls, inputs)
        if len(inputs) == 1 and inputs[0] is not None and inputs[0]._base is None:
            # one input that is not a view (every activation): no per-input lists
            t = inputs[0]
            a = t._data
            if not t._requires_grad:
                return _wrap_outputs(cls.forward(ctx, a, **params), cls, inputs)
            fn = t._grad_fn
            if fn is not None:
                edge = (fn, t._output_nr)
            else:  # a leaf: its edge to its AccumulateGrad, made once
                edge = t._acc_edge
                if edge is None:
                    edge = t._accumulator_edge()
            ctx._raw_saved = None
            ctx._released = False
            out = cls.forward(ctx, a, **params)
            ctx.next_functions = (edge,)
            ctx.needs_input_grad = _NEEDS_ONE
            ctx._input_meta = _NO_META if cls._exact_input_grads else ((a.shape, a.dtype),)
        else:
            # one pass over the inputs: arrays for forward, and each input's graph edge
            arrays = []
            edges = []
            needs = []
            meta = []
            record = False
            exact = cls._exact_input_grads
            for t in inputs:
                if t is None:
                    arrays.append(None)
                else:
                    a = t._data
                    arrays.append(a)
                    if t._base is None:
                        if t._requires_grad:
                            fn = t._grad_fn
                            if fn is not None:
                                edges.append((fn, t._output_nr))
                            else:
                                e = t._acc_edge
                                edges.append(e if e is not None else t._accumulator_edge())
                            needs.append(True)
                            if not exact:
                                meta.append((a.shape, a.dtype))
                            record = True
                            continue
                    elif _view_requires_grad(t):
                        fn = _view_grad_fn(t)
                        edges.append((fn, t._output_nr) if fn is not None else (t._accumulator(), 0))
                        needs.append(True)
                        meta.append((a.shape, a.dtype))
                        record = True
                        continue
                edges.append(_NO_EDGE)
                needs.append(False)
                if not exact:
                    meta.append(None)
            if not record:
                return _wrap_outputs(cls.forward(ctx, *arrays, **params), cls, inputs)
            ctx._raw_saved = None
            ctx._released = False
            out = cls.forward(ctx, *arrays, **params)
            ctx.next_functions = tuple(edges)
            ctx.needs_input_grad = tuple(needs)
            ctx._input_meta = meta if not exact else _NO_META
        # creation order: every node's inputs' nodes were made before it, so running nodes from
        # the highest sequence number down is a valid backward order (torch's sequence_nr)
        ctx._seq = next(_sequence)
        if _anomaly[0]:
            ctx._anomaly_trace = _stack()
        if type(out) is tuple:
            return _record_outputs(ctx, cls, inputs, out)
        ctx._n_outputs = 1
        if type(out) is _ndarray:  # (_wrap, inlined)
            result = _new(_Tensor)
            result._data = out
        else:
            result = _wrap(out)
        if out.dtype.kind in 'fcV' and 0 not in cls._non_differentiable_outputs:
            result._requires_grad = True
            result._grad_fn = ctx
        else:
            result._requires_grad = False
            result._grad_fn = None
        if cls._is_view:
            _mark_view(result, inputs[0])
        raw = ctx._raw_saved
        if raw is None:
            ctx._saved = None
            return result
        if _saved_hooks:
            ctx._raw_saved = None  # (the hooks decide where the values live)
            ctx._saved = tuple([_pack(a, inputs, (out,), (result,)) for a in raw])
            return result
        # saved inputs and the output, the common cases, inline; other arrays through _pack.
        # The raw arrays stay on the node too, for saved_arrays (released with the records)
        packed = []
        for a in raw:
            for t in inputs:
                if t is not None and t._data is a:
                    c = t._version_counter
                    packed.append(('i', t, 0 if c is None else c[0]))
                    break
            else:
                if a is out and not cls._is_view:  # a fresh output: its counter starts here
                    c = result._version_counter = [0]
                    packed.append(('o', 0, a, c, 0))
                else:
                    packed.append(_pack(a, inputs, (out,), (result,)))
        ctx._saved = packed  # (a list: nothing changes it, and no tuple needs making)
        return result


def _record_outputs(ctx, cls, inputs, out):
    """The multi-output half of `Node.apply`: wrap each output and pack what forward saved."""
    ctx._n_outputs = len(out)
    ctx.__dict__['_output_meta'] = [None if o is None else (o.shape, o.dtype, array_module(o))
                                    for o in out]
    nondiff = cls._non_differentiable_outputs
    result = []
    for i, o in enumerate(out):
        if o is None:
            result.append(None)
            continue
        t = _wrap(o)
        if i not in nondiff and o.dtype.kind in 'fcV':
            t._requires_grad = True
            t._grad_fn = ctx
            if i:
                t._output_nr = i
        result.append(t)
    result = tuple(result)
    if cls._is_view:
        _mark_views(result, inputs[0], cls)
    raw = ctx._raw_saved
    ctx._raw_saved = None
    ctx._saved = None if raw is None else tuple([_pack(a, inputs, out, result) for a in raw])
    return result


def _stack():
    import traceback
    return traceback.format_stack()[:-3]


def _wrap_outputs(out, cls, inputs):
    if type(out) is tuple:
        res = tuple([None if o is None else _wrap(o) for o in out])
        if cls._is_view:
            _mark_views(res, inputs[0], cls)
        return res
    t = _wrap(out)
    if cls._is_view:
        _mark_view(t, inputs[0])
    return t


# -- views ----------------------------------------------------------------------------------
# A view records its root base, shares the base's version counter, and remembers the counter's
# value when its grad_fn was set (`_view_version`): when the base (or a sibling view) is written in
# place later, the view's history is stale and is rebuilt on use from the base's new history
# (`_view_grad_fn`), as torch regenerates a view's grad_fn.

def _mark_view(view, base):
    """Make `view` (whose array is a view of `base`'s) share `base`'s root and version counter."""
    root = base._base
    if root is None:
        root = base
    d = view.__dict__
    d['_base'] = root
    c = d['_version_counter'] = base._vc()
    d['_view_version'] = c[0]
    if not _state.enabled:
        d['_view_meta'] = ('no_grad', None, 0)


def _mark_views(views, base, cls):
    """Mark every output of a multi-output view op (unbind, split...): such views may not be
    written in place under autograd."""
    for i, v in enumerate(views):
        if v is not None:
            _mark_view(v, base)
            meta = v.__dict__.get('_view_meta')
            v.__dict__['_view_meta'] = ('multi_no_grad' if meta is not None or not base._requires_grad
                                        else 'multi', cls.__name__, i)


def _view_grad_fn(t):
    """The grad_fn of view `t`, rebuilt from its base when either was written in place since
    (not for views made under no_grad, which stay out of the graph)."""
    c = t._version_counter
    if c is None or c[0] == t._view_version or not t._base._requires_grad:
        return t._grad_fn
    meta = t.__dict__.get('_view_meta')
    if meta is not None and meta[0] != 'multi':
        return t._grad_fn
    from .._ops.view_inplace import regenerate_view_history
    regenerate_view_history(t)
    return t._grad_fn


def _view_requires_grad(t):
    """requires_grad of view `t`, brought up to date when its base came to require grad through
    an in-place write after the view was made (`y[2:] = x` makes an earlier `y[:2]` require grad)."""
    if t._base._requires_grad:
        _view_grad_fn(t)
    return t._requires_grad


def increment_version(tensor):
    """Bump the version counter of `tensor` (or of each tensor in an iterable), as an in-place
    write done outside ember would have."""
    from .._tensor import Tensor
    for t in ((tensor,) if isinstance(tensor, Tensor) else tensor):
        t._bump_version()


def _op_name(node):
    """torch's short op name for a node in messages: 'ExpBackward0' -> 'Exp'."""
    import re
    return re.sub(r'Backward\d*$', '', node.name())


def _version_error(ctx, t, saved_version, current, output_nr):
    from .._ops.conversion import type_
    shape = ', '.join(str(s) for s in t._data.shape)
    what = ''
    if output_nr is not None:
        what = f", which is output {output_nr} of {_op_name(ctx)},"
    elif t.grad_fn is not None:  # (the property: a view's history may have been rebuilt)
        what = f", which is output {t._output_nr} of {_op_name(t.grad_fn)},"
    hint = ("Hint: the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good luck!"
            if _anomaly[0] else
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_(t)} [{shape}]]{what} is at version {current}; expected "
        f"version {saved_version} instead. {hint}")


class AccumulateGrad(Node):
    """The node that adds the incoming gradient into a leaf tensor's `.grad`."""

    __slots__ = ('_var',)

    def __init__(self, tensor):
        self._var = weakref.ref(tensor)
        self.next_functions = ()
        self._pre_hooks = self._post_hooks = self._tensor_pre_hooks = None
        self._n_outputs = 1
        self._released = False
        self._saved = self._raw_saved = None

    @property
    def variable(self):
        return self._var()

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    def __repr__(self):
        return f'<AccumulateGrad object at {hex(id(self))}>'

    @property
    def metadata(self):
        return {}
