"""Keep freed large buffers in the process heap (glibc only).

glibc hands every allocation above its mmap threshold straight to the kernel and returns the heap
top once enough of it is free. A training step allocates and frees the same large activations
(im2col matrices, layer outputs) every iteration, so each step would page-fault all of them in
again, which costs more than the arithmetic on small and medium models. Raising the mmap threshold
to its 32 MiB maximum and the trim threshold to 1 GiB lets freed buffers be reused, as PyTorch's
caching allocators (or tcmalloc/jemalloc) do. The process keeps its peak heap instead of returning
it to the OS.

Opt out with EMBER_MALLOC_TUNING=0; explicit MALLOC_*_THRESHOLD_ environment settings win.
"""
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune():
    if not sys.platform.startswith('linux') or os.environ.get('EMBER_MALLOC_TUNING', '1') == '0':
        return False
    if any(k in os.environ for k in ('MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_',
                                     'MALLOC_TOP_PAD_', 'MALLOC_MMAP_MAX_')):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        gnu = libc.gnu_get_libc_version  # glibc only (musl has no mallopt semantics to tune)
    except (OSError, AttributeError):
        return False
    del gnu
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    ok = mallopt(_M_TRIM_THRESHOLD, 1 << 30) and ok
    return bool(ok)


tuned = tune()
