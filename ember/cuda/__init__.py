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


def _index(device):
    from .._backend import device as _device
    if device is None:
        return None
    if isinstance(device, int):
        return device
    d = _device(device)
    if d.type != 'cuda':
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index or 0


def set_device(device):
    """Make `device` the current GPU."""
    idx = _index(device)
    if idx is None or idx < 0:
        return
    _require().cuda.Device(idx).use()


class device:
    """Context manager that makes a GPU current inside its block (`torch.cuda.device(0)`)."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is not None and self.idx >= 0:
            self.prev_idx = current_device()
            if self.prev_idx != self.idx:
                set_device(self.idx)

    def __exit__(self, *exc):
        if self.idx is not None and self.prev_idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


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
    """Wait for the GPU's queued work (AssertionError without CUDA, as in torch)."""
    _require().cuda.Device().synchronize()


def is_bf16_supported(including_emulation=True):
    """True with a CUDA GPU of compute capability 8.0+ (any CUDA GPU with emulation)."""
    if not cuda_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


def manual_seed(seed):
    """Seed the GPU generator (a no-op without a GPU, as in torch)."""
    seed = int(seed)
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


def memory_reserved(device=None):
    if not cuda_available():
        return 0
    return cupy_module().get_default_memory_pool().total_bytes()


def max_memory_reserved(device=None):
    return memory_reserved(device)


def reset_peak_memory_stats(device=None):
    """A no-op: ember reads CuPy's pool, which keeps no peak."""


def mem_get_info(device=None):
    """(free, total) bytes of the current GPU."""
    return tuple(_require().cuda.runtime.memGetInfo())


def get_device_properties(device=None):
    cp = _require()
    idx = 0 if device is None else _index(device)
    return cp.cuda.runtime.getDeviceProperties(idx)


def get_rng_state(device='cuda'):
    _require()
    from .._ops.random import default_generator
    return default_generator.get_state()


def set_rng_state(new_state, device='cuda'):
    _require()
    from .._ops.random import default_generator
    default_generator.set_state(new_state)


def get_rng_state_all():
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states):
    for i, s in enumerate(new_states):
        set_rng_state(s, i)


def is_initialized():
    return cuda_available()


from . import amp  # noqa: E402,F401
from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.cuda')
