"""Shape ops that return views: view/reshape, transpose/permute/t, squeeze/unsqueeze, expand,
flatten, plus sum_to_size (the engine's broadcast undo) and contiguous/clone."""
import numpy as np

from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap_dim
from ..autograd.graph import Node as Function


def _shape_arg(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) and not \
            (isinstance(shape[0], Tensor) and shape[0].ndim == 0):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _kw_sizes(sizes, kw_value, name, fname):
    """torch's `*sizes` parameters also come as one keyword (`x.view(size=(4, 3))`)."""
    if kw_value is None:
        return sizes
    if sizes:
        raise TypeError(f"{fname}() got multiple values for argument '{name}'")
    return (kw_value,)


def _infer(shape, numel, src_shape):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ViewBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class UnsafeViewBackward0(Function):
    """reshape that had to copy (input not viewable)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


def _viewable(a, shape):
    if a.flags.c_contiguous:
        return True
    try:
        v = a.view()
        v.shape = shape
        return True
    except AttributeError:
        return False


def view(self, *shape, size=None):
    """A view with a new shape (no copy); `-1` infers one dimension."""
    shape = _kw_sizes(shape, size, 'size', 'view')
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Tensor)):
        from .conversion import view_dtype
        return view_dtype(self, shape[0])
    shape = _infer(_shape_arg(shape), self._data.size, self._data.shape)
    if not _viewable(self._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                           "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.")
    return ViewBackward0.apply(self, shape=shape)


def reshape(input, *sizes, shape=None):
    """The values in a new shape: a view when possible, a copy otherwise."""
    shape = _infer(_shape_arg(_kw_sizes(sizes, shape, 'shape', 'reshape')), input._data.size,
                   input._data.shape)
    if _viewable(input._data, shape):
        return ViewBackward0.apply(input, shape=shape)
    return UnsafeViewBackward0.apply(input, shape=shape)


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


class TransposeBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.d = (d0, d1)
        return array_module(a).swapaxes(a, d0, d1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.d)


class TBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a):
        return a.T

    @staticmethod
    def backward(ctx, grad):
        return t(grad)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    n = input._data.ndim
    return TransposeBackward0.apply(input, d0=_wrap_dim(dim0, n), d1=_wrap_dim(dim1, n))


swapdims = transpose


def swapaxes(input, axis0, axis1):
    """numpy's name for transpose (a view)."""
    return transpose(input, axis0, axis1)


def t(input):
    """Transpose of a tensor with at most 2 dims."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return TBackward0.apply(input)


class AliasBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a):
        return a.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


def _alias(input):
    return AliasBackward0.apply(input)


class PermuteBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return grad.permute(*inv)


def permute(input, *sizes, dims=None):
    """Reorder the dimensions (a view)."""
    dims = _shape_arg(_kw_sizes(sizes, dims, 'dims', 'permute'))
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return PermuteBackward0.apply(input, dims=dims)


def _T(self):
    n = self._data.ndim
    if n != 2:
        import warnings
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                      "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                      "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return PermuteBackward0.apply(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


class SqueezeBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.in_shape = a.shape
        return a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in dims))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class SqueezeBackward1(SqueezeBackward0):
    pass


class SqueezeBackward2(SqueezeBackward0):
    pass


def squeeze(input, dim=None):
    """Drop dimensions of size 1 (all, or those in `dim`)."""
    shape = input._data.shape
    n = len(shape)
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return SqueezeBackward0.apply(input, dims=dims)
    if isinstance(dim, (tuple, list)):
        dims = tuple(d for d in (_wrap_dim(x, n) for x in dim) if n and shape[d] == 1)
        return SqueezeBackward2.apply(input, dims=dims)
    d = _wrap_dim(dim, n)
    dims = (d,) if n and shape[d] == 1 else ()
    return SqueezeBackward1.apply(input, dims=dims)


class UnsqueezeBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return array_module(a).expand_dims(a, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at `dim`."""
    return UnsqueezeBackward0.apply(input, dim=_wrap_dim(dim, input._data.ndim + 1))


class ExpandBackward0(Function):
    _is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return array_module(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_size(grad, ctx.in_shape)


def expand(self, *sizes, size=None):
    """Broadcast to a larger shape without copying; -1 keeps a dimension."""
    sizes = _shape_arg(_kw_sizes(sizes, size, 'size', 'expand'))
    return ExpandBackward0.apply(self, shape=expanded_shape(self._data.shape, sizes))


def expanded_shape(shape, sizes):
    """The shape `shape` expands to for `sizes` (-1 keeps a dim), or torch's expand error."""
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    off = len(sizes) - len(shape)
    out = []
    for i in range(len(sizes) - 1, off - 1, -1):  # torch reports the last mismatching dim first
        cur, s = shape[i - off], sizes[i]
        if s != -1 and cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
    for i, s in enumerate(sizes):
        if i < off:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            out.append(s)
            continue
        cur = shape[i - off]
        if s == -1:
            out.append(cur)
        elif cur == 1 or cur == s:
            out.append(s)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
    return tuple(out)


def expand_as(self, other):
    return expand(self, other.shape)


class SumToSizeBackward(Function):
    """Sum a broadcast gradient back down to `shape` (the inverse of expand)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and a.shape[i + lead] != 1)
        out = a.sum(axis=axes, keepdims=True) if axes else a
        if lead:
            out = out.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        return expand(grad, ctx.in_shape)


def sum_to_size(input, *sizes, size=None):
    size = _shape_arg(_kw_sizes(sizes, size, 'size', 'sum_to_size'))
    if tuple(input._data.shape) == size:
        return input
    return SumToSizeBackward.apply(input, shape=size)


def _sum_to_size_method(self, *sizes, size=None):
    """Tensor.sum_to_size: sum down to `size` (which must expand to this tensor's shape), recorded
    as torch records it (a keepdim sum, then a view dropping the leading dims)."""
    size = _shape_arg(_kw_sizes(sizes, size, 'size', 'sum_to_size'))
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[i + lead] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if tuple(shape) == size:
        return self
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size)
                                      if s == 1 and shape[i + lead] != 1)
    from .reduction import sum as _sum
    r = _sum(self, dims, True) if dims else self
    return view(r, size) if lead else r


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    shape = input._data.shape
    n = len(shape)
    if n == 0:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, n)
    e = _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    m = 1
    for d in shape[s:e + 1]:
        m *= d
    return reshape(input, shape[:s] + (m,) + shape[e + 1:])


# ----- in-place view ops: x.t_(), x.squeeze_()... -------------------------------------------
# The tensor keeps its memory and takes the view's shape and strides; under autograd its history
# gains the view node (torch names these nodes ...Backward1 and up), and its version moves.

class TBackward1(TBackward0):
    pass


class TransposeBackward1(TransposeBackward0):
    pass


class UnsqueezeBackward1(UnsqueezeBackward0):
    pass


class SqueezeBackward3(SqueezeBackward0):
    pass


class SqueezeBackward4(SqueezeBackward0):
    pass


class SqueezeBackward5(SqueezeBackward0):
    pass


def _inplace_view(self, cls, **params):
    from ..autograd.grad_mode import _state
    from ..autograd.graph import _view_grad_fn, _view_requires_grad
    from .inplace import _leaf_check
    _leaf_check(self)
    base = self._base
    needs = _state.enabled and (self._requires_grad or
                                (base is not None and _view_requires_grad(self)))
    if needs and base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    from .._tensor import _wrap
    src = _wrap(self._data)  # stands for this tensor as the view op's input
    if needs:
        src._requires_grad = True
        src._grad_fn = _view_grad_fn(self) if base is not None else self._grad_fn
        src._output_nr = self._output_nr
        r = cls.apply(src, **params)
        self._grad_fn, self._requires_grad, self._output_nr = r._grad_fn, True, 0
    else:
        from ..autograd.grad_mode import no_grad
        with no_grad():
            r = cls.apply(src, **params)
    self._data = r._data
    self._bump_version()
    if base is not None and needs:  # the new grad_fn is current: no regeneration from the base
        self.__dict__['_view_version'] = self._version_counter[0]
    return self


def t_(self):
    """In-place t(): this tensor becomes its own transpose (same memory)."""
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    return _inplace_view(self, TBackward1)


def transpose_(self, dim0, dim1):
    """In-place transpose(): swap two dimensions of this tensor (same memory)."""
    n = self._data.ndim
    return _inplace_view(self, TransposeBackward1, d0=_wrap_dim(dim0, n), d1=_wrap_dim(dim1, n))


def swapdims_(self, dim0, dim1):
    return transpose_(self, dim0, dim1)


def swapaxes_(self, axis0, axis1):
    return transpose_(self, axis0, axis1)


def unsqueeze_(self, dim):
    """In-place unsqueeze(): insert a dimension of size 1 (same memory)."""
    return _inplace_view(self, UnsqueezeBackward1, dim=_wrap_dim(dim, self._data.ndim + 1))


def squeeze_(self, dim=None):
    """In-place squeeze(): drop dimensions of size 1 (all, or those in `dim`)."""
    shape = self._data.shape
    n = len(shape)
    if dim is None:
        return _inplace_view(self, SqueezeBackward3, dims=tuple(i for i, s in enumerate(shape) if s == 1))
    if isinstance(dim, (tuple, list)):
        dims = tuple(d for d in (_wrap_dim(x, n) for x in dim) if n and shape[d] == 1)
        return _inplace_view(self, SqueezeBackward5, dims=dims)
    d = _wrap_dim(dim, n)
    return _inplace_view(self, SqueezeBackward4, dims=(d,) if n and shape[d] == 1 else ())


class CloneBackward0(Function):
    @staticmethod
    def forward(ctx, a, strides=None):
        if strides is None:
            return a.copy()
        xp = array_module(a)
        isz = a.itemsize
        out = xp.lib.stride_tricks.as_strided(xp.empty(a.size, a.dtype), a.shape,
                                              tuple(s * isz for s in strides))
        out[...] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad


def _dense(shape, strides):
    """torch's is_non_overlapping_and_dense: the elements fill a block of memory exactly."""
    expected = 1
    for d in sorted((d for d in range(len(shape)) if shape[d] != 1), key=lambda d: strides[d]):
        if strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def _dense_strides_like(shape, strides):
    """torch's infer_dense_strides: contiguous strides in the order of the input's strides
    (dims with stride 0 are ambiguous and keep their place; equal strides: smaller size first)."""
    n = len(shape)
    perm = list(range(n - 1, -1, -1))  # perm[0] is the fastest-moving dimension

    def should_swap(d0, d1):
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if shape[d0] > shape[d1] else 0

    for i in range(1, n):  # a stable insertion sort that tolerates ambiguous comparisons
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    out, cur = [0] * n, 1
    for d in perm:
        out[d] = cur
        cur *= max(shape[d], 1)
    return tuple(out)


def clone(input, *, memory_format=None):
    """A copy that stays in the graph. The default (torch.preserve_format) keeps the input's
    strides when its elements are dense in memory (a transposed tensor stays transposed), as torch
    does; torch.contiguous_format gives a C-contiguous copy."""
    a = input._data
    if memory_format is None or getattr(memory_format, '_name', '') == 'preserve_format':
        # (a size-1 dim's stride is free in a contiguous array; torch keeps it, so check those)
        if a.ndim < 2 or (a.flags.c_contiguous and 1 not in a.shape):
            return CloneBackward0.apply(input)
        isz = a.itemsize
        st = tuple(s // isz for s in a.strides)
        if not _dense(a.shape, st):
            st = _dense_strides_like(a.shape, st)
        return CloneBackward0.apply(input, strides=st)
    return CloneBackward0.apply(input)


def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return CloneBackward0.apply(self)


tensor_method('view')(view)
tensor_method('reshape')(reshape)
tensor_method('view_as')(view_as)
tensor_method('reshape_as')(reshape_as)
tensor_method('transpose', 'swapdims')(transpose)
tensor_method('swapaxes')(swapaxes)
tensor_method('t')(t)
tensor_method('permute')(permute)
tensor_method('squeeze')(squeeze)
tensor_method('unsqueeze')(unsqueeze)
tensor_method('expand')(expand)
tensor_method('expand_as')(expand_as)
tensor_method('sum_to_size')(_sum_to_size_method)
tensor_method('flatten')(flatten)
tensor_method('clone')(clone)
for _f in (t_, transpose_, swapdims_, swapaxes_, unsqueeze_, squeeze_):
    tensor_method(_f.__name__)(_f)
tensor_method('contiguous')(contiguous)
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(lambda self: _T(self).conj())
Tensor.mH = property(lambda self: _mT(self).conj())
