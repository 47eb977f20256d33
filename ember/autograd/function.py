"""User-defined differentiable operations: `ember.autograd.Function`, as torch.autograd.Function.

```python
class Exp(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):             # x: Tensor; runs without recording a graph
        y = x.exp()
        ctx.save_for_backward(y)
        return y
    @staticmethod
    def backward(ctx, g):            # one gradient (or None) per forward input
        y, = ctx.saved_tensors
        return g * y
y = Exp.apply(x)                     # y.grad_fn is an `ExpBackward` node, which is also the ctx
```
The newer style (`forward(*args)` without ctx plus `setup_context(ctx, inputs, output)`) works
too. The ctx is the graph node itself, an instance of the `<Name>Backward` class made for each
Function subclass.

ember's own primitives are `ember.autograd.graph.Node` subclasses (forward on arrays); `Node`,
`AccumulateGrad` and `_mark_view` are re-exported here for the ops that import them from here.
"""
import functools
import inspect

from .graph import (Node, AccumulateGrad, _mark_view, _NO_EDGE, _anomaly, _stack, _sequence,  # noqa: F401
                    _view_grad_fn, _saved_hooks, _hook_pack, _hook_pack_input)
from .grad_mode import _state

__all__ = ['Function', 'FunctionCtx', 'BackwardCFunction', 'InplaceFunction', 'once_differentiable',
           'Node']


class FunctionCtx:
    """The methods a custom Function's `forward`/`setup_context` call on `ctx`."""

    def save_for_backward(self, *tensors):
        """Save tensors (inputs, outputs or intermediates) for `backward` (`ctx.saved_tensors`)."""
        from .._tensor import Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                                f"type {type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        """Declare the inputs that forward modified in place (they must also be returned)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that get no gradient (they will not require grad)."""
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_shared_storage(self, *pairs):
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are "
                           "automatically tracked. Note that calls to `set_()` are not tracked")


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of a custom Function call; also the `ctx` its forward and backward see."""

    _custom = True
    _forward_cls = None

    @property
    def saved_variables(self):
        return self.saved_tensors

    def __repr__(self):
        return f'<{type(self).__module__}.{type(self).__qualname__} object at {hex(id(self))}>'

    @staticmethod
    def backward(ctx, *grads):
        return _custom_backward(ctx, grads)

    def apply(self, *grads):
        """Run the user's backward on `grads` (torch's `grad_fn.apply`)."""
        return _custom_backward(self, grads)

    def __call__(self, *grads):
        return _custom_backward(self, grads)

    def _is_setup(self):
        return True


def _internal_primitive(ns):
    # ember's op files subclass the primitive base; one written against the older contract
    # (`from ..autograd.function import Function`) gets the primitive base it meant
    module = ns.get('__module__')
    if module is None:  # type(name, bases, dict) without __module__: the caller's module
        import sys
        module = sys._getframe(2).f_globals.get('__name__', '')
    return module.startswith('ember._ops.')


class FunctionMeta(type):
    """Creates, for every Function subclass, its node class `<Name>Backward`."""

    def __new__(mcls, name, bases, ns, **kwargs):
        if _user_function is not None and _user_function in bases and _internal_primitive(ns):
            return type(name, tuple(Node if b is _user_function else b for b in bases), ns)
        return super().__new__(mcls, name, bases, ns, **kwargs)

    def __init__(cls, name, bases, ns, **kwargs):
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,),
                                 {'_forward_cls': cls, '__module__': __name__,
                                  '__qualname__': name + 'Backward'})
        super().__init__(name, bases, ns, **kwargs)


_user_function = None


class Function(metaclass=FunctionMeta):
    """Base class for differentiable operations defined by the user (static forward/backward)."""

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are "
                      "all static, so you should invoke them on the class itself. Instantiating an "
                      "autograd function will raise an error in a future version of PyTorch.",
                      DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        """Compute the outputs from the inputs (Tensors and anything else)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Store what backward needs, when forward does not take ctx (the newer style)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """The gradients w.r.t. each forward input (None for non-Tensors), given the outputs'."""
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function "
                                  "to use it with forward mode AD.")

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("torch.autograd.Function.vmap is not available in ember")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and, when an input requires grad, record a `<Name>Backward` node."""
        setup = _has_setup_context(cls)
        if kwargs or setup:
            args = _bind(cls, args, kwargs, setup)
        return _apply(cls, args, setup)


_user_function = Function


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


def _has_setup_context(cls):
    return getattr(cls, 'setup_context') is not Function.setup_context


def _bind(cls, args, kwargs, setup):
    sig = inspect.signature(cls.forward)
    if setup:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.args
    bound = sig.bind(None, *args, **kwargs)
    bound.apply_defaults()
    return bound.args[1:]


def _apply(cls, args, setup):
    from .._tensor import Tensor
    node_cls = cls._backward_cls
    ctx = object.__new__(node_cls)
    ctx._init_graph_fields()
    ctx._saved = None
    grad_on = _state.enabled
    needs = tuple([grad_on and isinstance(a, Tensor) and a.requires_grad for a in args])
    ctx.needs_input_grad = needs
    any_req = True in needs
    # edges point at the inputs' histories *before* forward (which may rewrite dirty inputs')
    if any_req:
        edges, meta, pos = [], [], []
        for i, a in enumerate(args):
            if not isinstance(a, Tensor):
                continue
            pos.append(i)
            if needs[i]:
                fn = _view_grad_fn(a) if a._base is not None else a._grad_fn
                edges.append((fn, a._output_nr) if fn is not None else (a._accumulator(), 0))
                meta.append((a._data.shape, a._data.dtype))
            else:
                edges.append(_NO_EDGE)
                meta.append(None)
        ctx._seq = next(_sequence)  # after the edges: a regenerated view node must come first
    _state.enabled = False
    try:
        if setup:
            out = cls.forward(*args)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args)
    finally:
        _state.enabled = grad_on
    is_tuple = isinstance(out, tuple)
    outs = list(out) if is_tuple else [out]
    for o in outs:
        if o is not None and not isinstance(o, Tensor) and hasattr(o, 'shape') and hasattr(o, 'dtype'):
            raise TypeError(f"{cls.__name__}.forward returned an array, not a Tensor: ember's own "
                            "primitives (forward on arrays) subclass ember.autograd.graph.Node")
    d = ctx.__dict__
    dirty = d.get('dirty_tensors', ())
    if dirty:
        ids = {id(o) for o in outs}
        for t in dirty:
            if id(t) not in ids:
                raise RuntimeError("Some elements marked as dirty during the forward method were not "
                                   "returned as output. The inputs that are modified inplace must all "
                                   "be outputs of the Function.")
    if not any_req:
        for t in dirty:
            t._bump_version()
        d.pop('to_save', None)
        return out
    ctx.next_functions = tuple(edges)
    ctx._input_meta = meta
    d['_tensor_positions'] = pos
    ctx._anomaly_trace = _stack() if _anomaly[0] else None
    ctx._n_outputs = len(outs)
    _wrap_custom_outputs(ctx, args, outs, dirty, d.get('non_differentiable', ()))
    _pack_custom_saved(ctx, outs, d.pop('to_save', None))
    return tuple(outs) if is_tuple else outs[0]


def _wrap_custom_outputs(ctx, args, outs, dirty, nondiff):
    from .._tensor import Tensor, _wrap
    from .._backend import array_module
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    dirty_ids = {id(t) for t in dirty}
    nondiff_ids = {id(t) for t in nondiff}
    out_meta = []
    views = []  # dirty views: their bases' histories are rewritten below
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            out_meta.append(None)
            continue
        a = o._data
        out_meta.append((a.shape, a.dtype, array_module(a)))
        differentiable = id(o) not in nondiff_ids and a.dtype.kind in 'fcV'
        if id(o) in dirty_ids:
            if o._grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                                   "operation.")
            o._bump_version()
            target = o
            if o._base is not None:
                views.append(o)
        elif id(o) in input_ids or o._grad_fn is not None or o._requires_grad:
            # an input (or outside tensor) returned as is: the output is a new view of it
            target = _wrap(a)
            _mark_view(target, o)
            outs[i] = target
        else:
            target = o
        if differentiable:
            target._requires_grad = True
            target._grad_fn = ctx
            target._output_nr = i
            if target._base is not None and id(o) not in dirty_ids:
                # its history is this node: an in-place write must not rewrite it as a slice
                target.__dict__['_view_meta'] = ('custom', ctx.name(), i)
        elif target is not o or id(o) not in dirty_ids:
            target._requires_grad = False
            target._grad_fn = None
    ctx.__dict__['_output_meta'] = out_meta
    if views:
        from .._ops.view_inplace import rebase_view_history
        for v in views:
            v._view_version = v._version_counter[0]
            rebase_view_history(v)


def _pack_custom_saved(ctx, outs, to_save):
    if not to_save:
        return
    from .._tensor import Tensor
    out_pos = {id(o): i for i, o in enumerate(outs) if isinstance(o, Tensor) and o._grad_fn is ctx}
    saved = []
    for t in to_save:
        if t is None:
            saved.append(None)
        elif id(t) in out_pos:
            if _saved_hooks:
                saved.append(_hook_pack(t, 'o', out_pos[id(t)]))
            else:
                # kept without the Tensor object: output -> ctx -> output would be a cycle
                saved.append(('o', out_pos[id(t)], t._data, t._vc(), t._version_counter[0]))
        else:
            saved.append(_hook_pack_input(t) if _saved_hooks else ('i', t, t._version))
    ctx._saved = tuple(saved)


def _expandable(shape, gshape):
    if len(shape) > len(gshape):
        return False
    for s, g in zip(reversed(shape), reversed(gshape)):
        if s != g and s != 1:
            return False
    return True


def _custom_backward(ctx, grads):
    """Call the user's backward, materializing missing grads and checking what it returns."""
    from .._tensor import Tensor, _wrap
    cls = ctx._forward_cls
    d = ctx.__dict__
    if d.get('materialize_grads', True):
        meta = d['_output_meta']
        grads = tuple([_wrap(meta[i][2].zeros(meta[i][0], meta[i][1]))
                       if g is None and meta[i] is not None else g for i, g in enumerate(grads)])
    bw = cls.backward
    if bw is Function.backward and cls.vjp is not Function.vjp:
        bw = cls.vjp
    res = bw(ctx, *grads)
    if not isinstance(res, tuple):
        res = (res,)
    needs = ctx.needs_input_grad
    n = len(needs)
    name = ctx.name()
    if len(res) != n:
        if len(res) > n and all(r is None for r in res[n:]):
            res = res[:n]
        else:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(res)})")
    pos = d['_tensor_positions']
    pos_set = set(pos)
    for i, g in enumerate(res):
        if g is not None and i not in pos_set:
            raise RuntimeError(f"function {name} returned a gradient different than None at "
                               f"position {i + 1}, but the corresponding forward input was not a "
                               "Variable")
    out = []
    for j, i in enumerate(pos):
        g = res[i]
        if g is not None:
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            m = ctx._input_meta[j]
            if m is not None and g._data.shape != m[0] and not _expandable(m[0], g._data.shape):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got "
                                   f"{list(g._data.shape)} but expected shape compatible with "
                                   f"{list(m[0])}")
        out.append(g)  # kept even where no grad is needed: node hooks see it, as torch's do
    return tuple(out)


class Error(Node):
    """Passes values through; differentiating through it raises `msg` (once_differentiable's
    node, named as torch's DelayedError node is)."""

    def name(self):
        return 'torch::autograd::Error'

    @staticmethod
    def forward(ctx, *arrays, msg):
        ctx.msg = msg
        return arrays if len(arrays) != 1 else arrays[0]

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(ctx.msg)


def once_differentiable(fn):
    """Decorate a custom Function's backward that is not itself differentiable: it runs without
    recording a graph, and differentiating its result raises an error."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _state.enabled = prev
        if not prev:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        fakes = []
        for o in outs:
            if o is not None:
                o = o.detach()
                o._requires_grad = True
            fakes.append(o)
        present = [o for o in fakes if o is not None]
        if not present:
            return outputs
        res = Error.apply(*present, msg="trying to differentiate twice a function that was "
                                               "marked with @once_differentiable")
        res = iter(res if isinstance(res, tuple) else (res,))
        wrapped = tuple(None if o is None else next(res) for o in fakes)
        return wrapped[0] if single else wrapped
    return wrapper
