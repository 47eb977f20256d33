"""Matrix decompositions and what is solved with them: inv, det/slogdet/logdet, solve, cholesky, qr,
svd/svdvals, eig/eigvals, eigh/eigvalsh (pinv, lstsq, matrix_rank, matrix_power, matrix_exp and the
norms are in `linalg_functions.py`).

Each differentiable decomposition is one node whose backward is written with ember ops (so double
backward works); forward uses the array module's LAPACK bindings.
"""
import numpy as np

from .. import return_types as RT
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap
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


tensor_method('det')(det)
tensor_method('logdet')(logdet)
tensor_method('slogdet')(slogdet)
tensor_method('cholesky')(cholesky_legacy)
tensor_method('qr')(qr_legacy)
tensor_method('svd')(svd_legacy)
