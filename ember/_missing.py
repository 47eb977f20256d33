"""Clear failures for torch APIs ember lacks: a module-level `__getattr__` that names the torch API
("torch.fft.rfft is not available in ember") and records it for `ember run --report`."""


def module_getattr(torch_name):
    """A `__getattr__` for the ember module that stands for torch module `torch_name`."""
    def __getattr__(name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(f"module '{torch_name}' has no attribute '{name}'")
        full = f'{torch_name}.{name}'
        from ._run import note_missing
        note_missing(full)
        raise AttributeError(f"{full} is not available in ember")
    return __getattr__
