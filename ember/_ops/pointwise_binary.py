"""Binary and ternary pointwise math: atan2, fmod, maximum/minimum, fmax/fmin, hypot, logaddexp,
xlogy, copysign, float_power, lerp, addcmul/addcdiv and clamp (arithmetic's add/sub/mul/div/pow
live in `arithmetic.py`).

Operands are promoted with torch's rules (`binary_operands`, python numbers are weak); the engine
undoes broadcasting in the gradients, so a backward here returns full-shape gradients.
"""
import numbers

import numpy as np

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node as Function
from ._helpers import (binary_operands, broadcast_shapes_msg, float_binary_operands,
                       scalar_tensor_like)
from .inplace import make_inplace
from .reduction import _type_name
from .unary import _quiet
from .comparison import where
from ._opargs import out_result as _out, require_tensor


def _zeros(t):
    return t * 0


def _run(fn, a, b):
    try:
        with _quiet(a):
            return fn(a, b)
    except ValueError:
        msg = broadcast_shapes_msg(a.shape, b.shape)
        raise RuntimeError(msg or f"shapes {a.shape} and {b.shape} cannot be broadcast") from None


def inplace_pointwise(fn, name):
    """An in-place method from a pointwise op: like `make_inplace`, but first checks, as torch does,
    that the other operands broadcast to self's shape (self's shape cannot grow)."""
    base = make_inplace(fn, name)

    def method(self, *args, **kwargs):
        for a in args + tuple(kwargs.values()):
            if isinstance(a, Tensor) and a._data.shape != self._data.shape:
                try:
                    bs = np.broadcast_shapes(self._data.shape, a._data.shape)
                except ValueError:
                    continue  # the op itself raises torch's size-mismatch error
                if bs != self._data.shape:
                    raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                                       f"broadcast shape {list(bs)}")
        return base(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


def _binary(name, clsname, fwd, grad, *, to_float=False, float_only=False, no_complex=False,
            tensor_other=False, no_bool=False, scalar_cls=None, kernel=None, aliases=(),
            inplace=True):
    """Define a binary op: torch function, Tensor methods, in-place variant and grad_fn class(es).

    fwd(xp, a, b) -> array; grad(g, a, b, out) -> (grad_a, grad_b) in ember ops.
    scalar_cls: grad_fn name when `other` is a python number (torch's FmodBackward0...).
    """
    kernel = kernel or f'{name}_cpu'

    def forward(ctx, a, b):
        out = _run(lambda x, y: fwd(array_module(x), x, y), a, b)
        ctx.save_for_backward(a, b, out)
        return out

    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga, gb = grad(g, a, b, out)
        n = ctx.needs_input_grad
        return (ga if n[0] else None), (gb if n[1] else None)

    body = {'forward': staticmethod(forward), 'backward': staticmethod(backward),
            '__doc__': f'grad_fn of torch.{name}.', '__module__': __name__}
    cls = type(clsname, (Function,), body)
    scls = type(scalar_cls, (cls,), {}) if scalar_cls else cls

    def op(input, other, *, out=None):
        if tensor_other:
            require_tensor(name, input, 'input', 1)
            require_tensor(name, other, 'other', 2)
        scalar = not isinstance(other, Tensor)
        a, b = (float_binary_operands if to_float else binary_operands)(input, other, name)
        k = a._data.dtype.kind
        if k == 'c' and no_complex:
            raise _not_impl(kernel, a) if no_complex is True else RuntimeError(no_complex)
        if k == 'b' and no_bool:
            raise _not_impl(kernel, a)
        if k in 'iub':
            if float_only:
                raise _not_impl(kernel, a)
            if to_float:
                dt = D.get_default_dtype()
                a, b = a.to(dt), b.to(dt)
        return _out((scls if scalar else cls).apply(a, b), out)

    op.__name__ = name
    op.__doc__ = f"Elementwise {name} of input and other (torch.{name})."
    names = (name,) + tuple(aliases)
    tensor_method(*names)(op)
    if inplace:
        for n in names:
            setattr(Tensor, n + '_', inplace_pointwise(op, n + '_'))
    return op, cls


def _not_impl(kernel, t):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(t.dtype)}\'')


# ----- gradients ------------------------------------------------------------------------------

def _atan2_grad(g, a, b, out):
    den = a * a + b * b
    return g * b / den, g * -a / den


def _fmod_fwd(xp, a, b):
    if a.dtype.kind in 'iu' and a.size and (b == 0).any():
        raise RuntimeError("ZeroDivisionError")
    return xp.fmod(a, b)


def _fmod_grad(g, a, b, out):
    from .arithmetic import div
    return g, -g * div(a, b, rounding_mode='trunc')


def _max_grad(g, a, b, out):
    tie = where(a == b, g * 0.5, g)
    return where(a < b, _zeros(g), tie), where(a > b, _zeros(g), tie)


def _min_grad(g, a, b, out):
    tie = where(a == b, g * 0.5, g)
    return where(a > b, _zeros(g), tie), where(a < b, _zeros(g), tie)


def _fmax_grad(g, a, b, out):
    from .pointwise import isnan
    to_a = (a >= b) | isnan(b)
    return where(to_a, g, _zeros(g)), where(to_a, _zeros(g), g)


def _fmin_grad(g, a, b, out):
    from .pointwise import isnan
    to_a = (a <= b) | isnan(b)
    return where(to_a, g, _zeros(g)), where(to_a, _zeros(g), g)


def _logaddexp_grad(g, a, b, out):
    from .unary import exp
    return g / (exp(b - a) + 1).conj(), g / (exp(a - b) + 1).conj()


def _logaddexp2_grad(g, a, b, out):
    from .pointwise import exp2
    return g / (exp2(b - a) + 1), g / (exp2(a - b) + 1)


def _xlogy_fwd(xp, a, b):
    r = a * xp.log(b)
    return xp.where((a == 0) & ~xp.isnan(b), a.dtype.type(0), r).astype(a.dtype, copy=False)


def _xlogy_grad(g, a, b, out):
    ga = where((a == 0) & (b <= 0), _zeros(g), xlogy(g, b))
    return ga, g * a / b


def _copysign_grad(g, a, b, out):
    ratio = where(a == 0, _zeros(out), out / where(a == 0, a + 1, a))
    return g * ratio, _zeros(g)


atan2, Atan2Backward0 = _binary('atan2', 'Atan2Backward0', lambda xp, a, b: xp.arctan2(a, b),
                                _atan2_grad, to_float=True, no_complex=True, tensor_other=True,
                                aliases=('arctan2',))
arctan2 = atan2
fmod, FmodBackward1 = _binary('fmod', 'FmodBackward1', _fmod_fwd, _fmod_grad, no_bool=True,
                              no_complex=True, scalar_cls='FmodBackward0')
maximum, MaximumBackward0 = _binary(
    'maximum', 'MaximumBackward0', lambda xp, a, b: xp.maximum(a, b), _max_grad, tensor_other=True,
    no_complex="maximum not implemented for complex tensors.", inplace=False)
minimum, MinimumBackward0 = _binary(
    'minimum', 'MinimumBackward0', lambda xp, a, b: xp.minimum(a, b), _min_grad, tensor_other=True,
    no_complex="minimum not implemented for complex tensors.", inplace=False)
fmax, FmaxBackward0 = _binary('fmax', 'FmaxBackward0', lambda xp, a, b: xp.fmax(a, b), _fmax_grad,
                              tensor_other=True, inplace=False,
                              no_complex="fmax not implemented for complex tensors.")
fmin, FminBackward0 = _binary('fmin', 'FminBackward0', lambda xp, a, b: xp.fmin(a, b), _fmin_grad,
                              tensor_other=True, inplace=False,
                              no_complex="fmin not implemented for complex tensors.")
hypot, HypotBackward0 = _binary('hypot', 'HypotBackward0', lambda xp, a, b: xp.hypot(a, b),
                                lambda g, a, b, out: (g * a / out, g * b / out), float_only=True,
                                no_complex=True, tensor_other=True)
def _logaddexp_fwd(xp, a, b):
    if a.dtype.kind != 'c':
        return xp.logaddexp(a, b)
    # complex: the larger real part factored out, log(e^m (1 + e^(o - m)))
    first = a.real >= b.real
    m, o = xp.where(first, a, b), xp.where(first, b, a)
    return (m + xp.log1p(xp.exp(o - m))).astype(a.dtype, copy=False)


logaddexp, LogaddexpBackward0 = _binary(
    'logaddexp', 'LogaddexpBackward0', _logaddexp_fwd, _logaddexp_grad,
    float_only=True, tensor_other=True, inplace=False)
logaddexp2, Logaddexp2Backward0 = _binary(
    'logaddexp2', 'Logaddexp2Backward0', lambda xp, a, b: xp.logaddexp2(a, b), _logaddexp2_grad,
    float_only=True, no_complex=True, tensor_other=True, inplace=False)
xlogy, XlogyBackward0 = _binary('xlogy', 'XlogyBackward0', _xlogy_fwd, _xlogy_grad, to_float=True,
                                no_complex=True, scalar_cls='XlogyBackward2', inplace=False)
copysign, CopysignBackward0 = _binary(
    'copysign', 'CopysignBackward0', lambda xp, a, b: xp.copysign(a, b), _copysign_grad,
    to_float=True, no_complex=True, scalar_cls='CopysignBackward1')


class XlogyBackward1(XlogyBackward0):
    """xlogy(python number, tensor)."""


def _xlogy_public(input, other, *, out=None):
    """input * log(other), and 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        a, b = float_binary_operands(input, other, 'xlogy')
        return _out(XlogyBackward1.apply(a, b), out)
    return _xlogy_tensor(input, other, out=out)


_xlogy_tensor = xlogy
xlogy = _xlogy_public
tensor_method('xlogy')(xlogy)
Tensor.xlogy_ = inplace_pointwise(xlogy, 'xlogy_')


# ----- float_power ------------------------------------------------------------------------------

def float_power(input, exponent, *, out=None):
    """input ** exponent computed in double precision (complex128 if either is complex)."""
    def cplx(x):
        return (x._data.dtype.kind == 'c') if isinstance(x, Tensor) else isinstance(x, complex)
    dt = D.complex128 if cplx(input) or cplx(exponent) else D.float64
    from .arithmetic import pow
    if isinstance(input, Tensor):
        input = input.to(dt)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(dt)
    elif not isinstance(input, Tensor):
        raise TypeError("float_power(): argument 'input' must be Tensor when exponent is a number")
    else:
        exponent = complex(exponent) if dt is D.complex128 else float(exponent)
    return _out(pow(input, exponent), out)


def _float_power_(self, exponent):
    dt = D.complex128 if (self.is_complex() or isinstance(exponent, complex) or (
        isinstance(exponent, Tensor) and exponent.is_complex())) else D.float64
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {_type_name(self.dtype)} but the "
                           f"operation's result requires dtype {_type_name(dt)}")
    return inplace_pointwise(float_power, 'float_power_')(self, exponent)


tensor_method('float_power')(float_power)
Tensor.float_power_ = _float_power_


# ----- lerp ---------------------------------------------------------------------------------

class LerpBackward0(Function):
    """lerp with a python-number weight."""

    @staticmethod
    def forward(ctx, a, b, weight):
        ctx.weight = weight
        w = a.dtype.type(weight)
        # torch's two-sided form is exact at both ends (weight 0 and 1)
        if abs(weight) < 0.5:
            return _run(lambda x, y: x + w * (y - x), a, b).astype(a.dtype, copy=False)
        return _run(lambda x, y: y - (y - x) * (1 - w), a, b).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        w = ctx.weight
        n = ctx.needs_input_grad
        return (g * (1 - w) if n[0] else None), (g * w if n[1] else None)


class LerpBackward1(Function):
    """lerp with a tensor weight."""

    @staticmethod
    def forward(ctx, a, b, w):
        xp = array_module(a)
        ctx.save_for_backward(a, b, w)
        try:
            xp.broadcast_shapes(a.shape, b.shape, w.shape)
        except ValueError:
            s = a.shape if broadcast_shapes_msg(a.shape, b.shape) is None else b.shape
            raise RuntimeError(broadcast_shapes_msg(a.shape, b.shape) or
                               broadcast_shapes_msg(xp.broadcast_shapes(a.shape, b.shape),
                                                    w.shape) or f"bad shapes {s}") from None
        low = xp.abs(w) < 0.5
        return xp.where(low, a + w * (b - a), b - (b - a) * (1 - w)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        return ((g * (1 - w) if n[0] else None), (g * w if n[1] else None),
                (g * (b - a) if n[2] else None))


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    require_tensor('lerp', input, 'input', 1)
    require_tensor('lerp', end, 'end', 2)
    if input.dtype is not end.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.name.replace('float32', 'float')} for `end` "
                           f"but got dtype {end.dtype.name.replace('float64', 'double')}")
    if input._data.dtype.kind in 'iub':
        raise _not_impl('lerp_kernel_scalar' if not isinstance(weight, Tensor)
                        else 'lerp_kernel_tensor', input)
    if isinstance(weight, Tensor):
        if weight._data.ndim and weight.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {input.dtype.name} for `weight` but got dtype "
                               f"{weight.dtype.name}")
        if weight.dtype is not input.dtype:
            weight = weight.to(input.dtype)
        return _out(LerpBackward1.apply(input, end, weight), out)
    return _out(LerpBackward0.apply(input, end, weight=weight), out)


tensor_method('lerp')(lerp)
Tensor.lerp_ = inplace_pointwise(lerp, 'lerp_')


# ----- addcmul / addcdiv --------------------------------------------------------------------

def _three(input, t1, t2, name):
    for i, (x, nm) in enumerate(((input, 'input'), (t1, 'tensor1'), (t2, 'tensor2'))):
        require_tensor(name, x, nm, i + 1)
    dt = D.result_type_many([(x.dtype, 2 if x._data.ndim else 1) for x in (input, t1, t2)])
    return tuple(x if x.dtype is dt else x.to(dt) for x in (input, t1, t2))


def _check3(a, b, c):
    xp = array_module(a)
    try:
        xp.broadcast_shapes(a.shape, b.shape, c.shape)
    except ValueError:
        m = broadcast_shapes_msg(b.shape, c.shape) or broadcast_shapes_msg(
            a.shape, xp.broadcast_shapes(b.shape, c.shape))
        raise RuntimeError(m) from None


class AddcmulBackward0(Function):
    @staticmethod
    def forward(ctx, a, t1, t2, value):
        _check3(a, t1, t2)
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        v = value if a.dtype.kind in 'fc' else int(value)
        return (a + v * (t1 * t2)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        n = ctx.needs_input_grad
        return ((g if n[0] else None), (g * (t2 * v).conj() if n[1] else None),
                (g * (t1 * v).conj() if n[2] else None))


class AddcdivBackward0(Function):
    @staticmethod
    def forward(ctx, a, t1, t2, value):
        _check3(a, t1, t2)
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        with _quiet(a):
            return (a + value * (t1 / t2)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        n = ctx.needs_input_grad
        return ((g if n[0] else None), (g * (v / t2).conj() if n[1] else None),
                (g * (-t1 * v / (t2 * t2)).conj() if n[2] else None))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    a, b, c = _three(input, tensor1, tensor2, 'addcmul')
    if a._data.dtype.kind in 'iub' and isinstance(value, float):
        raise RuntimeError("For integral input tensors, argument value must not be a floating "
                           "point number.")
    return _out(AddcmulBackward0.apply(a, b, c, value=value), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    for i, (x, nm) in enumerate(((input, 'input'), (tensor1, 'tensor1'), (tensor2, 'tensor2'))):
        require_tensor('addcdiv', x, nm, i + 1)
    if tensor1._data.dtype.kind in 'iub' and tensor2._data.dtype.kind in 'iub':
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
            "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
            "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
            "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
            "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
            "tensor2), for all dtypes.")
    a, b, c = _three(input, tensor1, tensor2, 'addcdiv')
    return _out(AddcdivBackward0.apply(a, b, c, value=value), out)


tensor_method('addcmul')(addcmul)
tensor_method('addcdiv')(addcdiv)
Tensor.addcmul_ = inplace_pointwise(addcmul, 'addcmul_')
Tensor.addcdiv_ = inplace_pointwise(addcdiv, 'addcdiv_')


# ----- clamp --------------------------------------------------------------------------------

def _clamp_arr(xp, a, lo, hi):
    if lo is not None:
        a = xp.maximum(a, lo)
    if hi is not None:
        a = xp.minimum(a, hi)
    return a


class ClampBackward1(Function):
    """clamp with python-number bounds."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(a)
        xp = array_module(a)
        t = a.dtype.type
        return _clamp_arr(xp, a, None if lo is None else t(lo), None if hi is None else t(hi)) \
            .astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        m = None
        if lo is not None:
            m = x >= lo
        if hi is not None:
            m = (x <= hi) if m is None else m & (x <= hi)
        return where(m, g, _zeros(g))


class ClampMinBackward0(ClampBackward1):
    pass


class ClampMaxBackward0(ClampBackward1):
    pass


class ClampBackward0(Function):
    """clamp with tensor bounds (None for a missing one)."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        xp = array_module(a)
        ctx.save_for_backward(a, lo, hi)
        shapes = [s.shape for s in (a, lo, hi) if s is not None]
        try:
            xp.broadcast_shapes(*shapes)
        except ValueError:
            raise RuntimeError(broadcast_shapes_msg(a.shape, (lo if lo is not None else hi).shape)
                               or broadcast_shapes_msg(a.shape, hi.shape)) from None
        return _clamp_arr(xp, a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        n = ctx.needs_input_grad
        z = _zeros(g)
        if lo is not None and hi is not None:
            gx = where((x >= lo) & (x <= hi), g, z) if n[0] else None
            glo = where((x < lo) & (lo < hi), g, z) if n[1] else None
            ghi = where((x > hi) | (lo > hi), g, z) if n[2] else None
            return gx, glo, ghi
        if lo is not None:
            return (where(x >= lo, g, z) if n[0] else None), (where(x < lo, g, z) if n[1] else None), None
        return (where(x <= hi, g, z) if n[0] else None), None, (where(x > hi, g, z) if n[2] else None)


class ClampMinBackward1(ClampBackward0):
    pass


class ClampMaxBackward1(ClampBackward0):
    pass


def _is_num(x):
    return isinstance(x, (numbers.Number, np.generic))


def _clamp(input, min, max, out, scls, tcls, name):
    require_tensor(name, input, 'input', 1)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if input._data.dtype.kind == 'c':
        raise RuntimeError(f"{name} is not supported for complex types")
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        items = [(input.dtype, 2)] + [(D.scalar_dtype(v), 0) for v in (min, max) if v is not None]
        dt = D.result_type_many(items)
        x = input if dt is input.dtype else input.to(dt)
        return _out(scls.apply(x, lo=min, hi=max), out)
    bounds = [v if (v is None or isinstance(v, Tensor)) else scalar_tensor_like(v, input.dtype,
                                                                                input._data)
              for v in (min, max)]
    items = [(t.dtype, 2 if t._data.ndim else 1) for t in [input] + bounds if t is not None]
    dt = D.result_type_many(items)
    x, lo, hi = (None if t is None else (t if t.dtype is dt else t.to(dt))
                 for t in [input] + bounds)
    return _out(tcls.apply(x, lo, hi), out)


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max] (python numbers or tensors; either may be None)."""
    return _clamp(input, min, max, out, ClampBackward1, ClampBackward0, 'clamp')


clip = clamp


def clamp_min(input, min, *, out=None):
    """max(input, min) elementwise."""
    return _clamp(input, min, None, out, ClampMinBackward0, ClampMinBackward1, 'clamp_min')


def clamp_max(input, max, *, out=None):
    """min(input, max) elementwise."""
    return _clamp(input, None, max, out, ClampMaxBackward0, ClampMaxBackward1, 'clamp_max')


tensor_method('clamp', 'clip')(clamp)
tensor_method('clamp_min')(clamp_min)
tensor_method('clamp_max')(clamp_max)
for _n, _f in (('clamp_', clamp), ('clip_', clamp), ('clamp_min_', clamp_min),
               ('clamp_max_', clamp_max)):
    setattr(Tensor, _n, inplace_pointwise(_f, _n))

