"""ember.backends.cudnn: cuDNN's switches. ember does not use cuDNN, so `is_available()` is False
and `version()` None (as on a CPU build of torch); `enabled`, `benchmark`, `deterministic`,
`allow_tf32` are kept as plain settings."""
import contextlib

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches inside a block, restoring them after."""
    g = globals()
    names = ('enabled', 'benchmark', 'benchmark_limit', 'deterministic', 'allow_tf32')
    prev = {k: g[k] for k in names}
    g.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
             deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        g.update(prev)


from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.backends.cudnn')
