"""ember.utils: helpers around the core, as torch.utils."""
from . import data

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.utils')
