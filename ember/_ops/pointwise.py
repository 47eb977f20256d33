"""Unary pointwise math: trigonometric, hyperbolic, exponential/logarithmic, error functions,
rounding, sign and classification predicates (the core few live in `unary.py`).

Each differentiable op is one `Function` subclass named as torch names its grad_fn, built by
`_unary`: the forward is one array expression, the gradient is written with ember ops (so double
backward works). Integer and bool inputs of float functions compute in the default float dtype,
as torch does.
"""
import math

from .. import _dtype as D
from .._backend import array_module
from .._tensor import Tensor, tensor_method, _wrap
from ..autograd.graph import Node as Function
from . import _special_math as S
from ._helpers import float_result
from .inplace import make_inplace
from .unary import _quiet, exp, abs
from .reduction import _type_name
from ._opargs import out_result as _out, require_tensor as _check_tensor

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _not_impl(kernel, t):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(t.dtype)}\'')


def _unary(name, clsname, fwd, grad, *, kind='float', complex_ok=True, complex_msg=None,
           kernel=None, aliases=(), inplace=True, doc=None):
    """Define op `name`: torch function, Tensor method(s), in-place variant(s) and grad_fn class.

    fwd(xp, a) -> array; grad(g, x, out) -> Tensor (ember ops) or None for no gradient.
    kind: 'float' (ints compute in the default float dtype), 'round' (ints pass through unchanged,
    bool is an error), 'floatonly' (ints are an error), 'same' (any dtype, computed as is).
    """
    kernel = kernel or f'{name}_vml_cpu'

    def forward(ctx, a):
        with _quiet(a):
            out = fwd(array_module(a), a)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return grad(g, x, out)

    cls = type(clsname, (Function,), {'forward': staticmethod(forward),
                                      'backward': staticmethod(backward),
                                      '__doc__': f'grad_fn of torch.{name}.',
                                      '__module__': __name__})

    def op(input, *, out=None):
        _check_tensor(name, input)
        k = input._data.dtype.kind
        if k == 'c' and not complex_ok:
            raise (complex_msg(input) if complex_msg else _not_impl(kernel, input))
        if k in 'iub' and kind != 'same':
            if kind == 'float':
                input = float_result(input)
            elif kind == 'round':
                if k == 'b':
                    raise _not_impl(kernel, input)
                return _out(_wrap(input._data.copy()), out)
            else:
                raise _not_impl(kernel, input)
        return _out(cls.apply(input), out)

    op.__name__ = name
    op.__doc__ = doc or f"Elementwise {name} (torch.{name})."
    names = (name,) + tuple(aliases)
    tensor_method(*names)(op)
    if inplace:
        for n in names:
            setattr(Tensor, n + '_', make_inplace(op, n + '_'))
    return op, cls


def _zero(g, x, out):
    return g * 0


# ----- powers and exponentials ---------------------------------------------------------------

def _rsqrt_fwd(xp, a):
    return (1 / xp.sqrt(a)).astype(a.dtype, copy=False)


rsqrt, RsqrtBackward0 = _unary('rsqrt', 'RsqrtBackward0', _rsqrt_fwd,
                               lambda g, x, y: g * (y * y * y * -0.5).conj())
reciprocal, ReciprocalBackward0 = _unary(
    'reciprocal', 'ReciprocalBackward0', lambda xp, a: (1 / a).astype(a.dtype, copy=False),
    lambda g, x, y: g * (-(y * y)).conj())
exp2, Exp2Backward0 = _unary('exp2', 'Exp2Backward0', lambda xp, a: xp.exp2(a),
                             lambda g, x, y: g * (y * _LN2).conj())
expm1, Expm1Backward0 = _unary('expm1', 'Expm1Backward0', lambda xp, a: xp.expm1(a),
                               lambda g, x, y: g * (y + 1).conj())
log2, Log2Backward0 = _unary('log2', 'Log2Backward0', lambda xp, a: xp.log2(a),
                             lambda g, x, y: g / (x * _LN2).conj())
log10, Log10Backward0 = _unary('log10', 'Log10Backward0', lambda xp, a: xp.log10(a),
                               lambda g, x, y: g / (x * _LN10).conj())
log1p, Log1PBackward0 = _unary('log1p', 'Log1PBackward0', lambda xp, a: xp.log1p(a),
                               lambda g, x, y: g / (x + 1).conj())


def square(input, *, out=None):
    """input * input (integers stay integers, bool becomes int64)."""
    _check_tensor('square', input)
    from .arithmetic import pow
    return _out(pow(input, 2), out)


tensor_method('square')(square)
Tensor.square_ = make_inplace(square, 'square_')

# ----- trigonometric and hyperbolic --------------------------------------------------------

sin, SinBackward0 = _unary('sin', 'SinBackward0', lambda xp, a: xp.sin(a),
                           lambda g, x, y: g * cos(x).conj())
cos, CosBackward0 = _unary('cos', 'CosBackward0', lambda xp, a: xp.cos(a),
                           lambda g, x, y: g * (-sin(x)).conj())
tan, TanBackward0 = _unary('tan', 'TanBackward0', lambda xp, a: xp.tan(a),
                           lambda g, x, y: g * (y * y + 1).conj())
asin, AsinBackward0 = _unary('asin', 'AsinBackward0', lambda xp, a: xp.arcsin(a),
                             lambda g, x, y: g * rsqrt(1 - x * x).conj(), aliases=('arcsin',))
acos, AcosBackward0 = _unary('acos', 'AcosBackward0', lambda xp, a: xp.arccos(a),
                             lambda g, x, y: g * (-rsqrt(1 - x * x)).conj(), aliases=('arccos',))
atan, AtanBackward0 = _unary('atan', 'AtanBackward0', lambda xp, a: xp.arctan(a),
                             lambda g, x, y: g / (x * x + 1).conj(), aliases=('arctan',))
sinh, SinhBackward0 = _unary('sinh', 'SinhBackward0', lambda xp, a: xp.sinh(a),
                             lambda g, x, y: g * cosh(x).conj())
cosh, CoshBackward0 = _unary('cosh', 'CoshBackward0', lambda xp, a: xp.cosh(a),
                             lambda g, x, y: g * sinh(x).conj())
asinh, AsinhBackward0 = _unary('asinh', 'AsinhBackward0', lambda xp, a: xp.arcsinh(a),
                               lambda g, x, y: g * rsqrt(x * x + 1).conj(), aliases=('arcsinh',))
acosh, AcoshBackward0 = _unary('acosh', 'AcoshBackward0', lambda xp, a: xp.arccosh(a),
                               lambda g, x, y: g * (rsqrt(x - 1) * rsqrt(x + 1)).conj(),
                               aliases=('arccosh',))
atanh, AtanhBackward0 = _unary('atanh', 'AtanhBackward0', lambda xp, a: xp.arctanh(a),
                               lambda g, x, y: g / (1 - x * x).conj(), aliases=('arctanh',))
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
deg2rad, Deg2RadBackward0 = _unary(
    'deg2rad', 'Deg2RadBackward0', lambda xp, a: (a * (math.pi / 180)).astype(a.dtype, copy=False),
    lambda g, x, y: g * (math.pi / 180), complex_ok=False,
    complex_msg=lambda t: RuntimeError("deg2rad is not supported for complex tensors."))
rad2deg, Rad2DegBackward0 = _unary(
    'rad2deg', 'Rad2DegBackward0', lambda xp, a: (a * (180 / math.pi)).astype(a.dtype, copy=False),
    lambda g, x, y: g * (180 / math.pi), complex_ok=False,
    complex_msg=lambda t: RuntimeError("rad2deg is not supported for complex tensors."))

# ----- error functions -----------------------------------------------------------------------

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

erf, ErfBackward0 = _unary('erf', 'ErfBackward0', lambda xp, a: S.erf(a),
                           lambda g, x, y: g * exp(-(x * x)) * _TWO_OVER_SQRT_PI, complex_ok=False)
erfc, ErfcBackward0 = _unary('erfc', 'ErfcBackward0', lambda xp, a: S.erfc(a),
                             lambda g, x, y: g * exp(-(x * x)) * -_TWO_OVER_SQRT_PI,
                             complex_ok=False)
erfinv, ErfinvBackward0 = _unary('erfinv', 'ErfinvBackward0', lambda xp, a: S.erfinv(a),
                                 lambda g, x, y: g * exp(y * y) * (math.sqrt(math.pi) / 2),
                                 complex_ok=False)


class LogitBackward0(Function):
    @staticmethod
    def forward(ctx, a, eps):
        xp = array_module(a)
        ctx.eps = eps
        ctx.save_for_backward(a)
        if eps is not None:
            a = xp.clip(a, eps, 1 - eps).astype(a.dtype, copy=False)
        with _quiet(a):
            return xp.log(a / (1 - a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        r = g / (x * (1 - x))
        if ctx.eps is not None:
            from .comparison import where
            inside = (x >= ctx.eps) & (x <= 1 - ctx.eps)
            r = where(inside, r, r * 0)
        return r


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    _check_tensor('logit', input)
    if input._data.dtype.kind == 'c':
        raise _not_impl('logit_cpu', input)
    return _out(LogitBackward0.apply(float_result(input), eps=eps), out)


tensor_method('logit')(logit)
Tensor.logit_ = make_inplace(logit, 'logit_')

# ----- rounding and sign -------------------------------------------------------------------

_no_complex_round = dict(complex_ok=False)
floor, FloorBackward0 = _unary(
    'floor', 'FloorBackward0', lambda xp, a: xp.floor(a), _zero, kind='round',
    complex_msg=lambda t: NotImplementedError("floor is not supported for complex inputs"),
    **_no_complex_round)
ceil, CeilBackward0 = _unary(
    'ceil', 'CeilBackward0', lambda xp, a: xp.ceil(a), _zero, kind='round',
    complex_msg=lambda t: NotImplementedError("ceil is not supported for complex inputs"),
    **_no_complex_round)
trunc, TruncBackward0 = _unary(
    'trunc', 'TruncBackward0', lambda xp, a: xp.trunc(a), _zero, kind='round', aliases=('fix',),
    complex_msg=lambda t: NotImplementedError("trunc is not supported for complex inputs"),
    **_no_complex_round)
frac, FracBackward0 = _unary('frac', 'FracBackward0', lambda xp, a: a - xp.trunc(a),
                             lambda g, x, y: g, kind='floatonly', kernel='frac_cpu',
                             **_no_complex_round)
fix = trunc

class RoundBackward0(Function):
    """round half to even."""

    @staticmethod
    def forward(ctx, a):
        return array_module(a).rint(a)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class RoundBackward1(Function):
    """round to `decimals` digits: rint(x * 10^d) / 10^d (x / 10^-d for negative d), as torch."""

    @staticmethod
    def forward(ctx, a, decimals):
        xp = array_module(a)
        with _quiet(a):
            if decimals >= 0:
                f = a.dtype.type(10.0 ** decimals)
                return (xp.rint(a * f) / f).astype(a.dtype, copy=False)
            f = a.dtype.type(10.0 ** -decimals)
            return (xp.rint(a / f) * f).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * 0


def round(input, *, decimals=0, out=None):
    """Round half to even; with `decimals`, to that many decimal digits."""
    _check_tensor('round', input)
    k = input._data.dtype.kind
    if k in 'bc' or (k in 'iu' and decimals != 0):
        raise _not_impl('round_cpu' if decimals else 'round_vml_cpu', input)
    if k in 'iu':
        return _out(_wrap(input._data.copy()), out)
    if decimals == 0:
        return _out(RoundBackward0.apply(input), out)
    return _out(RoundBackward1.apply(input, decimals=int(decimals)), out)


tensor_method('round')(round)
Tensor.round_ = make_inplace(round, 'round_')


def _sign_fwd(xp, a):
    if a.dtype.kind == 'b':
        return a.copy()
    # torch's sign(nan) is 0, not nan: (x > 0) - (x < 0)
    return ((a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)).astype(a.dtype, copy=False)


sign, SignBackward0 = _unary(
    'sign', 'SignBackward0', _sign_fwd, _zero, kind='same', complex_ok=False,
    complex_msg=lambda t: NotImplementedError("Unlike NumPy, torch.sign is not intended to support "
                                              "complex numbers. Please use torch.sgn instead."))


def _sgn_inplace(self):
    from .unary import sgn
    return sgn(self)


Tensor.sgn_ = make_inplace(_sgn_inplace, 'sgn_')


def positive(input):
    """Returns input itself (an error for bool tensors, as torch)."""
    _check_tensor('positive', input)
    if input._data.dtype.kind == 'b':
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


Tensor.positive = positive


# ----- nan_to_num ---------------------------------------------------------------------------

class NanToNumBackward0(Function):
    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        xp = array_module(a)
        ctx.finite = xp.isfinite(a)
        if a.dtype.kind == 'c':
            return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
        fi = D.finfo_np(D.from_numpy(a.dtype)) if a.dtype != D._BF16 else None
        big = float(fi.max) if fi is not None else float(a.dtype.type(3.3895313892515355e38))
        hi = big if posinf is None else posinf
        lo = -big if neginf is None else neginf
        out = xp.where(xp.isnan(a), a.dtype.type(nan), a)
        out = xp.where(out == xp.inf, a.dtype.type(hi), out)
        return xp.where(out == -xp.inf, a.dtype.type(lo), out).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * _wrap(ctx.finite)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by `nan`, +inf/-inf by `posinf`/`neginf` (default: the dtype's extremes)."""
    _check_tensor('nan_to_num', input)
    if input._data.dtype.kind in 'iub':
        return _out(_wrap(input._data.copy()), out)
    return _out(NanToNumBackward0.apply(input, nan=nan, posinf=posinf, neginf=neginf), out)


tensor_method('nan_to_num')(nan_to_num)
Tensor.nan_to_num_ = make_inplace(nan_to_num, 'nan_to_num_')


# ----- predicates (bool results, no gradient) ------------------------------------------------

def _predicate(name, fn, complex_msg=None):
    def op(input):
        _check_tensor(name, input)
        a = input._data
        if complex_msg is not None and a.dtype.kind == 'c':
            raise RuntimeError(complex_msg)
        return _wrap(fn(array_module(a), a))
    op.__name__ = name
    op.__doc__ = f"Elementwise {name} (a bool tensor)."
    tensor_method(name)(op)
    return op


def _float_kind(a):
    return a.dtype.kind in 'fc' or a.dtype == D._BF16


def _falses(xp, a):
    return xp.zeros(a.shape, dtype=bool)


isnan = _predicate('isnan', lambda xp, a: xp.isnan(a) if _float_kind(a) else _falses(xp, a))
isinf = _predicate('isinf', lambda xp, a: xp.isinf(a) if _float_kind(a) else _falses(xp, a))
isfinite = _predicate('isfinite', lambda xp, a: xp.isfinite(a) if _float_kind(a)
                      else ~_falses(xp, a))
isposinf = _predicate('isposinf', lambda xp, a: (a == xp.inf) if _float_kind(a) else _falses(xp, a),
                      complex_msg="isposinf does not support complex inputs.")
isneginf = _predicate('isneginf', lambda xp, a: (a == -xp.inf) if _float_kind(a)
                      else _falses(xp, a), complex_msg="isneginf does not support complex inputs.")
isreal = _predicate('isreal', lambda xp, a: (a.imag == 0) if a.dtype.kind == 'c'
                    else ~_falses(xp, a))


def signbit(input, *, out=None):
    """True where the sign bit is set (including -0.0 and negative NaNs)."""
    _check_tensor('signbit', input)
    a = input._data
    if a.dtype.kind == 'c':
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    xp = array_module(a)
    r = xp.signbit(a) if _float_kind(a) else (a < 0) if a.dtype.kind == 'i' else _falses(xp, a)
    return _out(_wrap(r), out)


tensor_method('signbit')(signbit)


# ----- complex parts -------------------------------------------------------------------------

class SelectBackward0(Function):
    """The real or imaginary part of a complex tensor, a view (torch selects from view_as_real,
    hence the name)."""
    _is_view = True

    @staticmethod
    def forward(ctx, a, part):
        ctx.part = part
        return a.real if part == 'real' else a.imag

    @staticmethod
    def backward(ctx, g):
        c = g.to(g.dtype.to_complex())
        return c if ctx.part == 'real' else c * 1j


def real(input):
    """The real part (a view for complex tensors, the tensor itself otherwise)."""
    _check_tensor('real', input)
    if input._data.dtype.kind != 'c':
        return input
    return SelectBackward0.apply(input, part='real')


def imag(input):
    """The imaginary part of a complex tensor (a view)."""
    _check_tensor('imag', input)
    if input._data.dtype.kind != 'c':
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return SelectBackward0.apply(input, part='imag')


Tensor.real = property(real)
Tensor.imag = property(imag)


class AngleBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        ctx.save_for_backward(a)
        if a.dtype.kind == 'c':
            return xp.angle(a).astype(a.real.dtype, copy=False)
        # torch: pi for negatives, 0 otherwise (also for -0.0), nan stays nan
        out = xp.where(a < 0, a.dtype.type(math.pi), a.dtype.type(0))
        return xp.where(xp.isnan(a), a, out).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if not x.is_complex():
            return g * 0
        from .comparison import where
        den = abs(x) ** 2
        safe = where(den == 0, den + 1, den)
        r = g.to(x.dtype) * x * 1j / safe.to(x.dtype)
        return where(den == 0, r * 0, r)


def angle(input, *, out=None):
    """Elementwise argument (radians); for real tensors pi for negatives and 0 otherwise."""
    _check_tensor('angle', input)
    return _out(AngleBackward0.apply(float_result(input)), out)


tensor_method('angle')(angle)


# in-place variant of a core unary op that the core did not make
Tensor.absolute_ = make_inplace(abs, 'absolute_')
