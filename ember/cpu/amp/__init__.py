"""ember.cpu.amp: the deprecated `torch.cpu.amp.autocast` spelling."""
import warnings

from ...amp import autocast_mode as _ac

__all__ = ['autocast']


class autocast(_ac.autocast):
    """`torch.cpu.amp.autocast(args...)`, i.e. `torch.amp.autocast('cpu', args...)`."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        from ... import bfloat16
        super().__init__('cpu', dtype=bfloat16 if dtype is None else dtype, enabled=enabled,
                         cache_enabled=cache_enabled)


from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.cpu.amp')
