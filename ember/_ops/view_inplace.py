"""In-place writes into views under autograd (torch's CopySlices) and view history regeneration.

A view is located inside its base by an index array: for every view element, its flat C-order
position in the base (`view_index`, computed from the two arrays' strides and data pointers, so
any chain of view ops works). Writing `fn(view)` into a view of base B then means:

    old  = B.flat[idx]                     (AsStridedBackward0: a slice of B's current history)
    new  = fn(old, *args)                  (the op, recorded out of place)
    B    = B with B.flat[idx] replaced by new   (CopySlices; the values go straight into B's memory)
    view = B.flat[idx]                     (AsStridedBackward0 of the new B, sharing memory)

Other views of B see the version counter moved and rebuild their grad_fn from B the same way
when next used (`regenerate_view_history`), as torch regenerates a view's grad_fn.
"""
import numpy as np

from .._backend import array_module
from .._tensor import _ptr
from ..autograd.graph import Node, _op_name
from ..autograd.grad_mode import _state


def view_index(base, view):
    """(positions, overlapping): int64 array of `view`'s shape holding, for each element of the
    view, its flat C-order index in `base`; `overlapping` when elements share memory."""
    xp = array_module(base)
    isz = base.itemsize
    if view.itemsize != isz:
        raise NotImplementedError("in-place modification under autograd of a view with another "
                                  "element size than its base (real/imag/view(dtype)) is not "
                                  "available in ember")
    delta = _ptr(view) - _ptr(base)
    if delta % isz:
        raise RuntimeError("view is not aligned with its base")
    off = delta // isz
    lo, hi = _extent(base.shape, base.strides, isz)
    vlo, vhi = _extent(view.shape, view.strides, isz)
    if view.size and (off + vlo < lo or off + vhi > hi):
        raise RuntimeError("the view does not lie inside its base's memory")
    overlap = any(s == 0 and n > 1 for n, s in zip(view.shape, view.strides))
    if base.flags.c_contiguous:
        # memory offset == C-order position: sum the view's strided coordinates, O(view size)
        iv = xp.full(view.shape, off, np.int64)
        for k, (n, st) in enumerate(zip(view.shape, view.strides)):
            if n > 1:
                shape = [1] * view.ndim
                shape[k] = n
                iv = iv + (xp.arange(n, dtype=np.int64) * (st // isz)).reshape(shape)
        return iv, overlap
    # any other layout: lay out each element's C-order position exactly as the base is laid out
    # in memory, then read it through the view's strides
    mem = xp.zeros(max(hi - lo + 1, 1), np.int64)
    as_strided = xp.lib.stride_tricks.as_strided
    ib = as_strided(mem[-lo:], base.shape, tuple(s // isz * 8 for s in base.strides))
    ib[...] = xp.arange(base.size, dtype=np.int64).reshape(base.shape)
    iv = as_strided(mem[off - lo:], view.shape, tuple(s // isz * 8 for s in view.strides)).copy()
    return iv, overlap


def _extent(shape, strides, isz):
    """Lowest and highest element offsets (relative to element 0) an array touches."""
    if any(n == 0 for n in shape):
        return 0, 0
    lo = sum((n - 1) * s for n, s in zip(shape, strides) if s < 0) // isz
    hi = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0) // isz
    return lo, hi


class AsStridedBackward0(Node):
    """base.flat[idx]: a view located in its base by an index array (see view_index)."""

    @staticmethod
    def forward(ctx, a, idx, overlap=False, result=None):
        ctx.idx, ctx.overlap, ctx.base_shape = idx, overlap, a.shape
        if result is not None:  # the view's values already exist (they are the view's memory)
            return result
        return a.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, grad):
        return AsStridedScatterBackward0.apply(grad, idx=ctx.idx, shape=ctx.base_shape,
                                               overlap=ctx.overlap)


class AsStridedScatterBackward0(Node):
    """zeros(shape) with `grad` put at flat positions `idx` (summed where they repeat)."""

    @staticmethod
    def forward(ctx, g, idx, shape, overlap):
        ctx.idx, ctx.overlap = idx, overlap
        xp = array_module(g)
        out = xp.zeros(int(np.prod(shape)), g.dtype)
        if overlap:
            xp.add.at(out, idx.reshape(-1), g.reshape(-1))
        else:
            out[idx] = g
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return AsStridedBackward0.apply(gg, idx=ctx.idx, overlap=ctx.overlap)


class CopySlices(Node):
    """The base after `new` was written at flat positions `idx` (its memory already holds it)."""

    def name(self):
        return 'torch::autograd::CopySlices'

    @staticmethod
    def forward(ctx, base, new, idx, result):
        ctx.idx = idx
        return result

    @staticmethod
    def backward(ctx, grad):
        n = ctx.needs_input_grad
        g_base = CopySlicesMaskBackward.apply(grad, idx=ctx.idx) if n[0] else None
        g_new = AsStridedBackward0.apply(grad, idx=ctx.idx) if n[1] else None
        return g_base, g_new


class CopySlicesMaskBackward(Node):
    """`grad` with the overwritten positions zeroed (they no longer depend on the old base)."""

    @staticmethod
    def forward(ctx, g, idx):
        ctx.idx = idx
        out = g.copy()
        out.reshape(-1)[idx] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        return CopySlicesMaskBackward.apply(gg, idx=ctx.idx)


def _check_view_inplace(view, base):
    meta = view.__dict__.get('_view_meta')
    if meta is not None:
        kind, name, nr = meta
        multi = ("This view is the output of a function that returns multiple views. Such functions "
                 "do not allow the output views to be modified inplace. You should replace the "
                 "inplace operation by an out-of-place one.")
        if kind == 'multi':
            raise RuntimeError(f"Output {nr} of {_short(name)} is a view and is being modified inplace. "
                               + multi)
        if kind == 'custom':
            raise RuntimeError(
                f"Output {nr} of {_short(name)} is a view and is being modified inplace. This view "
                "was created inside a custom Function (or because an input was returned as-is) and "
                "the autograd logic to handle view+inplace would override the custom backward "
                "associated with the custom Function, leading to incorrect gradients. This "
                "behavior is forbidden. You can fix this by cloning the output of the custom "
                "Function.")
        if kind == 'multi_no_grad':
            raise RuntimeError("A view was created in no_grad mode and is being modified inplace with "
                               "grad mode enabled. " + multi)
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
            "can clarify your code by moving both the view and the inplace either both inside the "
            "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
            "want the inplace to be tracked).")
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def _short(cls_name):
    class _N:
        def name(self):
            return cls_name
    return _op_name(_N())


def inplace_on_view(view, fn, args):
    """view <- fn(view, *args) under autograd, rewriting the base's history (CopySlices)."""
    from .inplace import _write, _cast_check
    base = view._base
    _check_view_inplace(view, base)
    idx, overlap = view_index(base._data, view._data)
    if overlap:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    old = AsStridedBackward0.apply(base, idx=idx)
    new = fn(old, *args)
    if new._data.dtype != view._data.dtype:
        _cast_check(view, new._data.dtype)
        from .._dtype import from_numpy
        new = new.to(from_numpy(view._data.dtype))
    _write(view, new._data)
    if new._data.shape != view._data.shape:
        new = new.expand(view.shape)
    out = CopySlices.apply(base, new, idx=idx, result=base._data)
    base._grad_fn = out._grad_fn
    base._requires_grad = out._requires_grad
    base.__dict__.pop('_output_nr', None)
    base._bump_version()
    _set_view_history(view, base, idx, False)
    return view


def rebase_view_history(view):
    """A custom Function wrote `view` in place (ctx.mark_dirty) and gave it a new grad_fn: the
    base's history becomes CopySlices of it, and the view a slice of that, as above."""
    base = view._base
    _check_view_inplace(view, base)
    idx, overlap = view_index(base._data, view._data)
    if overlap:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    out = CopySlices.apply(base, view, idx=idx, result=base._data)
    base._grad_fn = out._grad_fn
    base._requires_grad = out._requires_grad
    base.__dict__.pop('_output_nr', None)
    _set_view_history(view, base, idx, False)


def _set_view_history(view, base, idx, overlap):
    prev = _state.enabled
    _state.enabled = True
    try:
        vo = AsStridedBackward0.apply(base, idx=idx, overlap=overlap, result=view._data)
    finally:
        _state.enabled = prev
    view._grad_fn = vo._grad_fn
    view._requires_grad = vo._requires_grad
    view.__dict__.pop('_output_nr', None)
    view._view_version = view._version_counter[0]


def regenerate_view_history(view):
    """Rebuild the grad_fn of a view whose base (or a sibling view) was written in place."""
    base = view._base
    idx, overlap = view_index(base._data, view._data)
    _set_view_history(view, base, idx, overlap)
