"""ember.backends.cuda: matmul precision switches and scaled-dot-product-attention kernel choice.

ember has one attention implementation and never lowers float32 matmuls to TF32 itself; these
switches keep their values so programs can set and read them."""
import contextlib

__all__ = ['is_built', 'matmul', 'cufft_plan_cache', 'preferred_linalg_library',
           'enable_flash_sdp', 'flash_sdp_enabled', 'enable_mem_efficient_sdp',
           'mem_efficient_sdp_enabled', 'enable_math_sdp', 'math_sdp_enabled', 'enable_cudnn_sdp',
           'cudnn_sdp_enabled', 'sdp_kernel']


def is_built():
    """Whether ember can use CUDA (CuPy is installed)."""
    from ..._backend import cupy_module
    return cupy_module() is not None


class cuBLASModule:
    """`torch.backends.cuda.matmul`: allow_tf32 and the reduced-precision reduction switches."""

    def __init__(self):
        object.__setattr__(self, '_values', {
            'allow_tf32': False, 'allow_fp16_reduced_precision_reduction': True,
            'allow_bf16_reduced_precision_reduction': True, 'allow_fp16_accumulation': False})

    def __getattr__(self, name):
        if name == 'allow_tf32':  # torch ties it to the float32 matmul precision
            from ... import _runtime
            return _runtime._matmul_precision[0] != 'highest'
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError("Unknown attribute " + name) from None

    def __setattr__(self, name, value):
        if name not in self._values:
            raise AttributeError("Unknown attribute " + name)
        self._values[name] = value
        if name == 'allow_tf32':
            from ... import _runtime
            _runtime._matmul_precision[0] = 'high' if value else 'highest'


class cuFFTPlanCacheManager:
    max_size = 0
    size = 0

    def clear(self):
        pass


matmul = cuBLASModule()
cufft_plan_cache = cuFFTPlanCacheManager()
_sdp = {'flash': True, 'mem_efficient': True, 'math': True, 'cudnn': True}
_linalg_library = ['default']


def preferred_linalg_library(backend=None):
    if backend is not None:
        _linalg_library[0] = backend
    return _linalg_library[0]


def enable_flash_sdp(enabled):
    _sdp['flash'] = bool(enabled)


def flash_sdp_enabled():
    return _sdp['flash']


def enable_mem_efficient_sdp(enabled):
    _sdp['mem_efficient'] = bool(enabled)


def mem_efficient_sdp_enabled():
    return _sdp['mem_efficient']


def enable_math_sdp(enabled):
    _sdp['math'] = bool(enabled)


def math_sdp_enabled():
    return _sdp['math']


def enable_cudnn_sdp(enabled):
    _sdp['cudnn'] = bool(enabled)


def cudnn_sdp_enabled():
    return _sdp['cudnn']


@contextlib.contextmanager
def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """Context manager choosing attention kernels (ember has one; the switches are kept)."""
    prev = dict(_sdp)
    _sdp.update(flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient,
                cudnn=enable_cudnn)
    try:
        yield
    finally:
        _sdp.update(prev)


from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.backends.cuda')
