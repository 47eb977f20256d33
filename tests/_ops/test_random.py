"""Random sampling: shapes and dtypes as torch, reproducibility with seeds and Generators, sample
moments, zero gradients through samplers, fork_rng/state round trips, and torch's errors."""
import math

import numpy as np
import pytest
import torch

import ember
from _oracle import check_error

N = 20000


def _same_meta(e, t):
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype), (e.shape, e.dtype, t.shape, t.dtype)


SHAPES = [
    ('rand', lambda L: L.rand(2, 3)),
    ('rand_tuple', lambda L: L.rand((4,), dtype=L.float64)),
    ('randn', lambda L: L.randn(3, 1, dtype=L.float16)),
    ('randint', lambda L: L.randint(0, 5, (3, 2))),
    ('randint_high', lambda L: L.randint(7, (4,), dtype=L.int32)),
    ('randperm', lambda L: L.randperm(6)),
    ('rand_like', lambda L: L.rand_like(L.zeros(2, 2, dtype=L.float64))),
    ('randn_like', lambda L: L.randn_like(L.zeros(3))),
    ('randint_like', lambda L: L.randint_like(L.zeros(3), 10)),
    ('normal_ff', lambda L: L.normal(2.0, 3.0, (2, 5))),
    ('normal_tf', lambda L: L.normal(L.zeros(2, 3, dtype=L.float64), 1.0)),
    ('normal_ft', lambda L: L.normal(0.0, L.ones(4))),
    ('normal_tt', lambda L: L.normal(L.zeros(2, 3), L.ones(3))),
    ('bernoulli', lambda L: L.bernoulli(L.full((3, 2), 0.3, dtype=L.float64))),
    ('bernoulli_p', lambda L: L.bernoulli(L.zeros(4), 0.7)),
    ('poisson', lambda L: L.poisson(L.full((5,), 2.0))),
    ('multinomial', lambda L: L.multinomial(L.ones(2, 5), 3)),
    ('multinomial_repl', lambda L: L.multinomial(L.ones(5), 8, replacement=True)),
]


@pytest.mark.parametrize('name,fn', SHAPES, ids=[s[0] for s in SHAPES])
def test_shape_dtype_like_torch(name, fn):
    _same_meta(fn(ember), fn(torch))


@pytest.mark.parametrize('name,fn', SHAPES, ids=[s[0] for s in SHAPES])
def test_reproducible_with_manual_seed(name, fn):
    ember.manual_seed(123)
    a = fn(ember)
    ember.manual_seed(123)
    b = fn(ember)
    assert np.array_equal(a.numpy(), b.numpy())


def test_generator_argument_everywhere():
    def run(g):
        out = [ember.rand(3, generator=g), ember.randn(3, generator=g), ember.randint(0, 9, (3,), generator=g),
               ember.randperm(5, generator=g), ember.normal(0., 1., (3,), generator=g),
               ember.normal(ember.zeros(3), 1., generator=g), ember.bernoulli(ember.full((3,), .5), generator=g),
               ember.poisson(ember.ones(3), generator=g), ember.multinomial(ember.ones(4), 2, generator=g)]
        x = ember.empty(3)
        for f, a in (('uniform_', ()), ('normal_', ()), ('bernoulli_', (0.5,)), ('exponential_', ()),
                     ('geometric_', (0.4,)), ('cauchy_', ()), ('log_normal_', ()), ('random_', (0, 9))):
            out.append(getattr(x, f)(*a, generator=g).clone())
        return [o.numpy() for o in out]
    a = run(ember.Generator().manual_seed(7))
    ember.manual_seed(0)          # the default generator must not be involved
    b = run(ember.Generator().manual_seed(7))
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    c = run(ember.Generator().manual_seed(8))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_rng_state_and_fork_rng():
    ember.manual_seed(5)
    assert ember.initial_seed() == 5 and ember.random.initial_seed() == 5
    st = ember.random.get_rng_state()
    a = ember.rand(4)
    ember.random.set_rng_state(st)
    assert np.array_equal(a.numpy(), ember.rand(4).numpy())
    with ember.random.fork_rng():
        inner = ember.rand(4)
    after = ember.rand(4)
    assert np.array_equal(inner.numpy(), after.numpy())
    ember.random.manual_seed(9)
    x = ember.rand(2)
    ember.manual_seed(9)
    assert np.array_equal(x.numpy(), ember.rand(2).numpy())
    s = ember.random.seed()
    assert ember.initial_seed() == s
    g = ember.Generator()
    g.manual_seed(3)
    s2 = g.get_state()
    v = ember.rand(3, generator=g)
    g.set_state(s2)
    assert np.array_equal(v.numpy(), ember.rand(3, generator=g).numpy())


def _moments(x):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return x.mean(), x.std()


def test_distribution_moments():
    ember.manual_seed(0)
    tol = 4 / math.sqrt(N)
    m, s = _moments(ember.rand(N))
    assert abs(m - 0.5) < tol and abs(s - math.sqrt(1 / 12)) < tol
    m, s = _moments(ember.randn(N, dtype=ember.float64))
    assert abs(m) < tol and abs(s - 1) < tol
    m, s = _moments(ember.normal(3.0, 2.0, (N,)))
    assert abs(m - 3) < 2 * tol * 2 and abs(s - 2) < 2 * tol * 2
    m, s = _moments(ember.normal(ember.full((N,), -1.0), ember.full((N,), 0.5)))
    assert abs(m + 1) < tol and abs(s - 0.5) < tol
    m, _ = _moments(ember.bernoulli(ember.full((N,), 0.3)))
    assert abs(m - 0.3) < tol
    m, s = _moments(ember.poisson(ember.full((N,), 4.0)))
    assert abs(m - 4) < 4 * tol * 2 and abs(s - 2) < 4 * tol
    m, s = _moments(ember.empty(N).exponential_(2.0))
    assert abs(m - 0.5) < tol and abs(s - 0.5) < tol
    g = ember.empty(N).geometric_(0.25)
    assert g.min().item() >= 1 and abs(_moments(g)[0] - 4) < 0.15
    m, _ = _moments(ember.empty(N).log_normal_(0.0, 0.5).log())
    assert abs(m) < tol
    c = ember.empty(N).cauchy_(2.0, 1.0).numpy()
    assert abs(np.median(c) - 2.0) < 0.05
    u = ember.empty(N).uniform_(-2, 3).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    r = ember.randint(3, 8, (N,)).numpy()
    assert r.min() == 3 and r.max() == 7
    p = ember.randperm(50).numpy()
    assert sorted(p.tolist()) == list(range(50))
    counts = np.bincount(ember.multinomial(ember.tensor([1., 2., 7.]), N, replacement=True).numpy(), minlength=3)
    assert np.allclose(counts / N, [0.1, 0.2, 0.7], atol=0.02)
    draws = ember.multinomial(ember.ones(10), 10).numpy()
    assert sorted(draws.tolist()) == list(range(10))


def test_sampler_gradients_are_zero_like_torch():
    for L in (torch, ember):
        m = L.ones(3, requires_grad=True)
        s = L.ones(3, requires_grad=True)
        y = L.normal(m, s)
        assert type(y.grad_fn).__name__ == 'NormalBackward3'
        y.sum().backward()
        assert m.grad.tolist() == [0, 0, 0] and s.grad.tolist() == [0, 0, 0]
        assert type(L.normal(m, 1.0).grad_fn).__name__ == 'NormalBackward1'
        assert type(L.normal(0.0, s).grad_fn).__name__ == 'NormalBackward2'
        p = L.full((3,), 0.5, requires_grad=True)
        b = L.bernoulli(p)
        assert type(b.grad_fn).__name__ == 'BernoulliBackward0'
        b.sum().backward()
        assert p.grad.tolist() == [0, 0, 0]


def test_inplace_samplers_keep_dtype_and_version():
    for L in (torch, ember):
        x = L.zeros(4, dtype=L.int64)
        assert x.bernoulli_(0.5).dtype == L.int64
        y = L.zeros(4, dtype=L.int32).geometric_(0.5)
        assert y.dtype == L.int32 and y.min().item() >= 1
    x = ember.zeros(3)
    v = x._version
    x.exponential_()
    assert x._version == v + 1
    with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
        ember.zeros(3, requires_grad=True).cauchy_()


ERRORS = [
    lambda L: L.normal(L.ones(2), L.ones(3)),
    lambda L: L.normal(0., -1., (2,)),
    lambda L: L.bernoulli(L.tensor([1.5])),
    lambda L: L.ones(3).bernoulli_(1.5),
    lambda L: L.ones(3).exponential_(-1),
    lambda L: L.ones(3).geometric_(0),
    lambda L: L.ones(3).log_normal_(0, -1),
    lambda L: L.ones(3).cauchy_(0, -1),
    lambda L: L.poisson(-L.ones(3)),
    lambda L: L.bernoulli(L.ones(2, dtype=L.long)),
    lambda L: L.randint(5, 2, (3,)),
    lambda L: L.multinomial(L.ones(3), 4),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_errors(i):
    check_error(ERRORS[i], match=None if i not in (0,) else 'must match')


# ----- keyword forms found by test_api_coverage ----------------------------------------------

def test_size_keyword_and_randint_high_only():
    for L in (torch, ember):
        g = L.Generator().manual_seed(1)
        outs = [L.rand(size=(2, 3)), L.randn(size=(4,), generator=g, dtype=L.float64),
                L.randint(5, size=(3, 2)), L.randint(5, (3,), generator=g),
                L.randint(low=2, high=4, size=(50,)), L.randint(high=3, size=(2,))]
        if L is torch:
            ref = outs
        else:
            for e, t in zip(outs, ref):
                _same_meta(e, t)
    r = ember.randint(5, size=(1000,))
    assert 0 <= r.min().item() and r.max().item() == 4
    r = ember.randint(low=2, high=4, size=(1000,))
    assert set(r.unique().tolist()) == {2, 3}
    with pytest.raises(TypeError):
        ember.rand(2, size=(2,))
    # same seed, same values with either spelling
    assert ember.equal(ember.rand(2, 3, generator=ember.Generator().manual_seed(3)),
                       ember.rand(size=(2, 3), generator=ember.Generator().manual_seed(3)))


def test_uniform_from_keyword():
    for L in (torch, ember):
        x = L.empty(2000, dtype=L.float64).uniform_(**{'from': -3.0, 'to': -1.0})
        assert -3.0 <= x.min().item() and x.max().item() < -1.0 and abs(x.mean().item() + 2) < 0.1
    with pytest.raises(TypeError):
        ember.empty(2).uniform_(frm=1.0)


def test_fork_rng_signature_as_torch():
    import inspect
    assert str(inspect.signature(ember.random.fork_rng)).split(' ->')[0] == \
        str(inspect.signature(torch.random.fork_rng)).split(' ->')[0]
    ember.manual_seed(4)
    with ember.random.fork_rng(device_type='cuda'):
        a = ember.rand(3)
    assert ember.equal(a, ember.rand(3))
