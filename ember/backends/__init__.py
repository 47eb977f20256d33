"""ember.backends: torch.backends' switches (cuda.matmul.allow_tf32, cudnn.benchmark, ...).

They are settings a program may read and write; ember keeps their values but computes the same
way whatever they hold (NumPy/CuPy pick their own kernels; float32 matmuls are never lowered to
TF32 by ember itself)."""
import contextlib

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ['cpu', 'cuda', 'cudnn', 'mkl', 'mkldnn', 'mps', 'openmp', 'flags_frozen']


def flags_frozen():
    return False


@contextlib.contextmanager
def __allow_nonbracketed_mutation():
    yield


from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.backends')
