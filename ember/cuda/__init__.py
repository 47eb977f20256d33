"""ember.cuda: GPU queries and seeding through CuPy (all False/0 without a GPU)."""
from .._backend import cupy_module, cuda_available


def is_available():
    """True when CuPy is installed and sees at least one CUDA GPU."""
    return cuda_available()


def device_count():
    if not cuda_available():
        return 0
    return cupy_module().cuda.runtime.getDeviceCount()


def _require():
    if not cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled (ember: no CUDA GPU through CuPy)")
    return cupy_module()


def current_device():
    return _require().cuda.runtime.getDevice()


def set_device(device):
    from .._backend import device as _device
    idx = device if isinstance(device, int) else _device(device).index or 0
    _require().cuda.Device(idx).use()


def get_device_name(device=None):
    cp = _require()
    idx = 0 if device is None else (device if isinstance(device, int) else device.index or 0)
    name = cp.cuda.runtime.getDeviceProperties(idx)['name']
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    cp = _require()
    idx = 0 if device is None else (device if isinstance(device, int) else device.index or 0)
    p = cp.cuda.runtime.getDeviceProperties(idx)
    return (p['major'], p['minor'])


def synchronize(device=None):
    if cuda_available():
        cupy_module().cuda.Device().synchronize()


def is_bf16_supported(including_emulation=True):
    return cuda_available()


def manual_seed(seed):
    """Seed the GPU generator (a no-op without a GPU, as in torch)."""
    if cuda_available():
        cupy_module().random.seed(int(seed) & 0xFFFF_FFFF)


manual_seed_all = manual_seed


def seed():
    pass


seed_all = seed


def empty_cache():
    if cuda_available():
        cupy_module().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    if not cuda_available():
        return 0
    return cupy_module().get_default_memory_pool().used_bytes()


def max_memory_allocated(device=None):
    return memory_allocated(device)


def is_initialized():
    return cuda_available()
