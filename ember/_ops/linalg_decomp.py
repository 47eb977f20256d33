"""Matrix functions and decompositions: inv, det/slogdet/logdet, solve, cholesky, qr, svd/svdvals,
eig/eigvals, eigh/eigvalsh, pinv, lstsq, matrix_power, matrix_exp, matrix_rank, and the matrix/linalg
norms.

Each differentiable decomposition is one node whose backward is written with ember ops (so double
backward works); forward uses the array module's LAPACK bindings.
"""
import numpy as np

from .. import _dtype as D
from .. import return_types as RT
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from . import shape as S
from .linalg_core import matmul, LinalgInvExBackward0
from .reduction import _type_name
from ._opargs import out_result as _out


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a numerical failure (singular or not positive-definite input)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = '_LinAlgError'


def _square(name, A):
    a = A._data
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim >= 2 else a.shape[-1]} by {a.shape[-1]} matrices")
    _float(name, A)


def _float(name, A):
    if A._data.dtype.kind not in 'fc':
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(A.dtype)}")


def _first_zero_pivot(a):
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's info)."""
    m = np.array(a, dtype=np.complex128 if a.dtype.kind == 'c' else np.float64)
    n = m.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:, k:] -= np.outer(m[k + 1:, k] / m[k, k], m[k, k:])
    return 0


def _singular_info(a):
    """Per-matrix getrf info for a (batched) array on the host."""
    from .._backend import to_numpy
    h = to_numpy(a)
    flat = h.reshape((-1,) + h.shape[-2:])
    return np.array([_first_zero_pivot(x) for x in flat], dtype=np.int32).reshape(h.shape[:-2])


def _eye_like(t, n):
    from .creation import eye
    return eye(n, dtype=t.dtype, device=t.device)


def _solve_raw(xp, a, b):
    return xp.linalg.solve(a, b)


# ----- inverse -------------------------------------------------------------------------------------

def inv(A, *, out=None):
    """The inverse of a square (batched) matrix; raises LinAlgError when singular."""
    _square('linalg.inv', A)
    info = _singular_info(A._data) if A._data.size else np.zeros(A._data.shape[:-2], np.int32)
    if info.any():
        raise LinAlgError(f"linalg.inv: {'(Batch element ' + str(int(np.argmax(info.reshape(-1) > 0))) + '): ' if info.ndim else ''}"
                          f"The diagonal element {int(info.reshape(-1)[info.reshape(-1) > 0][0])} is "
                          "zero, the inversion could not be completed because the input matrix is singular.")
    return _out(LinalgInvExBackward0.apply(A), out)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is LAPACK's (0 on success) instead of an error."""
    _square('linalg.inv_ex', A)
    info = _singular_info(A._data) if A._data.size else np.zeros(A._data.shape[:-2], np.int32)
    if check_errors and info.any():
        return inv(A), None
    if info.any():
        with np.errstate(all='ignore'):
            r = _wrap(_nan_inverse(A._data))
    else:
        r = LinalgInvExBackward0.apply(A)
    return _out(RT.linalg_inv_ex((r, _wrap(array_module(A._data).asarray(info)))), out)


def _nan_inverse(a):
    xp = array_module(a)
    out = xp.full(a.shape, np.nan, a.dtype)
    return out


# ----- determinants --------------------------------------------------------------------------------

class LinalgDetBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        d = xp.asarray(xp.linalg.det(a)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        g = S.unsqueeze(S.unsqueeze(grad, -1), -1)
        # d det / dA = adj(A)^H = det * A^-H; the SVD form of the adjugate covers singular matrices
        if bool((d._data != 0).all()):
            return g * S.unsqueeze(S.unsqueeze(d, -1), -1).conj() * inv(a).mH
        return g * _adjugate(a).mH


def _adjugate(a):
    """adj(A) = det(A) A^-1, computed from the SVD so that singular A is fine: with A = U S V^H,
    adj(A) = det(U) det(V^H) V diag(prod_{j != i} s_j) U^H."""
    from .shape_more import diag_embed
    U, s, Vh = svd(a, full_matrices=False)
    n = s.shape[-1]
    if n == 0:
        return a
    one = _eye_like(s, n)
    # prod over j != i: replace the diagonal of a matrix of s by 1 and take the row product
    m = S.unsqueeze(s, -2).expand(*s.shape[:-1], n, n)
    m = m * (1 - one) + one
    others = _prod_last(m)
    du = det(U.detach())
    dv = det(Vh.detach())
    coef = S.unsqueeze(S.unsqueeze(du * dv, -1), -1)
    return coef * matmul(Vh.mH, matmul(diag_embed(others), U.mH))


def _prod_last(m):
    """Product over the last dim (through the reductions family when present)."""
    if hasattr(Tensor, 'prod'):
        return m.prod(-1)
    r = m.select(-1, 0)
    for k in range(1, m.shape[-1]):
        r = r * m.select(-1, k)
    return r


def det(A):
    """Determinant of a square (batched) matrix."""
    _square('linalg.det', A)
    return LinalgDetBackward0.apply(A)


class LinalgSlogdetBackward0(Function):
    _non_differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        sign, logabs = xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return xp.asarray(sign).astype(a.dtype), xp.asarray(logabs).astype(
            a.real.dtype if a.dtype.kind == 'c' else a.dtype)

    @staticmethod
    def backward(ctx, gsign, glog):
        a, = ctx.saved_tensors
        return S.unsqueeze(S.unsqueeze(glog, -1), -1) * inv(a).mH


def slogdet(A, *, out=None):
    """(sign, log|det|) of a square (batched) matrix."""
    _square('linalg.slogdet', A)
    sign, logabs = LinalgSlogdetBackward0.apply(A)
    if sign._grad_fn is None and logabs._grad_fn is not None:
        # torch marks both outputs with the node (sign simply gets no gradient)
        sign._grad_fn, sign._requires_grad, sign._output_nr = logabs._grad_fn, True, 0
    return _out(RT.linalg_slogdet((sign, logabs)), out)


def logdet(A):
    """log det(A): nan for negative determinants, -inf for singular matrices."""
    from .comparison import where
    _square('logdet', A)
    sign, logabs = slogdet(A)
    nan = _wrap(array_module(A._data).asarray(np.nan, dtype=logabs._data.dtype))
    return where(sign < 0, nan, logabs)


# ----- solve ----------------------------------------------------------------------------------------

class LinalgSolveExBackward0(Function):
    @staticmethod
    def forward(ctx, a, b, vec, left=True):
        xp = array_module(a)
        ctx.left = left
        a0 = a
        if not left:  # X A = B  <=>  A^T X^T = B^T
            a, b = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)
        bb = b[..., None] if vec else b
        try:
            x = xp.linalg.solve(a, xp.broadcast_to(bb, np.broadcast_shapes(a.shape[:-2], bb.shape[:-2])
                                                   + bb.shape[-2:]))
        except Exception:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                              "singular.") from None
        x = x[..., 0] if vec else x
        x = x.astype(a.dtype, copy=False)
        if not left:
            x = xp.swapaxes(x, -1, -2)
        ctx.vec = vec
        ctx.save_for_backward(a0, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        n = ctx.needs_input_grad
        if not ctx.left:
            gb = solve(a.mH, grad, left=False)
            return (-matmul(x.mH, gb) if n[0] else None), gb
        gb = solve(a.mH, grad)
        ga = None
        if n[0]:
            ga = -(S.unsqueeze(gb, -1) * S.unsqueeze(x, -2).conj()) if ctx.vec else -matmul(gb, x.mH)
        return ga, gb


def solve(A, B, *, left=True, out=None):
    """X with A X = B (left) or X A = B; B may be a (batched) vector."""
    _square('linalg.solve', A)
    a, b = A._data, B._data
    if not left:
        if b.ndim < 2 or b.shape[-1] != a.shape[-1]:
            raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation XA = B "
                               f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2] if b.ndim > 1 else 1}x"
                               f"{b.shape[-1]})")
        if _singular_info(a).any():
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                              "singular.")
        return _out(LinalgSolveExBackward0.apply(A, B, vec=False, left=False), out)
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    k = b.shape[-1] if vec else b.shape[-2]
    if k != a.shape[-1]:
        bs = (b.shape[-1], 1) if vec else b.shape[-2:]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {bs[0]}x{bs[1]})")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_type_name(A.dtype)} and B of type {_type_name(B.dtype)} instead")
    if _singular_info(a).any():
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.")
    return _out(LinalgSolveExBackward0.apply(A, B, vec=vec), out)


# ----- cholesky --------------------------------------------------------------------------------------

class LinalgCholeskyExBackward0(Function):
    @staticmethod
    def forward(ctx, a, upper):
        xp = array_module(a)
        L = xp.linalg.cholesky(a).astype(a.dtype, copy=False)
        ctx.upper = upper
        out = xp.conj(xp.swapaxes(L, -1, -2)).copy() if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        L = out.mH if ctx.upper else out
        from .shape_more import tril
        gL = grad.mH if ctx.upper else grad
        # gA = L^-H Phi(L^H gL) L^-1, Phi = lower triangle with half the diagonal, then symmetrised
        phi = tril(matmul(L.mH, gL))
        phi = phi - 0.5 * phi * _eye_like(L, L.shape[-1])
        Linv = inv(L)
        gA = matmul(Linv.mH, matmul(phi, Linv))
        return 0.5 * (gA + gA.mH)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    pass


def _check_pd(name, a):
    from .._backend import to_numpy
    h = to_numpy(a)
    flat = h.reshape((-1,) + h.shape[-2:])
    for bi, m in enumerate(flat):
        try:
            np.linalg.cholesky(m)
            continue
        except np.linalg.LinAlgError:
            pass
        for k in range(1, m.shape[0] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                pre = f"(Batch element {bi}): " if h.ndim > 2 else ''
                raise LinAlgError(f"{name}: {pre}The factorization could not be completed because the "
                                  f"input is not positive-definite (the leading minor of order {k} is "
                                  "not positive-definite).") from None


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L (A = L L^H) of a Hermitian positive-definite matrix."""
    _square('linalg.cholesky', A)
    _check_pd('linalg.cholesky', A._data)
    return _out(LinalgCholeskyExBackward0.apply(A, upper=upper), out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    _square('linalg.cholesky_ex', A)
    try:
        _check_pd('linalg.cholesky', A._data)
    except LinAlgError:
        if check_errors:
            raise
        xp = array_module(A._data)
        r = (_wrap(xp.zeros_like(A._data)), _wrap(xp.asarray(1, np.int32)))
    else:
        r = (LinalgCholeskyExBackward0.apply(A, upper=upper),
             _wrap(array_module(A._data).zeros(A._data.shape[:-2], np.int32)))
    return _out(RT.linalg_cholesky_ex(r), out)


def cholesky_legacy(input, upper=False, *, out=None):
    """torch.cholesky (deprecated form of linalg.cholesky)."""
    _square('cholesky', input)
    _check_pd('linalg.cholesky', input._data)
    return _out(CholeskyBackward0.apply(input, upper=upper), out)


# ----- QR -----------------------------------------------------------------------------------------

class LinalgQrBackward0(Function):
    @staticmethod
    def forward(ctx, a, mode):
        xp = array_module(a)
        m, n = a.shape[-2:]
        if mode == 'r':
            r = xp.linalg.qr(a, mode='r')
            ctx.mode = mode
            return xp.zeros((0,), a.dtype), r.astype(a.dtype, copy=False)
        q, r = xp.linalg.qr(a, mode='complete' if mode == 'complete' else 'reduced')
        ctx.mode, ctx.mn = mode, (m, n)
        ctx.save_for_backward(a, q, r)
        return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                               "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                               "differentiate through linalg.qr.")
        m, n = ctx.mn
        if ctx.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        a, Q, R = ctx.saved_tensors
        if m >= n:
            return _qr_grad(Q, R, gQ, gR)
        # wide A = [X | Y]: X = Q U is square, R = [U | V], Y = Q V
        U, V = R[..., :, :m], R[..., :, m:]
        Y = a[..., :, m:]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        gX = _qr_grad(Q, U, gQ + matmul(Y, gV.mH), gU)
        from .selection import cat
        return cat([gX, matmul(Q, gV)], -1)


def _copyltu(M):
    from .shape_more import tril
    lo = tril(M, -1)
    return lo + lo.mH + M * _eye_like(M, M.shape[-1])


def _qr_grad(Q, R, gQ, gR):
    """gA for A = Q R with A tall or square: (gQ + Q copyltu(M)) R^-H, M = R gR^H - gQ^H Q."""
    M = matmul(R, gR.mH) - matmul(gQ.mH, Q)
    b = gQ + matmul(Q, _copyltu(M))
    return matmul(b, inv(R).mH)


def qr(A, mode='reduced', *, out=None):
    """Q, R with A = Q R ('reduced', 'complete' or 'r')."""
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           "(default), 'r', or 'complete'")
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.qr: The input tensor A must have at least 2 dimensions.")
    _float('linalg.qr', A)
    q, r = LinalgQrBackward0.apply(A, mode=mode)
    _share_node(q, r)
    return _out(RT.linalg_qr((q, r)), out)


def _share_node(*outs):
    fn = next((o._grad_fn for o in outs if o._grad_fn is not None), None)
    if fn is None:
        return
    for i, o in enumerate(outs):
        if o._grad_fn is None:
            o._grad_fn, o._requires_grad, o._output_nr = fn, True, i


def qr_legacy(input, some=True, *, out=None):
    """torch.qr (deprecated): some=True is mode 'reduced', False is 'complete'."""
    q, r = qr(input, 'reduced' if some else 'complete')
    return _out(RT.qr((q, r)), out)


# ----- SVD ------------------------------------------------------------------------------------------

class LinalgSvdBackward0(Function):
    @staticmethod
    def forward(ctx, a, full_matrices, compute_uv):
        xp = array_module(a)
        rdt = a.real.dtype if a.dtype.kind == 'c' else a.dtype
        m, n = a.shape[-2:]
        k = min(m, n)
        ctx.full, ctx.uv, ctx.mnk = full_matrices, compute_uv, (m, n, k)
        if not compute_uv:
            ctx.save_for_backward(a)
            return xp.linalg.svd(a, compute_uv=False).astype(rdt, copy=False)
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return u.astype(a.dtype, copy=False), s.astype(rdt, copy=False), vh.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, *grads):
        from .shape_more import diag_embed
        if not ctx.uv:
            (gS,) = grads
            a, = ctx.saved_tensors
            U, _, Vh = svd(a, full_matrices=False)  # differentiable again, for double backward
            return matmul(U * S.unsqueeze(gS, -2).to(U.dtype), Vh)
        gU, gS, gVh = grads
        U, Sv, Vh = ctx.saved_tensors
        m, n, k = ctx.mnk
        if ctx.full and m != n:
            U, Vh = U[..., :, :k], Vh[..., :k, :]
            gU, gVh = gU[..., :, :k], gVh[..., :k, :]
        return _svd_grad(U, Sv, Vh, gU, gS, gVh, m, n, k)


def _svd_grad(U, s, Vh, gU, gS, gVh, m, n, k):
    """gA for A = U diag(s) Vh (reduced); gauge-invariant part as in torch's svd_backward."""
    from .comparison import where
    from .shape_more import diag_embed
    V = Vh.mH
    gV = gVh.mH
    sc = s.to(U.dtype)
    UhgU = matmul(U.mH, gU)
    VhgV = matmul(Vh, gV)
    s2 = s * s
    E = S.unsqueeze(s2, -2) - S.unsqueeze(s2, -1)   # E[i, j] = s_j^2 - s_i^2
    eye = _eye_like(s, k)
    E = where(eye == 1, eye, E).to(U.dtype)
    skU = (UhgU - UhgU.mH) / E
    skV = (VhgV - VhgV.mH) / E
    inner = skU * S.unsqueeze(sc, -2) + S.unsqueeze(sc, -1) * skV + diag_embed(gS.to(U.dtype))
    if U.is_complex():
        inner = inner + diag_embed(UhgU.diagonal(0, -2, -1).imag.to(U.dtype) * 1j) / \
            (2 * diag_embed(sc) + (1 - eye))
    gA = matmul(U, matmul(inner, Vh))
    if m > k:
        proj = gU - matmul(U, UhgU)
        gA = gA + matmul(proj / S.unsqueeze(sc, -2), Vh)
    if n > k:
        proj = gV - matmul(V, VhgV)
        gA = gA + matmul(U / S.unsqueeze(sc, -2), proj.mH)
    return gA


def svd(A, full_matrices=True, *, driver=None, out=None):
    """U, S, Vh with A = U diag(S) Vh."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _float('linalg.svd', A)
    outs = LinalgSvdBackward0.apply(A, full_matrices=full_matrices, compute_uv=True)
    _share_node(*outs)
    return _out(RT.linalg_svd(outs), out)


def svdvals(A, *, driver=None, out=None):
    """The singular values of A, in descending order."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _float('linalg.svdvals', A)
    return _out(LinalgSvdBackward0.apply(A, full_matrices=False, compute_uv=False), out)


def svd_legacy(input, some=True, compute_uv=True, *, out=None):
    """torch.svd (deprecated): returns U, S, V (not Vh)."""
    U, s, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        U, Vh = U.detach() * 0, Vh.detach() * 0
    return _out(RT.svd((U, s, Vh.mH)), out)


# ----- eigen ----------------------------------------------------------------------------------------

def _complex_dtype(dt):
    return np.complex128 if dt in (np.float64, np.complex128) else np.complex64


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of a general square matrix (complex results, no gradient)."""
    _square('linalg.eig', A)
    xp = array_module(A._data)
    w, v = xp.linalg.eig(A._data)
    cd = _complex_dtype(A._data.dtype)
    return _out(RT.linalg_eig((_wrap(w.astype(cd)), _wrap(v.astype(cd)))), out)


def eigvals(A, *, out=None):
    """Eigenvalues of a general square matrix (complex, no gradient)."""
    _square('linalg.eigvals', A)
    xp = array_module(A._data)
    return _out(_wrap(xp.linalg.eigvals(A._data).astype(_complex_dtype(A._data.dtype))), out)


class LinalgEighBackward0(Function):
    @staticmethod
    def forward(ctx, a, uplo, vectors):
        xp = array_module(a)
        rdt = a.real.dtype if a.dtype.kind == 'c' else a.dtype
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        ctx.vectors, ctx.uplo = vectors, uplo
        ctx.save_for_backward(w, v)
        if not vectors:
            return w.astype(rdt, copy=False)
        return w.astype(rdt, copy=False), v.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, *grads):
        from .comparison import where
        from .shape_more import diag_embed
        L, V = ctx.saved_tensors
        gL = grads[0]
        gV = grads[1] if ctx.vectors else None
        if not ctx.vectors:  # eigvalsh: take V from a differentiable eigh, for double backward
            L, V = eigh(ctx.a_in, ctx.uplo)
        k = L.shape[-1]
        eye = _eye_like(L, k)
        inner = diag_embed(gL.to(V.dtype))
        if gV is not None:
            VhgV = matmul(V.mH, gV)
            VhgV = 0.5 * (VhgV - VhgV.mH)
            E = S.unsqueeze(L, -2) - S.unsqueeze(L, -1)
            E = where(eye == 1, eye, E).to(V.dtype)
            inner = inner + VhgV / E * (1 - eye).to(V.dtype)
        return matmul(V, matmul(inner, V.mH))


def _uplo(uplo):
    if uplo not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def eigh(A, UPLO='L', *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix."""
    _square('linalg.eigh', A)
    _uplo(UPLO)
    outs = LinalgEighBackward0.apply(A, uplo=UPLO, vectors=True)
    _share_node(*outs)
    return _out(RT.linalg_eigh(outs), out)


def eigvalsh(A, UPLO='L', *, out=None):
    """Eigenvalues (ascending) of a Hermitian matrix."""
    _square('linalg.eigvalsh', A)
    _uplo(UPLO)
    r = LinalgEighBackward0.apply(A, uplo=UPLO, vectors=False)
    if r._grad_fn is not None:
        r._grad_fn.a_in = A
    return _out(r, out)


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


tensor_method('det')(det)
tensor_method('logdet')(logdet)
tensor_method('slogdet')(slogdet)
tensor_method('cholesky')(cholesky_legacy)
tensor_method('qr')(qr_legacy)
tensor_method('svd')(svd_legacy)
tensor_method('pinverse')(pinverse)
tensor_method('matrix_power')(matrix_power)
tensor_method('matrix_exp')(matrix_exp)
