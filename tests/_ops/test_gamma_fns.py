"""lgamma, digamma, polygamma, mvlgamma, igamma/igammac against torch (values, special points,
dtypes, grad_fn names, first and second derivatives); the SciPy-free fallbacks against torch."""
import numpy as np
import pytest
import torch

import ember
from ember._ops import _gamma_math as G

X = np.array([-4.7, -2.5, -1.5, -0.5, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 31.5, 250.0])
SPECIAL = np.array([0.0, -0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


OPS = [('lgamma', lambda L, x: L.lgamma(x)), ('digamma', lambda L, x: L.digamma(x)),
       ('polygamma1', lambda L, x: L.polygamma(1, x)), ('polygamma2', lambda L, x: L.polygamma(2, x)),
       ('polygamma3', lambda L, x: L.polygamma(3, x)), ('method_lgamma', lambda L, x: x.lgamma()),
       ('method_polygamma', lambda L, x: x.polygamma(1))]


@pytest.mark.parametrize('name,fn', OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_values_match_torch(name, fn, dtype):
    x = np.concatenate([X, SPECIAL])
    if name.startswith(('polygamma', 'method_poly')):
        x = X  # torch's values at the poles and infinities are rounding artifacts
    t = fn(torch, torch.tensor(x, dtype=getattr(torch, dtype)))
    e = fn(ember, ember.tensor(x, dtype=getattr(ember, dtype)))
    assert str(e.dtype) == str(t.dtype)
    rtol = 1e-5 if dtype == 'float32' else 1e-9  # torch's trigamma(0.5) is off by 3e-10
    np.testing.assert_allclose(_np(e), _np(t), rtol=rtol, atol=1e-6 if dtype == 'float32' else 1e-9)


@pytest.mark.parametrize('name,fn', OPS[:5], ids=[o[0] for o in OPS[:5]])
def test_fallback_without_scipy_matches_torch(name, fn, monkeypatch):
    monkeypatch.setattr(G, '_sp', None)
    x = np.concatenate([X, [0.0, -1.0, np.inf]]) if name in ('lgamma', 'digamma') else X
    t = fn(torch, torch.tensor(x))
    e = fn(ember, ember.tensor(x))
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize('name,fn', OPS[:5], ids=[o[0] for o in OPS[:5]])
def test_first_and_second_derivatives(name, fn):
    x = X[X > 0.05]
    outs = []
    for lib in (torch, ember):
        xt = lib.tensor(x, requires_grad=True)
        y = fn(lib, xt)
        (g,) = lib.autograd.grad(y.sum(), xt, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), xt)
        outs.append((type(y.grad_fn).__name__, _np(g), _np(gg)))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-9)
    np.testing.assert_allclose(outs[1][2], outs[0][2], rtol=1e-8)


def test_int_input_errors_and_mvlgamma():
    for lib in (torch, ember):
        assert lib.lgamma(lib.tensor([3])).dtype == lib.float32
        with pytest.raises(RuntimeError, match='polygamma\\(n, x\\) does not support negative n'):
            lib.polygamma(-1, lib.ones(1))
    x = np.array([1.7, 2.5, 6.0])
    outs = []
    for lib in (torch, ember):
        xt = lib.tensor(x, requires_grad=True)
        y = lib.mvlgamma(xt, 3)
        (g,) = lib.autograd.grad(y.sum(), xt)
        outs.append((_np(y), _np(g), type(y.grad_fn).__name__))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-10)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-10)
    assert outs[1][2] == outs[0][2]


def test_igamma_values_and_gradient():
    a = np.array([0.3, 1.0, 2.5, 10.0, 60.0])
    x = np.array([0.2, 1.5, 2.0, 14.0, 40.0])
    outs = []
    for lib in (torch, ember):
        at, xt = lib.tensor(a), lib.tensor(x, requires_grad=True)
        p, q = lib.igamma(at, xt), lib.igammac(at, xt)
        (g,) = lib.autograd.grad((p + 2 * q).sum(), xt)
        outs.append((_np(p), _np(q), _np(g), type(p.grad_fn).__name__))
        with pytest.raises(RuntimeError, match="the derivative for 'igamma: input' is not"):
            ar = lib.tensor(a, requires_grad=True)
            lib.autograd.grad(lib.igamma(ar, xt).sum(), ar)
    for u, v in zip(outs[0][:3], outs[1][:3]):
        np.testing.assert_allclose(v, u, rtol=1e-10, atol=1e-14)
    assert outs[0][3] == outs[1][3]
    G_sp = G._sp
    try:
        G._sp = None
        p, q = G.gammainc_pq(a, x)
    finally:
        G._sp = G_sp
    np.testing.assert_allclose(p, outs[0][0], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(q, outs[0][1], rtol=1e-9, atol=1e-14)
