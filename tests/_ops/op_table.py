"""OpInfo-style table: every row is one op, checked against torch by `test_op_table.py`.

Adding an op is one row in `OPS`:

    OpInfo('sin', unary())                                   # ember.sin vs torch.sin
    OpInfo('clamp', unary(), fn=lambda m, x: m.clamp(x, -0.5, 0.5))
    OpInfo('atan2', binary(), dtypes=FLOAT)                  # float dtypes only
    OpInfo('sort', reduction(dims=(0, -1), distinct=True), fn=lambda m, x, dim: m.sort(x, dim))

`fn(m, *args, **kwargs)` is called once with `m=torch` and once with `m=ember` (default:
`m.<name>(*args, **kwargs)`). A sample generator returns `Sample`s whose numpy-array arguments
become tensors: plain float arrays are cast to each dtype in the row's `dtypes` (ints and bools
made from them) and, for the gradient checks, become float64 leaves that require grad; `T(arr)`
marks an array that keeps its own dtype and never requires grad (indices, masks); anything else
(python numbers, dims, tuples) passes through unchanged.

The runner (test_op_table.py) checks, per row and sample:
  forward  values, dtypes, shapes and result types equal torch's for every dtype, or the same
           exception type when torch raises; the Tensor method (`method=True`) and the in-place
           variant (`inplace`, default `<name>_` when torch has it) agree with torch too;
  grad     grad_fn names and the gradients of sum(out * w) equal torch's (float64, `grad=True`);
  gradcheck  the gradients equal float64 central differences;
  gradgrad second-order gradients equal torch's and central differences of the first-order ones
           (`gradgrad=True`; set it False where torch has no double backward).
"""
import math

import numpy as np

# ----- dtypes -------------------------------------------------------------------------------

FLOAT = (np.float32, np.float64)
INT = (np.int64, np.int32, np.uint8)
FLOAT_INT = FLOAT + (np.int64,)
ALL = FLOAT + (np.int64, np.int32, np.uint8, np.bool_)
NUMERIC = FLOAT + (np.int64, np.int32)


class T:
    """A tensor argument that keeps its dtype (never cast, never requires grad)."""

    def __init__(self, arr):
        self.arr = np.asarray(arr)

    def __repr__(self):
        return f'T({self.arr.dtype}{list(self.arr.shape)})'


class Sample:
    """Positional and keyword arguments of one call."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        def r(a):
            if isinstance(a, np.ndarray):
                return f'arr{list(a.shape)}'
            return repr(a)
        parts = [r(a) for a in self.args] + [f'{k}={r(v)}' for k, v in self.kwargs.items()]
        return f"Sample({', '.join(parts)})"


class OpInfo:
    """One row of the table (see the module docstring)."""

    def __init__(self, name, samples, fn=None, dtypes=FLOAT_INT, grad=True, gradgrad=True,
                 method=True, inplace=None, grad_fn=True, rtol=None, atol=None, grad_rtol=1e-7,
                 grad_atol=1e-9, gradcheck=True, errors=(), skip_values=False, id=None):
        self.name = name
        self.id = id or name
        self.samples = samples
        self.fn = fn or (lambda m, *a, **k: getattr(m, name)(*a, **k))
        self.method_fn = None
        if fn is not None and inplace is None:
            inplace = False             # a custom fn's arguments need not fit the method
        if method is True and fn is None:
            self.method_fn = lambda m, x, *a, **k: getattr(x, name)(*a, **k)
        elif callable(method):
            self.method_fn = method
        self.dtypes = dtypes
        self.grad = grad
        self.gradgrad = grad and gradgrad
        self.gradcheck = grad and gradcheck
        self.inplace = inplace          # None: `<name>_` when torch.Tensor has it; False: none
        self.grad_fn = grad_fn
        self.rtol, self.atol = rtol, atol
        self.grad_rtol, self.grad_atol = grad_rtol, grad_atol
        self.errors = errors            # (fn, args, exception-type name, message gist) tuples
        self.skip_values = skip_values  # compare shapes/dtypes only (e.g. uninitialised memory)

    def __repr__(self):
        return f'OpInfo({self.id})'


# ----- sample generators ------------------------------------------------------------------

UNARY_SHAPES = ((), (0,), (4,), (2, 3))
BINARY_SHAPES = (((2, 3), (2, 3)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1), (1, 3)), ((0, 3), (3,)),
                 ((3,), ()))


def _rng(seed):
    return np.random.default_rng(seed)


def _vals(rng, shape, domain, distinct=False):
    lo, hi = domain
    if distinct:
        # distinct values 0.5 apart, so the integer casts (floor(2x)) stay distinct too
        n = int(np.prod(shape, dtype=np.int64))
        return ((rng.permutation(n) - n // 2) * 0.5 + 0.13).reshape(shape)
    return rng.uniform(lo, hi, shape)


def unary(domain=(-2, 2), shapes=UNARY_SHAPES, kwargs=({},), distinct=False, seed=0):
    """One float array per shape (and per kwargs dict)."""
    def gen():
        rng = _rng(seed)
        return [Sample(_vals(rng, s, domain, distinct), **kw) for s in shapes for kw in kwargs]
    return gen


def binary(domain=(-2, 2), domain2=None, shapes=BINARY_SHAPES, scalars=(1.5,), seed=0):
    """Pairs of broadcastable float arrays, plus tensor-with-python-scalar samples."""
    def gen():
        rng = _rng(seed)
        out = [Sample(_vals(rng, a, domain), _vals(rng, b, domain2 or domain)) for a, b in shapes]
        out += [Sample(_vals(rng, (2, 3), domain), s) for s in scalars]
        return out
    return gen


def ternary(domain=(-2, 2), shapes=(((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1)),
                                    ((), (3,), ())), kwargs=({},), domain3=None, seed=0):
    def gen():
        rng = _rng(seed)
        return [Sample(_vals(rng, a, domain), _vals(rng, b, domain),
                       _vals(rng, c, domain3 or domain), **kw)
                for a, b, c in shapes for kw in kwargs]
    return gen


def reduction(dims=(None, 0, -1, (0, 2)), keepdims=(False, True), shape=(2, 3, 4),
              domain=(-2, 2), distinct=False, extra=(), kwargs=None, dim_kw=False, seed=0):
    """An array of `shape` reduced over each of `dims` (None: no dim argument), with each of
    `keepdims` (None: no keepdim argument); then a 0-d and an empty (0, 3) input, and `extra`.
    dim/keepdim are passed by keyword with `dim_kw`, else positionally."""
    def call(x, d=None, k=None):
        args, kw = [x], dict(kwargs or {})
        if d is not None:
            if dim_kw:
                kw['dim'] = d
            else:
                args.append(d)
            if k is not None:
                if dim_kw:
                    kw['keepdim'] = k
                else:
                    args.append(k)
        return Sample(*args, **kw)

    def gen():
        rng = _rng(seed)
        x = _vals(rng, shape, domain, distinct)
        out = []
        for d in dims:
            if d is None:
                out.append(call(x))
            elif not (isinstance(d, tuple) and max(d) >= len(shape)):
                out += [call(x, d, k) for k in keepdims]
        v0, e = _vals(rng, (), domain), _vals(rng, (0, 3), domain)
        if None in dims:
            out += [call(v0), call(e)]
        if any(d is not None for d in dims):
            out += [call(v0, 0), call(v0, -1), call(e, 1), call(e, 0)]
        return out + list(extra)
    return gen


def scan(domain=(-2, 2), shape=(3, 4), seed=0, distinct=False):
    """Scans along each dim, a 0-d and an empty input."""
    def gen():
        rng = _rng(seed)
        x = _vals(rng, shape, domain, distinct)
        return ([Sample(x, d) for d in range(-len(shape), len(shape))] +
                [Sample(_vals(rng, (), domain), 0), Sample(_vals(rng, (0, 2), domain), 1)])
    return gen


def samples(*fixed):
    """Hand-written samples."""
    return lambda: list(fixed)


# ----- the table ------------------------------------------------------------------------------

def _u(name, domain=(-2, 2), dtypes=ALL, **kw):
    return OpInfo(name, unary(domain), dtypes=dtypes, **kw)


_POS = (0.2, 3)
_UNIT = (-0.9, 0.9)
_ROUND_DOMAIN = (-3.3, 3.3)

OPS = [
    # -- unary float functions (ints and bools compute in the default float dtype) --
    _u('exp'), _u('exp2'), _u('expm1'), _u('log', _POS), _u('log2', _POS), _u('log10', _POS),
    _u('log1p', (-0.5, 2)), _u('sqrt', _POS), _u('rsqrt', _POS), _u('reciprocal', _POS),
    _u('sin'), _u('cos'), _u('tan', (-1.2, 1.2)), _u('asin', _UNIT), _u('acos', _UNIT),
    _u('atan'), _u('sinh'), _u('cosh'), _u('tanh'), _u('asinh'), _u('acosh', (1.2, 3)),
    _u('atanh', _UNIT), _u('arcsin', _UNIT), _u('arccos', _UNIT), _u('arctan'),
    _u('arcsinh'), _u('arccosh', (1.2, 3)), _u('arctanh', _UNIT),
    _u('sigmoid'), _u('erf'), _u('erfc'), _u('erfinv', _UNIT), _u('deg2rad'), _u('rad2deg'),
    OpInfo('logit', unary((0.1, 0.9), kwargs=({}, {'eps': 0.2})), dtypes=ALL),
    _u('square'), _u('abs'), _u('absolute'), _u('neg'), _u('negative'),
    _u('sign', grad_fn=True), _u('sgn'), _u('positive', inplace=False),
    _u('floor', _ROUND_DOMAIN), _u('ceil', _ROUND_DOMAIN), _u('trunc', _ROUND_DOMAIN),
    _u('fix', _ROUND_DOMAIN), _u('frac', _ROUND_DOMAIN),
    OpInfo('round', unary(_ROUND_DOMAIN, kwargs=({}, {'decimals': 1}, {'decimals': -1})),
           dtypes=ALL),
    OpInfo('nan_to_num', samples(
        Sample(np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])),
        Sample(np.array([np.nan, np.inf, -np.inf, 1.5]), nan=2.0, posinf=9.0, neginf=-9.0),
        Sample(np.array([[np.nan, 0.5], [-np.inf, 2.0]]), 1.0)), dtypes=ALL, gradgrad=False),
    OpInfo('isnan', samples(Sample(np.array([np.nan, np.inf, -np.inf, 1.5]))), dtypes=ALL,
           grad=False),
    OpInfo('isinf', samples(Sample(np.array([np.nan, np.inf, -np.inf, 1.5]))), dtypes=ALL,
           grad=False),
    OpInfo('isposinf', samples(Sample(np.array([np.nan, np.inf, -np.inf, 1.5]))), dtypes=ALL,
           grad=False),
    OpInfo('isneginf', samples(Sample(np.array([np.nan, np.inf, -np.inf, 1.5]))), dtypes=ALL,
           grad=False),
    OpInfo('isfinite', samples(Sample(np.array([np.nan, np.inf, -np.inf, 1.5]))), dtypes=ALL,
           grad=False),
    OpInfo('isreal', unary(), dtypes=ALL, grad=False),
    OpInfo('signbit', samples(Sample(np.array([-0.0, 0.0, -1.5, 2.0, -np.inf]))), dtypes=ALL,
           grad=False),
    OpInfo('angle', unary(), dtypes=ALL, method=True),
    OpInfo('real', unary(), dtypes=ALL, method=lambda m, x: x.real, inplace=False),
    OpInfo('logical_not', unary(), dtypes=ALL, grad=False),
    OpInfo('bitwise_not', unary(), dtypes=ALL, grad=False),

    # -- binary arithmetic (core) and the rest of the binary family --
    OpInfo('add', binary(), dtypes=ALL), OpInfo('sub', binary(), dtypes=NUMERIC),
    OpInfo('add', binary(), fn=lambda m, a, b: m.add(a, b, alpha=2), id='add_alpha',
           dtypes=NUMERIC, method=False),
    OpInfo('sub', binary(), fn=lambda m, a, b: m.sub(a, b, alpha=0.5), id='sub_alpha',
           dtypes=FLOAT, method=False),
    OpInfo('mul', binary(), dtypes=ALL), OpInfo('div', binary(domain2=(0.5, 2)), dtypes=ALL),
    OpInfo('true_divide', binary(domain2=(0.5, 2)), dtypes=ALL),
    OpInfo('div', binary(domain2=(0.5, 2)), fn=lambda m, a, b: m.div(a, b, rounding_mode='floor'),
           id='div_floor', dtypes=NUMERIC, method=False, gradgrad=False),
    OpInfo('div', binary(domain2=(0.5, 2)), fn=lambda m, a, b: m.div(a, b, rounding_mode='trunc'),
           id='div_trunc', dtypes=NUMERIC, method=False, gradgrad=False),
    OpInfo('remainder', binary(domain2=(0.5, 2)), dtypes=NUMERIC, gradgrad=False),
    OpInfo('fmod', binary(domain2=(0.5, 2)), dtypes=NUMERIC, gradgrad=False),
    OpInfo('pow', binary((0.5, 2)), dtypes=FLOAT),
    OpInfo('pow', samples(Sample(2.0, np.array([[0.5, -1.0, 1.5]])),
                          Sample(np.array([0.5, 1.5, 2.0]), 3),
                          Sample(np.array([0.5, 1.5, 2.0]), -0.5)),
           id='pow_scalar', dtypes=FLOAT, method=False),
    OpInfo('float_power', binary((0.5, 2)), dtypes=FLOAT_INT),
    OpInfo('atan2', binary(scalars=()), dtypes=FLOAT_INT),
    OpInfo('arctan2', binary(scalars=()), dtypes=FLOAT_INT),
    OpInfo('maximum', binary(scalars=()), dtypes=ALL, inplace=False),
    OpInfo('minimum', binary(scalars=()), dtypes=ALL, inplace=False),
    OpInfo('fmax', binary(scalars=()), dtypes=ALL, inplace=False),
    OpInfo('fmin', binary(scalars=()), dtypes=ALL, inplace=False),
    OpInfo('fmax', samples(Sample(np.array([np.nan, 1.0, np.nan, 2.0]),
                                  np.array([1.0, np.nan, np.nan, 3.0]))), id='fmax_nan',
           dtypes=FLOAT, inplace=False),
    OpInfo('maximum', samples(Sample(np.array([np.nan, 1.0, 2.0]), np.array([1.0, np.nan, 2.0]))),
           id='maximum_nan_ties', dtypes=FLOAT, inplace=False, gradcheck=False),
    OpInfo('hypot', binary(scalars=()), dtypes=FLOAT_INT),
    OpInfo('logaddexp', binary(scalars=()), dtypes=FLOAT_INT, inplace=False),
    OpInfo('logaddexp2', binary(scalars=()), dtypes=FLOAT_INT, inplace=False),
    OpInfo('xlogy', binary(domain2=(0.5, 2)), dtypes=FLOAT_INT),
    OpInfo('xlogy', samples(Sample(np.array([0.0, 0.0, 1.5]), np.array([0.0, np.nan, 2.0])),
                            Sample(2.0, np.array([0.5, 1.5]))), id='xlogy_zero',
           dtypes=FLOAT, method=False, gradcheck=False),
    OpInfo('copysign', binary(scalars=(-1.5,)), dtypes=FLOAT_INT),
    OpInfo('lerp', ternary(domain3=(0, 1)), dtypes=FLOAT),
    OpInfo('lerp', binary(scalars=()), fn=lambda m, a, b: m.lerp(a, b, 0.3), id='lerp_scalar',
           dtypes=FLOAT, method=False),
    OpInfo('lerp', binary(scalars=()), fn=lambda m, a, b: m.lerp(a, b, 0.7), id='lerp_scalar_hi',
           dtypes=FLOAT, method=False),
    OpInfo('addcmul', ternary(kwargs=({}, {'value': 0.5})), dtypes=FLOAT),
    OpInfo('addcmul', ternary(kwargs=({}, {'value': 2})), dtypes=INT, id='addcmul_int',
           grad=False),
    OpInfo('addcdiv', ternary(kwargs=({}, {'value': 0.5}), domain3=(0.5, 2)), dtypes=FLOAT),
    OpInfo('clamp', unary(kwargs=({'min': -0.5, 'max': 0.5}, {'min': 0.1}, {'max': -0.2})),
           dtypes=NUMERIC + (np.bool_,)),
    OpInfo('clamp', ternary(), id='clamp_tensor', dtypes=FLOAT_INT, gradcheck=False),
    OpInfo('clamp', samples(Sample(np.array([1.0, 5.0, np.nan, 3.0]),
                                   np.array([2.0, 2.0, 2.0, np.nan]),
                                   np.array([0.0, 6.0, 6.0, 6.0])),
                            Sample(np.array([1.0, 5.0, 3.0]), 4.0, 2.0)), id='clamp_crossed',
           dtypes=FLOAT, gradcheck=False),
    OpInfo('clip', unary(kwargs=({'min': -0.5, 'max': 0.5},)), dtypes=NUMERIC),
    OpInfo('clamp_min', unary(kwargs=({'min': 0.1},)), dtypes=NUMERIC),
    OpInfo('clamp_max', binary(scalars=()), fn=lambda m, a, b: m.clamp_max(a, b),
           id='clamp_max_tensor', dtypes=FLOAT, method=False, gradcheck=False),
    OpInfo('where', samples(Sample(T(np.array([[True, False, True], [False, False, True]])),
                                   np.arange(6.0).reshape(2, 3) * 0.5, np.array([-1.0, 2.0, 3.0])),
                            Sample(T(np.array([True, False])), np.array([1.5, 2.5]), 0.5)),
           fn=lambda m, c, a, b: m.where(c, a, b), dtypes=ALL, method=False),

    # -- comparison, logical and bitwise (no gradients) --
    *[OpInfo(n, binary(), dtypes=ALL, grad=False)
      for n in ('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'less_equal', 'not_equal')],
    *[OpInfo(n, binary(scalars=()), dtypes=ALL, grad=False)
      for n in ('logical_and', 'logical_or', 'logical_xor')],
    *[OpInfo(n, binary(domain=(-6, 6), scalars=(3,)), dtypes=INT + (np.bool_,), grad=False)
      for n in ('bitwise_and', 'bitwise_or', 'bitwise_xor')],
    OpInfo('bitwise_left_shift', samples(
        Sample(np.array([1.0, -8, 3, 5]), np.array([2.0, 1, 9, 70])),
        Sample(np.array([1.0, -8, 3, 5]), np.array([-1.0, 1, 0, 3])),
        Sample(np.array([1.0, 2.0]), 3)), dtypes=(np.int64, np.int32, np.uint8, np.float32),
           grad=False),
    OpInfo('bitwise_right_shift', samples(
        Sample(np.array([1.0, -8, 3, 5]), np.array([2.0, 1, 9, 70])),
        Sample(np.array([-1.0, -8, 3, 5]), np.array([-1.0, 1, 0, 3])),
        Sample(np.array([100.0, 64.0]), 3)), dtypes=(np.int64, np.int32, np.uint8, np.float32),
           grad=False),
    OpInfo('isclose', samples(
        Sample(np.array([1.0, 2.0, np.nan, np.inf, 1e-9]), np.array([1.0 + 1e-7, 2.1, np.nan,
                                                                    np.inf, 0.0])),
        Sample(np.array([1.0, np.nan]), np.array([1.05, np.nan]), rtol=0.1, equal_nan=True)),
           dtypes=NUMERIC, grad=False),
    OpInfo('allclose', samples(Sample(np.array([1.0, 2.0]), np.array([1.0 + 1e-7, 2.0])),
                               Sample(np.array([1.0, 2.0]), np.array([1.1, 2.0]))),
           dtypes=NUMERIC, grad=False),
    OpInfo('equal', samples(Sample(np.array([1.0, 2.0]), np.array([1.0, 2.0])),
                            Sample(np.array([1.0, 2.0]), np.array([1.0, 3.0])),
                            Sample(np.array([1.0, 2.0]), np.array([[1.0, 2.0]]))),
           dtypes=ALL, grad=False),
]


_OPINFO_KEYS = ('grad', 'gradgrad', 'gradcheck', 'method', 'inplace', 'grad_fn', 'id', 'rtol',
                'atol')


def _red(name, dtypes=FLOAT_INT, **kw):
    """A reduction row: OpInfo options and `reduction()` generator options in one call."""
    opts = {k: kw.pop(k) for k in list(kw) if k in _OPINFO_KEYS}
    return OpInfo(name, reduction(**kw), dtypes=dtypes, **opts)


OPS += [
    # -- reductions --
    _red('sum', dtypes=ALL), _red('mean', dtypes=FLOAT), _red('nansum', dtypes=ALL),
    _red('nanmean', dtypes=FLOAT),
    _red('prod', dims=(None, 0, -1), dtypes=ALL, domain=(0.5, 1.5)),
    _red('amax', dtypes=ALL, distinct=True), _red('amin', dtypes=ALL, distinct=True),
    _red('max', dims=(None, 0, -1), dtypes=ALL, distinct=True),
    _red('min', dims=(None, 0, -1), dtypes=ALL, distinct=True),
    _red('argmax', dims=(None, 0, -1), dtypes=NUMERIC, distinct=True, grad=False),
    _red('argmin', dims=(None, 0, -1), dtypes=NUMERIC, distinct=True, grad=False),
    _red('aminmax', dims=(None, 0, -1), dtypes=NUMERIC, distinct=True, dim_kw=True,
         method=True),
    _red('var', dtypes=FLOAT), _red('std', dtypes=FLOAT),
    _red('var', dtypes=FLOAT, dim_kw=True, kwargs={'correction': 0}, id='var_correction0'),
    _red('std', dtypes=FLOAT, dim_kw=True, kwargs={'correction': 2}, id='std_correction2'),
    OpInfo('var', samples(Sample(np.arange(6.0).reshape(2, 3) * 0.7, 1, False),
                          Sample(np.arange(6.0).reshape(2, 3) * 0.7, False),
                          Sample(np.arange(6.0).reshape(2, 3) * 0.7, unbiased=False)),
           id='var_unbiased', dtypes=FLOAT),
    _red('var_mean', dtypes=FLOAT, method=False), _red('std_mean', dtypes=FLOAT, method=False),
    _red('logsumexp', dims=(0, -1, (0, 2)), dtypes=FLOAT_INT),
    _red('norm', dims=(None,), dtypes=FLOAT, extra=[
        Sample(np.arange(1.0, 7.0).reshape(2, 3) - 3.5, p) for p in (1, 3, 0.5, float('inf'),
                                                                     -float('inf'), 'fro')]),
    OpInfo('norm', samples(*[Sample(np.arange(1.0, 7.0).reshape(2, 3) - 3.5, p, dim=d, keepdim=k)
                             for p in (2, 1, 3, float('inf')) for d in (0, (0, 1), -1)
                             for k in (False, True)]), id='norm_dim', dtypes=FLOAT),
    OpInfo('norm', samples(Sample(np.array([[1.0, 2.0], [3.0, 4.5], [0.5, -1.0]]), 'nuc')),
           id='norm_nuc', dtypes=FLOAT, grad_fn=False, gradgrad=False),
    _red('all', dtypes=ALL, grad=False), _red('any', dtypes=ALL, grad=False),
    _red('count_nonzero', dims=(None, 0, (0, 2)), keepdims=(None,), dtypes=ALL, grad=False),

    # -- scans --
    OpInfo('cumsum', scan(), dtypes=ALL),
    OpInfo('cumprod', scan(domain=(0.5, 1.5)), dtypes=ALL),
    OpInfo('cumprod', samples(Sample(np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [1.5, 2.0, 0.0, 4.0, 2.0]]),
                                     1)), id='cumprod_zeros', dtypes=FLOAT),
    OpInfo('prod', samples(Sample(np.array([[2.0, 0.0, 3.0], [1.5, 2.0, 3.0], [0.0, 0.0, 3.0]]), 1),
                           Sample(np.array([[2.0, 0.0, 3.0], [1.5, 2.0, 3.0]]))),
           id='prod_zeros', dtypes=FLOAT),
    OpInfo('cummax', scan(distinct=True), dtypes=NUMERIC),
    OpInfo('cummin', scan(distinct=True), dtypes=NUMERIC),
    OpInfo('cummax', samples(Sample(np.array([1.0, 3.0, 3.0, np.nan, 2.0, np.nan]), 0)),
           id='cummax_nan_ties', dtypes=FLOAT, gradcheck=False),
    OpInfo('logcumsumexp', scan(), dtypes=FLOAT_INT, gradgrad=False),
    OpInfo('logcumsumexp', samples(Sample(np.array([-800.0, 0.0, 700.0, 1.0]), 0)),
           id='logcumsumexp_range', dtypes=(np.float64,), gradcheck=False, gradgrad=False),

    # -- sorting and order statistics --
    OpInfo('sort', scan(distinct=True), dtypes=NUMERIC),
    OpInfo('sort', scan(distinct=True), fn=lambda m, x, d: m.sort(x, d, descending=True),
           id='sort_desc', dtypes=NUMERIC, method=False),
    OpInfo('sort', samples(Sample(np.array([3.0, 1.0, np.nan, 2.0, 1.0, np.nan, 3.0]))),
           fn=lambda m, x: (m.sort(x, stable=True), m.sort(x, descending=True, stable=True)),
           id='sort_nan_stable', dtypes=FLOAT_INT, method=False, gradcheck=False),
    OpInfo('argsort', scan(distinct=True), dtypes=NUMERIC, grad=False),
    OpInfo('msort', unary(shapes=((3, 4), (4,)), distinct=True), dtypes=NUMERIC),
    OpInfo('topk', samples(*[Sample(np.random.default_rng(1).permutation(12).reshape(3, 4) * 0.5,
                                    k, dim=d, largest=lg)
                             for k in (1, 3) for d in (0, -1) if not (d == 0 and k > 3)
                             for lg in (True, False)]), dtypes=NUMERIC),
    OpInfo('kthvalue', samples(*[Sample(np.random.default_rng(2).permutation(12).reshape(3, 4) * 0.5,
                                        k, d, kd)
                                 for k in (1, 2) for d in (0, -1) for kd in (False, True)]),
           dtypes=NUMERIC),
    _red('median', dims=(None, 0, -1), dtypes=NUMERIC, distinct=True, shape=(3, 5)),
    _red('nanmedian', dims=(None, 0, -1), dtypes=NUMERIC, distinct=True, shape=(3, 5)),
    OpInfo('median', samples(Sample(np.array([[1.0, np.nan, 3.0], [2.0, 1.0, 0.5]]), 1),
                             Sample(np.array([[1.0, 2.0, 2.0, 3.0]]))), id='median_nan_ties',
           dtypes=FLOAT, gradcheck=False),
    OpInfo('nanmedian', samples(Sample(np.array([[1.0, np.nan, 3.0, 4.0], [np.nan, 2, 1, 7]]), 1),
                                Sample(np.array([1.0, np.nan, 3.0, 2.0]))), id='nanmedian_nan',
           dtypes=FLOAT, gradcheck=False),
    OpInfo('mode', samples(Sample(np.array([[1.0, 2, 2, 3, 3, 1, 1], [5, 5, 4, 4, 4, 0, 0]])),
                           Sample(np.array([[1.0, 2], [1, 3], [2, 3]]), 0, True),
                           Sample(np.array([4.0, 1.0, 4.0]), -1)), dtypes=NUMERIC,
           gradcheck=False),  # the mode is a tie: central differences break it
    OpInfo('quantile', samples(
        *[Sample(np.random.default_rng(3).permutation(12).reshape(3, 4) * 0.5 - 2, q, dim=d,
                 keepdim=k, interpolation=i)
          for q in (0.3, 1.0) for d in (None, 0, 1) for k in (False, True)
          for i in ('linear', 'lower', 'higher', 'midpoint', 'nearest')]), dtypes=FLOAT,
        grad_fn=False),
    OpInfo('quantile', samples(
        Sample(np.array([[0.5, 2.0, 1.0, 4.0], [3.0, 1.5, 2.5, 0.0]]), np.array([0.25, 0.5, 0.9]),
               dim=1, keepdim=True),
        Sample(np.array([[0.5, 2.0, 1.0, 4.0], [3.0, 1.5, 2.5, 0.0]]), np.array([0.1, 0.5])),
        Sample(np.array([0.5, np.nan, 1.0]), 0.5)), id='quantile_tensor_q', dtypes=FLOAT,
        grad_fn=False, gradcheck=False),
    OpInfo('nanquantile', samples(
        Sample(np.array([[0.5, np.nan, 1.0, 4.0], [np.nan] * 4, [3.0, 1.5, 2.5, 0.0]]), 0.4,
               dim=1),
        Sample(np.array([0.5, np.nan, 1.0, 3.0]), np.array([0.2, 0.8]))), dtypes=FLOAT,
        grad_fn=False, gradcheck=False),
    OpInfo('unique', samples(
        Sample(np.array([3.0, 1.0, 2.0, 1.0, 3.0, 3.0])),
        Sample(np.array([[3.0, 1.0], [2.0, 1.0]]), return_inverse=True, return_counts=True),
        Sample(np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 5.0]]), dim=0, return_inverse=True,
               return_counts=True),
        Sample(np.array([[1.0, 2.0, 1.0], [0.0, 5.0, 0.0]]), dim=1, return_counts=True),
        Sample(np.array([2.0, np.nan, 1.0, np.nan]), return_inverse=True)),
           dtypes=ALL, grad=False),
    OpInfo('unique_consecutive', samples(
        Sample(np.array([1.0, 1.0, 2.0, 2.0, 3.0, 1.0, 1.0]), return_inverse=True,
               return_counts=True),
        Sample(np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [0.0, 1.0, 2.0]]), dim=0,
               return_counts=True),
        Sample(np.array([[1.0, 1.0], [2.0, 2.0]]), return_inverse=True)), dtypes=ALL,
           grad=False),
    OpInfo('searchsorted', samples(
        Sample(np.array([1.0, 3.0, 5.0, 7.0]), np.array([[3.0, 6.0], [0.0, 9.0]])),
        Sample(np.array([1.0, 3.0, 5.0, 7.0]), np.array([3.0, 6.0]), right=True),
        Sample(np.array([1.0, 3.0, 5.0, 7.0]), np.array([3.0, 6.0]), side='right',
               out_int32=True),
        Sample(np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]), np.array([[3.0], [3.0]])),
        Sample(np.array([5.0, 1.0, 3.0]), np.array([3.0, 4.0]), sorter=T(np.array([1, 2, 0]))),
        Sample(np.array([1.0, 3.0, 5.0]), 3)), dtypes=NUMERIC, grad=False, method=False),
    OpInfo('bucketize', samples(
        Sample(np.array([[3.0, 6.0], [0.0, 9.0]]), np.array([1.0, 3.0, 5.0, 7.0])),
        Sample(np.array([3.0, 6.0]), np.array([1.0, 3.0, 5.0, 7.0]), right=True)),
           dtypes=NUMERIC, grad=False, method=False),
    OpInfo('histc', samples(Sample(np.array([1.0, 2.0, 1.0, 4.0]), bins=4),
                            Sample(np.array([1.0, 2.0, 1.0, 4.0, -1.0]), bins=3, min=0, max=3),
                            Sample(np.array([1.0, 2.0, 1.0, 4.0]), bins=4, min=2, max=2),
                            Sample(np.array([2.0, 2.0]), 5)), dtypes=FLOAT + (np.int64,),
           grad=False),
    OpInfo('bincount', samples(Sample(T(np.array([0, 1, 1, 3, 5]))),
                               Sample(T(np.array([0, 1, 1, 3])), np.array([0.5, 1.0, 1.0, 2.0])),
                               Sample(T(np.array([1, 1], dtype=np.uint8)), minlength=4),
                               Sample(T(np.array([], dtype=np.int64)))),
           dtypes=FLOAT + (np.int64,), grad=False),
]


# ----- shape & selection, indexing, linear algebra (more cases in test_shape/test_indexing/
# test_linalg.py) ----------------------------------------------------------------------------

_M = np.arange(12.0).reshape(3, 4) * 0.37 - 2
_B = np.arange(24.0).reshape(2, 3, 4) * 0.21 - 2.4
_SQ = np.array([[2.0, 0.5, -0.3], [0.1, 1.5, 0.4], [-0.2, 0.3, 1.8]])
_SPD = _SQ @ _SQ.T + np.eye(3)
_IX = T(np.array([[0, 3], [2, 1], [1, 1]]))
_R = np.random.default_rng(11).uniform(-2, 2, (3, 4))


def _s(*a, **k):
    return samples(Sample(*a, **k))


OPS += [
    OpInfo('flip', samples(Sample(_B, (0, 2)), Sample(_M, [1])), dtypes=ALL),
    OpInfo('roll', samples(Sample(_B, 1, 0), Sample(_M, (1, -2), (0, 1)), Sample(_M, 5)), dtypes=ALL),
    OpInfo('rot90', samples(Sample(_M), Sample(_B, 3, (1, 2))), dtypes=ALL),
    OpInfo('tril', samples(Sample(_M), Sample(_B, -1)), dtypes=ALL),
    OpInfo('triu', samples(Sample(_M, 1), Sample(_B)), dtypes=ALL),
    OpInfo('diagonal', samples(Sample(_M), Sample(_B, 1, 0, 2)), dtypes=ALL, inplace=False),
    OpInfo('diag_embed', samples(Sample(_M), Sample(_M, -1, 0, 2)), dtypes=FLOAT_INT),
    OpInfo('diag', samples(Sample(_M), Sample(_M[0], 1)), dtypes=ALL),
    OpInfo('trace', _s(_M), dtypes=FLOAT_INT),
    OpInfo('repeat', samples(Sample(_M, 2, 1), Sample(_M, (1, 2, 2))), dtypes=ALL, method=False,
           fn=lambda m, x, *r: x.repeat(*r)),
    OpInfo('tile', samples(Sample(_M, (2,)), Sample(_M, (2, 1, 2))), dtypes=ALL),
    OpInfo('repeat_interleave', samples(Sample(_M, 2), Sample(_M, 3, dim=1)), dtypes=ALL),
    OpInfo('movedim', samples(Sample(_B, 0, -1), Sample(_B, (0, 1), (2, 0))), dtypes=ALL),
    OpInfo('unflatten', samples(Sample(_M, 1, (2, 2)), Sample(_B, -1, (-1, 2))), dtypes=ALL),
    OpInfo('cat', _s(_M, _M * 2), fn=lambda m, a, b: m.cat([a, b], 1), dtypes=ALL),
    OpInfo('stack', _s(_M, _M * 2), fn=lambda m, a, b: m.stack([a, b], -1), dtypes=ALL),
    OpInfo('hstack', _s(_M, _M * 2), fn=lambda m, a, b: m.hstack([a, b]), dtypes=ALL),
    OpInfo('vstack', _s(_M[0], _M), fn=lambda m, a, b: m.vstack([a, b]), dtypes=ALL),
    OpInfo('split', samples(Sample(_B, 2, -1), Sample(_M, [1, 2])), dtypes=ALL),
    OpInfo('chunk', samples(Sample(_M, 2, 1), Sample(_B, 3)), dtypes=ALL),
    OpInfo('tensor_split', samples(Sample(_M, 3, 1), Sample(_M, [1, 5], 1)), dtypes=ALL),
    OpInfo('unbind', samples(Sample(_M, 1), Sample(_B)), dtypes=ALL),
    OpInfo('narrow', _s(_M, 1, 1, 2), dtypes=ALL),
    OpInfo('select', _s(_B, 1, -1), dtypes=ALL),
    OpInfo('gather', samples(Sample(_M, 1, _IX), Sample(_M, 0, T(np.array([[2, 0, 1]])))), dtypes=ALL),
    OpInfo('scatter', samples(Sample(_M, 1, T(np.array([[0, 3], [2, 1], [1, 0]])),
                                     np.array([[1.0, 2], [3, 4], [5, 6]])),
                              Sample(_M, 0, T(np.array([[2, 0, 1, 1]])), 7.0)), dtypes=FLOAT),
    OpInfo('scatter_add', _s(_M, 1, _IX, np.array([[1.0, 2], [3, 4], [5, 6]])), dtypes=FLOAT_INT),
    OpInfo('scatter_reduce', samples(*[Sample(_M, 1, _IX, np.array([[1.0, 2], [3, 4], [5, 6]]), r,
                                              include_self=i)
                                       for r in ('sum', 'prod', 'mean', 'amax', 'amin')
                                       for i in (True, False)]), dtypes=FLOAT),
    OpInfo('index_select', samples(Sample(_M, 1, T(np.array([3, 0, 0]))),
                                   Sample(_B, 0, T(np.array([1])))), dtypes=ALL),
    OpInfo('index_add', _s(_M, 0, T(np.array([0, 2, 0])), np.arange(12.0).reshape(3, 4)),
           dtypes=FLOAT_INT),
    OpInfo('index_copy', _s(_M, 1, T(np.array([3, 0])), np.arange(6.0).reshape(3, 2)), dtypes=FLOAT),
    OpInfo('index_fill', _s(_M, 1, T(np.array([1, 3])), -2.0), dtypes=FLOAT_INT),
    OpInfo('masked_fill', samples(Sample(_M, T(_M > 0), 0.5),
                                  Sample(_M, T(np.array([True, False, False, True])), 1.0)),
           dtypes=ALL),
    OpInfo('masked_select', samples(Sample(_M, T(_M > 0)), Sample(_M, T(np.array([[True], [False], [True]])))),
           dtypes=ALL),
    OpInfo('masked_scatter', _s(_M, T(_M > 0), np.arange(12.0)), dtypes=FLOAT),
    OpInfo('take', _s(_M, T(np.array([[0, 11], [5, -1]]))), dtypes=ALL),
    OpInfo('take_along_dim', _s(_M, T(np.array([[1], [0], [3]])), 1), dtypes=ALL),
    OpInfo('nonzero', samples(Sample(np.array([[0, 1.5, 0], [2, 0, 3]]))), dtypes=ALL, grad=False),
    OpInfo('getitem', samples(Sample(_B)), id='getitem_mixed', dtypes=ALL, method=False,
           fn=lambda m, x: (x[1], x[:, 1:, ::2], x[..., None, 0], x[[0, 1], :, [1, 2]], x[x > 0],
                            x[m.tensor([1, 0]), 1:, m.tensor([[0], [3]])]), grad_fn=False),
    OpInfo('matmul', samples(Sample(_M, _M.T), Sample(_B, _M.T), Sample(_M[0], _B.transpose(0, 2, 1)),
                             Sample(_B, _M[0]), Sample(_M[0], _M[0])), dtypes=FLOAT),
    OpInfo('mm', _s(_M, _M.T), dtypes=FLOAT), OpInfo('bmm', _s(_B, _B.transpose(0, 2, 1)), dtypes=FLOAT),
    OpInfo('mv', _s(_M, _M[0]), dtypes=FLOAT), OpInfo('dot', _s(_M[0], _M[1]), dtypes=FLOAT),
    OpInfo('vdot', _s(_M[0], _M[1]), dtypes=FLOAT), OpInfo('outer', _s(_M[0], _M[1, :3]), dtypes=FLOAT),
    OpInfo('inner', _s(_M, _B), dtypes=FLOAT, grad_fn=False),
    OpInfo('addmv', _s(_M[:, 0], _M, _M[0], beta=0.5, alpha=2.0), dtypes=FLOAT),
    OpInfo('addr', _s(_M, _M[:, 0], _M[0], alpha=2.0), dtypes=FLOAT),
    OpInfo('baddbmm', _s(_B[:, :, :3], _B, np.ones((2, 4, 3)) * 0.5, alpha=2.0), dtypes=FLOAT),
    OpInfo('addbmm', _s(_M[:, :3], _B, np.ones((2, 4, 3)) * 0.5, beta=0.5), dtypes=FLOAT),
    OpInfo('einsum', _s('bij,bkj->bik', _B, _B), dtypes=FLOAT, method=False, grad_fn=False),
    OpInfo('tensordot', _s(_B, _M, ([1, 2], [0, 1])), dtypes=FLOAT, method=False, grad_fn=False),
    OpInfo('kron', _s(_M, _SQ), dtypes=FLOAT),
    OpInfo('cross', _s(_SQ, _SQ.T, dim=1), dtypes=FLOAT),
    OpInfo('cdist', samples(Sample(_M, _R),
                            Sample(_B, _B * 0.3, p=1.0)), dtypes=FLOAT, method=False, gradgrad=False),
    OpInfo('det', samples(Sample(_SQ), Sample(np.stack([_SQ, _SQ.T * 2]))), dtypes=FLOAT),
    OpInfo('logdet', _s(_SPD), dtypes=FLOAT, grad_fn=False),
    OpInfo('inverse', _s(_SQ), dtypes=FLOAT),
    OpInfo('matrix_power', samples(Sample(_SQ, 3), Sample(_SQ, -2)), dtypes=FLOAT),
    OpInfo('matrix_exp', _s(_SQ), dtypes=FLOAT),
    OpInfo('pinverse', _s(_R), dtypes=FLOAT),
    OpInfo('linalg.solve', _s(_SQ, _M[:, :3]), fn=lambda m, a, b: m.linalg.solve(a, b), dtypes=FLOAT,
           method=False),
    OpInfo('linalg.cholesky', _s(_SPD), fn=lambda m, a: m.linalg.cholesky((a + a.mT) / 2), dtypes=FLOAT, method=False),
    OpInfo('linalg.eigvalsh', _s(_SPD), fn=lambda m, a: m.linalg.eigvalsh((a + a.mT) / 2), dtypes=FLOAT, method=False),
    OpInfo('linalg.svdvals', _s(_R), fn=lambda m, a: m.linalg.svdvals(a), dtypes=FLOAT, method=False),
    OpInfo('linalg.qr', _s(_R.T), fn=lambda m, a: m.linalg.qr(a), dtypes=FLOAT, method=False),
    OpInfo('linalg.matrix_norm', samples(*[Sample(_R, o) for o in ('fro', 'nuc', 1, float('inf'), 2)]),
           fn=lambda m, a, o: m.linalg.matrix_norm(a, o), dtypes=FLOAT, method=False, grad_fn=False),
    OpInfo('linalg.vector_norm', samples(*[Sample(_M, o) for o in (2, 1, 3, float('inf'))]),
           fn=lambda m, a, o: m.linalg.vector_norm(a, o), dtypes=FLOAT, method=False),
]

__all__ = ['OPS', 'OpInfo', 'Sample', 'T', 'unary', 'binary', 'ternary', 'reduction', 'scan',
           'samples', 'FLOAT', 'INT', 'FLOAT_INT', 'ALL', 'NUMERIC', 'math']
