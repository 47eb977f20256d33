"""Index-driven selection and writes: gather/scatter(+_add/_reduce), index_select/add/copy/fill/put
(masked_*, take and nonzero are in `masking.py`).

Every gradient that scatters back into a zero tensor goes through `indexing.IndexPutGrad` (with
accumulation, so repeated indices add up); its own backward is the matching gather, so double
backward needs nothing more.
"""
import numpy as np

from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap, _wrap_dim
from ..autograd.graph import Node as Function
from ._along import full_index as _full_index
from .indexing import IndexPutGrad
from .reduction import _type_name
from ._opargs import out_result as _out


def _lst(s):
    return '[' + ', '.join(str(d) for d in s) + ']'


def _bounds(idx, size, dim, cls=RuntimeError, prefix=''):
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= size:
            bad = lo if lo < 0 else hi
            raise cls(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _scalar_like(value, a):
    if isinstance(value, Tensor):
        return value._data.astype(a.dtype, copy=False)
    return array_module(a).asarray(value, dtype=a.dtype)


# ----- gather / scatter --------------------------------------------------------------------------

def _check_gather(input, dim, index, name):
    a, ix = input._data, index._data
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if ix.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index" if name != 'gather' else
                           "gather(): Expected dtype int32/int64 for index")
    if max(a.ndim, 1) != max(ix.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    d = _wrap_dim(dim, a.ndim)
    return d


class GatherBackward0(Function):
    @staticmethod
    def forward(ctx, a, idx, dim):
        ctx.in_shape = a.shape
        if a.ndim == 0:
            a, idx = a.reshape(1), idx.reshape(1)
        _bounds(idx, a.shape[dim], dim)
        ix = _full_index(idx, dim)
        ctx.index = ix if ctx.in_shape else ix
        return a[ix].reshape(idx.shape) if ctx.in_shape else a[ix].reshape(())

    @staticmethod
    def backward(ctx, grad):
        g = grad if ctx.in_shape else grad.reshape(1)
        out = IndexPutGrad.apply(g, index=ctx.index, shape=ctx.in_shape or (1,), accumulate=True)
        return out if ctx.in_shape else out.reshape(())


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[i][index[i][j]] (for dim=1), index no larger than input off `dim`."""
    d = _check_gather(input, dim, index, 'gather')
    a, ix = input._data, index._data
    for k in range(a.ndim):
        if k != d and ix.shape[k] > a.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {_lst(ix.shape)} to "
                               f"be no larger than self {_lst(a.shape)} apart from dimension {d}")
    return _out(GatherBackward0.apply(input, index, dim=d), out)


def _check_scatter(input, dim, index, src, name='scatter'):
    d = _check_gather(input, dim, index, name)
    a, ix = input._data, index._data
    bad = any(k != d and ix.shape[k] > a.shape[k] for k in range(a.ndim))
    if src is not None:
        if src._data.dtype != a.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        s = src._data
        bad_src = any(ix.shape[k] > (s.shape[k] if s.ndim else 1) for k in range(ix.ndim))
        if bad or bad_src:
            raise RuntimeError(f"Expected index {_lst(ix.shape)} to be no larger than self "
                               f"{_lst(a.shape)} apart from dimension {d} and to be no larger size than "
                               f"src {_lst(s.shape)}")
    elif bad:
        raise RuntimeError(f"Expected index {_lst(ix.shape)} to be no larger than self {_lst(a.shape)} "
                           f"apart from dimension {d}")
    if a.ndim and ix.size:
        _bounds(ix, a.shape[d], d)
    return d


def _src_part(s, idx):
    """The leading idx.shape block of src."""
    if s.ndim == 0:
        return s.reshape(idx.shape)
    return s[tuple(slice(0, n) for n in idx.shape)]


def _ufunc_at(xp, name, out, ix, vals):
    getattr(xp, name).at(out, ix, vals)


class ScatterBackward0(Function):
    """scatter with a src tensor."""

    @staticmethod
    def forward(ctx, a, idx, src, dim, reduce=None):
        ctx.dim, ctx.reduce = dim, reduce
        ctx.src_shape = src.shape
        out = a.copy()
        if a.ndim == 0:
            out, idx, src = out.reshape(1), idx.reshape(1), src.reshape(1)
        ix = _full_index(idx, dim)
        ctx.ix = ix
        vals = _src_part(src, idx)
        if reduce is None:
            out[ix] = vals
        else:
            _ufunc_at(array_module(a), 'add' if reduce == 'add' else 'multiply', out, ix, vals)
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        n = ctx.needs_input_grad
        idx = ctx.saved_index
        ga = gs = None
        if n[0]:
            ga = ScatterBackward1.apply(grad, idx, dim=ctx.dim, value=0)
        if n[2]:
            gs = _pad_to(gather(grad, ctx.dim, idx), ctx.src_shape)
        return ga, None, gs


def _pad_to(g, shape):
    """g (the index-shaped block) placed at the front of zeros(shape): src's gradient."""
    if tuple(g.shape) == tuple(shape):
        return g
    if len(shape) == 0:
        return g.reshape(())
    index = tuple(slice(0, n) for n in g.shape)
    return IndexPutGrad.apply(g, index=index, shape=tuple(shape), accumulate=False)


class ScatterBackward1(Function):
    """scatter with a scalar value."""

    @staticmethod
    def forward(ctx, a, idx, dim, value, reduce=None):
        ctx.dim, ctx.reduce = dim, reduce
        out = a.copy()
        if a.ndim == 0:
            out, idx = out.reshape(1), idx.reshape(1)
        ix = _full_index(idx, dim)
        v = _scalar_like(value, a)
        if reduce is None:
            out[ix] = v
        else:
            _ufunc_at(array_module(a), 'add' if reduce == 'add' else 'multiply', out, ix,
                      array_module(a).broadcast_to(v, idx.shape))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        return ScatterBackward1.apply(grad, ctx.saved_index, dim=ctx.dim, value=0), None


def _save_index(node_out, index):
    fn = node_out._grad_fn
    if fn is not None:
        fn.saved_index = index
    return node_out


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """Write src (or a scalar value) into input at `index` along `dim`: out[i][index[i][j]] = src[i][j].

    `reduce` ('add' or 'multiply') combines instead of overwriting.
    """
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if reduce is not None and reduce not in ('add', 'multiply'):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        if value is None:
            raise TypeError("scatter() missing required argument 'src' or 'value'")
        d = _check_scatter(input, dim, index, None)
        r = ScatterBackward1.apply(input, index, dim=d, value=value, reduce=reduce)
    else:
        d = _check_scatter(input, dim, index, src)
        r = ScatterBackward0.apply(input, index, src, dim=d, reduce=reduce)
    return _out(_save_index(r, index), out)


class ScatterAddBackward0(Function):
    @staticmethod
    def forward(ctx, a, idx, src, dim):
        ctx.dim, ctx.src_shape = dim, src.shape
        out = a.copy()
        if a.ndim == 0:
            out, idx, src = out.reshape(1), idx.reshape(1), src.reshape(1)
        _ufunc_at(array_module(a), 'add', out, _full_index(idx, dim), _src_part(src, idx))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[2]:
            gs = _pad_to(gather(grad, ctx.dim, ctx.saved_index), ctx.src_shape)
        return grad, None, gs


def scatter_add(input, dim, index, src, *, out=None):
    """Add src into input at `index` along `dim` (repeated indices accumulate)."""
    d = _check_scatter(input, dim, index, src, 'scatter_add')
    return _out(_save_index(ScatterAddBackward0.apply(input, index, src, dim=d), index), out)


_IDENT = {'sum': 0, 'prod': 1, 'mean': 0, 'amax': -np.inf, 'amin': np.inf}
_UF = {'sum': 'add', 'prod': 'multiply', 'mean': 'add', 'amax': 'maximum', 'amin': 'minimum'}


class ScatterReduceBackward0(Function):
    @staticmethod
    def forward(ctx, a, idx, src, dim, reduce, include_self):
        xp = array_module(a)
        ctx.dim, ctx.reduce, ctx.include_self, ctx.src_shape = dim, reduce, include_self, src.shape
        shape = a.shape
        out = a.copy()
        if a.ndim == 0:
            out, idx, src = out.reshape(1), idx.reshape(1), src.reshape(1)
        ix = _full_index(idx, dim)
        vals = _src_part(src, idx)
        hit = xp.zeros(out.shape, bool)
        hit[ix] = True
        ctx.hit = hit.reshape(shape)
        if not include_self:
            ident = _IDENT[reduce]
            if a.dtype.kind == 'b':
                ident = bool(ident > 0) if reduce != 'amax' else False
            elif a.dtype.kind in 'iu' and not np.isfinite(ident):
                info = np.iinfo(a.dtype)
                ident = info.min if ident < 0 else info.max
            out[hit] = ident
        _ufunc_at(xp, _UF[reduce], out, ix, vals)
        if reduce == 'mean':
            cnt = xp.zeros(out.shape, a.dtype if a.dtype.kind in 'fc' else np.int64)
            if include_self:
                cnt += 1
            else:
                cnt += ~hit
            xp.add.at(cnt, ix, 1)
            cnt = xp.maximum(cnt, 1)
            ctx.count = cnt.reshape(shape)
            out = out / cnt if a.dtype.kind in 'fc' else out // cnt
            out = out.astype(a.dtype, copy=False)
        out = out.reshape(shape)
        ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        a, src, out = ctx.saved_tensors
        idx = ctx.saved_index
        dim, red, inc = ctx.dim, ctx.reduce, ctx.include_self
        n = ctx.needs_input_grad
        hit = _wrap(ctx.hit)
        zero = grad * 0
        ga = gs = None
        if red == 'sum':
            ga = grad if inc else where(hit, zero, grad)
            gs = gather(grad, dim, idx)
        elif red == 'mean':
            cnt = _wrap(ctx.count.astype(grad._data.dtype))
            g = grad / cnt
            ga = g if inc else where(hit, zero, g)
            gs = gather(g, dim, idx)
        elif red == 'prod':
            # exact with zeros and differentiable again: self's factor is the product of the src
            # values at its position; a src value's factor is result / value, except for a lone zero
            if n[0]:
                ms = where(a == 0, a * 0 + 1, a)
                ga = grad * scatter_reduce(ms, dim, idx, src, 'prod') / ms
                if not inc:  # self took no part where something was scattered
                    ga = where(hit, zero, ga)
            if n[2]:
                s_blk = _src_block(src if src.ndim else src.reshape(1), idx)
                s_zero = s_blk == 0
                nz = gather(scatter_add(zero.detach(), dim, idx, s_zero.to(grad.dtype)), dim, idx)
                single = s_zero & (nz == 1)
                masked_src = where(single, s_blk * 0 + 1, s_blk)
                msr = scatter_reduce(a, dim, idx, masked_src, 'prod', include_self=inc)
                gs = where(single, gather(grad * msr, dim, idx),
                           gather(grad * out, dim, idx) / where(s_zero, s_blk * 0 + 1, s_blk))
        else:  # amax / amin: the gradient is shared evenly among the elements equal to the result
            # without include_self, self keeps (all of) its gradient only where nothing was scattered
            eq_self = (a == out) if inc else (hit == False)  # noqa: E712
            gsrc = _src_block(src if src.ndim else src.reshape(1), idx)
            eq_src = gsrc == gather(out, dim, idx)
            cnt = scatter_add(eq_self.to(grad.dtype), dim, idx, eq_src.to(grad.dtype))
            g = grad / where(cnt == 0, cnt + 1, cnt)
            ga = where(eq_self, g, zero)
            gs = where(eq_src, gather(g, dim, idx), gather(zero, dim, idx))
        if gs is not None and n[2]:
            gs = _pad_to(gs, ctx.src_shape)
        return (ga if n[0] else None), None, (gs if n[2] else None)


def _src_block(src, idx):
    if tuple(src.shape) == tuple(idx.shape):
        return src
    return src[tuple(slice(0, k) for k in idx.shape)]


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduce src into input at `index` along `dim` with 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    if reduce not in _UF:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d = _check_scatter(input, dim, index, src, 'scatter_reduce')
    r = ScatterReduceBackward0.apply(input, index, src, dim=d, reduce=reduce,
                                     include_self=bool(include_self))
    return _out(_save_index(r, index), out)


# ----- index_* ------------------------------------------------------------------------------------

def _check_index_vec(index, name, allow32=True):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    ix = index._data
    if ix.dtype.kind not in 'iu' or (ix.dtype != np.int64 and not (allow32 and ix.dtype == np.int32)):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index" if allow32 else
                           f"{name}(): Expected a long tensor for index, but got {_type_name(index.dtype)}")
    if ix.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    return ix.reshape(-1).astype(np.int64, copy=False)


def _dim_index(dim, ix):
    return (slice(None),) * dim + (ix,)


class IndexSelectBackward0(Function):
    @staticmethod
    def forward(ctx, a, ix, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        n = a.shape[dim] if a.ndim else 1
        if ix.size and (int(ix.min()) < 0 or int(ix.max()) >= n):
            raise IndexError("index out of range in self")
        if a.ndim == 0:
            return a.reshape(1)[ix].reshape(())
        ctx.index = _dim_index(dim, ix)
        return a[ctx.index]

    @staticmethod
    def backward(ctx, grad):
        if not ctx.in_shape:
            return grad.sum()
        return IndexPutGrad.apply(grad, index=ctx.index, shape=ctx.in_shape, accumulate=True)


def index_select(input, dim, index, *, out=None):
    """The entries of `index` (1-D) along `dim`."""
    ix = _check_index_vec(index, 'index_select')
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0 and ix.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {ix.size} "
                           "value(s)")
    r = IndexSelectBackward0.apply(input, _wrap(ix.reshape(index._data.shape) if input._data.ndim == 0
                                                else ix), dim=d)
    return _out(r, out)


def _check_source(name, input, d, ix, source):
    a, s = input._data, source._data
    if a.ndim and s.ndim and (s.ndim != a.ndim):
        raise IndexError(f"{name}(): Source/destination tensor must have same slice shapes. "
                         f"Destination slice shape: {_lst(a.shape[:d] + a.shape[d + 1:])} at dimension "
                         f"{d} and source slice shape: {_lst(s.shape[:d] + s.shape[d + 1:])} at "
                         f"dimension 0.")
    ns = s.shape[d] if s.ndim else 1
    if ix.size != ns:
        raise RuntimeError(f"{name}(): Number of indices ({ix.size}) should be equal to source.size(dim): "
                           f"({ns}), for dim: {d}")
    if a.ndim and s.ndim and a.shape[:d] + a.shape[d + 1:] != s.shape[:d] + s.shape[d + 1:]:
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice shapes. "
                           f"Destination slice shape: {_lst(a.shape[:d] + a.shape[d + 1:])} at dimension "
                           f"{d} and source slice shape: {_lst(s.shape[:d] + s.shape[d + 1:])} at "
                           f"dimension {d}.")


class IndexAddBackward0(Function):
    @staticmethod
    def forward(ctx, a, ix, src, dim, alpha):
        ctx.dim, ctx.alpha, ctx.src_shape = dim, alpha, src.shape
        out = a.copy().reshape(a.shape or (1,))
        s = src.reshape(src.shape or (1,))
        if alpha != 1:
            s = s * alpha
        array_module(a).add.at(out, _dim_index(dim, ix), s.astype(a.dtype, copy=False))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[2]:
            gs = index_select(grad if grad.ndim else grad.reshape(1), ctx.dim, ctx.saved_index)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
            gs = gs.reshape(ctx.src_shape)
        return grad, None, gs


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """input with alpha * source added at `index` along `dim` (repeats accumulate)."""
    ix = _check_index_vec(index, 'index_add_')
    d = _wrap_dim(dim, input._data.ndim)
    _check_source('index_add_', input, d, ix, source)
    _bounds(ix, input._data.shape[d] if input._data.ndim else 1, d)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({input.dtype}) and source ({source.dtype}) must have the "
                           "same scalar type")
    r = IndexAddBackward0.apply(input, _wrap(ix), source, dim=d, alpha=alpha)
    return _out(_save_index(r, _wrap(ix)), out)


class IndexCopyBackward0(Function):
    @staticmethod
    def forward(ctx, a, ix, src, dim):
        ctx.dim, ctx.src_shape = dim, src.shape
        out = a.copy().reshape(a.shape or (1,))
        out[_dim_index(dim, ix)] = src.reshape(src.shape or (1,))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        n = ctx.needs_input_grad
        ix = ctx.saved_index
        ga = index_fill(grad, ctx.dim, ix, 0) if n[0] else None
        gs = None
        if n[2]:
            gs = index_select(grad if grad.ndim else grad.reshape(1), ctx.dim, ix).reshape(ctx.src_shape)
        return ga, None, gs


def index_copy(input, dim, index, source, *, out=None):
    """input with the slices of source copied to `index` along `dim`."""
    ix = _check_index_vec(index, 'index_copy_', allow32=False)
    d = _wrap_dim(dim, input._data.ndim)
    _check_source('index_copy_', input, d, ix, source)
    _bounds(ix, input._data.shape[d] if input._data.ndim else 1, d, IndexError, 'index_copy_(): ')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got "
                           f"(self) {_type_name(input.dtype)} and (source) {_type_name(source.dtype)}")
    r = IndexCopyBackward0.apply(input, _wrap(ix), source, dim=d)
    return _out(_save_index(r, _wrap(ix)), out)


class IndexFillBackward0(Function):
    @staticmethod
    def forward(ctx, a, ix, dim, value):
        ctx.dim = dim
        out = a.copy().reshape(a.shape or (1,))
        out[_dim_index(dim, ix)] = _scalar_like(value, a)
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        return IndexFillBackward0.apply(grad, ctx.saved_index, dim=ctx.dim, value=0), None


class IndexFillBackward1(Function):
    @staticmethod
    def forward(ctx, a, ix, v, dim):
        ctx.dim = dim
        out = a.copy().reshape(a.shape or (1,))
        out[_dim_index(dim, ix)] = v.astype(a.dtype, copy=False)
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        ix = ctx.saved_index
        n = ctx.needs_input_grad
        ga = IndexFillBackward0.apply(grad, ix, dim=ctx.dim, value=0) if n[0] else None
        gv = index_select(grad if grad.ndim else grad.reshape(1), ctx.dim, ix).sum() if n[2] else None
        return ga, None, gv


def index_fill(input, dim, index, value):
    """input with the slices at `index` along `dim` set to a scalar value."""
    ix = _check_index_vec(index, 'index_fill_', allow32=False)
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d] if input._data.ndim else 1
    if ix.size and (int(ix.min()) < -n or int(ix.max()) >= n):
        bad = int(ix.min()) if int(ix.min()) < -n else int(ix.max())
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    ix = np.where(ix < 0, ix + n, ix) if ix.size else ix
    tix = _wrap(ix)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
        if value._requires_grad:
            r = IndexFillBackward1.apply(input, tix, value, dim=d)
            return _save_index(r, tix)
        value = value.item()
    return _save_index(IndexFillBackward0.apply(input, tix, dim=d, value=value), tix)


def index_put(input, indices, values, accumulate=False):
    """input with values written (or added, with accumulate) at the advanced index `indices`."""
    from .indexing import index_put as _ip
    return _ip(input, indices, values, accumulate)


tensor_method('gather')(gather)
tensor_method('scatter')(scatter)
tensor_method('scatter_add')(scatter_add)
tensor_method('scatter_reduce')(scatter_reduce)
tensor_method('index_select')(index_select)
tensor_method('index_add')(index_add)
tensor_method('index_copy')(index_copy)
tensor_method('index_fill')(index_fill)
tensor_method('index_put')(index_put)


def _install_inplace():
    from .inplace import make_inplace
    for name, fn in (('scatter_', scatter), ('scatter_add_', scatter_add),
                     ('scatter_reduce_', scatter_reduce), ('index_add_', index_add),
                     ('index_copy_', index_copy), ('index_fill_', index_fill),
                     ('index_put_', index_put)):
        setattr(Tensor, name, make_inplace(fn, name))


_install_inplace()
