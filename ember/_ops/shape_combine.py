"""Ops that build tensors from several tensors or from sizes: meshgrid, atleast_1d/2d/3d,
block_diag, cartesian_prod, combinations and tril/triu_indices (the other shape ops are in
`shape.py` and `shape_more.py`).
"""
import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node as Function
from . import shape as S


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors ('ij' indexing by default, as torch, or 'xy')."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: "
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{t}")
    dt = tensors[0]._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != dt:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    ts = list(tensors)
    swap = indexing == 'xy' and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = tuple(t._data.size for t in ts)
    n = len(ts)
    out = []
    for i, t in enumerate(ts):
        shp = [1] * n
        shp[i] = sizes[i]
        out.append(S.expand(S.view(t, tuple(shp)), sizes))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def atleast_1d(*tensors):
    """Tensors with at least 1 dimension (0-d become shape (1,))."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Tensors with at least 2 dimensions."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Tensors with at least 3 dimensions."""
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    out = tuple(_atleast_one(t, n) for t in tensors)
    return out[0] if single else out


def _atleast_one(t, n):
    d = t._data.ndim
    if d >= n:
        return t
    if n == 1:
        return S.reshape(t, (1,))
    if n == 2:
        return S.unsqueeze(t, 0) if d else S.reshape(t, (1, 1))
    # 3-d: 0-d -> (1,1,1), 1-d (n,) -> (1,n,1), 2-d (m,n) -> (m,n,1)
    if d == 0:
        return S.reshape(t, (1, 1, 1))
    if d == 1:
        return S.unsqueeze(S.unsqueeze(t, 0), -1)
    return S.unsqueeze(t, -1)


class BlockDiagBackward0(Function):
    @staticmethod
    def forward(ctx, *arrays):
        xp = array_module(arrays[0]) if arrays else np
        mats = [a.reshape(1, -1) if a.ndim == 1 else a.reshape(1, 1) if a.ndim == 0 else a
                for a in arrays]
        ctx.shapes = [a.shape for a in arrays]
        ctx.mshapes = [m.shape for m in mats]
        dt = np.result_type(*[m.dtype for m in mats]) if mats else np.float32
        r = sum(m.shape[0] for m in mats)
        c = sum(m.shape[1] for m in mats)
        out = xp.zeros((r, c), dt)
        i = j = 0
        for m in mats:
            out[i:i + m.shape[0], j:j + m.shape[1]] = m
            i += m.shape[0]
            j += m.shape[1]
        return out

    @staticmethod
    def backward(ctx, grad):
        gs = []
        i = j = 0
        for shp, ms in zip(ctx.shapes, ctx.mshapes):
            gs.append(S.reshape(grad[i:i + ms[0], j:j + ms[1]], shp) if ctx.needs_input_grad[len(gs)]
                      else None)
            i += ms[0]
            j += ms[1]
        return tuple(gs)


def block_diag(*tensors):
    """A block-diagonal matrix from the given tensors (0-d, 1-d or 2-d)."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                               f"{i} has {t._data.ndim} dimensions")
    if not tensors:
        return _wrap(np.zeros((1, 0), D.get_default_dtype().np))
    dts = [t.dtype for t in tensors]
    dt = dts[0]
    for d in dts[1:]:
        dt = D.promote_types(dt, d)
    tensors = [t if t.dtype is dt else t.to(dt) for t in tensors]
    return BlockDiagBackward0.apply(*tensors)


def cartesian_prod(*tensors):
    """All combinations of elements of the 1-D tensors, as rows (like itertools.product)."""
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing='ij')
    from .selection import stack
    return stack([S.flatten(g) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of the elements of a 1-D tensor, as rows."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(array_module(input._data).zeros((0,), input._data.dtype))
    import itertools
    n = input._data.shape[0]
    it = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    combos = np.array(list(it(range(n), r)), dtype=np.int64).reshape(-1, r)
    from .selection import stack
    from .scatter import index_select
    cols = [index_select(input, 0, _wrap(array_module(input._data).asarray(combos[:, k])))
            for k in range(r)]
    return stack(cols, 1)


def _tri_indices(row, col, offset, dtype, lower):
    r, c = np.indices((row, col)) if row and col else (np.zeros((0, 0), np.int64),) * 2
    keep = (c - r <= offset) if lower else (c - r >= offset)
    out = np.stack([r[keep], c[keep]]).astype(D.as_dtype(dtype).np if dtype is not None else np.int64)
    return out.reshape(2, -1)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the lower triangle of a row x col matrix."""
    from .creation import _finish
    return _finish(_tri_indices(row, col, offset, dtype, True), None, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the upper triangle of a row x col matrix."""
    from .creation import _finish
    return _finish(_tri_indices(row, col, offset, dtype, False), None, device)
