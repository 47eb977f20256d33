"""Linear-algebra functions built on the decompositions: pinv, lstsq and matrix_rank (from the
SVD or eigh), matrix_power and matrix_exp, and the vector/matrix norms.

As in `linalg_decomp.py`, each differentiable function is one node whose backward is written with
ember ops.
"""
import numpy as np

from .. import return_types as RT
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from . import shape as S
from .linalg_core import matmul
from ._opargs import out_result as _out
from .linalg_decomp import _square, _float, _eye_like, inv, svdvals


# ----- pinv / lstsq / rank ------------------------------------------------------------------------

def _default_rtol(a, atol):
    m, n = a.shape[-2:]
    if atol is None or atol == 0:
        return np.finfo(a.real.dtype if a.dtype.kind == 'c' else a.dtype).eps * max(m, n)
    return 0.0


class LinalgPinvBackward0(Function):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = array_module(a)
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
        tol = xp.maximum(atol if atol is not None else 0.0, (rtol if rtol is not None else
                                                             _default_rtol(a, atol)) * smax)
        keep = s > tol
        sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(s.dtype)
        p = xp.matmul(xp.conj(xp.swapaxes(vh, -1, -2)) * sinv[..., None, :], xp.conj(xp.swapaxes(u, -1, -2)))
        p = p.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, gP):
        a, P = ctx.saved_tensors
        return _pinv_grad(a, P, gP)


def _pinv_grad(A, P, gP):
    """Golub-Pereyra: gA = -P^H gP P^H + (I - A P) gP^H P P^H + P^H P gP^H (I - P A)."""
    m, n = A.shape[-2:]
    Im, In = _eye_like(A, m), _eye_like(A, n)
    PH = P.mH
    gPH = gP.mH
    t1 = -matmul(PH, matmul(gP, PH))
    t2 = matmul(Im - matmul(A, P), matmul(gPH, matmul(P, PH)))
    t3 = matmul(matmul(PH, P), matmul(gPH, In - matmul(P, A)))
    return t1 + t2 + t3


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    """Moore-Penrose pseudo-inverse (singular values below max(atol, rtol * s_max) are dropped)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.pinv(A): The input tensor A must have at least 2 dimensions.")
    _float('linalg.pinv', A)
    if rcond is not None:
        rtol = rcond
    return _out(LinalgPinvBackward0.apply(A, atol=_num(atol), rtol=_num(rtol), hermitian=hermitian),
                out)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def pinverse(input, rcond=1e-15):
    """torch.pinverse: pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


class LinalgLstsqBackward0(Function):
    _non_differentiable_outputs = (2,)

    @staticmethod
    def forward(ctx, a, b, rcond, driver, vec):
        xp = array_module(a)
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        m, n = a.shape[-2:]
        eps = np.finfo(a.real.dtype if a.dtype.kind == 'c' else a.dtype).eps
        tol = (rcond if rcond is not None and rcond >= 0 else eps * max(m, n)) * \
            (s.max(axis=-1, keepdims=True) if s.shape[-1] else 0)
        keep = s > tol
        sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0)
        p = xp.matmul(xp.conj(xp.swapaxes(vh, -1, -2)) * sinv[..., None, :], xp.conj(xp.swapaxes(u, -1, -2)))
        bb = b[..., None] if vec else b
        x = xp.matmul(p, bb).astype(a.dtype, copy=False)
        rank = keep.sum(-1).astype(np.int64)
        full = bool((rank == min(m, n)).all())
        if m > n and full and driver != 'gelsy':
            r = bb - xp.matmul(a, x)
            res = (xp.abs(r) ** 2).sum(-2).astype(a.real.dtype if a.dtype.kind == 'c' else a.dtype)
        else:
            res = xp.zeros((0,), a.real.dtype if a.dtype.kind == 'c' else a.dtype)
        sv = s.astype(a.real.dtype if a.dtype.kind == 'c' else a.dtype) if driver in ('gelsd', 'gelss') \
            else xp.zeros((0,), s.dtype)
        ctx.save_for_backward(a, b)
        ctx.vec = vec
        return (x[..., 0] if vec else x), res, rank, sv

    @staticmethod
    def backward(ctx, gX, gres, grank, gsv):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        P = pinv(a)
        if ctx.vec:
            gX, bb = S.unsqueeze(gX, -1), S.unsqueeze(b, -1)
        else:
            bb = b
        gA = _pinv_grad(a, P, matmul(gX, bb.mH)) if n[0] else None
        gB = matmul(P.mH, gX) if n[1] else None
        if gB is not None and ctx.vec:
            gB = gB.squeeze(-1)
        return gA, gB


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B: (solution, residuals, rank, singular_values)."""
    _float('linalg.lstsq', A)
    if driver is None:
        driver = 'gelsy'
    if driver not in ('gels', 'gelsy', 'gelsd', 'gelss'):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           f"gelsd, gelss)")
    a, b = A._data, B._data
    vec = b.ndim == a.ndim - 1
    if (b.shape[-1] if vec else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    outs = LinalgLstsqBackward0.apply(A, B, rcond=rcond, driver=driver, vec=vec)
    return RT.linalg_lstsq(outs)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """Number of singular values above max(atol, rtol * s_max)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _float('linalg.matrix_rank', A)
    xp = array_module(A._data)
    a = A._data
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = _num(atol), _num(rtol)
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else 0
    thr = xp.maximum(atol if atol is not None else 0.0,
                     (rtol if rtol is not None else _default_rtol(a, atol)) * smax)
    return _out(_wrap((s > thr).sum(-1).astype(np.int64)), out)


# ----- matrix_power / matrix_exp ------------------------------------------------------------------

def matrix_power(A, n, *, out=None):
    """A @ A @ ... (n times); n = 0 gives the identity, n < 0 powers of the inverse."""
    a = A._data
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim >= 2 else a.shape[-1]} by {a.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        from .inplace import CopyBackwards
        eye = _wrap(array_module(a).broadcast_to(array_module(a).eye(a.shape[-1], dtype=a.dtype), a.shape))
        return _out(CopyBackwards.apply(A, eye), out)
    if n < 0:
        A = inv(A)
        n = -n
    if n == 1:
        return _out(S.clone(A), out)
    result = None
    z = A
    while n:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if n:
            z = matmul(z, z)
    return _out(result, out)


def _expm(a):
    """exp of (batched) square matrices by scaling and squaring a degree-18 Taylor series."""
    xp = array_module(a)
    n = a.shape[-1]
    norm = float(xp.abs(a).sum(-2).max()) if a.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    x = a / (2.0 ** s)
    eye = xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    term = eye.copy()
    out = eye.copy()
    for k in range(1, 19):
        term = xp.matmul(term, x) / k
        out = out + term
    for _ in range(s):
        out = xp.matmul(out, out)
    return out


class LinalgMatrixExpBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from .selection import cat
        a, = ctx.saved_tensors
        n = a.shape[-1]
        # the Frechet derivative's adjoint: top-right block of exp([[A^H, G], [0, A^H]])
        ah = a.mH
        top = cat([ah, grad], -1)
        bottom = cat([grad * 0, ah], -1)
        big = matrix_exp(cat([top, bottom], -2))
        return big[..., :n, n:]


def matrix_exp(A):
    """The matrix exponential of a square (batched) matrix."""
    _square('linalg.matrix_exp', A)
    return LinalgMatrixExpBackward0.apply(A)


# ----- norms ----------------------------------------------------------------------------------------

def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ord-norm over `dim` (all elements when None)."""
    from .reductions import _vector_norm
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    return _out(_vector_norm(x, ord, dim, keepdim, dtype), out)


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _float('linalg.matrix_norm', A)
    if dtype is not None:
        A = A.to(dtype)
    nd = A._data.ndim
    d0, d1 = (_wrap_dim(int(d), nd) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == 'fro':
        return _out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if ord == 'nuc' or ord in (2, -2):
        order = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(S.permute(A, order))
        if ord == 'nuc':
            r = s.sum(-1)
        else:
            r = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = S.unsqueeze(S.unsqueeze(r, min(d0, d1)), max(d0, d1))
        return _out(r, out)
    if ord in (1, -1, np.inf, -np.inf):
        from .unary import abs as _abs
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        r = _abs(A).sum(sum_dim, keepdim=True)
        r = r.amax(red_dim, keepdim=True) if ord > 0 else r.amin(red_dim, keepdim=True)
        if not keepdim:
            r = r.squeeze((d0, d1))
        return _out(r, out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """linalg.norm: a vector norm (1-D input or int dim) or a matrix norm (2-D input or 2 dims)."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        return matrix_norm(A, 'fro' if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    nd = A._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                           f"2D. Got {nd}D.")
    if nd == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)


tensor_method('pinverse')(pinverse)
tensor_method('matrix_power')(matrix_power)
tensor_method('matrix_exp')(matrix_exp)
