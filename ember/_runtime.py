"""Process-wide settings torch exposes at the top level: thread counts, the default device,
deterministic algorithms, float32 matmul precision, and `torch.compile`.

`set_num_threads` drives the BLAS thread pool NumPy computes matmuls with (through
`threadpoolctl` when it is importable, else through the OMP/OPENBLAS/MKL environment variables,
which only a BLAS not yet started reads). ember's CPU kernels are deterministic, so the
deterministic-algorithms switch is a setting programs can read back; the matmul precision is kept
the same way (ember never lowers float32 matmuls to TF32/bfloat16 on its own).
"""
import functools
import os
import warnings

__all__ = ['set_num_threads', 'get_num_threads', 'set_num_interop_threads',
           'get_num_interop_threads', 'set_default_device', 'get_default_device',
           'use_deterministic_algorithms', 'are_deterministic_algorithms_enabled',
           'is_deterministic_algorithms_warn_only_enabled', 'set_deterministic_debug_mode',
           'get_deterministic_debug_mode', 'set_float32_matmul_precision',
           'get_float32_matmul_precision', 'compile', 'is_compiling', 'set_warn_always',
           'is_warn_always_enabled']

_num_threads = [None]
_num_interop_threads = [None]
_blas_limiter = [None]
_deterministic = [False, False]  # enabled, warn_only
_matmul_precision = ['highest']
_warn_always = [False]

_THREAD_ENV = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS',
               'VECLIB_MAXIMUM_THREADS')


def _check_positive_int(fn, n):
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{fn} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")


def set_num_threads(int):
    """Set the number of threads the CPU kernels (NumPy's BLAS) use."""
    n = int  # torch's parameter name shadows the builtin here
    _check_positive_int('set_num_threads', n)
    _num_threads[0] = n
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        for var in _THREAD_ENV:
            os.environ[var] = str(n)
        return
    # keep the limiter object: it holds the limit until it is restored or replaced
    _blas_limiter[0] = ThreadpoolController().limit(limits=n, user_api='blas')


def get_num_threads():
    """The number of threads the CPU kernels use."""
    if _num_threads[0] is not None:
        return _num_threads[0]
    try:
        from threadpoolctl import threadpool_info
        counts = [d['num_threads'] for d in threadpool_info() if d.get('user_api') == 'blas']
        if counts:
            return max(counts)
    except ImportError:
        pass
    for var in _THREAD_ENV:
        v = os.environ.get(var, '')
        if v.isdigit() and int(v) > 0:
            return int(v)
    return os.cpu_count() or 1


def set_num_interop_threads(int):
    """Set the inter-op thread count (ember runs ops one after another; the value is kept)."""
    _check_positive_int('set_num_interop_threads', int)
    _num_interop_threads[0] = int


def get_num_interop_threads():
    return _num_interop_threads[0] or get_num_threads()


def set_default_device(device):
    """Make factory functions (zeros, randn, tensor...) create tensors on `device` (None: CPU)."""
    from ._ops import creation
    from ._backend import device as _device
    creation._default_device[0] = None if device is None else _device(device)


def get_default_device():
    """The device factory functions create tensors on (`device(type='cpu')` unless set)."""
    from ._ops import creation
    from ._backend import device as _device
    d = creation._default_device[0]
    if d is None:
        return _device('cpu')
    if d.type == 'cuda' and d.index is None:
        from . import cuda
        return _device('cuda', cuda.current_device())
    return d


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Require deterministic algorithms (ember's kernels all are; the setting is kept)."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be bool, "
                        f"not {type(mode).__name__}")
    _deterministic[0] = mode
    _deterministic[1] = bool(warn_only) if mode else False


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic[1]


def set_deterministic_debug_mode(debug_mode):
    modes = {'default': 0, 'warn': 1, 'error': 2}
    if isinstance(debug_mode, str):
        if debug_mode not in modes:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _deterministic[0]:
        return 0
    return 1 if _deterministic[1] else 2


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium' (kept; ember's float32 matmuls are always full precision)."""
    if precision not in ('highest', 'high', 'medium'):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision():
    return _matmul_precision[0]


def set_warn_always(b):
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


# ----- torch.compile ------------------------------------------------------------------------

def _note_compile():
    from ._missing import approximated
    approximated('torch.compile', 'runs the model/function eagerly (no graph capture or codegen)')


def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None,
            options=None, disable=False):
    """torch.compile: returns `model` itself, run eagerly (ember has no graph compiler).

    Works on modules and functions, and as a decorator with or without arguments."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified "
                           "at the same time.")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    if not callable(model):
        raise RuntimeError("torch.compile: model must be callable")
    _note_compile()
    return model


def is_compiling():
    """False: ember never traces a program."""
    return False
