"""The gamma-function family on arrays of any array module: lgamma, digamma, polygamma, the
regularized incomplete gamma function and the reparameterization derivative of gamma samples.

SciPy's `special` module computes them for NumPy arrays when it can be imported (it is
optional). Otherwise, and for CuPy arrays, they are computed in float64 with plain array ops:

* lgamma: Stirling's series after shifting the argument up to 20, with the reflection formula
  below 1/2.
* digamma / polygamma(n): shift the argument up with the recurrence
  psi^(n)(x) = psi^(n)(x+1) - (-1)^n n! / x^(n+1) until it is large, then the asymptotic
  (Bernoulli-number) series. Negative non-integers are shifted up the same way.
* incomplete gamma P(a, x): the power series below a+1, the Legendre continued fraction for
  Q = 1 - P above (both summed with convergence masks).

`standard_gamma_grad(alpha, x)` is dx/dalpha for x ~ Gamma(alpha, 1) held at fixed CDF value
(implicit reparameterization): -(dP/dalpha) / (dP/dx), dP/dx being the density and dP/dalpha a
central difference of P (or of Q in the upper tail, where Q is the accurate one); about 1e-7
relative accuracy against a 30-digit reference.
"""
import math

import numpy as np

from .._backend import array_module

try:  # optional: fast C implementations for NumPy arrays
    from scipy import special as _sp
except Exception:  # pragma: no cover - scipy missing
    _sp = None

# Bernoulli numbers B_2, B_4, ..., B_20
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _use_scipy(a):
    return _sp is not None and array_module(a) is np


def _f64(a):
    return a.astype(np.float64) if a.dtype != np.float64 else a


# ----- lgamma ----------------------------------------------------------------------------

def _lgamma_pos(x, xp):
    """log Gamma(x) for x >= 0.5: shift up to x >= 20 (log Gamma(x) = log Gamma(x+1) - log x),
    then Stirling's series with Bernoulli-number terms."""
    acc = xp.zeros_like(x)
    y = x.copy()
    for _ in range(20):
        m = y < 20.0
        if not bool(m.any()):
            break
        acc = acc - xp.where(m, xp.log(xp.where(m, y, 1.0)), 0.0)
        y = xp.where(m, y + 1.0, y)
    s = (y - 0.5) * xp.log(y) - y + _LOG_SQRT_2PI
    inv = 1.0 / y
    inv2 = inv * inv
    p = inv
    for k, b in enumerate(_BERNOULLI, 1):
        s = s + b / (2 * k * (2 * k - 1)) * p
        p = p * inv2
    return acc + s


def lgamma_f64(x, xp):
    with np.errstate(all='ignore'):
        small = x < 0.5
        xr = xp.where(small, 1.0 - x, x)
        r = _lgamma_pos(xr, xp)
        # reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x); log|.| of it
        s = xp.abs(xp.sin(math.pi * (x - 2.0 * xp.floor(x / 2.0))))
        refl = math.log(math.pi) - xp.log(s) - r
        out = xp.where(small, refl, r)
        out = xp.where(small & (x == xp.floor(x)), xp.inf, out)  # poles at 0, -1, -2, ...
        out = xp.where(xp.isinf(x), xp.inf, out)
        return xp.where(xp.isnan(x), xp.nan, out)


def lgamma(a):
    """log|Gamma(a)| of a float array (same dtype)."""
    if _use_scipy(a):
        with np.errstate(all='ignore'):
            return np.where(np.isneginf(a), np.inf, _sp.gammaln(a)).astype(a.dtype, copy=False)
    return lgamma_f64(_f64(a), array_module(a)).astype(a.dtype, copy=False)


# ----- digamma / polygamma -----------------------------------------------------------------

def _psi_asymptotic(n, x, xp):
    """psi^(n)(x) by the asymptotic series (accurate for x >= 20 + 2n)."""
    if n == 0:
        s = xp.log(x) - 0.5 / x
        xk = x * x
        p = xk
        for k, b in enumerate(_BERNOULLI, 1):
            s = s - b / (2 * k * p)
            p = p * xk
        return s
    sign = 1.0 if n % 2 == 1 else -1.0
    s = math.factorial(n - 1) / x ** n + math.factorial(n) / (2.0 * x ** (n + 1))
    for k, b in enumerate(_BERNOULLI, 1):
        coef = b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
        s = s + coef / x ** (2 * k + n)
    return sign * s


def polygamma_f64(n, x, xp):
    """psi^(n)(x) in float64 for any real x (poles give inf/nan as torch does)."""
    with np.errstate(all='ignore'):
        target = 20.0 + 2.0 * n
        nfact = math.factorial(n)
        sign = -1.0 if n % 2 == 0 else 1.0      # psi^(n)(x) = psi^(n)(x+1) + sign * n!/x^(n+1)
        # negative arguments need up to -x extra shifts; beyond 1000 the answer is not useful
        lo = float(xp.nanmin(xp.where(xp.isfinite(x), x, 0.0))) if x.size else 0.0
        steps = int(min(max(target - lo, 0.0), 1000.0 + target)) + 1
        acc = xp.zeros_like(x)
        y = x.copy()
        for _ in range(steps):
            m = y < target
            if not bool(m.any()):
                break
            acc = acc + xp.where(m, sign * nfact / xp.where(m, y, 1.0) ** (n + 1), 0.0)
            y = xp.where(m, y + 1.0, y)
        out = acc + _psi_asymptotic(n, y, xp)
        pole = (x <= 0) & (x == xp.floor(x))
        if n == 0:
            pole_val = xp.where(xp.signbit(x) & (x == 0), xp.inf, xp.nan)
            pole_val = xp.where((x == 0) & ~xp.signbit(x), -xp.inf, pole_val)
            out = xp.where(pole, pole_val, out)
            out = xp.where(x == xp.inf, xp.inf, out)
            out = xp.where(x == -xp.inf, xp.nan, out)
        else:
            out = xp.where(pole, xp.inf if n % 2 == 1 else -xp.inf, out)
            out = xp.where(x == xp.inf, 0.0, out)
        return xp.where(xp.isnan(x), xp.nan, out)


def digamma(a):
    """psi(a) of a float array (same dtype); psi(0) = -inf, psi(-0) = inf as in torch."""
    if _use_scipy(a):
        with np.errstate(all='ignore'):
            out = _sp.psi(a)
            out = np.where(a == 0, np.where(np.signbit(a), np.inf, -np.inf), out)
            return out.astype(a.dtype, copy=False)
    return polygamma_f64(0, _f64(a), array_module(a)).astype(a.dtype, copy=False)


def polygamma(n, a):
    """psi^(n)(a) of a float array (same dtype)."""
    if n == 0:
        return digamma(a)
    if _use_scipy(a) and bool((a > 0).all()):
        with np.errstate(all='ignore'):
            return _sp.polygamma(n, a).astype(a.dtype, copy=False)
    return polygamma_f64(n, _f64(a), array_module(a)).astype(a.dtype, copy=False)


# ----- regularized incomplete gamma ------------------------------------------------------

_MAX_ITER = 1000
_WH_ALPHA = 5000.0  # above it the array-op fallback uses the Wilson-Hilferty derivative


def _gammainc_series(a, x, xp):
    """P(a, x) = x^a e^-x / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n)), for x < a + 1."""
    term = xp.ones_like(x)
    total = xp.ones_like(x)
    ap = a.copy()
    for _ in range(_MAX_ITER):
        ap = ap + 1.0
        term = term * x / ap
        total = total + term
        if not bool((xp.abs(term) > xp.abs(total) * 1e-17).any()):
            break
    return total * xp.exp(a * xp.log(x) - x - lgamma_f64(a + 1.0, xp))


def _gammaincc_cf(a, x, xp):
    """Q(a, x) by the continued fraction (modified Lentz), for x >= a + 1."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = xp.full_like(x, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = xp.where(xp.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = xp.where(xp.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if not bool((xp.abs(delta - 1.0) > 1e-16).any()):
            break
    return xp.exp(a * xp.log(x) - x - lgamma_f64(a, xp)) * h


def gammainc_pq(a, x):
    """(P, Q) regularized incomplete gamma in float64, each computed where it is accurate."""
    xp = array_module(x)
    if _use_scipy(x):
        with np.errstate(all='ignore'):
            return _sp.gammainc(a, x), _sp.gammaincc(a, x)
    with np.errstate(all='ignore'):
        a, x = xp.broadcast_arrays(_f64(a), _f64(x))
        lower = x < a + 1.0
        xs = xp.where(lower, x, 0.5 * (a + 1.0))      # keep each branch in its good domain
        xc = xp.where(lower, a + 1.0, x)
        p_ser = _gammainc_series(a, xp.maximum(xs, 1e-300), xp)
        q_cf = _gammaincc_cf(a, xc, xp)
        p = xp.where(lower, p_ser, 1.0 - q_cf)
        q = xp.where(lower, 1.0 - p_ser, q_cf)
        p = xp.where(x <= 0, 0.0, p)
        q = xp.where(x <= 0, 1.0, q)
        return p, q


def standard_gamma_grad(alpha, x):
    """d x / d alpha for x ~ Gamma(alpha, 1), by the implicit function theorem (same dtype)."""
    xp = array_module(x)
    dtype = x.dtype
    a, s = xp.broadcast_arrays(_f64(alpha), _f64(x))
    with np.errstate(all='ignore'):
        s = xp.maximum(s, 1e-300)
        h = 1e-4 * xp.minimum(a, xp.sqrt(a))
        p_hi, q_hi = gammainc_pq(a + h, s)
        p_lo, q_lo = gammainc_pq(a - h, s)
        p_mid, _ = gammainc_pq(a, s)
        dp = xp.where(p_mid < 0.5, p_hi - p_lo, q_lo - q_hi) / (2.0 * h)
        log_pdf = (a - 1.0) * xp.log(s) - s - lgamma_f64(a, xp)
        grad = -dp / xp.exp(log_pdf)
        # where the density underflows the sample sits deep in a tail; x/alpha is the
        # derivative of the scale-like growth of samples there (exact for the mean path)
        grad = xp.where(xp.isfinite(grad), grad, s / a)
        if not _use_scipy(x) and bool((a > _WH_ALPHA).any()):
            # x = a (1 - 1/(9a) + z / (3 sqrt(a)))^3 with z held fixed (Wilson-Hilferty): the
            # series/continued fraction would need ~10 sqrt(a) terms here
            ra = xp.sqrt(a)
            z = ((s / a) ** (1.0 / 3.0) - 1.0 + 1.0 / (9.0 * a)) * 3.0 * ra
            c = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * ra)
            dc = 1.0 / (9.0 * a * a) - z / (6.0 * a * ra)
            grad = xp.where(a > _WH_ALPHA, c ** 3 + 3.0 * a * c * c * dc, grad)
    return grad.astype(dtype, copy=False)
