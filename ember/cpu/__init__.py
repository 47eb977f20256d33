"""ember.cpu: the CPU device module (torch.cpu)."""
import os

from . import amp  # noqa: F401

__all__ = ['amp', 'is_available', 'device_count', 'current_device', 'synchronize', 'set_device']


def is_available():
    """The CPU is always available."""
    return True


def device_count():
    """torch reports one CPU device."""
    return 1


def current_device():
    return 'cpu'


def set_device(device):
    """A no-op, as in torch."""


def synchronize(device=None):
    """A no-op: CPU ops finish before they return."""


def _num_cores():
    return os.cpu_count() or 1


from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.cpu')
