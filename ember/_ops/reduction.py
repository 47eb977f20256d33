"""Core reductions: sum and mean (the rest of the family lives in `reductions.py`)."""
from .. import _dtype as D
from .._backend import array_module
from .._tensor import tensor_method
from ..autograd.graph import Node as Function
from ._helpers import dims_arg


def _restore_dims(grad, in_shape, dims, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if not keepdim and dims:
        shape = list(in_shape)
        for d in dims:
            shape[d] = 1
        grad = grad.reshape(tuple(shape))
    return grad.expand(in_shape)


class SumBackward0(Function):
    """Sum of all elements."""

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.in_shape = a.shape
        return a.sum(dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.in_shape)


class SumBackward1(Function):
    """Sum over `dims`."""

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad, ctx.in_shape, ctx.dims, ctx.keepdim)


class MeanBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.in_shape = a.shape
        ctx.n = a.size
        return a.mean()

    @staticmethod
    def backward(ctx, grad):
        return (grad / ctx.n).expand(ctx.in_shape)


class MeanBackward1(Function):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.n = n
        return a.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad / ctx.n, ctx.in_shape, ctx.dims, ctx.keepdim)


def _sum_dtype(input, dtype):
    if dtype is not None:
        return D.as_dtype(dtype).np
    if input._data.dtype.kind in 'biu':
        return D.int64.np
    return None


def _reduce_dims(dim, ndim):
    """dims to reduce; an empty dim list means all dims, as in torch (recorded as ...Backward1)."""
    if not ndim:
        return ()
    if isinstance(dim, (tuple, list)) and not dim:
        dim = None
    return dims_arg(dim, ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over `dim` (int or tuple); integer inputs sum in int64."""
    npdt = _sum_dtype(input, dtype)
    if npdt is not None and input._data.dtype.kind in 'fc' and npdt.kind in 'fc':
        input = input.to(D.from_numpy(npdt))
        npdt = None
    if dim is None:
        r = SumBackward0.apply(input, dtype=npdt)
        if keepdim:
            r = r.reshape((1,) * input._data.ndim)
    else:
        dims = _reduce_dims(dim, input._data.ndim)
        r = SumBackward1.apply(input, dims=dims, keepdim=keepdim, dtype=npdt)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean of all elements, or over `dim`."""
    if dtype is not None:
        input = input.to(D.as_dtype(dtype))
    k = input._data.dtype.kind
    if k not in 'fcV':
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {_type_name(input.dtype)}")
    if dim is None:
        r = MeanBackward0.apply(input)
        if keepdim:
            r = r.reshape((1,) * input._data.ndim)
    else:
        dims = _reduce_dims(dim, input._data.ndim)
        r = MeanBackward1.apply(input, dims=dims, keepdim=keepdim)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, r)
    return r


_TYPE_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
               'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
               'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _type_name(d):
    return _TYPE_NAMES.get(d.name, d.name)


tensor_method('sum')(sum)
tensor_method('mean')(mean)
