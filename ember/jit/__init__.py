"""ember.jit: torch.jit's entry points, run eagerly.

`script` and `trace` return what they are given (the module or function runs as Python, as it
would in eager torch); `ignore`, `unused`, `export` and the type helpers pass through. Saving or
loading TorchScript archives needs a TorchScript compiler, which ember does not have."""
import typing

from .._missing import approximated, not_available

__all__ = ['script', 'trace', 'trace_module', 'ignore', 'unused', 'export', 'is_scripting',
           'is_tracing', 'annotate', 'Final', 'save', 'load', 'freeze', 'optimize_for_inference',
           'ScriptModule', 'ScriptFunction', 'interface', 'fork', 'wait']

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """torch.jit.script: returns `obj` itself, run eagerly."""
    approximated('torch.jit.script', 'returns the module/function unchanged (runs eagerly)')
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-05, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """torch.jit.trace: returns `func` itself, run eagerly (no graph is recorded)."""
    approximated('torch.jit.trace', 'returns the module/function unchanged (runs eagerly)')
    return func


def trace_module(mod, inputs, *args, **kwargs):
    approximated('torch.jit.trace_module', 'returns the module unchanged (runs eagerly)')
    return mod


def ignore(drop=False, **kwargs):
    """Decorator: leave a function to Python (it always is, in ember)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def is_scripting():
    """False: ember never compiles TorchScript."""
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def fork(func, *args, **kwargs):
    return _Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


class _Future:
    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def save(m, f, _extra_files=None):
    raise not_available('torch.jit.save', 'ember has no TorchScript; save the state_dict with '
                        'torch.save instead')


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    raise not_available('torch.jit.load', 'ember cannot read TorchScript archives')


class ScriptModule:
    """Stands for torch.jit.ScriptModule in isinstance checks; ember never creates one."""


class ScriptFunction:
    """Stands for torch.jit.ScriptFunction in isinstance checks; ember never creates one."""


from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.jit')
