"""ember.backends.mps: Apple's Metal backend, which ember does not have."""


def is_available():
    """False: ember computes on NumPy (CPU) or CuPy (CUDA)."""
    return False


def is_built():
    return False


def is_macos13_or_newer(minor=0):
    return False


from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.backends.mps')
