"""ember.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against torch's: values,
result structure (tensor vs tuples), create_graph, strict mode errors, vectorize/strategy."""
import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal(3)
V3 = RNG.standard_normal(3)
V4 = RNG.standard_normal(4)


def T(L, a, rg=False):
    return L.tensor(np.array(a, dtype=np.float64), requires_grad=rg)


def same(e, t, tol=1e-10):
    """Same nesting (tensor / tuple / list / None) and values."""
    if isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            same(a, b, tol)
        return
    if t is None:
        assert e is None
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy(), rtol=tol, atol=tol)


def both(fn):
    return fn(ember), fn(torch)


def f_single(L):
    return lambda x: (x.sin() * x.exp()) @ T(L, A.T[:3, :3])


def f_multi_in(L):
    return lambda x, y: (x * y).tanh() + x ** 2


def f_multi_out(L):
    return lambda x: (x.exp(), (x * x).sum())


def f_scalar(L):
    return lambda x: (x.exp() * x.roll(1)).sum() + (x ** 4).sum()


def f_scalar2(L):
    return lambda x, y: (x * y.sin()).sum() + (x ** 3).sum() * y.sum()


@pytest.mark.parametrize('case', ['single', 'multi_in', 'multi_out'])
@pytest.mark.parametrize('create_graph', [False, True])
def test_jacobian(case, create_graph):
    def run(L):
        if case == 'single':
            return L.autograd.functional.jacobian(f_single(L), T(L, V3), create_graph=create_graph)
        if case == 'multi_in':
            return L.autograd.functional.jacobian(f_multi_in(L), (T(L, V3), T(L, B)),
                                                  create_graph=create_graph)
        return L.autograd.functional.jacobian(f_multi_out(L), T(L, V3), create_graph=create_graph)
    same(*both(run))


def test_jacobian_vectorize_and_forward_strategy():
    def run(L):
        J = L.autograd.functional.jacobian
        return (J(f_multi_in(L), (T(L, V3), T(L, B)), vectorize=True),
                J(f_multi_in(L), (T(L, V3), T(L, B)), vectorize=True, strategy='forward-mode'))
    same(*both(run))


def test_jacobian_strict_and_unused_inputs():
    def run(L):
        f = lambda x, y: x * 2   # noqa: E731  (y unused)
        J = L.autograd.functional.jacobian
        zeros = J(f, (T(L, V3), T(L, B)))
        with pytest.raises(RuntimeError) as e:
            J(f, (T(L, V3), T(L, B)), strict=True)
        return zeros, str(e.value)
    (je, me), (jt, mt) = both(run)
    same(je, jt)
    assert me == mt


@pytest.mark.parametrize('case', ['single', 'multi'])
@pytest.mark.parametrize('create_graph', [False, True])
def test_hessian(case, create_graph):
    def run(L):
        H = L.autograd.functional.hessian
        if case == 'single':
            return H(f_scalar(L), T(L, V4), create_graph=create_graph)
        return H(f_scalar2(L), (T(L, V3), T(L, B)), create_graph=create_graph)
    same(*both(run))


def test_hessian_requires_scalar_output():
    def run(L):
        with pytest.raises(RuntimeError) as e:
            L.autograd.functional.hessian(lambda x: x * x, T(L, V3))
        return str(e.value)
    assert both(run)[0] == both(run)[1]


@pytest.mark.parametrize('fn_name', ['vjp', 'jvp'])
def test_vjp_jvp(fn_name):
    def run(L):
        F = getattr(L.autograd.functional, fn_name)
        x = T(L, V3)
        v = T(L, RNG.standard_normal(3) if False else [0.3, -1.2, 0.8])
        out1 = F(f_single(L), x, v)
        out2 = F(f_multi_in(L), (T(L, V3), T(L, B)),
                 (T(L, [1.0, 2.0, -1.0]),) if fn_name == 'vjp' else (T(L, [1.0, 0, 2]), T(L, [0, 1.0, 0])))
        out3 = F(f_single(L), x, v, create_graph=True)
        return out1, out2, out3
    same(*both(run))


def test_vjp_scalar_default_v_and_errors():
    def run(L):
        out = L.autograd.functional.vjp(lambda x: (x * x).sum(), T(L, V3))
        msgs = []
        for call in (lambda: L.autograd.functional.vjp(lambda x: x * x, T(L, V3)),
                     lambda: L.autograd.functional.vjp(lambda x: x * x, T(L, V3), T(L, [1.0, 2.0])),
                     lambda: L.autograd.functional.vjp(lambda x: x * 2, [1.0])):
            with pytest.raises((RuntimeError, TypeError)) as e:
                call()
            msgs.append((type(e.value).__name__, str(e.value)))
        return out, msgs
    (oe, me), (ot, mt) = both(run)
    same(oe, ot)
    assert me == mt


@pytest.mark.parametrize('fn_name', ['hvp', 'vhp'])
@pytest.mark.parametrize('create_graph', [False, True])
def test_hvp_vhp(fn_name, create_graph):
    def run(L):
        F = getattr(L.autograd.functional, fn_name)
        r1 = F(f_scalar(L), T(L, V4), T(L, [1.0, -0.5, 0.25, 2.0]), create_graph=create_graph)
        r2 = F(f_scalar2(L), (T(L, V3), T(L, B)), (T(L, [1.0, 0, 2]), T(L, [0.5, 1.0, 0])),
               create_graph=create_graph)
        return r1, r2
    same(*both(run))


def test_hvp_strict_on_linear_function():
    def run(L):
        with pytest.raises(RuntimeError) as e:
            L.autograd.functional.hvp(lambda x: (x * 3).sum(), T(L, V3), T(L, V3), strict=True)
        return str(e.value)
    assert both(run)[0] == both(run)[1]


def test_create_graph_results_are_differentiable():
    # d/dx of a Hessian-vector product: a third derivative, through create_graph=True
    def run(L):
        x = T(L, V4, rg=True)
        _, hv = L.autograd.functional.hvp(f_scalar(L), x, T(L, [1.0, 2.0, 3.0, 4.0]),
                                          create_graph=True)
        g, = L.autograd.grad(hv.sum(), x)
        return g
    same(*both(run))


def test_forward_ad_reports_itself_unavailable():
    # forward-mode AD needs per-op forward derivatives ember does not have; jvp works instead
    x = ember.ones(2, dtype=ember.float64)
    with pytest.raises(NotImplementedError, match="torch.autograd.forward_ad.make_dual"):
        ember.autograd.forward_ad.make_dual(x, x)
    with pytest.raises(NotImplementedError, match="forward_ad.dual_level"):
        with ember.autograd.forward_ad.dual_level():
            pass
    _, jv = ember.autograd.functional.jvp(lambda a: a * a, x, x)
    assert jv.tolist() == [2.0, 2.0]
