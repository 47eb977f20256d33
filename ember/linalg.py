"""torch.linalg: decompositions, solvers, inverses, norms and products of (batched) matrices."""
from ._ops.linalg_decomp import (LinAlgError, inv, inv_ex, det, slogdet, solve, cholesky, cholesky_ex, qr,
                                 svd, svdvals, eig, eigvals, eigh, eigvalsh)
from ._ops.linalg_functions import (pinv, lstsq, matrix_rank, matrix_power, matrix_exp, vector_norm,
                                    matrix_norm, norm)
from ._ops.linalg import multi_dot, linalg_cross as cross, vdot as _vdot
from ._ops.linalg_core import matmul
from ._ops.shape_more import diagonal as _diagonal


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view)."""
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) over `dim` (inputs broadcast)."""
    r = (x.conj() * y).sum(dim)
    if out is not None:
        from ._ops.inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(solution, info) of A X = B; info is 0 on success."""
    import numpy as np
    from ._tensor import _wrap
    from ._ops.linalg_decomp import _singular_info
    info = _singular_info(A._data)
    if info.any() and not check_errors:
        from ._backend import array_module
        xp = array_module(A._data)
        return _rt('linalg_solve_ex')((_wrap(xp.full(B._data.shape, np.nan, B._data.dtype)),
                                       _wrap(xp.asarray(info))))
    return _rt('linalg_solve_ex')((solve(A, B, left=left), _wrap(np.zeros(A._data.shape[:-2], np.int32))))


def _rt(name):
    from . import return_types
    return getattr(return_types, name)


__all__ = ['LinAlgError', 'inv', 'inv_ex', 'det', 'slogdet', 'solve', 'solve_ex', 'cholesky',
           'cholesky_ex', 'qr', 'svd', 'svdvals', 'eig', 'eigvals', 'eigh', 'eigvalsh', 'pinv', 'lstsq',
           'matrix_rank', 'matrix_power', 'matrix_exp', 'vector_norm', 'matrix_norm', 'norm',
           'multi_dot', 'cross', 'matmul', 'diagonal', 'vecdot']

from ._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.linalg')
