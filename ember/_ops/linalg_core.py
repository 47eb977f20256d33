"""Matrix products (matmul/mm/bmm/mv/dot, addmm and the fused linear layer), inverse and diag.

`linear` is one primitive with a fused backward (`LinearBackwardFused`, itself differentiable):
the step of every MLP goes through it, so it is kept to one graph node each way.
"""
import numpy as np

from .. import _dtype as D
from .._argcheck import checks_own_input, not_tensor
from .._backend import array_module
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node as Function
from ._helpers import binary_operands
from ._fastmath import col_sums, dot as _dot, matmul as _matmul, mm as _mm2d

_ndarray = np.ndarray
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _shape_str(s):
    return 'x'.join(str(d) for d in s)


def _check_mm(a, b):
    if a.shape[-1] != b.shape[-2 if b.ndim >= 2 else 0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")


class MmBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (mm(grad, b.mT) if n[0] else None), (mm(a.mT, grad) if n[1] else None)


class MatmulBackward(Function):
    """Broadcast (batched) matmul, 1-D operands included; the engine undoes batch broadcasting."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        a1, b1 = a.ndim == 1, b.ndim == 1
        A = a.unsqueeze(0) if a1 else a
        B = b.unsqueeze(-1) if b1 else b
        g = grad
        if a1:
            g = g.unsqueeze(-2)
        if b1:
            g = g.unsqueeze(-1)
        ga = gb = None
        if n[0]:
            ga = matmul(g, B.mT)
            if a1:
                ga = ga.squeeze(-2)
        if n[1]:
            gb = matmul(A.mT, g)
            if b1:
                gb = gb.squeeze(-1)
        return ga, gb


class DotBackward0(MatmulBackward):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (grad * b.conj() if n[0] else None), (grad * a.conj() if n[1] else None)


class MvBackward0(MatmulBackward):
    pass


class BmmBackward0(MatmulBackward):
    pass


class UnsafeViewBackward0(MatmulBackward):
    """Name torch gives batched matmul results (they are folded into one bmm and viewed back)."""


class SqueezeBackward4(MatmulBackward):
    """Name torch gives the result of a 1-D @ 2-D matmul."""


class CloneBackward0(MatmulBackward):
    """Name torch gives the result of a 2-D @ batched matmul (computed transposed, then copied)."""


def matmul(input, other, *, out=None):
    """Matrix product with torch's broadcasting and 1-D rules."""
    a, b = input, other
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(b if isinstance(a, Tensor) else a).__name__}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
                           if a._data.ndim == 2 and b._data.ndim == 2 else
                           f"expected scalar type {_tn(a.dtype)} but found {_tn(b.dtype)}")
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and "
                           f"{nb}D")
    sa, sb = a._data.shape, b._data.shape
    if na == 2 and nb == 2:
        _check_mm(a._data, b._data)
        r = MmBackward0.apply(a, b)
    elif na == 1 and nb == 1:
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] "
                               f"to have the same number of elements, but got {sa[0]} and {sb[0]} "
                               "elements respectively")
        r = DotBackward0.apply(a, b)
    elif na == 2 and nb == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_shape_str(sa)}), vec "
                               f"({sb[0]})")
        r = MvBackward0.apply(a, b)
    else:
        k_a = sa[-1]
        k_b = sb[-2] if nb >= 2 else sb[0]
        if k_a != k_b:
            if na >= 2 and nb >= 2 and (na > 2 or nb > 2):
                raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                                   f"[{sa[0] if na == 3 else '...'}, {k_a}] but got: "
                                   f"[{sb[0] if nb == 3 else '...'}, {k_b}].")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa[-2:] if na > 1 else (1,) + sa)} and "
                               f"{_shape_str(sb[-2:] if nb > 1 else sb)})")
        try:
            if na == 1 and nb == 2:
                r = SqueezeBackward4.apply(a, b)
            elif na == 2:
                r = CloneBackward0.apply(a, b)
            else:
                r = UnsafeViewBackward0.apply(a, b)
        except ValueError:
            from ._helpers import broadcast_shapes_msg
            raise RuntimeError(broadcast_shapes_msg(sa[:-2], sb[:-2])) from None
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def _tn(d):
    from .reduction import _type_name
    return _type_name(d)


def mm(input, mat2, *, out=None):
    """2-D matrix product."""
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != "
                           f"{mat2.dtype}")
    _check_mm(input._data, mat2._data)
    r = MmBackward0.apply(input, mat2)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def bmm(input, mat2, *, out=None):
    """Batched 3-D matrix product (no broadcasting)."""
    if input._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    sa, sb = input._data.shape, mat2._data.shape
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    return BmmBackward0.apply(input, mat2)


def mv(input, vec, *, out=None):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec, out=out)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{tensor._data.ndim}D tensors")
    return matmul(input, tensor, out=out)


class AddmmBackward0(Function):
    """bias + x @ W.T for a 2-D x: the linear layer as one node."""

    _exact_input_grads = True  # (see Node: gradients match the inputs' shape and dtype)

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        dt = x.dtype
        if (dt is _F32 or dt is _F64) and w.dtype is dt and type(x) is _ndarray:
            out = _dot(x, w.T)  # (_mm2d's fast case, inlined)
        else:
            out = _mm2d(x, w.T)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        return LinearBackwardFused.apply(grad, x, w, need=n)

    @staticmethod
    def backward_arrays(ctx, g):
        x, w = ctx.saved_arrays()
        return _linear_grads(g, x, w, ctx.needs_input_grad)


def _linear_grads(g, x, w, need):
    """(g @ W, g.T @ x, column sums of g) on arrays, each only where `need` asks for it."""
    dt = g.dtype
    if (dt is _F32 or dt is _F64) and x.dtype is dt and w.dtype is dt and type(g) is _ndarray:
        # the common case, with _mm2d's checks done once for the three products
        gb = col_sums(g) if len(need) > 2 and need[2] else None
        return (_dot(g, w) if need[0] else None), (_dot(g.T, x) if need[1] else None), gb
    gx = _mm2d(g, w) if need[0] else None
    gw = _mm2d(g.T, x) if need[1] else None
    # column sums through BLAS: much faster than sum(axis=0) over a tall, narrow matrix
    gb = col_sums(g) if len(need) > 2 and need[2] else None
    return gx, gw, gb


class LinearBackwardFused(Function):
    """(grad @ W, grad.T @ x, grad.sum(0)) in one node; differentiable for double backward."""

    @staticmethod
    def forward(ctx, g, x, w, need):
        ctx.save_for_backward(g, x, w)
        ctx.need = need
        return _linear_grads(g, x, w, need)

    @staticmethod
    def backward(ctx, ggx, ggw, ggb):
        g, x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        dg = dx = dw = None
        if n[0]:  # (a product not formed in the forward, e.g. the bias's, brings no term)
            for term in (None if ggx is None else mm(ggx, w.t()),
                         None if ggw is None else mm(x, ggw.t()),
                         None if ggb is None else ggb.expand(g.shape)):
                if term is not None:
                    dg = term if dg is None else dg + term
        if n[1] and ggw is not None:
            dx = mm(g, ggw)
        if n[2] and ggx is not None:
            dw = mm(g.t(), ggx)
        return dg, dx, dw


@checks_own_input
def linear(input, weight, bias=None):
    """y = input @ weight.T + bias."""
    try:
        a, w = input._data, weight._data
    except AttributeError:  # (every Linear layer calls this: no argument-check wrapper)
        if not isinstance(input, Tensor):
            raise not_tensor('linear', input) from None
        raise not_tensor('linear', weight, 'weight', 2) from None
    dt = a.dtype
    if w.dtype is not dt and w.dtype != dt:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tn(input.dtype)} and "
                           f"{_tn(weight.dtype)}")
    ws = w.shape
    if bias is None:
        row_bias = True
    else:
        if bias._data.dtype is not dt and bias._data.dtype != dt:
            bias = bias.to(input.dtype)
        # one fused node when the bias is a row of out_features values (or absent); any other
        # bias shape broadcasts through the general ops below, which reduce its gradient
        row_bias = bias._data.shape == ws[:1]
    if len(ws) == 2:
        xs = a.shape
        if len(xs) == 2:
            if xs[1] != ws[1]:
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                                   f"({_shape_str(xs)} and {_shape_str(ws[::-1])})")
            if row_bias:
                return AddmmBackward0.apply(input, weight, bias)
        elif len(xs) > 2:
            if xs[-1] != ws[1]:
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                                   f"({_shape_str((-1 if 0 in xs else _prod(xs[:-1]), xs[-1]))} "
                                   f"and {_shape_str(ws[::-1])})")
            if row_bias:
                x2 = input.reshape(-1, xs[-1])
                return AddmmBackward0.apply(x2, weight, bias).view(*xs[:-1], ws[0])
    out = matmul(input, weight.t())
    # the bias takes the output's shape (torch's addmm expands it; it never widens the output)
    return out + bias.expand(out.shape) if bias is not None else out


def _prod(s):
    n = 1
    for d in s:
        n *= d
    return n


class _Addmm(Function):
    """beta * input + alpha * (mat1 @ mat2) as one node (torch names it AddmmBackward0 too)."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha, ctx.c_shape = beta, alpha, c.shape
        out = _matmul(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            try:
                out = out + (c * beta if beta != 1 else c)
            except ValueError:
                from .shape import expanded_shape
                expanded_shape(c.shape, out.shape)  # raises torch's expand error for input
                raise
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        al = ctx.alpha
        gc = (grad * ctx.beta if ctx.beta != 1 else grad) if n[0] else None
        ga = mm(grad, b.mT) if n[1] else None
        gb = mm(a.mT, grad) if n[2] else None
        if al != 1:
            ga = ga * al if ga is not None else None
            gb = gb * al if gb is not None else None
        return gc, ga, gb


_Addmm.__name__ = _Addmm.__qualname__ = 'AddmmBackward0'


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError(f"{'mat1' if mat1._data.ndim != 2 else 'mat2'} must be a matrix, got "
                           f"{(mat1 if mat1._data.ndim != 2 else mat2)._data.ndim}-D tensor")
    _check_mm(mat1._data, mat2._data)
    dt = mat1._data.dtype
    if mat2._data.dtype != dt or input._data.dtype != dt:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {mat1.dtype} != "
                           f"{mat2.dtype if mat2._data.dtype != dt else input.dtype}")
    res = _Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, res)
    return res


class LinalgInvExBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
            raise RuntimeError(f"linalg.inv: A must be batches of square matrices, but they are "
                               f"{a.shape[-2] if a.ndim >= 2 else a.shape[-1]} by {a.shape[-1]} matrices")
        if a.dtype.kind not in 'fc':
            raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. Got "
                               f"{_tn(D.from_numpy(a.dtype))}")
        try:
            out = xp.linalg.inv(a)
        except Exception:
            raise RuntimeError("linalg.inv: The diagonal element 2 is zero, the inversion could not be "
                               "completed because the input matrix is singular.") from None
        ctx.save_for_backward(out)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        inv, = ctx.saved_tensors
        invh = inv.mT.conj()
        return -matmul(matmul(invh, grad), invh)


def inverse(input, *, out=None):
    """Matrix inverse (batched)."""
    r = LinalgInvExBackward0.apply(input)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


class DiagBackward0(Function):
    @staticmethod
    def forward(ctx, a, diagonal):
        ctx.in_shape, ctx.k = a.shape, diagonal
        xp = array_module(a)
        if a.ndim == 1:
            return xp.diag(a, diagonal)
        return xp.diagonal(a, diagonal).copy()  # a copy: the (possibly huge) matrix can be freed

    @staticmethod
    def backward(ctx, grad):
        if len(ctx.in_shape) == 1:
            return DiagBackward0.apply(grad, diagonal=ctx.k)
        return _DiagEmbedTo.apply(grad, shape=ctx.in_shape, k=ctx.k)


class _DiagEmbedTo(Function):
    """Place a vector on diagonal k of a zero matrix of `shape` (diag's adjoint for 2-D input)."""

    @staticmethod
    def forward(ctx, v, shape, k):
        xp = array_module(v)
        out = xp.zeros(shape, v.dtype)
        n = v.shape[0]
        if n:
            r = xp.arange(n)
            if k >= 0:
                out[r, r + k] = v
            else:
                out[r - k, r] = v
        ctx.k = k
        return out

    @staticmethod
    def backward(ctx, grad):
        return DiagBackward0.apply(grad, diagonal=ctx.k)


def diag(input, diagonal=0, *, out=None):
    """1-D -> a diagonal matrix; 2-D -> its diagonal."""
    if input._data.ndim not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{input._data.ndim}D")
    r = DiagBackward0.apply(input, diagonal=diagonal)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def _matmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


tensor_method('matmul')(matmul)
tensor_method('mm')(mm)
tensor_method('bmm')(bmm)
tensor_method('mv')(mv)
tensor_method('dot')(dot)
tensor_method('addmm')(addmm)
tensor_method('inverse')(inverse)
tensor_method('diag')(diag)
Tensor.__matmul__ = _matmul_op
Tensor.__rmatmul__ = _rmatmul_op
