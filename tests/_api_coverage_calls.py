"""Keyword calls of torch builtins (which have no inspectable signature), for test_api_coverage.

Each row calls the same `fn(L, *tensors)` with `L=torch` and `L=ember`, passing the keyword names
the issues call out (dim/keepdim/out/alpha/rounding_mode/...), on small inputs; `run_call` returns
None when ember's result equals torch's (values, dtype, shape, named-tuple fields) or a one-line
description of the difference. `values=False` rows (random draws) compare shapes and dtypes only.
"""
import collections

import numpy as np
import torch

import ember

Call = collections.namedtuple('Call', 'group name fn args values tol')
CALLS = []


def C(group, name, fn, *args, values=True, tol=1e-5):
    CALLS.append(Call(group, name, fn, args, values, tol))


_r = np.random.default_rng(0)
X = _r.standard_normal((3, 4)).astype(np.float32)            # general float matrix
Y = _r.standard_normal((3, 4)).astype(np.float32)
Z = _r.standard_normal((3, 4)).astype(np.float32)
P = (_r.random((3, 4)) * 0.8 + 0.1).astype(np.float32)      # in (0, 1)
POS = (_r.random((3, 4)) * 3 + 1.1).astype(np.float32)      # > 1
V = _r.standard_normal(4).astype(np.float32)
W = _r.standard_normal(4).astype(np.float32)
I = _r.integers(-5, 6, (3, 4)).astype(np.int64)
J = _r.integers(1, 4, (3, 4)).astype(np.int64)
M = X > 0                                                      # bool mask
XN = X.copy()
XN[0, 1] = np.nan
SQ = _r.standard_normal((3, 3)).astype(np.float64)
SPD = SQ @ SQ.T + 3 * np.eye(3)
B3 = _r.standard_normal((2, 3, 4)).astype(np.float32)
B4 = _r.standard_normal((2, 4, 5)).astype(np.float32)
IDX = np.array([2, 0], dtype=np.int64)
GI = np.array([[0, 3], [1, 1], [2, 0]], dtype=np.int64)       # gather/scatter index along dim 1
SRC = _r.standard_normal((3, 2)).astype(np.float32)
SORTED = np.array([1., 3., 5., 7.], dtype=np.float32)
SRC4 = _r.standard_normal((2, 4)).astype(np.float32)


# ----- pointwise ----------------------------------------------------------------------------
g = 'pointwise'
C(g, 'add(input=, other=, alpha=)', lambda L, x, y: L.add(input=x, other=y, alpha=2), X, Y)
C(g, 'add(out=)', lambda L, x, y: L.add(x, y, alpha=0.5, out=L.empty(3, 4)), X, Y)
C(g, 'Tensor.add(other=, alpha=)', lambda L, x, y: x.add(other=y, alpha=-1), X, Y)
C(g, 'Tensor.add_(alpha=)', lambda L, x, y: x.clone().add_(y, alpha=3), X, Y)
C(g, 'add int alpha', lambda L, a, b: L.add(a, b, alpha=3), I, J)
C(g, 'sub(alpha=)', lambda L, x, y: L.sub(x, other=y, alpha=2), X, Y)
C(g, 'subtract(alpha=)', lambda L, x, y: L.subtract(x, y, alpha=2), X, Y)
C(g, 'Tensor.sub_(alpha=)', lambda L, x, y: x.clone().sub_(y, alpha=0.5), X, Y)
C(g, 'mul(other=scalar)', lambda L, x: L.mul(x, other=2.5), X)
C(g, 'mul(out=)', lambda L, x, y: L.mul(x, y, out=L.empty(3, 4)), X, Y)
for mode in (None, 'trunc', 'floor'):
    C(g, f'div(rounding_mode={mode!r})', lambda L, x, y, m=mode: L.div(x, other=y, rounding_mode=m),
      X, POS)
    C(g, f'div ints (rounding_mode={mode!r})',
      lambda L, a, b, m=mode: L.div(a, b, rounding_mode=m), I, J)
C(g, 'Tensor.div_(rounding_mode=)', lambda L, x, y: x.clone().div_(y, rounding_mode='floor'), X, POS)
C(g, 'divide(rounding_mode=)', lambda L, x, y: L.divide(x, y, rounding_mode='trunc'), X, POS)
C(g, 'div(out=)', lambda L, x, y: L.div(x, y, out=L.empty(3, 4)), X, POS)
C(g, 'true_divide(other=)', lambda L, a, b: L.true_divide(a, other=b), I, J)
C(g, 'floor_divide(other=)', lambda L, a, b: L.floor_divide(a, other=b), I, J)
C(g, 'remainder(other=)', lambda L, x: L.remainder(x, other=0.7), X)
C(g, 'remainder(scalar, tensor)', lambda L, y: L.remainder(5.0, y), POS)
C(g, 'fmod(other=)', lambda L, x: L.fmod(x, other=0.7), X)
C(g, 'pow(exponent=)', lambda L, x: L.pow(x, exponent=2), X)
C(g, 'pow(scalar, tensor)', lambda L, x: L.pow(2, x), X)
C(g, 'pow(tensor, tensor)', lambda L, x, y: L.pow(x, y), POS, Y)
C(g, 'Tensor.pow(exponent=)', lambda L, x: x.pow(exponent=3), X)
C(g, 'scalar ** tensor', lambda L, x: 2 ** x, X)
C(g, 'Tensor.pow_()', lambda L, x: x.clone().pow_(2), X)
UNARY = [('neg', X), ('abs', X), ('sign', X), ('sgn', X), ('sqrt', POS), ('rsqrt', POS),
         ('square', X), ('reciprocal', POS), ('exp', X), ('exp2', X), ('expm1', X), ('log', POS),
         ('log2', POS), ('log10', POS), ('log1p', P), ('sin', X), ('cos', X), ('tan', X),
         ('asin', P), ('acos', P), ('atan', X), ('sinh', X), ('cosh', X), ('tanh', X),
         ('asinh', X), ('acosh', POS), ('atanh', P), ('sigmoid', X), ('logit', P), ('erf', X),
         ('erfc', X), ('erfinv', P), ('floor', X), ('ceil', X), ('round', X), ('trunc', X),
         ('frac', X)]
for name, arr in UNARY:
    C(g, f'{name}(input=)', lambda L, x, n=name: getattr(L, n)(input=x), arr)
    C(g, f'{name}(out=)', lambda L, x, n=name: getattr(L, n)(x, out=L.empty(3, 4)), arr)
    C(g, f'Tensor.{name}_()', lambda L, x, n=name: getattr(x.clone(), n + '_')(), arr)
C(g, 'logit(eps=)', lambda L, x: L.logit(x, eps=0.2), P)
C(g, 'round(decimals=)', lambda L, x: L.round(x * 100, decimals=-1), X)
C(g, 'Tensor.round(decimals=)', lambda L, x: x.round(decimals=2), X)
C(g, 'clamp(min=, max=)', lambda L, x: L.clamp(x, min=-0.5, max=0.5), X)
C(g, 'clamp(max=) only', lambda L, x: L.clamp(x, max=0.1), X)
C(g, 'clamp(tensor bounds)', lambda L, x, lo, hi: L.clamp(x, min=lo, max=lo.abs() + hi.abs()), X, Y, Z)
C(g, 'clip(min=)', lambda L, x: L.clip(x, min=0.0), X)
C(g, 'Tensor.clamp_(min=)', lambda L, x: x.clone().clamp_(min=0), X)
C(g, 'clamp(out=)', lambda L, x: L.clamp(x, -1, 1, out=L.empty(3, 4)), X)
for name in ('maximum', 'minimum', 'fmax', 'fmin', 'atan2', 'hypot', 'logaddexp', 'xlogy'):
    C(g, f'{name}(other=)', lambda L, x, y, n=name: getattr(L, n)(input=x, other=y), X, Y)
    C(g, f'{name}(out=)', lambda L, x, y, n=name: getattr(L, n)(x, y, out=L.empty(3, 4)), X, Y)
C(g, 'xlogy(scalar, tensor)', lambda L, y: L.xlogy(2.0, y), POS)
C(g, 'where(condition=, input=, other=)', lambda L, c, x, y: L.where(condition=c, input=x, other=y), M, X, Y)
C(g, 'where(c, x, scalar)', lambda L, c, x: L.where(c, x, 0.0), M, X)
C(g, 'where(c) as tuple', lambda L, c: L.where(c), M)
C(g, 'Tensor.where(condition, other)', lambda L, c, x, y: x.where(c, y), M, X, Y)
C(g, 'lerp(end=, weight=)', lambda L, x, y: L.lerp(x, end=y, weight=0.3), X, Y)
C(g, 'lerp(tensor weight)', lambda L, x, y, w: L.lerp(x, y, weight=w), X, Y, P)
C(g, 'addcmul(tensor1=, tensor2=, value=)',
  lambda L, x, y, z: L.addcmul(x, tensor1=y, tensor2=z, value=0.5), X, Y, Z)
C(g, 'addcdiv(value=)', lambda L, x, y, z: L.addcdiv(x, y, tensor2=z, value=2), X, Y, POS)
C(g, 'Tensor.addcmul_(value=)', lambda L, x, y, z: x.clone().addcmul_(y, z, value=-1), X, Y, Z)
C(g, 'nan_to_num(nan=, posinf=, neginf=)',
  lambda L, x: L.nan_to_num(x / 0, nan=0.5, posinf=9.0, neginf=-9.0), X)
for name in ('isnan', 'isinf', 'isfinite'):
    C(g, f'{name}(input=)', lambda L, x, n=name: getattr(L, n)(input=x), XN)
C(g, 'isclose(other=, rtol=, atol=, equal_nan=)',
  lambda L, x, y: L.isclose(x, other=x + y * 1e-3, rtol=0.0, atol=1e-3, equal_nan=True), XN, Y)
C(g, 'allclose(other=, rtol=, atol=, equal_nan=)',
  lambda L, x: L.allclose(x, other=x + 1e-4, rtol=0.0, atol=1e-3, equal_nan=True), XN)
C(g, 'equal(other=)', lambda L, x: L.equal(x, other=x.clone()), X)
for name in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
    C(g, f'{name}(other=)', lambda L, x, y, n=name: getattr(L, n)(x, other=y), X, Y)
    C(g, f'{name}(scalar, out=)',
      lambda L, x, n=name: getattr(L, n)(x, 0.0, out=L.empty(3, 4, dtype=L.bool)), X)
    C(g, f'Tensor.{name}_()', lambda L, x, y, n=name: getattr(x.clone(), n + '_')(y), X, Y)
for name in ('logical_and', 'logical_or', 'logical_xor'):
    C(g, f'{name}(other=, out=)',
      lambda L, a, b, n=name: getattr(L, n)(a, other=b, out=L.empty(3, 4, dtype=L.bool)), M, X)
C(g, 'logical_not(input=)', lambda L, a: L.logical_not(input=a), X)
for name in ('bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_left_shift', 'bitwise_right_shift'):
    C(g, f'{name}(other=)', lambda L, a, b, n=name: getattr(L, n)(a, other=b), I, J)
    C(g, f'Tensor.{name}_()', lambda L, a, b, n=name: getattr(a.clone(), n + '_')(b), I, J)
C(g, 'bitwise_not(input=)', lambda L, a: L.bitwise_not(input=a), I)
C(g, 'shift operators', lambda L, a, b: ((a << b), (a >> 1), (1 << b)), I, J)

# ----- reductions ---------------------------------------------------------------------------
g = 'reductions'
C(g, 'sum(dim=, keepdim=, dtype=)', lambda L, x: L.sum(x, dim=1, keepdim=True, dtype=L.float64), X)
C(g, 'sum(dim=tuple)', lambda L, x: L.sum(input=x, dim=(0, 1)), X)
C(g, 'Tensor.sum(dim=list)', lambda L, x: x.sum(dim=[0]), X)
C(g, 'sum ints', lambda L, a: L.sum(a, 0), I)
C(g, 'sum(out=)', lambda L, x: L.sum(x, 0, out=L.empty(4)), X)
C(g, 'nansum(dim=, keepdim=)', lambda L, x: L.nansum(x, dim=0, keepdim=True), XN)
C(g, 'nanmean(dim=)', lambda L, x: L.nanmean(x, dim=1), XN)
C(g, 'mean(dim=, keepdim=, dtype=)', lambda L, x: L.mean(x, dim=-1, keepdim=True, dtype=L.float64), X)
C(g, 'mean(out=)', lambda L, x: L.mean(x, 1, out=L.empty(3)), X)
C(g, 'prod(dim=, keepdim=, dtype=)', lambda L, x: L.prod(x, dim=1, keepdim=True, dtype=L.float64), X)
for name in ('max', 'min'):
    C(g, f'{name}()', lambda L, x, n=name: getattr(L, n)(x), X)
    C(g, f'{name}(dim=, keepdim=)', lambda L, x, n=name: getattr(L, n)(x, dim=1, keepdim=True), X)
    C(g, f'Tensor.{name}(dim=)', lambda L, x, n=name: getattr(x, n)(dim=0), X)
    C(g, f'{name}(other=)', lambda L, x, y, n=name: getattr(L, n)(x, other=y), X, Y)
    C(g, f'{name}(dim, out=(values, indices))',
      lambda L, x, n=name: getattr(L, n)(x, 1, out=(L.empty(3), L.empty(3, dtype=L.int64))), X)
    C(g, f'a{name}(dim=, keepdim=)',
      lambda L, x, n=name: getattr(L, 'a' + n)(x, dim=(0, 1), keepdim=True), X)
    C(g, f'arg{name}(dim=, keepdim=)',
      lambda L, x, n=name: getattr(L, 'arg' + n)(x, dim=1, keepdim=True), X)
C(g, 'aminmax(dim=, keepdim=)', lambda L, x: L.aminmax(x, dim=1, keepdim=True), X)
C(g, 'aminmax()', lambda L, x: L.aminmax(x), X)
for name in ('var', 'std'):
    C(g, f'{name}(dim=, correction=, keepdim=)',
      lambda L, x, n=name: getattr(L, n)(x, dim=1, correction=0, keepdim=True), X)
    C(g, f'{name}(dim=, unbiased=)', lambda L, x, n=name: getattr(L, n)(x, dim=1, unbiased=False), X)
    C(g, f'{name}(unbiased positional)', lambda L, x, n=name: getattr(L, n)(x, False), X)
    C(g, f'{name}_mean(dim=, correction=)',
      lambda L, x, n=name: getattr(L, n + '_mean')(x, dim=0, correction=2), X)
    C(g, f'{name}_mean(unbiased=, keepdim=)',
      lambda L, x, n=name: getattr(L, n + '_mean')(x, 1, unbiased=True, keepdim=True), X)
C(g, 'norm(p=, dim=, keepdim=)', lambda L, x: L.norm(x, p=1, dim=1, keepdim=True), X)
C(g, "norm(p='fro')", lambda L, x: L.norm(x, p='fro'), X)
C(g, 'norm(dtype=)', lambda L, x: L.norm(x, dim=1, dtype=L.float64), X)
C(g, 'Tensor.norm(p=, dim=)', lambda L, x: x.norm(p=3, dim=0), X)
C(g, 'logsumexp(dim=, keepdim=)', lambda L, x: L.logsumexp(x, dim=1, keepdim=True), X)
C(g, 'cumsum(dim=, dtype=)', lambda L, x: L.cumsum(x, dim=1, dtype=L.float64), X)
C(g, 'Tensor.cumsum_(dim=)', lambda L, x: x.clone().cumsum_(dim=0), X)
C(g, 'cumprod(dim=)', lambda L, x: L.cumprod(input=x, dim=0), X)
C(g, 'cummax(dim=)', lambda L, x: L.cummax(x, dim=1), X)
C(g, 'cummin(dim=)', lambda L, x: L.cummin(x, dim=0), X)
C(g, 'logcumsumexp(dim=)', lambda L, x: L.logcumsumexp(x, dim=1), X)
C(g, 'all(dim=, keepdim=)', lambda L, m: L.all(m, dim=1, keepdim=True), M)
C(g, 'any(dim=tuple)', lambda L, m: L.any(m, dim=(0, 1)), M)
C(g, 'count_nonzero(dim=)', lambda L, m: L.count_nonzero(m, dim=(0, 1)), M)
C(g, 'median()', lambda L, x: L.median(x), X)
C(g, 'median(dim=, keepdim=)', lambda L, x: L.median(x, dim=1, keepdim=True), X)
C(g, 'nanmedian(dim=)', lambda L, x: L.nanmedian(x, dim=0), XN)
C(g, 'mode(dim=, keepdim=)', lambda L, a: L.mode(a, dim=1, keepdim=True), J)
C(g, 'quantile(q=, dim=, keepdim=, interpolation=)',
  lambda L, x: L.quantile(x, q=0.3, dim=1, keepdim=True, interpolation='midpoint'), X)
C(g, 'quantile(tensor q)', lambda L, x: L.quantile(x, L.tensor([0.1, 0.9]), dim=0), X)
C(g, 'nanquantile(q=, dim=)', lambda L, x: L.nanquantile(x, q=0.5, dim=1), XN)
C(g, 'sort(dim=, descending=, stable=)',
  lambda L, a: L.sort(a, dim=1, descending=True, stable=True), I)
C(g, 'sort(stable=) only', lambda L, a: L.sort(a, stable=True), I)
C(g, 'Tensor.sort(dim=)', lambda L, a: a.sort(dim=0), I)
C(g, 'argsort(dim=, descending=, stable=)',
  lambda L, a: L.argsort(a, dim=0, descending=True, stable=True), I)
C(g, 'msort(input=)', lambda L, x: L.msort(input=x), X)
C(g, 'topk(k=, dim=, largest=, sorted=)',
  lambda L, x: L.topk(x, k=2, dim=1, largest=False, sorted=True), X)
C(g, 'kthvalue(k=, dim=, keepdim=)', lambda L, x: L.kthvalue(x, k=2, dim=0, keepdim=True), X)
C(g, 'unique(sorted=, return_inverse=, return_counts=)',
  lambda L, a: L.unique(a, sorted=True, return_inverse=True, return_counts=True), I)
C(g, 'unique(dim=)', lambda L, a: L.unique(a[:, :2].abs() % 2, dim=0, return_inverse=True), I)
C(g, 'Tensor.unique(return_counts=)', lambda L, a: a.unique(return_counts=True), I)
C(g, 'unique_consecutive(return_inverse=, return_counts=, dim=)',
  lambda L, a: L.unique_consecutive(a, return_inverse=True, return_counts=True, dim=None), J)
C(g, 'bincount(weights=, minlength=)',
  lambda L, a, w: L.bincount(a.flatten(), weights=w.flatten(), minlength=10), J, X)
C(g, 'histc(bins=, min=, max=)', lambda L, x: L.histc(x, bins=5, min=-1, max=1), X)
C(g, 'searchsorted(right=)', lambda L, s, x: L.searchsorted(s, x, right=True), SORTED, X)
C(g, 'searchsorted(side=, out_int32=)',
  lambda L, s, x: L.searchsorted(s, x * 4, side='right', out_int32=True), SORTED, X)
C(g, 'searchsorted(sorter=)',
  lambda L, s, x: L.searchsorted(s.flip(0), x, sorter=L.arange(3, -1, -1)), SORTED, X)
C(g, 'bucketize(boundaries=, right=, out_int32=)',
  lambda L, x, s: L.bucketize(x * 4, boundaries=s, right=True, out_int32=True), X, SORTED)

from _api_coverage_calls2 import add_rows  # noqa: E402  (shape, linalg, random, creation, nn)
add_rows(C, globals())


# ----- running a row ------------------------------------------------------------------------

def _lib_args(L, args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(L.tensor(a))
        else:
            out.append(a)
    return out


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach()._data)


def _fields(r):
    return getattr(type(r), '__match_args__', None) or getattr(type(r), '_fields', None)


def _compare(e, t, values, tol, where='result'):
    if isinstance(t, torch.Tensor):
        if not isinstance(e, ember.Tensor):
            return f'{where} is {type(e).__name__}, torch returns a Tensor'
        if tuple(e.shape) != tuple(t.shape):
            return f'{where} shape {tuple(e.shape)}, torch {tuple(t.shape)}'
        if str(e.dtype) != str(t.dtype):
            return f'{where} dtype {e.dtype}, torch {t.dtype}'
        if values:
            a, b = _np(e), _np(t)
            if a.dtype.kind in 'fc':
                ok = np.allclose(a.astype(b.dtype), b, rtol=tol, atol=tol, equal_nan=True)
            else:
                ok = np.array_equal(a, b)
            if not ok:
                return f'{where} values differ from torch\'s'
        return None
    if isinstance(t, (tuple, list)):
        if not isinstance(e, (tuple, list)) or len(e) != len(t):
            return f'{where} is {type(e).__name__} of {len(e) if hasattr(e, "__len__") else "?"}, ' \
                   f'torch {type(t).__name__} of {len(t)}'
        tf = _fields(t)
        if tf and tuple(_fields(e) or ()) != tuple(tf):
            return f'{where} fields {_fields(e)}, torch {tuple(tf)}'
        for i, (a, b) in enumerate(zip(e, t)):
            p = _compare(a, b, values, tol, f'{where}[{i}]')
            if p:
                return p
        return None
    if isinstance(t, torch.dtype):
        return None if str(e) == str(t) else f'{where} {e}, torch {t}'
    if isinstance(t, torch.Generator):
        return None if isinstance(e, ember.Generator) else f'{where} is {type(e).__name__}'
    if isinstance(t, float) and isinstance(e, float) and not values:
        return None
    if type(e) is not type(t) and not (isinstance(t, torch.Size) and isinstance(e, tuple)):
        return f'{where} is {type(e).__name__} {e!r}, torch {type(t).__name__} {t!r}'
    return None if (e == t or not values) else f'{where} {e!r}, torch {t!r}'


def run_call(c):
    """None if ember matches torch on this row, else what differs."""
    t = c.fn(torch, *_lib_args(torch, c.args))     # a torch failure is a bad row: let it raise
    try:
        e = c.fn(ember, *_lib_args(ember, c.args))
    except Exception as ex:  # noqa: BLE001 - every failure is a gap to report
        msg = str(ex).splitlines()[0][:120] if str(ex) else ''
        return f'{type(ex).__name__}: {msg}'
    return _compare(e, t, c.values, c.tol)
