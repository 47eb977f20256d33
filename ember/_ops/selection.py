"""Joining and splitting: cat/stack (+ h/v/d/column_stack), split/chunk/tensor_split/unbind
(+ hsplit/vsplit/dsplit), narrow and select.

Every piece returned by a split is a view of the input: it shares memory and the version counter.
"""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function, _mark_view
from . import shape as S
from .indexing import SliceBackward0, SelectBackward0


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _promote(tensors):
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = D.promote_types(dt, t.dtype)
    return dt


# ----- cat / stack ------------------------------------------------------------------------------

class CatBackward0(Function):
    @staticmethod
    def forward(ctx, *arrays, dim, dtype):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        ctx.skipped = [a.ndim == 1 and a.shape[0] == 0 and len(arrays) > 1 for a in arrays]
        xp = array_module(arrays[0])
        parts = [a.astype(dtype, copy=False) for a, s in zip(arrays, ctx.skipped) if not s]
        if not parts:
            return xp.zeros((0,), dtype)
        return xp.concatenate(parts, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out = []
        off = 0
        for i, (n, skip) in enumerate(zip(ctx.sizes, ctx.skipped)):
            if skip or not ctx.needs_input_grad[i]:
                out.append(_wrap(array_module(grad._data).zeros((0,), grad._data.dtype))
                           if skip and ctx.needs_input_grad[i] else None)
                if not skip:
                    off += n
                continue
            out.append(narrow(grad, ctx.dim, off, n))
            off += n
        return tuple(out)


def _shape_str(s):
    return '[' + ', '.join(str(d) for d in s) + ']'


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dimension (dtypes are promoted)."""
    tensors = _tensor_list(tensors, 'cat')
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # legacy rule: 1-D empty tensors are skipped
    real = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    ref = real[0] if real else tensors[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, nd)
    for i, t in enumerate(tensors):
        a = t._data
        if a.ndim == 1 and a.shape[0] == 0:
            continue
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if a.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {a.ndim}")
        for k in range(nd):
            if k != d and a.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {a.shape[k]} for tensor number "
                                   f"{i} in the list.")
    dt = _promote(tensors)
    r = CatBackward0.apply(*tensors, dim=d, dtype=dt.np)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


concat = cat


def concatenate(tensors, axis=0, *, out=None, dim=None):
    """numpy's name for cat (`axis`; torch also takes `dim`)."""
    return cat(tensors, axis if dim is None else dim, out=out)


class StackBackward0(Function):
    @staticmethod
    def forward(ctx, *arrays, dim, dtype):
        ctx.dim = dim
        return array_module(arrays[0]).stack([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return unbind(grad, ctx.dim)


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dimension."""
    tensors = _tensor_list(tensors, 'stack')
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_shape_str(s0)} at "
                               f"entry 0 and {_shape_str(t._data.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    r = StackBackward0.apply(*tensors, dim=d, dtype=_promote(tensors).np)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def hstack(tensors, *, out=None):
    """Concatenate column-wise (dim 1; dim 0 for 1-D tensors)."""
    from .shape_combine import atleast_1d
    ts = atleast_1d(_tensor_list(tensors, 'hstack'))
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise (1-D tensors become rows)."""
    from .shape_combine import atleast_2d
    ts = atleast_2d(_tensor_list(tensors, 'vstack'))
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(ts, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (along dim 2, after atleast_3d)."""
    from .shape_combine import atleast_3d
    ts = atleast_3d(_tensor_list(tensors, 'dstack'))
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(ts, 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0/1-D tensors as columns, concatenating 2-D tensors along dim 1."""
    ts = _tensor_list(tensors, 'column_stack')
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = [S.reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts]
    return cat(ts, 1, out=out)


# ----- splitting ------------------------------------------------------------------------------

def _mark_all(outs, base):
    for o in outs[1:]:
        _mark_view(o, base)
    return outs


def _pieces(a, dim, sizes):
    idx = [slice(None)] * a.ndim
    out = []
    off = 0
    for n in sizes:
        idx[dim] = slice(off, off + n)
        out.append(a[tuple(idx)])
        off += n
    return tuple(out)


class SplitBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, dim, sizes):
        ctx.dim = dim
        ctx.sizes = sizes
        return _pieces(a, dim, sizes)

    @staticmethod
    def backward(ctx, *grads):
        return cat(list(grads), ctx.dim)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of a given size (the last may be smaller) or of the listed sizes (views)."""
    a = tensor._data
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 0
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    s = split_size_or_sections
    if isinstance(s, (int, np.integer)) or (isinstance(s, Tensor) and s.ndim == 0):
        s = int(s)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size "
                               f"of {n}")
        sizes = tuple([s] * (n // s) + ([n % s] if n % s else [])) if s else (0,)
        return _mark_all(SplitBackward0.apply(tensor, dim=d, sizes=sizes or (0,)), tensor)
    sizes = tuple(int(x) for x in s)
    if sum(sizes) != n or any(x < 0 for x in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                           f"size at dimension {d}), but got split_sizes={list(sizes)}")
    return _mark_all(SplitWithSizesBackward0.apply(tensor, dim=d, sizes=sizes), tensor)


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    """Split into `chunks` pieces of equal size (the last may be smaller; may return fewer)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d]
    size = -(-n // chunks)
    if size == 0:
        sizes = [0] * chunks
        return _mark_all(SplitWithSizesBackward0.apply(input, dim=d, sizes=tuple(sizes)), input)
    return split(input, size, d)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Split into n nearly equal parts or at the given indices (views, like numpy.array_split).
    torch's overloads name the second argument `sections`, `indices` or
    `tensor_indices_or_sections` when it comes as a keyword."""
    given = [v for v in (indices_or_sections, sections, indices, tensor_indices_or_sections)
             if v is not None]
    if len(given) != 1:
        raise TypeError("tensor_split() missing 1 required positional argument: "
                        "'indices_or_sections'" if not given else
                        "tensor_split() got multiple values for argument 'indices_or_sections'")
    indices_or_sections = given[0]
    a = input._data
    if a.ndim == 0:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a tensor "
                           f"with {a.ndim} dims")
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in 'iu':
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                               f"but got {ios.dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios) if ios._data.ndim == 0 else [int(v) for v in ios._data.tolist()]
    if isinstance(ios, (int, np.integer)):
        k = int(ios)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds = []
        off = 0
        for i in range(k):
            sz = q + (1 if i < r else 0)
            bounds.append((off, off + sz))
            off += sz
    else:
        idx = [int(v) for v in ios]
        bounds = []
        prev = 0
        for v in idx + [n]:
            v = min(max(v if v >= 0 else v + n, 0), n)
            bounds.append((prev, max(v, prev)))
            prev = max(v, prev)
    return tuple(_slice(input, d, s, e) for s, e in bounds)


def _slice(input, d, start, stop, step=1):
    idx = (slice(None),) * d + (slice(start, stop, step),)
    return SliceBackward0.apply(input, index=idx)


def _sections_split(input, sections, dim, name, min_dim):
    a = input._data
    if a.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a "
                           f"tensor with {a.ndim} dimensions!")
    if isinstance(sections, (int, np.integer)):
        if sections <= 0 or a.shape[dim] % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of "
                               f"the dimension {a.shape[dim]} is not divisible by the split_size "
                               f"{sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections):
    """Split column-wise (dim 1, or dim 0 for 1-D tensors)."""
    return _sections_split(input, indices_or_sections, 0 if input._data.ndim == 1 else 1, 'hsplit', 1)


def vsplit(input, indices_or_sections):
    """Split row-wise (dim 0) a tensor with at least 2 dims."""
    return _sections_split(input, indices_or_sections, 0, 'vsplit', 2)


def dsplit(input, indices_or_sections):
    """Split depth-wise (dim 2) a tensor with at least 3 dims."""
    return _sections_split(input, indices_or_sections, 2, 'dsplit', 3)


class UnbindBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        idx = [slice(None)] * a.ndim
        out = []
        for i in range(a.shape[dim]):
            idx[dim] = i
            out.append(a[tuple(idx)])
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return stack(list(grads), ctx.dim)


def unbind(input, dim=0):
    """All slices along `dim`, as a tuple of views with that dimension removed."""
    a = input._data
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        return ()
    return _mark_all(UnbindBackward0.apply(input, dim=d), input)


def narrow(input, dim, start, length):
    """The view input[..., start:start+length, ...] along `dim`."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d]
    start, length = int(start), int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _slice(input, d, start, start + length)


def select(input, dim, index):
    """The view input[..., index, ...] along `dim` (that dimension is removed)."""
    a = input._data
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, a.ndim)
    n = a.shape[d]
    i = int(index)
    if i < -n or i >= n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(a.shape)} at "
                         f"dimension {d}")
    return SelectBackward0.apply(input, index=(slice(None),) * d + (i if i >= 0 else i + n,))


tensor_method('split')(_split_method)
tensor_method('chunk')(chunk)
tensor_method('tensor_split')(tensor_split)
tensor_method('hsplit')(hsplit)
tensor_method('vsplit')(vsplit)
tensor_method('dsplit')(dsplit)
tensor_method('unbind')(unbind)
tensor_method('narrow')(narrow)
tensor_method('select')(select)
