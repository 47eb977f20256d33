"""Ready-made parametrizations (torch.nn.utils.parametrizations): weight_norm, spectral_norm and
orthogonal, each registered through `parametrize.register_parametrization`."""
import math
from enum import Enum, auto

import numpy as np

from ..._backend import array_module, to_numpy
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _default_dim, matrix_view, normalize_into, random_unit
from .weight_norm import norm_except_dim, weight_norm_fn

__all__ = ['orthogonal', 'spectral_norm', 'weight_norm']


# ----- weight norm -------------------------------------------------------------------------------

class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_fn(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name='weight', dim=0):
    """weight = g * v / ||v|| with g = `parametrizations.<name>.original0`, v = `original1`."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                     error_msgs):
        # state_dicts written with the classic hook (`<name>_g`, `<name>_v`) still load
        g_key, v_key = f'{prefix}{name}_g', f'{prefix}{name}_v'
        if g_key in state_dict and v_key in state_dict:
            state_dict[f'{prefix}parametrizations.{name}.original0'] = state_dict.pop(g_key)
            state_dict[f'{prefix}parametrizations.{name}.original1'] = state_dict.pop(v_key)
    module._register_load_state_dict_pre_hook(_compat_hook)
    return module


# ----- spectral norm -----------------------------------------------------------------------------

class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with no_grad():
                mat = self._reshape_weight_to_matrix(weight)
                h, w = mat.shape
                self.register_buffer('_u', random_unit(h, weight, eps))
                self.register_buffer('_v', random_unit(w, weight, eps))
                self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        return matrix_view(weight, self.dim)

    def _power_method(self, mat, n_power_iterations):
        m = mat._data
        for _ in range(n_power_iterations):
            normalize_into(self._u, m @ self._v._data, self.eps)
            normalize_into(self._v, m.conj().T @ self._u._data, self.eps)

    def forward(self, weight):
        if weight.ndim == 1:
            n = (weight * weight).sum().sqrt().clamp_min(self.eps)
            return weight / n
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        from ... import dot, mv
        sigma = dot(self._u.clone(), mv(mat, self._v.clone()))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """weight = W / sigma(W), sigma by power iteration (buffers `parametrizations.<name>.0._u/_v`)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# ----- orthogonal --------------------------------------------------------------------------------

class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _eye(n, like):
    xp = array_module(like._data)
    return _wrap(xp.eye(n, dtype=like._data.dtype))


def _matrix_exp(a):
    """exp(A) of a batch of square matrices, differentiable: scaling and squaring of a Taylor
    polynomial, all in matmuls (ember.matrix_exp is used when the core provides it)."""
    import ember
    if hasattr(ember, 'matrix_exp'):
        return ember.matrix_exp(a)
    norm = float(array_module(a._data).abs(a._data).sum(-1).max()) if a.numel() else 0.0
    s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    x = a / (2.0 ** s) if s else a
    n = a.shape[-1]
    result = _eye(n, a) + x
    term = x
    for k in range(2, 19):
        term = (term @ x) / k
        result = result + term
    for _ in range(s):
        result = result @ result
    return result


def _householder_product(a, tau):
    """Q = H_1 ... H_k (first n columns of the n x n product), H_i = I - tau_i v_i v_i^H."""
    n, k = a.shape[-2], a.shape[-1]
    xp = array_module(a._data)
    q = _eye(n, a)
    if a.ndim > 2:
        q = q.expand(*a.shape[:-2], n, n)
    rows = xp.arange(n)
    for i in range(k):
        below = _wrap((rows > i).astype(a._data.dtype))
        unit = _wrap((rows == i).astype(a._data.dtype))
        v = a[..., :, i] * below + unit                 # (..., n): 1 at i, A's column below
        qv = (q @ v.unsqueeze(-1))                      # (..., n, 1)
        q = q - (qv * tau[..., i:i + 1].unsqueeze(-1)) @ v.unsqueeze(-2).conj()
    return q[..., :, :k]


def _qr_numpy(a):
    """(Q, R) of a tall matrix (batched) on the host."""
    return np.linalg.qr(a)


def _make_orthogonal(q):
    """Q factor of q's QR with diag(R) made non-negative (no graph)."""
    a = q._data
    xp = array_module(a)
    Q, R = _qr_numpy(to_numpy(a))
    d = np.diagonal(R, axis1=-2, axis2=-1)
    sgn = np.where(d == 0, 1, d / np.where(d == 0, 1, np.abs(d)))
    Q = Q * sgn[..., None, :]
    return _wrap(xp.asarray(Q.astype(a.dtype)))


def _is_orthogonal(q):
    n, k = q.shape[-2], q.shape[-1]
    a = q._data
    xp = array_module(a)
    eps = 10.0 * n * np.finfo(a.dtype).eps
    return bool(xp.allclose(xp.swapaxes(a.conj(), -1, -2) @ a, xp.eye(k, dtype=a.dtype), atol=eps))


def _geqrf(a):
    """LAPACK geqrf's output for a tall matrix: reflectors below the diagonal, R on and above it,
    and tau (H_i = I - tau_i v_i v_i^T, v_i[i] = 1)."""
    a = np.array(a, copy=True)
    n, k = a.shape[-2], a.shape[-1]
    tau = np.zeros(a.shape[:-2] + (k,), a.dtype)
    flat = a.reshape(-1, n, k)
    tflat = tau.reshape(-1, k)
    for b in range(flat.shape[0]):
        m = flat[b]
        for i in range(min(n, k)):
            x = m[i:, i]
            alpha = x[0]
            sigma = np.dot(x[1:], x[1:])
            if sigma == 0:
                tflat[b, i] = 0
                continue
            beta = -math.copysign(math.sqrt(alpha * alpha + sigma), alpha)
            tflat[b, i] = (beta - alpha) / beta
            v = x[1:] / (alpha - beta)
            w = m[i, i + 1:] + v @ m[i + 1:, i + 1:]
            m[i, i + 1:] -= tflat[b, i] * w
            m[i + 1:, i + 1:] -= tflat[b, i] * np.outer(v, w)
            m[i, i] = beta
            m[i + 1:, i] = v
    return flat.reshape(a.shape), tau


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer('base', None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                from ... import cat, zeros
                pad = zeros(*X.shape[:-1], n - k, dtype=X.dtype, device=X.device)
                X = cat([X, pad], -1)
            A = X - X.mT.conj()
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = _matrix_exp(A)
            else:
                eye = _eye(n, A)
                Q = (eye - A * 0.5).inverse() @ (eye + A * 0.5)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(-1)
            tau = 2.0 / (1.0 + (A * A).sum(-2))
            Q = _householder_product(A, tau)
            # the diagonal of X holds +-1 and is not trained: a constant, truncated like `.int()`
            xp = array_module(X._data)
            sign = _wrap(xp.trunc(xp.diagonal(X._data, axis1=-2, axis2=-1)))
            Q = Q * sign.unsqueeze(-2)
        if 'base' in self._buffers and self.base is not None:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with no_grad():
            if tuple(Q.shape) != tuple(self.shape):
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got "
                                 f"a tensor of shape {Q.shape}.")
            q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if 'base' not in self._buffers:
                if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                              "or the Cayley parametrizations when "
                                              "use_trivialization=False.")
                a, tau = _geqrf(to_numpy(Q._data))      # on the host: a few small reflections
                d = np.sign(np.diagonal(a, axis1=-2, axis2=-1)).copy()
                d[tau == 0.0] *= -1
                idx = np.arange(min(n, k))
                a[..., idx, idx] = d
                A = _wrap(array_module(Q._data).asarray(a))
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                from ... import cat, randn
                N = randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(cat([Q, N], -1))
            self.base = Q
            xp = array_module(q_init._data)
            neg = xp.zeros(q_init.shape, q_init._data.dtype)
            m = min(q_init.shape[-2], q_init.shape[-1])
            neg[..., np.arange(m), np.arange(m)] = -1
            return _wrap(neg)


def orthogonal(module, name='weight', orthogonal_map=None, *, use_trivialization=True):
    """Constrain `module.<name>` (a matrix or batch) to be orthogonal (or unitary)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = 'matrix_exp' if weight.shape[-2] == weight.shape[-1] or weight.is_complex() \
            else 'householder'
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f'Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
