"""In-place ops and `out=`: how a value is written into an existing tensor.

Outside autograd the new values go straight into the tensor's array. Under autograd, the op runs
out of place on a snapshot of the old value (which keeps the old history), the result is copied
into the tensor's memory and the tensor adopts the result's history, as torch rebases an in-place
op's graph. Every write bumps the shared version counter, which is how saved tensors notice they
were overwritten.
"""
import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import _state


def _leaf_check(self):
    if self._requires_grad and self._grad_fn is None and _state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def _cast_check(self, result_dtype):
    if result_dtype != self._data.dtype:
        rd, sd = D.from_numpy(result_dtype), D.from_numpy(self._data.dtype)
        if not D.can_cast(rd, sd):
            from .reduction import _type_name
            raise RuntimeError(f"result type {_type_name(rd)} can't be cast to the desired output type "
                               f"{_type_name(sd)}")


def _write(self, arr):
    _cast_check(self, arr.dtype)
    if arr.shape != self._data.shape:
        try:
            np.broadcast_shapes(arr.shape, self._data.shape)
            if np.broadcast_shapes(arr.shape, self._data.shape) != self._data.shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                               f"shape {list(np.broadcast_shapes(arr.shape, self._data.shape)) if _bc(arr.shape, self._data.shape) else list(arr.shape)}") from None
    self._data[...] = arr


def _bc(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def apply_inplace(self, fn, *args, direct=None):
    """self <- fn(self, *args), recording the op in the graph when autograd needs it."""
    _leaf_check(self)
    needs = _state.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not needs:
        if direct is not None:
            direct()
        else:
            prev = _state.enabled
            _state.enabled = False
            try:
                r = fn(self, *args)
            finally:
                _state.enabled = prev
            _write(self, r._data)
        self._bump_version()
        return self
    if self._base is not None:
        from .view_inplace import inplace_on_view
        return inplace_on_view(self, fn, args)
    old = _wrap(self._data.copy())
    old._requires_grad = self._requires_grad
    old._grad_fn = self._grad_fn
    if self._grad_fn is not None:
        old._output_nr = self._output_nr
    r = fn(old, *args)
    _write(self, r._data)
    self._grad_fn = r._grad_fn
    self._requires_grad = r._requires_grad
    self._output_nr = r._output_nr
    self._bump_version()
    return self


def copy_into_out(out, result):
    """Implement `out=`: write result into `out`, resizing it as torch does."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if _state.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    _cast_check(out, result._data.dtype)
    if out._data.shape != result._data.shape:
        if out._data.size != 0:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(result._data.shape)}. This behavior is deprecated, and in a future "
                          "PyTorch release outputs will not be resized unless they have zero elements. "
                          "You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = result._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = result._data
    out._bump_version()
    return out


def make_inplace(fn, name):
    """An in-place method `name` (e.g. 'add_') from an out-of-place op `fn(self, *args, **kw)`."""
    def method(self, *args, **kwargs):
        if kwargs:
            return apply_inplace(self, lambda s, *a: fn(s, *a, **kwargs), *args)
        return apply_inplace(self, fn, *args)
    method.__name__ = name
    method.__doc__ = f"In-place version of {fn.__name__}."
    return method


# ----- the core in-place family -----------------------------------------------------------------

def _install():
    from . import arithmetic as A, unary as U
    for name, fn in (('add_', A.add), ('sub_', A.sub), ('subtract_', A.sub), ('mul_', A.mul),
                     ('multiply_', A.mul), ('div_', A.div), ('divide_', A.div),
                     ('true_divide_', A.div), ('floor_divide_', A.floor_divide),
                     ('remainder_', A.remainder), ('pow_', A.pow), ('neg_', A.neg),
                     ('negative_', A.neg), ('exp_', U.exp), ('log_', U.log), ('sqrt_', U.sqrt),
                     ('abs_', U.abs), ('sigmoid_', U.sigmoid), ('tanh_', U.tanh), ('relu_', U.relu)):
        setattr(Tensor, name, make_inplace(fn, name))
    Tensor.__iadd__ = make_inplace(A.add, '__iadd__')
    Tensor.__isub__ = make_inplace(A.sub, '__isub__')
    Tensor.__imul__ = make_inplace(A.mul, '__imul__')
    Tensor.__itruediv__ = make_inplace(A.div, '__itruediv__')
    Tensor.__ifloordiv__ = make_inplace(A.floor_divide, '__ifloordiv__')
    Tensor.__imod__ = make_inplace(A.remainder, '__imod__')
    Tensor.__ipow__ = make_inplace(A.pow, '__ipow__')


_install()


def fill_(self, value):
    """Fill with a scalar (or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if value._requires_grad and _state.enabled:
            return apply_inplace(self, lambda s, v: FillBackward3.apply(s, v.to(s.dtype)), value)
        value = value.item()

    def direct():
        self._data.fill(value)
    return apply_inplace(self, lambda s: FillBackward2.apply(s, value=value), direct=direct)


def zero_(self):
    """Fill with zeros."""
    def direct():
        self._data.fill(0)
    return apply_inplace(self, lambda s: ZeroBackward0.apply(s, value=0), direct=direct)


def copy_(self, src=None, non_blocking=False, **kwargs):
    """Copy src's values (broadcast, converted to self's dtype/device) into self (torch's binding
    names the source `other` as a keyword)."""
    if 'other' in kwargs and src is None:
        src = kwargs.pop('other')
    if kwargs:
        raise TypeError(f"copy_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if src is None:
        raise TypeError('copy_() missing 1 required positional arguments: "other"')
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")

    def direct():
        from .._backend import move, device_of
        a = src._data
        if type(a) is not type(self._data):
            a = move(a, device_of(self._data))
        try:
            self._data[...] = a.astype(self._data.dtype, copy=False) if a.dtype != self._data.dtype \
                else a
        except ValueError:
            from ._helpers import broadcast_shapes_msg
            raise RuntimeError(broadcast_shapes_msg(self._data.shape, a.shape) or
                               f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                               f"shape {list(a.shape)}") from None
    return apply_inplace(self, lambda s, v: CopyBackwards.apply(s, v.to(s.dtype).to(s.device)), src,
                         direct=direct)


from ..autograd.graph import Node as Function  # noqa: E402


class CopyBackwards(Function):
    """The graph form of copy_: the result is src broadcast to self's shape."""

    @staticmethod
    def forward(ctx, s, v):
        try:
            return array_module(s).broadcast_to(v, s.shape).copy()
        except ValueError:
            raise RuntimeError(f"output with shape {list(s.shape)} doesn't match the broadcast shape "
                               f"{list(v.shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return (grad * 0 if ctx.needs_input_grad[0] else None), grad

    def name(self):
        return 'torch::autograd::CopyBackwards'


class FillBackward2(Function):
    """The graph form of fill_ with a number: the old values get no gradient."""

    @staticmethod
    def forward(ctx, s, value):
        return array_module(s).full(s.shape, value, s.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class ZeroBackward0(FillBackward2):
    pass


class FillBackward3(Function):
    """The graph form of fill_ with a 0-d tensor: v is broadcast, so the engine sums its gradient."""

    @staticmethod
    def forward(ctx, s, v):
        return array_module(s).broadcast_to(v, s.shape).copy()

    @staticmethod
    def backward(ctx, grad):
        n = ctx.needs_input_grad
        return (grad * 0 if n[0] else None), (grad if n[1] else None)


Tensor.fill_ = fill_
Tensor.zero_ = zero_
Tensor.copy_ = copy_
