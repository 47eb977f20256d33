"""torch.autocast / torch.amp.autocast, and the autocast state queries.

ember's autocast is a documented no-op: inside an enabled region every op still computes in the
dtype of its inputs (float32 stays float32), where torch would run matmul/linear/conv in
float16/bfloat16. Programs therefore get the same results they would get with autocast disabled,
at full precision. The region's state is tracked (`torch.is_autocast_enabled()` is True inside
it, as in torch), the first enabled region warns once, and `ember run --report` lists it.
The checks torch makes on entry are torch's: a 'cuda' region without CUDA warns and disables
itself; a CPU region with a dtype other than bfloat16/float16 warns and disables itself.
"""
import functools
import warnings

__all__ = ['autocast', 'is_autocast_available', 'custom_fwd', 'custom_bwd', 'is_autocast_enabled',
           'get_autocast_dtype', 'set_autocast_enabled', 'set_autocast_dtype']

_SUPPORTED = ('cpu', 'cuda', 'mps', 'xpu', 'hpu', 'xla', 'mtia', 'ipu', 'maia', 'meta')
_enabled = {}
_dtype = {}
_warned = [False]


def _default_dtype(device_type):
    from .. import bfloat16, float16
    return bfloat16 if device_type == 'cpu' else float16


def is_autocast_available(device_type):
    """True for the device types torch supports autocast on."""
    return device_type in ('cpu', 'cuda', 'mps', 'xpu', 'hpu', 'mtia', 'maia', 'xla', 'ipu')


def is_autocast_enabled(device_type=None):
    """Whether an enabled autocast region for `device_type` (default 'cuda') is active."""
    return _enabled.get('cuda' if device_type is None else device_type, False)


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:  # the old one-argument form set the CUDA state
        device_type, enabled = 'cuda', device_type
    _enabled[device_type] = bool(enabled)


def get_autocast_dtype(device_type):
    """The dtype autocast regions on `device_type` use (bfloat16 on the CPU, float16 elsewhere)."""
    return _dtype.get(device_type) or _default_dtype(device_type)


def set_autocast_dtype(device_type, dtype):
    _dtype[device_type] = dtype


class autocast:
    """Context manager / decorator for an autocast region (a full-precision no-op in ember)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        from .. import bfloat16, float16
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _SUPPORTED:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        enabled = bool(enabled)
        if enabled and device_type == 'cuda':
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                              UserWarning, stacklevel=2)
                enabled = False
        elif enabled and device_type == 'cpu' and self.fast_dtype not in (bfloat16, float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            enabled = False
        elif enabled and device_type == 'mps':
            warnings.warn("MPS Autocast is not available. Disabling autocast.", UserWarning,
                          stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        if self._enabled:
            from .._missing import approximated
            approximated('torch.autocast', f'a no-op: ops compute in their inputs\' dtype, not '
                                           f'{self.fast_dtype}')
            if not _warned[0]:
                _warned[0] = True
                warnings.warn(f"ember: torch.autocast(device_type='{self.device}', "
                              f"dtype={self.fast_dtype}) runs in full precision; ember does not "
                              "lower matmul/linear/conv to reduced precision.", UserWarning,
                              stacklevel=2)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        _enabled[self.device] = self.prev
        _dtype[self.device] = self.prev_fastdtype
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def custom_fwd(fwd=None, *, device_type=None, cast_inputs=None):
    """Decorator for a custom autograd Function's forward (autocast is a no-op, so it passes
    the function through)."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    return fwd


def custom_bwd(bwd=None, *, device_type=None):
    """Decorator for a custom autograd Function's backward (passes the function through)."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    return bwd
