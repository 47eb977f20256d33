"""Masks and flat indices: masked_fill/select/scatter, take/take_along_dim, nonzero/argwhere and
count_nonzero (gather/scatter and index_* are in `scatter.py`).

As there, every gradient that scatters back into a zero tensor goes through
`indexing.IndexPutGrad`.
"""
import numpy as np

from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from .indexing import IndexPutGrad
from .reduction import _type_name
from ._opargs import out_result as _out
from .scatter import _pad_to, _scalar_like, gather


# ----- masked_* ---------------------------------------------------------------------------------

def _check_mask(mask, name):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        if name == 'masked_select':
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_type_name(mask.dtype).lower()}")


def _bshape(a, m):
    from ._helpers import broadcast_shapes_msg
    msg = broadcast_shapes_msg(a.shape, m.shape)
    if msg:
        raise RuntimeError(msg)
    return tuple(np.broadcast_shapes(a.shape, m.shape))


class MaskedFillBackward0(Function):
    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        xp = array_module(a)
        return xp.where(mask, _scalar_like(value, a), a)

    @staticmethod
    def backward(ctx, grad):
        return MaskedFillBackward0.apply(grad, _wrap(ctx.mask), value=0), None


class MaskedFillBackward1(Function):
    @staticmethod
    def forward(ctx, a, mask, v):
        ctx.mask = mask
        return array_module(a).where(mask, v.astype(a.dtype, copy=False), a)

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        n = ctx.needs_input_grad
        m = _wrap(ctx.mask)
        ga = MaskedFillBackward0.apply(grad, m, value=0) if n[0] else None
        gv = where(m, grad, grad * 0).sum() if n[2] else None
        return ga, None, gv


def masked_fill(input, mask, value):
    """input with `value` where mask is True (mask broadcasts)."""
    _check_mask(mask, 'masked_fill_')
    _bshape(mask._data, input._data)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
        return MaskedFillBackward1.apply(input, mask, value)
    return MaskedFillBackward0.apply(input, mask, value=value)


class MaskedSelectBackward0(Function):
    @staticmethod
    def forward(ctx, a, mask):
        xp = array_module(a)
        shape = tuple(np.broadcast_shapes(a.shape, mask.shape))
        m = xp.broadcast_to(mask, shape)
        ctx.mask, ctx.shape = m, shape
        return xp.broadcast_to(a, shape)[m]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad._data)
        z = _wrap(xp.zeros(ctx.shape, grad._data.dtype))
        return MaskedScatterBackward0.apply(z, _wrap(ctx.mask), grad), None


def masked_select(input, mask, *, out=None):
    """The elements where mask is True, as a 1-D tensor (input and mask broadcast)."""
    _check_mask(mask, 'masked_select')
    _bshape(input._data, mask._data)
    return _out(MaskedSelectBackward0.apply(input, mask), out)


class MaskedScatterBackward0(Function):
    @staticmethod
    def forward(ctx, a, mask, src):
        xp = array_module(a)
        shape = tuple(np.broadcast_shapes(a.shape, mask.shape))
        m = xp.broadcast_to(mask, shape)
        k = int(m.sum())
        if src.size < k:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        ctx.mask, ctx.src_shape, ctx.k = m, src.shape, k
        out = xp.broadcast_to(a, shape).copy()
        out[m] = src.reshape(-1)[:k]
        return out

    @staticmethod
    def backward(ctx, grad):
        n = ctx.needs_input_grad
        m = _wrap(ctx.mask)
        ga = MaskedFillBackward0.apply(grad, m, value=0) if n[0] else None
        gs = None
        if n[2]:
            sel = MaskedSelectBackward0.apply(grad, m)
            total = 1
            for s in ctx.src_shape:
                total *= s
            if total > ctx.k:
                sel = _pad_to(sel, (total,))
            gs = sel.reshape(ctx.src_shape)
        return ga, None, gs


def masked_scatter(input, mask, source):
    """input with the first elements of source copied, in order, to where mask is True."""
    _check_mask(mask, 'masked_scatter_')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_type_name(input.dtype)} and {_type_name(source.dtype)}")
    _bshape(input._data, mask._data)
    return MaskedScatterBackward0.apply(input, mask, source)


# ----- take / nonzero -----------------------------------------------------------------------------

class TakeBackward0(Function):
    @staticmethod
    def forward(ctx, a, ix):
        n = a.size
        if ix.size:
            lo, hi = int(ix.min()), int(ix.max())
            if lo < -n or hi >= n:
                raise IndexError(f"out of range: tried to access index {lo if lo < -n else hi} on a "
                                 f"tensor of {n} elements.")
        flat = (ix + n * (ix < 0)).reshape(-1)
        ctx.in_shape, ctx.flat, ctx.ix_shape = a.shape, flat, ix.shape
        return a.reshape(-1)[flat].reshape(ix.shape)

    @staticmethod
    def backward(ctx, grad):
        n = 1
        for s in ctx.in_shape:
            n *= s
        g = IndexPutGrad.apply(grad.reshape(-1), index=(ctx.flat,), shape=(n,), accumulate=True)
        return g.reshape(ctx.in_shape), None


def take(input, index):
    """Elements of the flattened input at `index` (result has index's shape)."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_type_name(index.dtype)}")
    return TakeBackward0.apply(input, index)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Gather along `dim` with indices broadcast against input (flattened when dim is None)."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be int64 but got "
                           f"{str(indices.dtype).replace('torch.', '')} instead")
    if dim is None:
        return _out(gather(input.reshape(-1), 0, indices.reshape(-1)), out)
    a, ix = input._data, indices._data
    if a.ndim != ix.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {a.ndim} dimensions for input, and {ix.ndim} dimensions "
                           f"for indices")
    d = _wrap_dim(dim, a.ndim)
    sa = list(a.shape)
    si = list(ix.shape)
    sa[d] = si[d] = 1
    from ._helpers import broadcast_shapes_msg
    msg = broadcast_shapes_msg(tuple(sa), tuple(si))
    if msg:
        raise RuntimeError(msg)
    b = tuple(np.broadcast_shapes(tuple(sa), tuple(si)))
    ea = b[:d] + (a.shape[d],) + b[d + 1:]
    ei = b[:d] + (ix.shape[d],) + b[d + 1:]
    x = input if a.shape == ea else input.expand(ea)
    i = indices if ix.shape == ei else indices.expand(ei)
    return _out(gather(x, d, i), out)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-D tensors."""
    a = input._data
    xp = array_module(a)
    if as_tuple:
        b = a.reshape(1) if a.ndim == 0 else a
        return tuple(_wrap(i.astype(np.int64)) for i in xp.nonzero(b))
    if a.ndim == 0:
        r = _wrap(xp.zeros((1 if bool(a) else 0, 0), np.int64))
    else:
        r = _wrap(xp.stack(xp.nonzero(a), axis=1).astype(np.int64))
    return _out(r, out)


def argwhere(input):
    """Indices of the non-zero elements, one row per element."""
    return nonzero(input)


def count_nonzero(input, dim=None):
    """Number of non-zero elements (over `dim`)."""
    from ._helpers import dims_arg
    a = input._data
    if dim is None:
        return _wrap(array_module(a).asarray(int(array_module(a).count_nonzero(a)), dtype=np.int64))
    dims = dims_arg(dim, a.ndim) if a.ndim else ()  # a 0-d tensor accepts dim 0 / -1
    return _wrap(array_module(a).asarray(array_module(a).count_nonzero(a, axis=dims)).astype(np.int64))


tensor_method('masked_fill')(masked_fill)
tensor_method('masked_select')(masked_select)
tensor_method('masked_scatter')(masked_scatter)
tensor_method('take')(take)
tensor_method('take_along_dim')(take_along_dim)
tensor_method('nonzero')(nonzero)
tensor_method('argwhere')(argwhere)
tensor_method('count_nonzero')(count_nonzero)


def _install_inplace():
    from .inplace import make_inplace
    for name, fn in (('masked_fill_', masked_fill), ('masked_scatter_', masked_scatter)):
        setattr(Tensor, name, make_inplace(fn, name))


_install_inplace()
