"""Clear failures for torch APIs ember lacks: a module-level `__getattr__` that names the torch API
("torch.fft.rfft is not available in ember") and records it for `ember run --report`.

The same `__getattr__` first loads a submodule of that name when ember has one, so that
`torch.distributions.Normal` works without `import torch.distributions`, as in torch (whose
`__init__` imports its submodules eagerly; ember loads the heavier ones on first use)."""
import importlib


def module_getattr(torch_name, ember_name=None):
    """A `__getattr__` for the ember module that stands for torch module `torch_name`."""
    if ember_name is None:
        ember_name = 'ember' + torch_name[len('torch'):]

    def __getattr__(name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(f"module '{torch_name}' has no attribute '{name}'")
        if not name.startswith('_'):
            target = f'{ember_name}.{name}'
            try:
                return importlib.import_module(target)
            except ModuleNotFoundError as e:
                if e.name != target:  # the submodule exists but something it imports does not
                    raise
        full = f'{torch_name}.{name}'
        note_missing(full)
        raise AttributeError(f"{full} is not available in ember")
    return __getattr__


def note_missing(name):
    """Record that the program touched torch API `name`, which ember lacks."""
    from ._run import note_missing as _note
    _note(name)


def not_available(name, why=''):
    """The NotImplementedError for torch API `name` (recorded for `ember run --report`)."""
    note_missing(name)
    return NotImplementedError(f"{name} is not available in ember" + (f": {why}" if why else ''))


def approximated(name, how):
    """Record that torch API `name` runs in an approximate way (`how`) for `ember run --report`."""
    from ._run import note_approximation
    note_approximation(name, how)
