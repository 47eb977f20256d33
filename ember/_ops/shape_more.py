"""More shape ops: flip/roll/rot90, tril/triu, diagonal/diag_embed/diag/diagflat/trace,
repeat/tile/repeat_interleave, movedim/unflatten/broadcast_* (meshgrid, atleast_*d, block_diag,
cartesian_prod/combinations and tril/triu_indices are in `shape_combine.py`).

Ops that torch computes as views (diagonal, movedim, unflatten, broadcast_to...) return views here
too: they share memory and the version counter with their input.
"""
import numpy as np

from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from . import shape as S
from ._opargs import out_result as _out


def _int_tuple(x):
    if isinstance(x, (int, np.integer)) or (isinstance(x, Tensor) and x.ndim == 0):
        return (int(x),)
    return tuple(int(v) for v in x)


def _varargs(args):
    """f(1, 2) and f((1, 2)) both give (1, 2)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Tensor)) and not \
            (isinstance(args[0], Tensor) and args[0].ndim == 0):
        return _int_tuple(args[0])
    return _int_tuple(args)


def _check_dims_unique(dims, name):
    if len(set(dims)) != len(dims):
        d = next(x for x in dims if dims.count(x) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")


# ----- flip / roll / rot90 ------------------------------------------------------------------------

class FlipBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return array_module(a).flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, grad):
        return FlipBackward0.apply(grad, dims=ctx.dims)


def flip(input, *sizes, dims=None):
    """Reverse the order of elements along `dims` (a copy, as in torch)."""
    n = input._data.ndim
    dims = tuple(_wrap_dim(d, n) for d in _varargs(S._kw_sizes(sizes, dims, 'dims', 'flip')))
    _check_dims_unique(dims, 'flip')
    return FlipBackward0.apply(input, dims=dims)


def fliplr(input):
    """Flip left/right (dim 1); needs at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    """Flip up/down (dim 0); needs at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class RollBackward0(Function):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        xp = array_module(a)
        if dims is None:
            return xp.roll(a.reshape(-1), shifts[0]).reshape(a.shape)
        return xp.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return RollBackward0.apply(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


def roll(input, shifts, dims=None):
    """Rotate elements along dims by shifts (flattened when dims is None)."""
    shifts = _int_tuple(shifts)
    n = input._data.ndim
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return RollBackward0.apply(input, shifts=shifts, dims=None)
    dims = tuple(_wrap_dim(d, n) for d in _int_tuple(dims))
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return RollBackward0.apply(input, shifts=shifts, dims=dims)


class Rot90Backward0(Function):
    @staticmethod
    def forward(ctx, a, k, dims):
        ctx.k, ctx.dims = k, dims
        return array_module(a).rot90(a, k, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Rot90Backward0.apply(grad, k=-ctx.k, dims=ctx.dims)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of `dims`."""
    dims = _int_tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    return Rot90Backward0.apply(input, k=int(k) % 4, dims=(d0, d1))


# ----- triangles ------------------------------------------------------------------------------

class TrilBackward0(Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _tri(a, k, lower=True)

    @staticmethod
    def backward(ctx, grad):
        return TrilBackward0.apply(grad, k=ctx.k)


class TriuBackward0(Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _tri(a, k, lower=False)

    @staticmethod
    def backward(ctx, grad):
        return TriuBackward0.apply(grad, k=ctx.k)


def _tri(a, k, lower):
    xp = array_module(a)
    n, m = a.shape[-2:]
    r = xp.arange(n)[:, None]
    c = xp.arange(m)[None, :]
    keep = (c - r <= k) if lower else (c - r >= k)
    return xp.where(keep, a, xp.zeros((), a.dtype))


def _tri_check(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    """Lower triangle (elements on and below diagonal k), the rest zero."""
    _tri_check(input, 'tril')
    return _out(TrilBackward0.apply(input, k=int(diagonal)), out)


def triu(input, diagonal=0, *, out=None):
    """Upper triangle (elements on and above diagonal k), the rest zero."""
    _tri_check(input, 'triu')
    return _out(TriuBackward0.apply(input, k=int(diagonal)), out)


# ----- diagonals ------------------------------------------------------------------------------

def _diag_view(a, offset, d1, d2):
    """A writable strided view of diagonal `offset` of dims (d1, d2), moved to the last dim."""
    xp = array_module(a)
    nd = a.ndim
    rest = [i for i in range(nd) if i not in (d1, d2)]
    b = a.transpose(rest + [d1, d2])
    if offset >= 0:
        b = b[..., :, offset:] if offset <= b.shape[-1] else b[..., :, b.shape[-1]:]
    else:
        b = b[..., -offset:, :] if -offset <= b.shape[-2] else b[..., b.shape[-2]:, :]
    n = max(min(b.shape[-2], b.shape[-1]), 0)
    return xp.lib.stride_tricks.as_strided(b, shape=b.shape[:-2] + (n,),
                                           strides=b.strides[:-2] + (b.strides[-2] + b.strides[-1],))


class DiagonalBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.offset, ctx.d1, ctx.d2, ctx.in_shape = offset, d1, d2, a.shape
        return _diag_view(a, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalBackwardBackward0.apply(grad, shape=ctx.in_shape, offset=ctx.offset,
                                               d1=ctx.d1, d2=ctx.d2)


class DiagonalBackward0_copy(DiagonalBackward0):
    """torch.diag of a matrix: the diagonal as a new tensor."""
    _is_view = False

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        return DiagonalBackward0.forward(ctx, a, offset, d1, d2).copy()


class DiagonalBackwardBackward0(Function):
    """Zeros of `shape` with `grad` written on a diagonal: diagonal's adjoint."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.offset, ctx.d1, ctx.d2 = offset, d1, d2
        out = array_module(g).zeros(shape, g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return DiagonalBackward0.apply(gg, offset=ctx.offset, d1=ctx.d1, d2=ctx.d2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal w.r.t. dim1 and dim2, appended as the last dimension."""
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got ndim {n}")
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagonalBackward0.apply(input, offset=int(offset), d1=d1, d2=d2)


class DiagEmbedBackward0(Function):
    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.offset, ctx.d1, ctx.d2 = offset, d1, d2
        n = a.shape[-1] + abs(offset)
        shape = list(a.shape[:-1])
        # the two new dims are inserted at d1 < d2 of the output
        lo, hi = min(d1, d2), max(d1, d2)
        shape.insert(lo, n)
        shape.insert(hi, n)
        out = array_module(a).zeros(tuple(shape), a.dtype)
        _diag_view(out, offset, d1, d2)[...] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return DiagonalBackward0.apply(grad, offset=ctx.offset, d1=ctx.d1, d2=ctx.d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices whose diagonals (w.r.t. dim1, dim2) are filled by the last dim of input."""
    n = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbedBackward0.apply(input, offset=int(offset), d1=d1, d2=d2)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a matrix with it on diagonal k; 2-D input: its k-th diagonal (a copy)."""
    n = input._data.ndim
    if n == 1:
        r = DiagEmbedBackward0.apply(input, offset=int(diagonal), d1=0, d2=1)
    elif n == 2:
        r = DiagonalBackward0_copy.apply(input, offset=int(diagonal), d1=0, d2=1)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return _out(r, out)


def diagflat(input, offset=0):
    """A 2-D matrix with the flattened input on diagonal `offset`."""
    return DiagEmbedBackward0.apply(S.reshape(input, (-1,)), offset=int(offset), d1=0, d2=1)


class TraceBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.in_shape = a.shape
        return array_module(a).asarray(a.trace(), dtype=a.dtype if a.dtype.kind in 'fc' else np.int64)

    @staticmethod
    def backward(ctx, grad):
        from .creation import eye
        m, n = ctx.in_shape
        return grad * eye(m, n, dtype=grad.dtype, device=grad.device)


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return TraceBackward0.apply(input)


# ----- repetition -----------------------------------------------------------------------------

class RepeatBackward0(Function):
    @staticmethod
    def forward(ctx, a, reps):
        ctx.in_shape, ctx.reps = a.shape, reps
        lead = len(reps) - a.ndim
        a = a.reshape((1,) * lead + a.shape)
        return array_module(a).tile(a, reps)

    @staticmethod
    def backward(ctx, grad):
        reps = ctx.reps
        shape = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        inter = []
        for r, s in zip(reps, shape):
            inter += [r, s]
        g = grad.reshape(tuple(inter)).sum(tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(ctx.in_shape)


def repeat(self, *sizes, repeats=None):
    """Repeat the tensor along each dimension (the tensor's dims are the trailing ones)."""
    reps = _varargs(S._kw_sizes(sizes, repeats, 'repeats', 'repeat'))
    if len(reps) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    shape = (1,) * (len(reps) - self._data.ndim) + self._data.shape
    out = [r * s for r, s in zip(reps, shape)]
    for r, o in zip(reps, out):
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {o}: {out}")
    return RepeatBackward0.apply(self, reps=reps)


def tile(input, dims):
    """Like repeat, but `dims` shorter than input.ndim is padded with ones in front."""
    reps = _int_tuple(dims)
    if len(reps) < input._data.ndim:
        reps = (1,) * (input._data.ndim - len(reps)) + reps
    return repeat(input, reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element `repeats` times along `dim` (flattened when dim is None).

    With a single tensor argument, `repeat_interleave(r)` gives the indices [0]*r[0] + [1]*r[1]...
    """
    if repeats is None:
        r = input
        if r._data.ndim != 1 or r._data.dtype.kind not in 'iu':
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if (r._data < 0).any():
            raise RuntimeError("repeats can not be negative")
        xp = array_module(r._data)
        return _wrap(xp.repeat(xp.arange(r._data.shape[0]), r._data.astype(np.int64)))
    x = input
    if dim is None:
        x = S.reshape(x, (-1,))
        dim = 0
    dim = _wrap_dim(dim, x._data.ndim)
    if isinstance(repeats, Tensor) and repeats._data.ndim > 0 and repeats._data.size != 1:
        if repeats._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats._data.shape[0] != x._data.shape[dim]:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats._data.shape[0]} and input.size({dim}) = "
                               f"{x._data.shape[dim]}")
        idx = repeat_interleave(repeats)
        from .scatter import index_select
        return index_select(x, dim, idx)
    r = int(repeats)
    if r < 0:
        raise RuntimeError("repeats can not be negative")
    shape = x._data.shape
    e = S.expand(S.unsqueeze(x, dim + 1), shape[:dim + 1] + (r,) + shape[dim + 1:])
    return S.reshape(S.clone(e), shape[:dim] + (shape[dim] * r,) + shape[dim + 1:])


# ----- dims and broadcasting ------------------------------------------------------------------

def movedim(input, source, destination):
    """Move dims `source` to positions `destination` (a view)."""
    n = input._data.ndim
    src = tuple(_wrap_dim(d, n) for d in _int_tuple(source))
    dst = tuple(_wrap_dim(d, n) for d in _int_tuple(destination))
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) "
                           f"should contain the same number of dims as destination ({list(dst)} dims)")
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(_int_tuple(source))})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(_int_tuple(destination))})")
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src)
    order = [o if o is not None else next(rest) for o in order]
    return S.permute(input, order)


moveaxis = movedim


def unflatten(input, dim, sizes):
    """Split dimension `dim` into `sizes` (one entry may be -1)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _int_tuple(sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in sizes:
        if known == 0 or shape[d] % known:
            raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {shape[d]}")
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    elif known != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({shape[d]}) in the input tensor")
    return S.view(input, shape[:d] + sizes + shape[d + 1:]) if S._viewable(
        input._data, shape[:d] + sizes + shape[d + 1:]) else S.reshape(input, shape[:d] + sizes +
                                                                       shape[d + 1:])


def broadcast_shapes(*shapes):
    """The shape all `shapes` broadcast to (torch's error when they don't)."""
    out = []
    for s in shapes:
        s = _int_tuple(s) if not isinstance(s, (int, np.integer)) else (int(s),)
        if len(s) > len(out):
            out = [1] * (len(s) - len(out)) + out
        for i in range(1, len(s) + 1):
            a, b = out[-i], s[-i]
            if a == b or b == 1:
                continue
            if a == 1:
                out[-i] = b
            else:
                raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  "
                                   f"Mismatch is between arg 0 and arg 1.")
    from .._size import Size
    return Size(out)


def _bcast_shapes_pair_msg(shapes):
    from ._helpers import broadcast_shapes_msg
    cur = ()
    for s in shapes:
        msg = broadcast_shapes_msg(cur, s)
        if msg:
            raise RuntimeError(msg)
        cur = tuple(np.broadcast_shapes(cur, s))
    return cur


def broadcast_to(input, size):
    """A view of input expanded to `size`."""
    return S.expand(input, _int_tuple(size))


def broadcast_tensors(*tensors):
    """Views of all tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = _bcast_shapes_pair_msg([t._data.shape for t in tensors])
    return tuple(t if t._data.shape == shape else S.expand(t, shape) for t in tensors)


def _unflatten_method(self, dim, sizes):
    return unflatten(self, dim, sizes)


tensor_method('flip')(flip)
tensor_method('fliplr')(fliplr)
tensor_method('flipud')(flipud)
tensor_method('roll')(roll)
tensor_method('rot90')(rot90)
tensor_method('tril')(tril)
tensor_method('triu')(triu)
tensor_method('diagonal')(diagonal)
tensor_method('diag_embed')(diag_embed)
tensor_method('diag')(diag)
tensor_method('diagflat')(diagflat)
tensor_method('trace')(trace)
tensor_method('repeat')(repeat)
tensor_method('tile')(tile)
tensor_method('repeat_interleave')(repeat_interleave)
tensor_method('movedim')(movedim)
tensor_method('moveaxis')(movedim)
tensor_method('unflatten')(_unflatten_method)
tensor_method('broadcast_to')(broadcast_to)


def _reversed(self):
    """reversed(tensor): the tensor flipped along dim 0 (a 0-d tensor is itself)."""
    return self if self._data.ndim == 0 else flip(self, 0)


Tensor.__reversed__ = _reversed


def _install_inplace():
    from .inplace import make_inplace
    for name, fn in (('tril_', tril), ('triu_', triu)):
        setattr(Tensor, name, make_inplace(fn, name))


_install_inplace()
