"""Products beyond matmul: vdot, inner, outer/ger, addmv/addr/addbmm/baddbmm, einsum, tensordot,
kron, cross, cdist and multi_dot.

The fused `add*` ops are one node each (torch's grad_fn names); einsum/tensordot/kron are
compositions of permute/reshape/matmul, as in torch, so their gradients come for free.
"""
import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from . import shape as S
from .linalg_core import matmul, mm, bmm, mv, dot
from ._fastmath import matmul as _matmul
from .reduction import _type_name
from ._opargs import out_result as _out


def _lst(s):
    return '[' + ', '.join(str(d) for d in s) + ']'


def _same_dtype(name, a, b, what='expected both vectors to have same dtype'):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{name} : {what}, but found {_type_name(a.dtype)} and {_type_name(b.dtype)}")


class VdotBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).asarray(array_module(a).vdot(a, b), dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (b * grad.conj() if n[0] else None), (a * grad if n[1] else None)


def vdot(input, other, *, out=None):
    """sum(conj(input) * other) of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D "
                           "tensors")
    _same_dtype('vdot', input, other)
    if input._data.shape != other._data.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")
    return _out(VdotBackward0.apply(input, other), out)


def outer(input, vec2, *, out=None):
    """The outer product of two 1-D tensors."""
    for name, t in (('self', input), ('vec2', vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return _out(S.unsqueeze(input, 1) * vec2, out)


ger = outer


def inner(input, other, *, out=None):
    """Sum-product over the last dimension of both inputs (a scalar times a tensor for 0-d)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(input * other, out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{_lst(input._data.shape)} and {_lst(other._data.shape)}")
    return _out(tensordot(input, other, ([-1], [-1])), out)


# ----- fused multiply-adds -------------------------------------------------------------------

def _scale(x, s):
    return x if s == 1 else x * s


def _fused_add(ctx, c, x, y, r, beta, alpha):
    """beta * c + alpha * r, where r is the product of x and y (saved for the backward); c is
    ignored when beta == 0, as in torch, so NaN/inf in it do not leak through."""
    ctx.beta, ctx.alpha = beta, alpha
    ctx.save_for_backward(x, y)
    if alpha != 1:
        r = r * alpha
    return r if beta == 0 else r + (c if beta == 1 else c * beta)


class AddmvBackward0(Function):
    @staticmethod
    def forward(ctx, c, m, v, beta, alpha):
        return _fused_add(ctx, c, m, v, _matmul(m, v), beta, alpha)

    @staticmethod
    def backward(ctx, grad):
        m, v = ctx.saved_tensors
        n = ctx.needs_input_grad
        gc = _scale(grad, ctx.beta) if n[0] else None
        gm = _scale(S.unsqueeze(grad, 1) * v.conj(), ctx.alpha) if n[1] else None
        gv = _scale(mv(m.mH, grad), ctx.alpha) if n[2] else None
        return gc, gm, gv


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    if mat._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {mat._data.ndim}, "
                           f"{vec._data.ndim}")
    if mat._data.shape[1] != vec._data.shape[0] or (input._data.ndim and input._data.shape[-1] not in
                                                    (1, mat._data.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), "
                           f"mat ({mat._data.shape[0]}x{mat._data.shape[1]}), vec ({vec._data.shape[0]})")
    return _out(AddmvBackward0.apply(input, mat, vec, beta=beta, alpha=alpha), out)


class AddrBackward0(Function):
    @staticmethod
    def forward(ctx, c, v1, v2, beta, alpha):
        return _fused_add(ctx, c, v1, v2, array_module(v1).outer(v1, v2), beta, alpha)

    @staticmethod
    def backward(ctx, grad):
        v1, v2 = ctx.saved_tensors
        n = ctx.needs_input_grad
        gc = _scale(grad, ctx.beta) if n[0] else None
        g1 = _scale(mv(grad, v2.conj()), ctx.alpha) if n[1] else None
        g2 = _scale(mv(grad.mH, v1).conj(), ctx.alpha) if n[2] else None
        return gc, g1, g2


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D")
    return _out(AddrBackward0.apply(input, vec1, vec2, beta=beta, alpha=alpha), out)


def _check_bmm(b1, b2):
    if b1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = b1._data.shape, b2._data.shape
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, "
                           f"{sa[2]}] but got: [{sb[0]}, {sb[1]}].")


class BaddbmmBackward0(Function):
    @staticmethod
    def forward(ctx, c, b1, b2, beta, alpha):
        return _fused_add(ctx, c, b1, b2, _matmul(b1, b2), beta, alpha)

    @staticmethod
    def backward(ctx, grad):
        b1, b2 = ctx.saved_tensors
        n = ctx.needs_input_grad
        gc = _scale(grad, ctx.beta) if n[0] else None
        g1 = _scale(bmm(grad, b2.mH), ctx.alpha) if n[1] else None
        g2 = _scale(bmm(b1.mH, grad), ctx.alpha) if n[2] else None
        return gc, g1, g2


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    _check_bmm(batch1, batch2)
    return _out(BaddbmmBackward0.apply(input, batch1, batch2, beta=beta, alpha=alpha), out)


class AddbmmBackward0(Function):
    @staticmethod
    def forward(ctx, c, b1, b2, beta, alpha):
        return _fused_add(ctx, c, b1, b2, _matmul(b1, b2).sum(axis=0), beta, alpha)

    @staticmethod
    def backward(ctx, grad):
        b1, b2 = ctx.saved_tensors
        n = ctx.needs_input_grad
        gc = _scale(grad, ctx.beta) if n[0] else None
        g = S.expand(S.unsqueeze(grad, 0), (b1.shape[0],) + tuple(grad.shape))
        g1 = _scale(bmm(g, b2.mH), ctx.alpha) if n[1] else None
        g2 = _scale(bmm(b1.mH, g), ctx.alpha) if n[2] else None
        return gc, g1, g2


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    _check_bmm(batch1, batch2)
    return _out(AddbmmBackward0.apply(input, batch1, batch2, beta=beta, alpha=alpha), out)


# ----- tensordot / einsum / kron --------------------------------------------------------------

def tensordot(a, b, dims=2, out=None):
    """Sum-product of a and b over the given dims (an int: the last/first `dims` of each)."""
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(na - dims, na))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, (int, np.integer)) else list(da)
        db = [db] if isinstance(db, (int, np.integer)) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [_wrap_dim(d, na) for d in da]
    db = [_wrap_dim(d, nb) for d in db]
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[x] != sb[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa[x]} in dim "
                               f"{x} and second has size {sb[y]} in dim {y}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(a.dtype)} but found {_type_name(b.dtype)}")
    fa = [d for d in range(na) if d not in da]
    fb = [d for d in range(nb) if d not in db]
    k = int(np.prod([sa[d] for d in da])) if da else 1
    ma = int(np.prod([sa[d] for d in fa])) if fa else 1
    mb = int(np.prod([sb[d] for d in fb])) if fb else 1
    A = S.reshape(S.permute(a, fa + da), (ma, k))
    B = S.reshape(S.permute(b, db + fb), (k, mb))
    r = S.reshape(mm(A, B), tuple(sa[d] for d in fa) + tuple(sb[d] for d in fb))
    return _out(r, out)


def _parse_einsum(eq, operands):
    eq = eq.replace(' ', '')
    if '->' in eq:
        lhs, rhs = eq.split('->')
    else:
        lhs, rhs = eq, None
    terms = lhs.split(',')
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = iter(c for c in 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' if c not in used)
    ell_n = 0
    for t, op in zip(terms, operands):
        if '...' in t:
            ell_n = max(ell_n, op._data.ndim - (len(t) - 3))
    ell = ''.join(next(spare) for _ in range(ell_n))
    out_terms = []
    for i, (t, op) in enumerate(zip(terms, operands)):
        if '...' in t:
            k = op._data.ndim - (len(t) - 3)
            t = t.replace('...', ell[ell_n - k:] if k else '')
        for c in t:
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the "
                                   "equation string, subscripts must be in [a-zA-Z]")
        if len(t) != op._data.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not "
                               f"match the number of dimensions ({op._data.ndim}) for operand {i} and no "
                               "ellipsis was given")
        out_terms.append(t)
    if rhs is None:
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + ''.join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace('...', ell)
    return out_terms, rhs


def einsum(equation, *operands):
    """Einstein summation, e.g. einsum('bij,bjk->bik', a, b); broadcasting via '...'."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, rhs = _parse_einsum(equation, operands)
    sizes = {}
    ops = []
    for i, (t, op) in enumerate(zip(terms, operands)):
        for c, n in zip(t, op._data.shape):
            if c in sizes and sizes[c] != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                                   f"broadcast with previously seen size {sizes[c]}")
            sizes[c] = max(sizes.get(c, 1), n) if c in sizes else n
        ops.append(_einsum_prepare(op, t, rhs, terms, i))
    dt = ops[0][0].dtype
    for x, _ in ops[1:]:
        dt = D.promote_types(dt, x.dtype)
    ops = [(x if x.dtype is dt else x.to(dt), t) for x, t in ops]
    x, t = ops[0]
    for k in range(1, len(ops)):
        y, u = ops[k]
        later = set(''.join(tt for _, tt in ops[k + 1:]))
        x, t = _contract(x, t, y, u, set(rhs) | later)
    # sum out what is left, then order as rhs
    drop = [i for i, c in enumerate(t) if c not in rhs]
    if drop:
        x = x.sum(tuple(drop))
        t = ''.join(c for c in t if c in rhs)
    if t != rhs:
        x = S.permute(x, [t.index(c) for c in rhs])
    return x


def _einsum_prepare(op, t, rhs, terms, i):
    """Take diagonals of repeated subscripts and sum out subscripts no one else needs."""
    from .shape_more import diagonal
    while len(set(t)) != len(t):
        c = next(c for c in t if t.count(c) > 1)
        i1 = t.index(c)
        i2 = t.index(c, i1 + 1)
        op = diagonal(op, 0, i1, i2)
        t = ''.join(ch for k, ch in enumerate(t) if k not in (i1, i2)) + c
    others = set(rhs) | set(''.join(tt for k, tt in enumerate(terms) if k != i))
    drop = [k for k, c in enumerate(t) if c not in others]
    if drop:
        op = op.sum(tuple(drop))
        t = ''.join(c for c in t if c in others)
    return op, t


def _contract(x, t, y, u, keep):
    """Contract two operands: shared subscripts not in `keep` are summed (through a matmul)."""
    shared = [c for c in t if c in u]
    summed = [c for c in shared if c not in keep]
    batch = [c for c in shared if c in keep]
    xo = [c for c in t if c not in u]
    yo = [c for c in u if c not in t]
    sx = dict(zip(t, x.shape))
    sy = dict(zip(u, y.shape))
    # broadcast size-1 batch dims against each other
    bs = [max(sx[c], sy[c]) for c in batch]
    X = S.permute(x, [t.index(c) for c in batch + xo + summed])
    Y = S.permute(y, [u.index(c) for c in batch + summed + yo])
    if any(sx[c] != sy[c] for c in summed):
        X = X.expand(*[sx[c] for c in batch + xo], *[max(sx[c], sy[c]) for c in summed])
        Y = Y.expand(*[sy[c] for c in batch], *[max(sx[c], sy[c]) for c in summed],
                     *[sy[c] for c in yo])
    nxo = int(np.prod([sx[c] for c in xo])) if xo else 1
    nyo = int(np.prod([sy[c] for c in yo])) if yo else 1
    ns = int(np.prod([max(sx[c], sy[c]) for c in summed])) if summed else 1
    X = S.reshape(X, tuple(sx[c] for c in batch) + (nxo, ns))
    Y = S.reshape(Y, tuple(sy[c] for c in batch) + (ns, nyo))
    r = matmul(X, Y)
    r = S.reshape(r, tuple(bs) + tuple(sx[c] for c in xo) + tuple(sy[c] for c in yo))
    return r, ''.join(batch + xo + yo)


def kron(input, other, *, out=None):
    """Kronecker product (dims are aligned from the right)."""
    n = max(input._data.ndim, other._data.ndim)
    a = S.reshape(input, (1,) * (n - input._data.ndim) + input._data.shape)
    b = S.reshape(other, (1,) * (n - other._data.ndim) + other._data.shape)
    sa, sb = a._data.shape, b._data.shape
    ia = []
    ib = []
    for d in range(n):
        ia += [sa[d], 1]
        ib += [1, sb[d]]
    prod = S.reshape(a, tuple(ia)) * S.reshape(b, tuple(ib))
    return _out(S.UnsafeViewBackward0.apply(prod, shape=tuple(x * y for x, y in zip(sa, sb))), out)


# ----- cross / cdist / multi_dot --------------------------------------------------------------

class LinalgCrossBackward0(Function):
    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return array_module(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        d = ctx.dim
        ga = LinalgCrossBackward0.apply(b.conj(), grad, dim=d) if n[0] else None
        gb = LinalgCrossBackward0.apply(grad, a.conj(), dim=d) if n[1] else None
        return ga, gb


def _cross(input, other, dim, name):
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    from ._helpers import broadcast_shapes_msg
    msg = broadcast_shapes_msg(input._data.shape, other._data.shape)
    if msg:
        raise RuntimeError(msg)
    shape = tuple(np.broadcast_shapes(input._data.shape, other._data.shape))
    d = _wrap_dim(dim, len(shape))
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {d} must have length 3. Got "
                           f"{input._data.shape[d]} and {other._data.shape[d]}")
    if input._data.dtype != other._data.dtype:
        dt = D.promote_types(input.dtype, other.dtype)
        input, other = input.to(dt), other.to(dt)
    a = input if input._data.shape == shape else S.expand(input, shape)
    b = other if other._data.shape == shape else S.expand(other, shape)
    return LinalgCrossBackward0.apply(a, b, dim=d)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along `dim` (inputs broadcast)."""
    return _out(_cross(input, other, dim, 'linalg.cross'), out)


def cross(input, other, dim=None, *, out=None):
    """Cross product along `dim` (default: the first dimension of size 3)."""
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                      "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
                      "dim will change to agree with that of linalg.cross in a future release.",
                      UserWarning, stacklevel=2)
        shape = tuple(np.broadcast_shapes(input._data.shape, other._data.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return _out(_cross(input, other, dim, 'linalg.cross'), out)


class CdistBackward0(Function):
    @staticmethod
    def forward(ctx, x1, x2, p):
        xp = array_module(x1)
        diff = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            out = (diff != 0).sum(-1).astype(x1.dtype)
        elif p == np.inf:
            out = diff.max(-1) if diff.shape[-1] else diff.sum(-1)
        elif p == 1:
            out = diff.sum(-1)
        elif p == 2:
            out = xp.sqrt((diff * diff).sum(-1))
        else:
            out = (diff ** p).sum(-1) ** (1.0 / p)
        ctx.p = p
        ctx.save_for_backward(x1, x2, out)
        return out.astype(x1.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        from .unary import sgn, abs as _abs
        x1, x2, d = ctx.saved_tensors
        p = ctx.p
        diff = S.unsqueeze(x1, -2) - S.unsqueeze(x2, -3)
        dd = S.unsqueeze(d, -1)
        if p == 0:
            w = diff * 0
        elif p == 1:
            w = sgn(diff)
        elif p == np.inf:
            w = sgn(diff) * (_abs(diff) == dd).to(diff.dtype)
        else:
            safe = where(dd == 0, dd + 1, dd)
            w = where(dd == 0, diff * 0, sgn(diff) * (_abs(diff) / safe) ** (p - 1))
        gw = S.unsqueeze(grad, -1) * w
        n = ctx.needs_input_grad
        return (gw.sum(-2) if n[0] else None), (-gw.sum(-3) if n[1] else None)


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """p-norm distances between each row of x1 and each row of x2 (batched)."""
    if x1._data.ndim < 2 or x2._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1._data.shape[-1]} "
                           f"X2: {x2._data.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if x1._data.dtype.kind != 'f':
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {_type_name(x1.dtype)}")
    b1, b2 = x1._data.shape[:-2], x2._data.shape[:-2]
    if b1 != b2:
        b = tuple(np.broadcast_shapes(b1, b2))
        x1 = S.expand(x1, b + x1._data.shape[-2:])
        x2 = S.expand(x2, b + x2._data.shape[-2:])
    return CdistBackward0.apply(x1, x2, p=float(p))


def multi_dot(tensors, *, out=None):
    """The chained product of matrices (first/last may be 1-D) in the cheapest order."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        nd = t._data.ndim
        if (i in (0, len(ts) - 1) and nd not in (1, 2)) or (0 < i < len(ts) - 1 and nd != 2):
            raise RuntimeError(f"multi_dot(): {'the first' if i == 0 else 'the last' if i == len(ts) - 1 else 'the middle'} "
                               f"tensor{'s' if 0 < i < len(ts) - 1 else ''} must be "
                               f"{'1D or 2D' if i in (0, len(ts) - 1) else '2D'} but got {nd}D")
    first1 = ts[0]._data.ndim == 1
    last1 = ts[-1]._data.ndim == 1
    if first1:
        ts[0] = S.unsqueeze(ts[0], 0)
    if last1:
        ts[-1] = S.unsqueeze(ts[-1], 1)
    for i in range(len(ts) - 1):
        if ts[i]._data.shape[1] != ts[i + 1]._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{_lst(tensors[i]._data.shape)} and {_lst(tensors[i + 1]._data.shape)} "
                               "cannot be multiplied")
    dims = [t._data.shape[0] for t in ts] + [ts[-1]._data.shape[1]]
    n = len(ts)
    # classic matrix-chain order
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def prod(i, j):
        if i == j:
            return ts[i]
        k = split[i][j]
        return mm(prod(i, k), prod(k + 1, j))
    r = prod(0, n - 1)
    shape = tuple(r._data.shape)
    if first1:
        shape = shape[1:]
    if last1:
        shape = shape[:-1]
    return _out(S.view(r, shape), out)


def _kron_method(self, other):
    return kron(self, other)


tensor_method('vdot')(vdot)
tensor_method('outer', 'ger')(outer)
tensor_method('inner')(inner)
tensor_method('addmv')(addmv)
tensor_method('addr')(addr)
tensor_method('baddbmm')(baddbmm)
tensor_method('addbmm')(addbmm)
tensor_method('kron')(_kron_method)
tensor_method('cross')(cross)


def _install_inplace():
    from .inplace import make_inplace
    from .linalg_core import addmm
    for name, fn in (('addmv_', addmv), ('addr_', addr), ('baddbmm_', baddbmm),
                     ('addbmm_', addbmm), ('addmm_', addmm)):
        setattr(Tensor, name, make_inplace(fn, name))


_install_inplace()
