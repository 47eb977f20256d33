"""Indexing: `tensor[index]` (basic views and advanced gathers) and `tensor[index] = value`.

Indices are converted once into a NumPy index (tensors to arrays, 0-d integer tensors to ints);
NumPy's rules for where advanced dimensions land are torch's. Basic indexing returns a view; its
gradient scatters back into a zero tensor, accumulating repeated advanced indices.
"""
import numpy as np

from .._backend import array_module, to_numpy
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node as Function


def _as_tuple(index):
    """torch's rule: a short list holding a sequence, tensor, slice, None or ... is a tuple."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(x, (list, tuple, Tensor, slice)) or x is None or x is Ellipsis for x in index):
        return tuple(index)
    return (index,)


def _convert_index(index, xp):
    """(numpy-style index, is_basic)."""
    index = _as_tuple(index)
    out = []
    basic = True
    for ix in index:
        if isinstance(ix, Tensor):
            a = ix._data
            if a.dtype.kind == 'b' or a.dtype == np.uint8:
                if a.dtype == np.uint8:
                    import warnings
                    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                                  "dtype torch.bool instead.", UserWarning, stacklevel=3)
                    a = a.astype(bool)
                basic = False
                out.append(a)
            elif a.dtype.kind in 'iu':
                if a.ndim == 0:
                    out.append(int(a))
                else:
                    basic = False
                    out.append(a)
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(ix, (list, np.ndarray)):
            a = xp.asarray(ix) if not isinstance(ix, list) else xp.asarray(_flat_tensors(ix))
            if a.dtype.kind == 'f':
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            basic = False
            out.append(a)
        elif isinstance(ix, bool):
            basic = False
            out.append(ix)
        elif ix is None or ix is Ellipsis or isinstance(ix, (int, np.integer)):
            out.append(ix)
        elif isinstance(ix, slice):
            if ix.step is not None and _i(ix.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_i(ix.start), _i(ix.stop), _i(ix.step)))
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices (got " + type(ix).__name__ + ")")
    return tuple(out), basic


def _flat_tensors(lst):
    return [(_flat_tensors(x) if isinstance(x, list) else int(x) if isinstance(x, Tensor) else x)
            for x in lst]


def _i(v):
    if v is None:
        return None
    return int(v)


def _index_error(e, shape):
    msg = str(e)
    if 'out of bounds' in msg:
        msg = msg.replace('axis', 'dimension')
        return IndexError(msg)
    if 'boolean index did not match' in msg:
        return IndexError(msg.replace('boolean index did not match indexed array along axis',
                                      'The shape of the mask').replace('; size of axis is',
                                                                       'does not match the shape of the indexed tensor'))
    if 'too many indices' in msg:
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    return IndexError(msg)


class SliceBackward0(Function):
    """Basic indexing (ints, slices, None, Ellipsis): a view of the input."""
    _is_view = True

    @staticmethod
    def forward(ctx, a, index):
        if not any(i is Ellipsis for i in index):
            index = index + (Ellipsis,)  # so an all-int index gives a 0-d view, not a scalar copy
        ctx.index, ctx.in_shape = index, a.shape
        try:
            r = a[index]
        except IndexError as e:
            raise _index_error(e, a.shape) from None
        if any(i is None for i in index) and r.size:
            # numpy gives a None dim stride 0; torch unsqueezes (stride = the next dim's extent),
            # which numpy's reshape also does when it inserts the size-1 dims
            v = a[tuple(i for i in index if i is not None)].reshape(r.shape)
            if v.base is not None and array_module(a).shares_memory(v, a):
                r = v
        return r

    @staticmethod
    def backward(ctx, grad):
        return IndexPutGrad.apply(grad, index=ctx.index, shape=ctx.in_shape, accumulate=False)


class SelectBackward0(SliceBackward0):
    pass


class IndexBackward0(Function):
    """Advanced indexing: a gather (copy)."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.index, ctx.in_shape = index, a.shape
        try:
            return a[index]
        except IndexError as e:
            raise _index_error(e, a.shape) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexPutGrad.apply(grad, index=ctx.index, shape=ctx.in_shape, accumulate=True)


class IndexPutGrad(Function):
    """zeros(shape) with `grad` written (or accumulated) at `index`: indexing's adjoint."""

    @staticmethod
    def forward(ctx, g, index, shape, accumulate):
        ctx.index = index
        ctx.basic = not accumulate
        xp = array_module(g)
        out = xp.zeros(shape, g.dtype)
        if accumulate:
            if xp is np:
                np.add.at(out, index, g)
            else:
                xp.add.at(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        cls = SliceBackward0 if ctx.basic else IndexBackward0
        return cls.apply(gg, index=ctx.index)


class _AliasIndex(SliceBackward0):
    pass


class _UnsqueezeIndex(SliceBackward0):
    pass


_AliasIndex.__name__ = _AliasIndex.__qualname__ = 'AliasBackward0'
_UnsqueezeIndex.__name__ = _UnsqueezeIndex.__qualname__ = 'UnsqueezeBackward0'
_BASIC_NODES = {'Select': SelectBackward0, 'Slice': SliceBackward0, 'Alias': _AliasIndex,
                'Unsqueeze': _UnsqueezeIndex}


def _last_op(index, idx, shape):
    """The view op torch applies last for a basic index: it names the result's grad_fn."""
    if not isinstance(index, tuple) and not (isinstance(index, list) and len(idx) > 1):
        if isinstance(index, slice):
            return 'Slice'
        if index is None:
            return 'Unsqueeze'
        if index is Ellipsis:
            return 'Alias'
        return 'Select'
    used = sum(1 for i in idx if i is not None and i is not Ellipsis)
    dim = 0
    last = 'Alias'
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - used
        elif i is None:
            last = 'Unsqueeze'
        elif isinstance(i, slice):
            if dim < len(shape):
                n = shape[dim]
                if i.indices(n) != (0, n, 1):
                    last = 'Slice'
            dim += 1
        else:
            last = 'Select'
            dim += 1
    return last


def getitem(self, index):
    xp = array_module(self._data)
    idx, basic = _convert_index(index, xp)
    if basic:
        if self._data.ndim == 0 and any(isinstance(i, (int, slice)) for i in idx):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        cls = _BASIC_NODES[_last_op(index, idx, self._data.shape)]
        return cls.apply(self, index=idx)
    _check_masks(idx, self._data.shape)
    return IndexBackward0.apply(self, index=idx)


def _check_masks(idx, shape):
    """torch's message for a boolean mask whose shape does not match the indexed dims."""
    used = sum(1 if not (hasattr(i, 'dtype') and i.dtype == np.bool_) else i.ndim
               for i in idx if i is not None and i is not Ellipsis and not isinstance(i, bool))
    dim = 0
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - used
        elif i is None or isinstance(i, bool):
            continue
        elif hasattr(i, 'dtype') and i.dtype == np.bool_:
            for j in range(i.ndim):
                if dim + j >= len(shape):
                    return
                if i.shape[j] != shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(i.shape)} at index {j} does not match "
                                     f"the shape of the indexed tensor {list(shape)} at index {dim + j}")
            dim += i.ndim
        else:
            dim += 1


class IndexPutBackward0(Function):
    """out = a with `value` written (or added) at `index` (the graph form of `a[index] = value`)."""

    @staticmethod
    def forward(ctx, a, v, index, accumulate=False):
        ctx.index, ctx.accumulate = index, accumulate
        out = a.copy()
        try:
            if accumulate:
                xp = array_module(a)
                xp.add.at(out, index, xp.broadcast_to(v, a[index].shape))
            else:
                out[index] = v
        except IndexError as e:
            raise _index_error(e, a.shape) from None
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be "
                               f"broadcast to indexing result of shape {list(a[index].shape)}") from None
        ctx.v_shape = v.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        n = ctx.needs_input_grad
        ga = gv = None
        if n[0]:
            ga = grad if ctx.accumulate else IndexPutBackward0.apply(
                grad, _wrap(array_module(grad._data).zeros((), grad._data.dtype)), index=ctx.index)
        if n[1]:
            idx = ctx.index
            basic = all(not hasattr(i, 'shape') and not isinstance(i, bool) for i in idx)
            gv = (SliceBackward0 if basic else IndexBackward0).apply(grad, index=idx)
        return ga, gv


def setitem(self, index, value):
    from .inplace import apply_inplace
    from ._helpers import scalar_tensor_like
    xp = array_module(self._data)
    idx, basic = _convert_index(index, xp)
    if not isinstance(value, Tensor):
        if isinstance(value, (list, tuple, np.ndarray)):
            raise TypeError(f"can't assign a {type(value).__name__ if not isinstance(value, np.ndarray) else 'numpy.ndarray'} "
                            f"to a {self.type()}")
        value = scalar_tensor_like(value, self.dtype, self._data)
    elif value._data.dtype != self._data.dtype:
        if not basic and value._data.ndim:
            raise _index_put_dtype_error(self, value)
        value = value.to(self.dtype)
    if type(value._data) is not type(self._data):
        value = value.to(self.device)
    if not basic:
        _check_masks(idx, self._data.shape)
    _check_value_shape(self._data, idx, value._data, basic)
    from ..autograd.grad_mode import _state
    if basic and _state.enabled and (self._requires_grad or value._requires_grad):
        # torch writes a basic index through a view: the history becomes CopySlices
        getitem(self, index).copy_(value)
        return
    apply_inplace(self, lambda old, v: IndexPutBackward0.apply(old, v, index=idx), value,
                  direct=lambda: _direct_set(self, idx, value))


def _index_put_dtype_error(dst, src):
    from .reduction import _type_name
    return RuntimeError(f"Index put requires the source and destination dtypes match, got "
                        f"{_type_name(dst.dtype)} for the destination and "
                        f"{_type_name(src.dtype)} for the source.")


def _check_value_shape(a, idx, v, basic):
    try:
        target = a[idx].shape if basic else None
    except IndexError as e:
        raise _index_error(e, a.shape) from None
    if basic and v.shape != target:
        from .shape import expanded_shape
        vs = v.shape
        while len(vs) > len(target) and vs[0] == 1:  # leading 1s of the value are dropped, as torch
            vs = vs[1:]
        expanded_shape(vs, target)  # raises torch's expand error when v does not broadcast


def _direct_set(self, idx, value):
    try:
        self._data[idx] = value._data
    except IndexError as e:
        raise _index_error(e, self._data.shape) from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape "
                           f"{list(self._data[idx].shape)}") from None


def index_put(input, indices, values, accumulate=False):
    """input with `values` written (or added, when accumulate) at the advanced index `indices`."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    for ix in indices:
        if ix is not None and not isinstance(ix, Tensor):
            raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                            f"{type(ix).__name__}")
    if len(indices) > input._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input._data.ndim} (got "
                         f"{len(indices)})")
    if values._data.dtype != input._data.dtype:
        raise _index_put_dtype_error(input, values)
    idx, _ = _convert_index(tuple(slice(None) if ix is None else ix for ix in indices),
                            array_module(input._data))
    idx = tuple(i if not isinstance(i, int) else np.asarray(i) for i in idx)
    return IndexPutBackward0.apply(input, values, index=idx, accumulate=bool(accumulate))


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
