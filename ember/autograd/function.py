"""Graph nodes: the internal primitive base `Function` and `AccumulateGrad`.

A primitive op is a `Function` subclass named as torch names its grad_fn (`MulBackward0`).
`forward(ctx, *arrays, **params)` computes on raw arrays; `backward(ctx, *grads)` is written with
ember Tensor ops, so the backward itself records a graph when `create_graph=True` and double
backward needs no extra code. The node object *is* the ctx: whatever forward stores on it is there
for backward, and nothing else is allocated per op.
"""
import weakref

from .grad_mode import _state
from .._backend import array_module

_wrap = None  # ember._tensor._wrap, set by ember._tensor once it is defined (import cycle)


class Function:
    """Base of every primitive op and graph node (the object behind `tensor.grad_fn`)."""

    __slots__ = ('next_functions', 'needs_input_grad', '_input_meta', '_saved', '_raw_saved',
                 '_n_outputs', '__dict__', '__weakref__')

    # rarely-set node state: class defaults, so recording a node sets only the slots above
    _released = False
    _tensor_pre_hooks = None
    _pre_hooks = None
    _post_hooks = None
    _anomaly_trace = None

    # ops that return a view of their (first) input set this, so the output shares the
    # input's base and version counter
    _is_view = False
    # ops whose outputs beyond the first carry no gradient (indices of max/sort...)
    _non_differentiable_outputs = ()

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
        return tuple(_unpack(self, s) for s in saved)

    # -- node API --------------------------------------------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f'<{type(self).__name__} object at {hex(id(self))}>'

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward."""
        from ..utils.hooks import RemovableHandle
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward and may replace them."""
        from ..utils.hooks import RemovableHandle
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

    @classmethod
    def apply(cls, *inputs, **params):
        """Run forward on the inputs' arrays; record a node when any input requires grad."""
        ctx = object.__new__(cls)
        ctx._raw_saved = None
        if _state.enabled:
            for t in inputs:
                if t is not None and t._requires_grad:
                    break
            else:
                return _wrap_outputs(cls.forward(ctx, *[None if t is None else t._data for t in inputs],
                                                 **params), cls, inputs)
        else:
            return _wrap_outputs(cls.forward(ctx, *[None if t is None else t._data for t in inputs],
                                             **params), cls, inputs)

        out = cls.forward(ctx, *[None if t is None else t._data for t in inputs], **params)
        edges = []
        needs = []
        meta = []
        for t in inputs:
            if t is None or not t._requires_grad:
                edges.append(_NO_EDGE)
                needs.append(False)
                meta.append(None)
                continue
            needs.append(True)
            fn = t._grad_fn
            edges.append((fn, t._output_nr) if fn is not None else (t._accumulator(), 0))
            a = t._data
            meta.append((a.shape, a.dtype))
        ctx.next_functions = tuple(edges)
        ctx.needs_input_grad = tuple(needs)
        ctx._input_meta = meta
        if _anomaly[0]:
            import traceback
            ctx._anomaly_trace = traceback.format_stack()[:-2]
        nondiff = cls._non_differentiable_outputs
        if type(out) is not tuple:
            ctx._n_outputs = 1
            outs = (out,)
            t = _wrap(out)
            if out.dtype.kind in 'fcV' and not nondiff:
                t._requires_grad = True
                t._grad_fn = ctx
            result = [t]
            multi = False
        else:
            multi = True
            outs = out
            ctx._n_outputs = len(outs)
            ctx.__dict__['_output_meta'] = [None if o is None else (o.shape, o.dtype, array_module(o))
                                            for o in outs]
            result = []
            for i, o in enumerate(outs):
                if o is None:
                    result.append(None)
                    continue
                t = _wrap(o)
                if i not in nondiff and o.dtype.kind in 'fcV':
                    t._requires_grad = True
                    t._grad_fn = ctx
                    t._output_nr = i
                result.append(t)
        if cls._is_view:
            _mark_view(result[0], inputs[0])
        raw = ctx._raw_saved
        if raw is not None:
            ctx._saved = tuple(_pack(ctx, a, inputs, outs, result) for a in raw)
            ctx._raw_saved = None
        else:
            ctx._saved = None
        return tuple(result) if multi else result[0]


_NO_EDGE = (None, 0)
_anomaly = [False]


def _wrap_outputs(out, cls, inputs):
    if type(out) is tuple:
        res = tuple(None if o is None else _wrap(o) for o in out)
        if cls._is_view:
            _mark_view(res[0], inputs[0])
        return res
    t = _wrap(out)
    if cls._is_view:
        _mark_view(t, inputs[0])
    return t


def _mark_view(view, base):
    view._base = base._base if base._base is not None else base
    view._version_counter = base._vc()


# Saved values: ('i', tensor, version) for an input, ('o', nr, array, counter, version) for an
# output (kept without the Tensor object, so output -> grad_fn -> output makes no cycle), or a bare
# array for anything else.
def _pack(ctx, a, inputs, outs, result):
    if a is None:
        return None
    for t in inputs:
        if t is not None and t._data is a:
            return ('i', t, t._version)
    for i, o in enumerate(outs):
        if o is a:
            r = result[i]
            return ('o', i, a, r._vc(), r._version_counter[0])
    return a


def _unpack(ctx, s):
    if s is None:
        return None
    if type(s) is tuple:
        if s[0] == 'i':
            t, v = s[1], s[2]
            if t._version != v:
                _version_error(ctx, t, v)
            return t
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


def _version_error(ctx, t, saved_version, current=None, output_nr=None):
    if current is None:
        current = t._version
    shape = 'x'.join(str(s) for s in t.shape)
    kind = 'torch.' + type(t).__name__ if output_nr is None else 'torch.FloatTensor'
    what = f"output {output_nr} of {ctx.name()}" if output_nr is not None else f"is at version {current}"
    if output_nr is not None:
        what = f"output {output_nr} of {ctx.name()}, is at version {current}"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.type() if output_nr is None else kind} [{shape}]], which is {what}; expected "
        f"version {saved_version} instead. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).")


class AccumulateGrad:
    """The node that adds the incoming gradient into a leaf tensor's `.grad`."""

    __slots__ = ('_var', 'next_functions', '_pre_hooks', '_post_hooks', '__weakref__')

    def __init__(self, tensor):
        self._var = weakref.ref(tensor)
        self.next_functions = ()
        self._pre_hooks = self._post_hooks = None

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

    def register_hook(self, fn):
        from ..utils.hooks import RemovableHandle
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        from ..utils.hooks import RemovableHandle
        if self._pre_hooks is None:
            self._pre_hooks = {}
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h
