"""ember.accelerator: the current accelerator (CUDA through CuPy when a GPU is visible)."""
from ._backend import cuda_available, device as _device

__all__ = ['is_available', 'current_accelerator', 'device_count', 'current_device_index',
           'set_device_index', 'synchronize']


def is_available():
    """True when a CUDA GPU is usable."""
    return cuda_available()


def current_accelerator(check_available=False):
    """`device(type='cuda')` when CUDA is usable, else None (as torch on a CPU-only machine)."""
    return _device('cuda') if cuda_available() else None


def device_count():
    from . import cuda
    return cuda.device_count()


def current_device_index():
    from . import cuda
    return cuda.current_device() if cuda_available() else -1


current_device_idx = current_device_index


def set_device_index(device):
    from . import cuda
    cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None):
    if cuda_available():
        from . import cuda
        cuda.synchronize(device)


from ._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.accelerator')
