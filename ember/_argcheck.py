"""torch's TypeError for a non-Tensor `input` to a public `ember.<op>`.

`ember.exp(1)` must fail as `torch.exp(1)` does: "exp(): argument 'input' (position 1) must be
Tensor, not int", not with an AttributeError about `_data` from inside the op. Checking every call
up front would tax the hot path, so each public op whose first parameter is `input` is wrapped in a
`try` (free in CPython 3.11+ until something raises): only a call that fails with a non-Tensor input
gets the check and torch's error. Ops that accept Python numbers (`ember.add(1, 2)`) keep doing so.
"""
import functools
import inspect
import types

from ._tensor import Tensor


# first-parameter names that torch declares as Tensor (`where(condition, ...)`)
_TENSOR_FIRST = ('input', 'condition')


def _type_name(x):
    return 'NoneType' if x is None else type(x).__name__


def not_tensor(name, x, param='input', position=1):
    """torch's TypeError for a non-Tensor argument of op `name` (the first, by default)."""
    return TypeError(f"{name}(): argument '{param}' (position {position}) must be Tensor, not "
                     f"{_type_name(x)}")


def checks_own_input(fn):
    """Mark an op that raises `not_tensor` itself (the hottest activations, which are spared the
    wrapper's extra call); `guard_inputs` leaves it as it is."""
    fn.__ember_guarded__ = True
    return fn


def _guarded(name, fn, param):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            x = args[0] if args else kwargs.get(param, Tensor)
            if x is not Tensor and not isinstance(x, Tensor):
                raise not_tensor(name, x, param) from None
            raise
    op.__ember_guarded__ = True
    return op


def guard_inputs(namespace, names=None):
    """Wrap the ops in `namespace` (a module's globals) whose first parameter is a Tensor.

    `names` maps a namespace key to the name torch's message uses, where they differ."""
    for name, fn in list(namespace.items()):
        if (name.startswith('_') or type(fn) is not types.FunctionType
                or not fn.__module__.startswith('ember.') or getattr(fn, '__ember_guarded__', False)):
            continue
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            continue
        if params and params[0].name in _TENSOR_FIRST and params[0].kind in (
                inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            namespace[name] = _guarded((names or {}).get(name, name), fn, params[0].name)
