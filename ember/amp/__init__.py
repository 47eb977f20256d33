"""ember.amp: torch.amp's autocast regions (a full-precision no-op) and the GradScaler."""
from .autocast_mode import (autocast, custom_bwd, custom_fwd, is_autocast_available,  # noqa: F401
                            is_autocast_enabled, get_autocast_dtype)
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ['autocast', 'custom_bwd', 'custom_fwd', 'GradScaler', 'is_autocast_available']

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.amp')
