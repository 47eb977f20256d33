"""torch.distributions on ember against torch: log_prob, entropy, moments, cdf/icdf and their
gradients on the same float64 parameters; sampling shapes and moments; validation errors."""
import math

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(0)
B = (3,)


def pos(*shape):
    return rng.uniform(0.5, 3.0, shape)


def real(*shape):
    return rng.normal(0, 1, shape)


def spd(n):
    a = rng.normal(0, 1, (n, n))
    return a @ a.T + n * np.eye(n)


def simplex(*shape):
    p = rng.uniform(0.1, 1, shape)
    return p / p.sum(-1, keepdims=True)


# name -> (constructor(lib.distributions, *params), params, value(lib) or array)
CASES = {
    'Normal': (lambda D, a, b: D.Normal(a, b), [real(*B), pos(*B)], real(4, *B)),
    'Uniform': (lambda D, a, b: D.Uniform(a, a + b), [real(*B), pos(*B)], None),
    'Exponential': (lambda D, r: D.Exponential(r), [pos(*B)], pos(4, *B)),
    'Laplace': (lambda D, a, b: D.Laplace(a, b), [real(*B), pos(*B)], real(4, *B)),
    'Gamma': (lambda D, a, b: D.Gamma(a, b), [pos(*B), pos(*B)], pos(4, *B)),
    'Beta': (lambda D, a, b: D.Beta(a, b), [pos(*B), pos(*B)], rng.uniform(0.05, 0.95, (4, *B))),
    'Dirichlet': (lambda D, c: D.Dirichlet(c), [pos(*B, 4)], simplex(5, *B, 4)),
    'Bernoulli_probs': (lambda D, p: D.Bernoulli(probs=p), [rng.uniform(0.1, 0.9, B)],
                        rng.integers(0, 2, (4, *B)).astype(float)),
    'Bernoulli_logits': (lambda D, l: D.Bernoulli(logits=l), [real(*B)],
                         rng.integers(0, 2, (4, *B)).astype(float)),
    'Categorical_probs': (lambda D, p: D.Categorical(probs=p), [simplex(*B, 5)],
                          rng.integers(0, 5, (4, *B))),
    'Categorical_logits': (lambda D, l: D.Categorical(logits=l), [real(*B, 5)],
                           rng.integers(0, 5, (4, *B))),
    'OneHotCategorical': (lambda D, p: D.OneHotCategorical(probs=p), [simplex(*B, 5)],
                          np.eye(5)[rng.integers(0, 5, (4, *B))]),
    'MVN_cov': (lambda D, m, c: D.MultivariateNormal(m, covariance_matrix=c), [real(*B, 3), spd(3)],
                real(4, *B, 3)),
    'MVN_prec': (lambda D, m, c: D.MultivariateNormal(m, precision_matrix=c), [real(*B, 3), spd(3)],
                 real(4, *B, 3)),
    'MVN_tril': (lambda D, m, c: D.MultivariateNormal(m, scale_tril=c),
                 [real(*B, 3), np.linalg.cholesky(spd(3))], real(4, *B, 3)),
    'Independent': (lambda D, a, b: D.Independent(D.Normal(a, b), 1), [real(2, 4), pos(2, 4)],
                    real(3, 2, 4)),
}


def _params(lib, params):
    return [lib.tensor(p, dtype=lib.float64, requires_grad=True) if p.dtype.kind == 'f'
            else lib.tensor(p) for p in params]


def _value(lib, name, dist, v):
    if v is None:  # inside the support of a Uniform: low + u (high - low)
        u = np.linspace(0.1, 0.9, 4)[:, None] * np.ones(B)
        return dist.low.detach() + lib.tensor(u) * (dist.high - dist.low).detach()
    return lib.tensor(v)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


@pytest.mark.parametrize('name', list(CASES))
def test_values_and_gradients_match_torch(name):
    ctor, params, v = CASES[name]
    results = {}
    for lib in (torch, ember):
        ps = _params(lib, params)
        d = ctor(lib.distributions, *ps)
        value = _value(lib, name, d, v)
        continuous = not name.startswith(('Bernoulli', 'Categorical', 'OneHot'))
        if continuous:  # log_prob is differentiated w.r.t. the value too (score functions)
            value = value.detach().requires_grad_()
        out = {'batch_shape': tuple(d.batch_shape), 'event_shape': tuple(d.event_shape),
               'repr': repr(d), 'has_rsample': d.has_rsample}
        lp = d.log_prob(value)
        ent = d.entropy()
        out['log_prob'] = _np(lp)
        out['entropy'] = _np(ent)
        for attr in ('mean', 'variance', 'stddev', 'mode'):
            try:
                out[attr] = _np(getattr(d, attr))
            except NotImplementedError:
                out[attr] = 'NotImplementedError'
        for fn in ('cdf', 'icdf'):
            try:
                arg = value if fn == 'cdf' else lib.full(tuple(value.shape), 0.3, dtype=lib.float64)
                out[fn] = _np(getattr(d, fn)(arg))
            except NotImplementedError:
                out[fn] = 'NotImplementedError'
        loss = lp.sum() + ent.sum() + d.mean.sum() + d.variance.sum()
        wrt = [p for p in ps if p.requires_grad] + ([value] if continuous else [])
        grads = lib.autograd.grad(loss, wrt, create_graph=True, allow_unused=True)
        out['unused'] = [g is None for g in grads]  # Uniform's density is flat in the value
        grads = [g for g in grads if g is not None]
        out['grads'] = [_np(g) for g in grads]
        # second order: the gradients are themselves differentiable, as torch's
        gg = lib.autograd.grad(sum((g * g).sum() for g in grads), wrt, allow_unused=True)
        out['grads'] += [_np(g) for g in gg if g is not None]
        out['n_gradgrads'] = sum(g is not None for g in gg)
        results[lib.__name__] = out
    t, e = results['torch'], results['ember']
    for key in t:
        if key == 'grads':
            assert len(e[key]) == len(t[key]), name
            for a, b in zip(t[key], e[key]):
                np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-8, err_msg=f'{name} grad')
        elif isinstance(t[key], np.ndarray):
            np.testing.assert_allclose(e[key], t[key], rtol=1e-9, atol=1e-12, equal_nan=True,
                                       err_msg=f'{name} {key}')
        else:
            assert e[key] == t[key], (name, key)


SAMPLED = ['Normal', 'Uniform', 'Exponential', 'Laplace', 'Gamma', 'Beta', 'Dirichlet',
           'Bernoulli_probs', 'Categorical_probs', 'OneHotCategorical', 'MVN_cov', 'Independent']


@pytest.mark.parametrize('name', SAMPLED)
def test_sample_shapes_and_moments(name):
    ctor, params, _ = CASES[name]
    ember.manual_seed(0)
    d = ctor(ember.distributions, *_params(ember, params))
    td = ctor(torch.distributions, *_params(torch, params))
    n = 40000
    s = d.sample((n,))
    assert tuple(s.shape) == tuple(td.sample((n,)).shape)
    assert not s.requires_grad
    assert tuple(d.sample().shape) == tuple(td.sample().shape)
    assert tuple(d.sample((2, 3)).shape) == tuple(td.sample((2, 3)).shape)
    x = _np(s).astype(np.float64)
    if name.startswith('Categorical'):
        freq = np.stack([(x == k).mean(0) for k in range(5)], -1)
        np.testing.assert_allclose(freq, _np(td.probs), atol=0.02)
        return
    mean, var = _np(td.mean), _np(td.variance)
    se = np.sqrt(var / n)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * se + 1e-12), name
    np.testing.assert_allclose(x.var(0), var, rtol=0.1, atol=1e-4)
    if d.has_rsample:
        r = d.rsample((2,))
        assert r.requires_grad and tuple(r.shape) == (2,) + tuple(td.batch_shape + td.event_shape)
    # every sample lies in the support
    assert bool(d.support.check(s).all())


@pytest.mark.parametrize('name', ['Gamma', 'Beta', 'Dirichlet', 'Normal', 'Laplace', 'Exponential',
                                  'MVN_cov', 'Uniform'])
def test_rsample_gradients_are_unbiased(name):
    """d/dtheta of the sample mean of rsample estimates d mean/d theta (pathwise gradient)."""
    ctor, params, _ = CASES[name]
    ember.manual_seed(1)
    ps = _params(ember, params)
    d = ctor(ember.distributions, *ps)
    n = 40000
    s = d.rsample((n,))
    g_mc = ember.autograd.grad(s.mean(0).sum(), ps, allow_unused=True)
    tps = _params(torch, params)
    td = ctor(torch.distributions, *tps)
    g_true = torch.autograd.grad(td.mean.sum(), tps, allow_unused=True)
    for a, b in zip(g_true, g_mc):
        if a is None:
            assert b is None or np.allclose(_np(b), 0, atol=0.02)
            continue
        np.testing.assert_allclose(_np(b), _np(a), rtol=0.05, atol=0.02, err_msg=name)


def test_standard_gamma_grad_matches_torch():
    alpha = np.array([0.05, 0.3, 1.0, 2.5, 7.0, 40.0, 300.0])
    u = np.array([0.05, 0.3, 0.5, 0.8, 0.97])
    import scipy.special as sp
    A = np.repeat(alpha, len(u))
    X = sp.gammaincinv(A, np.tile(u, len(alpha)))
    t = torch._standard_gamma_grad(torch.tensor(A), torch.tensor(X)).numpy()
    e = _np(ember._standard_gamma_grad(ember.tensor(A), ember.tensor(X)))
    # torch's kernel is itself an approximation good to ~1e-3; ours is ~1e-7 (see _gamma_math)
    np.testing.assert_allclose(e, t, rtol=2e-3)
    s = ember._standard_gamma(ember.tensor([0.5, 2.0], requires_grad=True))
    assert type(s.grad_fn).__name__ == 'StandardGammaBackward0'


KL_PAIRS = [('Normal', 'Normal'), ('Normal', 'Laplace'), ('Laplace', 'Laplace'),
            ('Laplace', 'Normal'), ('Exponential', 'Exponential'), ('Exponential', 'Gamma'),
            ('Exponential', 'Normal'), ('Gamma', 'Gamma'), ('Gamma', 'Exponential'),
            ('Gamma', 'Normal'), ('Beta', 'Beta'), ('Beta', 'Exponential'), ('Beta', 'Gamma'),
            ('Beta', 'Normal'), ('Beta', 'Uniform'), ('Uniform', 'Uniform'), ('Uniform', 'Normal'),
            ('Uniform', 'Beta'), ('Uniform', 'Exponential'), ('Uniform', 'Gamma'),
            ('Dirichlet', 'Dirichlet'), ('Bernoulli_probs', 'Bernoulli_logits'),
            ('Categorical_probs', 'Categorical_logits'), ('OneHotCategorical', 'OneHotCategorical'),
            ('MVN_cov', 'MVN_tril'), ('MVN_prec', 'MVN_cov'), ('Independent', 'Independent'),
            ('Normal', 'Uniform'), ('Normal', 'Gamma'), ('Gamma', 'Uniform'), ('Laplace', 'Beta'),
            ('Exponential', 'Beta')]

KL_PARAMS = {
    'Uniform': [rng.uniform(0.1, 0.3, B), rng.uniform(0.2, 0.6, B)],  # inside (0, 1): Beta support
}


def _kl_params(name, second):
    if name == 'Uniform':
        lo, width = KL_PARAMS['Uniform']
        return [lo - 0.05, width + 0.1] if second else [lo, width]
    p = [np.array(x) for x in CASES[name][1]]
    if second:
        if name.startswith('MVN'):  # the matrix gets a larger diagonal, the mean moves
            p = [p[0] * 1.3, p[1] + np.eye(3) if name != 'MVN_tril' else p[1] * 1.3]
        else:
            p = [x * 1.3 for x in p]
        if name in ('Categorical_probs', 'OneHotCategorical'):
            p = [x / x.sum(-1, keepdims=True) for x in p]
        if name == 'Bernoulli_probs':
            p = [np.clip(x, 0.05, 0.95) for x in p]
    return p


@pytest.mark.parametrize('pq', KL_PAIRS, ids=['-'.join(p) for p in KL_PAIRS])
def test_kl_divergence_matches_torch(pq):
    pn, qn = pq
    outs = []
    for lib in (torch, ember):
        pp = _params(lib, _kl_params(pn, False))
        qp = _params(lib, _kl_params(qn, True))
        p = CASES[pn][0](lib.distributions, *pp)
        q = CASES[qn][0](lib.distributions, *qp)
        kl = lib.distributions.kl_divergence(p, q)
        finite = bool(lib.isfinite(kl).all())
        grads = lib.autograd.grad(kl.sum(), pp + qp, allow_unused=True) if finite and \
            kl.requires_grad else []
        outs.append((_np(kl), [None if g is None else _np(g) for g in grads]))
    (tk, tg), (ek, eg) = outs
    np.testing.assert_allclose(ek, tk, rtol=1e-9, atol=1e-12)
    assert len(tg) == len(eg)
    for a, b in zip(tg, eg):
        if a is None or b is None:
            assert (a is None or np.allclose(a, 0)) and (b is None or np.allclose(b, 0))
        else:
            np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-9)


def test_kl_unregistered_pair_and_register():
    D = ember.distributions
    with pytest.raises(NotImplementedError, match='No KL\\(p \\|\\| q\\) is implemented for p '
                                                  'type Categorical and q type Normal'):
        D.kl_divergence(D.Categorical(ember.ones(2)), D.Normal(0., 1.))

    class MyNormal(D.Normal):
        pass
    kl = D.kl_divergence(MyNormal(0., 1.), D.Normal(1., 1.))
    assert abs(kl.item() - 0.5) < 1e-6


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize('case', [
    lambda L, D: D.Normal(0., -1.),
    lambda L, D: D.Normal(L.tensor([0., 1.]), L.tensor([-1., 1.])),
    lambda L, D: D.Normal(0., 1.).log_prob(L.tensor(float('nan'))),
    lambda L, D: D.Beta(1., 1.).log_prob(L.tensor(2.)),
    lambda L, D: D.Categorical(L.tensor([[1., 2.]])).log_prob(L.tensor([0, 1, 2])),
    lambda L, D: D.Categorical(probs=L.tensor([1., -2.])),
    lambda L, D: D.Categorical(probs=L.tensor([1., 2.]), logits=L.tensor([1., 2.])),
    lambda L, D: D.Categorical(probs=L.tensor(1.)),
    lambda L, D: D.Bernoulli(),
    lambda L, D: D.Bernoulli(1.5),
    lambda L, D: D.Bernoulli(0.5).log_prob(L.tensor(0.5)),
    lambda L, D: D.Normal(L.zeros(3), 1.).log_prob(L.zeros(2)),
    lambda L, D: D.MultivariateNormal(L.zeros(2), L.eye(2)).log_prob(L.zeros(3)),
    lambda L, D: D.MultivariateNormal(L.zeros(2)),
    lambda L, D: D.MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2)),
    lambda L, D: D.MultivariateNormal(L.tensor(0.), L.eye(2)),
    lambda L, D: D.MultivariateNormal(L.zeros(2), L.tensor([[1., 2.], [2., 1.]])),
    lambda L, D: D.Dirichlet(L.tensor(1.)),
    lambda L, D: D.Dirichlet(L.tensor([1., -1.])),
    lambda L, D: D.Uniform(1., 0.),
    lambda L, D: D.Gamma(L.tensor([1.]), L.tensor([0.])),
    lambda L, D: D.Exponential(1.).log_prob(L.tensor(-1.)),
    lambda L, D: D.Independent(D.Normal(L.zeros(2), 1.), 2),
    lambda L, D: D.Normal(0., 1.).log_prob(1.0),
    lambda L, D: D.Bernoulli(0.3).rsample(),
    lambda L, D: D.Independent(D.Normal(L.zeros(2), 1.), 1).enumerate_support(),
    lambda L, D: D.Normal(0., -1., validate_args=False).scale,
])
def test_validation_errors_match_torch(case):
    te = _err(lambda: case(torch, torch.distributions))
    ee = _err(lambda: case(ember, ember.distributions))
    assert te is not None or ee is None
    if te is None:
        return
    assert ee is not None and ee[0] == te[0], (te, ee)
    assert ee[1] == te[1]


def test_constraints_and_enumerate_support():
    for lib in (torch, ember):
        C = lib.distributions.constraints
        assert repr(C.interval(0, 1)) == 'Interval(lower_bound=0, upper_bound=1)'
        assert repr(C.real_vector) == 'IndependentConstraint(Real(), 1)'
        assert C.simplex.event_dim == 1 and C.boolean.is_discrete
        assert C.simplex.check(lib.tensor([[0.5, 0.5], [0.2, 0.9]])).tolist() == [True, False]
        assert C.positive_definite.check(lib.eye(2)).item()
        assert not C.positive_definite.check(lib.tensor([[1., 2.], [2., 1.]])).item()
        assert C.one_hot.check(lib.tensor([[0., 1.], [1., 1.]])).tolist() == [True, False]
        assert C.integer_interval(0, 3).check(lib.tensor([0., 1.5, 3., 4.])).tolist() == \
            [True, False, True, False]
        assert C.lower_cholesky.check(lib.eye(2)).item()
        assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
        with pytest.raises(ValueError, match='Cannot determine validity of dependent constraint'):
            C.dependent.check(lib.ones(1))
        D = lib.distributions
        assert D.Bernoulli(lib.tensor([0.3, 0.6])).enumerate_support().tolist() == [[0., 0.],
                                                                                    [1., 1.]]
        assert D.Categorical(lib.ones(2, 3)).enumerate_support(expand=False).shape == (3, 1)
        assert D.OneHotCategorical(lib.ones(3)).enumerate_support().tolist() == \
            lib.eye(3).tolist()
        e = D.Normal(lib.zeros(3), 1.).expand((2, 3))
        assert tuple(e.batch_shape) == (2, 3) and tuple(e.sample().shape) == (2, 3)
        assert math.isclose(D.Normal(0., 1.).perplexity().item(), math.exp(0.5 * math.log(
            2 * math.pi * math.e)), rel_tol=1e-6)


def test_policy_gradient_through_categorical_matches_torch():
    logits = real(5, 4)
    actions = rng.integers(0, 4, 5)
    rewards = real(5)
    grads = []
    for lib in (torch, ember):
        lg = lib.tensor(logits, requires_grad=True)
        dist = lib.distributions.Categorical(logits=lg)
        loss = -(dist.log_prob(lib.tensor(actions)) * lib.tensor(rewards)).sum() - \
            0.01 * dist.entropy().sum()
        loss.backward()
        grads.append(_np(lg.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-10)
