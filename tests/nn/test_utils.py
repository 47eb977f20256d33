"""nn.utils against torch: gradient clipping, parameters <-> vector, parametrize, weight/spectral norm
(hooks and parametrizations) and orthogonal."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import utils as eu

tu = torch.nn.utils


def close(a, b, rtol=1e-5, atol=1e-6):
    a = a.detach().numpy() if hasattr(a, 'detach') else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, 'detach') else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def param_pairs(shapes, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    pe, pt = [], []
    for s in shapes:
        w = rng.standard_normal(s).astype(np.float32)
        g = (rng.standard_normal(s) * scale).astype(np.float32)
        a, b = ember.nn.Parameter(ember.tensor(w)), torch.nn.Parameter(torch.tensor(w))
        a.grad, b.grad = ember.tensor(g), torch.tensor(g)
        pe.append(a)
        pt.append(b)
    return pe, pt


def copy_state(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


# ----- clipping ----------------------------------------------------------------------------------

@pytest.mark.parametrize('norm_type', [2.0, 1, float('inf'), 'inf', 3.5, 0, -float('inf')])
@pytest.mark.parametrize('max_norm', [0.5, 1e6])
def test_clip_grad_norm(norm_type, max_norm):
    pe, pt = param_pairs([(3, 4), (5,), (2, 2, 2)])
    ne = eu.clip_grad_norm_(pe, max_norm, norm_type=norm_type)
    nt = tu.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    assert isinstance(ne, ember.Tensor) and ne.dtype == ember.float32 and ne.shape == ()
    close(ne, nt)
    for a, b in zip(pe, pt):
        close(a.grad, b.grad)


def test_clip_grad_norm_variants():
    pe, pt = param_pairs([(3, 4), (6,)])
    close(eu.clip_grad_norm_(pe[0], 0.1, foreach=True), tu.clip_grad_norm_(pt[0], 0.1, foreach=True))
    close(pe[0].grad, pt[0].grad)
    close(eu.clip_grad_norm_(iter(pe), 0.2), tu.clip_grad_norm_(iter(pt), 0.2))
    for a, b in zip(pe, pt):
        close(a.grad, b.grad)
    # parameters without gradients are skipped; no gradients at all gives a zero norm
    empty_e, empty_t = eu.clip_grad_norm_([], 1.0), tu.clip_grad_norm_([], 1.0)
    close(empty_e, empty_t)
    assert empty_e.dtype == ember.float32
    with pytest.warns(UserWarning, match='empty generator'):
        eu.clip_grad_norm_((p for p in []), 1.0)
    with pytest.warns(FutureWarning, match='deprecated in favor of'):
        eu.clip_grad_norm(pe, 1.0)
    # mixed dtypes promote the total
    total = eu.get_total_norm([ember.tensor([1., 2.]), ember.tensor([3.], dtype=ember.float64)])
    ref = tu.get_total_norm([torch.tensor([1., 2.]), torch.tensor([3.], dtype=torch.float64)])
    close(total, ref)
    assert total.dtype == ember.float64


def test_clip_grad_norm_nonfinite():
    pe, pt = param_pairs([(3,)])
    pe[0].grad = ember.tensor([1.0, float('nan'), 2.0])
    pt[0].grad = torch.tensor([1.0, float('nan'), 2.0])
    with pytest.raises(RuntimeError) as et:
        tu.clip_grad_norm_(pt, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ee:
        eu.clip_grad_norm_(pe, 1.0, error_if_nonfinite=True)
    assert str(ee.value) == str(et.value)
    close(eu.clip_grad_norm_(pe, 1.0), tu.clip_grad_norm_(pt, 1.0))
    close(pe[0].grad, pt[0].grad)


def test_clip_grad_value_and_split_api():
    pe, pt = param_pairs([(4, 3), (7,)], scale=3.0)
    eu.clip_grad_value_(pe, 1.5)
    tu.clip_grad_value_(pt, 1.5)
    for a, b in zip(pe, pt):
        close(a.grad, b.grad)
    pe, pt = param_pairs([(4, 3), (7,)], seed=1)
    ne = eu.get_total_norm([p.grad for p in pe], 2.0)
    nt = tu.get_total_norm([p.grad for p in pt], 2.0)
    close(ne, nt)
    eu.clip_grads_with_norm_(pe, 0.3, ne)
    tu.clip_grads_with_norm_(pt, 0.3, nt)
    for a, b in zip(pe, pt):
        close(a.grad, b.grad)


def test_clip_in_training_loop_keeps_grad_identity():
    m = ember.nn.Linear(3, 2)
    m(ember.randn(4, 3)).sum().backward()
    g = m.weight.grad
    eu.clip_grad_norm_(m.parameters(), 0.01)
    assert m.weight.grad is g
    assert float(eu.get_total_norm([p.grad for p in m.parameters()])) <= 0.01 + 1e-6


# ----- parameters <-> vector ---------------------------------------------------------------------

def test_parameters_to_vector_roundtrip():
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    em = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Linear(4, 2))
    copy_state(em, tm)
    ve, vt = eu.parameters_to_vector(em.parameters()), tu.parameters_to_vector(tm.parameters())
    close(ve, vt)
    (ve * ve).sum().backward()
    (vt * vt).sum().backward()
    for a, b in zip(em.parameters(), tm.parameters()):
        close(a.grad, b.grad)
    new = np.arange(vt.numel(), dtype=np.float32)
    eu.vector_to_parameters(ember.tensor(new), em.parameters())
    tu.vector_to_parameters(torch.tensor(new), tm.parameters())
    for a, b in zip(em.parameters(), tm.parameters()):
        close(a, b)
    with pytest.raises(TypeError, match='expected torch.Tensor, but got: list'):
        eu.vector_to_parameters([1.0], em.parameters())


# ----- parametrize -------------------------------------------------------------------------------

def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()
    return Symmetric


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, A):
            return A / 2
    return Scale


def test_register_parametrization_matches_torch():
    P = torch.nn.utils.parametrize
    EP = eu.parametrize
    tm, em = torch.nn.Linear(4, 4), ember.nn.Linear(4, 4)
    copy_state(em, tm)
    P.register_parametrization(tm, 'weight', _symmetric(torch)())
    EP.register_parametrization(em, 'weight', _symmetric(ember)())
    assert type(em).__name__ == 'ParametrizedLinear'
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert EP.is_parametrized(em) and EP.is_parametrized(em, 'weight')
    assert not EP.is_parametrized(em, 'bias')
    assert EP.type_before_parametrizations(em) is ember.nn.Linear
    close(em.weight, tm.weight)
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    (em(ember.tensor(x)) ** 2).sum().backward()
    (tm(torch.tensor(x)) ** 2).sum().backward()
    close(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad)
    # assignment goes through right_inverse
    a = np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32)
    a = a + a.T
    em.weight = ember.tensor(a)
    tm.weight = torch.tensor(a)
    close(em.weight, tm.weight)
    close(em.parametrizations.weight.original, tm.parametrizations.weight.original)
    # chaining a second parametrization
    P.register_parametrization(tm, 'weight', _scale(torch)())
    EP.register_parametrization(em, 'weight', _scale(ember)())
    close(em.weight, tm.weight)
    assert repr(em) == repr(tm)
    with EP.cached():
        assert em.weight is em.weight
    assert em.weight is not em.weight
    # removing keeps the parametrized value (default) as a plain parameter
    orig = em.parametrizations.weight.original
    EP.remove_parametrizations(em, 'weight')
    P.remove_parametrizations(tm, 'weight')
    assert type(em) is ember.nn.Linear and not EP.is_parametrized(em)
    assert isinstance(em.weight, ember.nn.Parameter) and em.weight is orig
    close(em.weight, tm.weight)
    assert repr(em) == repr(tm)


def test_remove_parametrizations_unparametrized_and_errors():
    P, EP = torch.nn.utils.parametrize, eu.parametrize
    tm, em = torch.nn.Linear(3, 3), ember.nn.Linear(3, 3)
    copy_state(em, tm)
    P.register_parametrization(tm, 'weight', _symmetric(torch)())
    EP.register_parametrization(em, 'weight', _symmetric(ember)())
    P.remove_parametrizations(tm, 'weight', leave_parametrized=False)
    EP.remove_parametrizations(em, 'weight', leave_parametrized=False)
    close(em.weight, tm.weight)

    class Bad(ember.nn.Module):
        def forward(self, X):
            return X[0]

    with pytest.raises(ValueError, match='may not change the shape'):
        EP.register_parametrization(ember.nn.Linear(3, 3), 'weight', Bad())
    with pytest.raises(ValueError, match='does not have a parameter, a buffer, or a parametrized'):
        EP.register_parametrization(ember.nn.Linear(3, 3), 'nope', _symmetric(ember)())
    with pytest.raises(ValueError, match='does not have a parametrization on weight'):
        EP.remove_parametrizations(ember.nn.Linear(3, 3), 'weight')
    m = EP.register_parametrization(ember.nn.Linear(3, 3), 'weight', _symmetric(ember)())
    with pytest.raises(RuntimeError, match='Serialization of parametrized modules'):
        m.__getstate__()
    import copy
    m2 = copy.deepcopy(m)
    close(m2.weight, m.weight)


# ----- weight norm -------------------------------------------------------------------------------

@pytest.mark.parametrize('dim', [0, 1, None])
def test_parametrizations_weight_norm(dim):
    tm, em = torch.nn.Linear(4, 3), ember.nn.Linear(4, 3)
    copy_state(em, tm)
    tu.parametrizations.weight_norm(tm, dim=dim)
    eu.parametrizations.weight_norm(em, dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        close(em.state_dict()[k], v)
    assert repr(em) == repr(tm)
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    oe, ot = em(ember.tensor(x)), tm(torch.tensor(x))
    close(oe, ot)
    (oe * oe).sum().backward()
    (ot * ot).sum().backward()
    for (n, a), (_, b) in zip(em.named_parameters(), tm.named_parameters()):
        close(a.grad, b.grad, rtol=1e-4, atol=1e-5)


def test_weight_norm_loads_classic_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        classic = tu.weight_norm(torch.nn.Linear(4, 3))
    em = eu.parametrizations.weight_norm(ember.nn.Linear(4, 3))
    copy_state(em, classic)
    close(em.weight, classic.weight)


@pytest.mark.parametrize('dim', [0, 1, None])
def test_classic_weight_norm_hook(dim):
    tm, em = torch.nn.Linear(4, 3), ember.nn.Linear(4, 3)
    copy_state(em, tm)
    with pytest.warns(FutureWarning):
        tu.weight_norm(tm, dim=dim)
    with pytest.warns(FutureWarning, match='parametrizations.weight_norm'):
        eu.weight_norm(em, dim=dim)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    close(em.weight_g, tm.weight_g)
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    oe, ot = em(ember.tensor(x)), tm(torch.tensor(x))
    close(oe, ot)
    oe.sum().backward()
    ot.sum().backward()
    close(em.weight_g.grad, tm.weight_g.grad, rtol=1e-4, atol=1e-5)
    close(em.weight_v.grad, tm.weight_v.grad, rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match='Cannot register two weight_norm hooks'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', FutureWarning)
            eu.weight_norm(em, dim=dim)
    eu.remove_weight_norm(em)
    tu.remove_weight_norm(tm)
    assert isinstance(em.weight, ember.nn.Parameter)
    close(em.weight, tm.weight)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        eu.remove_weight_norm(em)


# ----- spectral norm -----------------------------------------------------------------------------

def test_parametrizations_spectral_norm():
    tm, em = torch.nn.Linear(5, 4), ember.nn.Linear(5, 4)
    tu.parametrizations.spectral_norm(tm)
    eu.parametrizations.spectral_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_state(em, tm)      # same original and same power-iteration vectors
    assert repr(em) == repr(tm)
    x = np.random.default_rng(4).standard_normal((3, 5)).astype(np.float32)
    for mode in ('train', 'eval'):
        getattr(em, mode)()
        getattr(tm, mode)()
        oe, ot = em(ember.tensor(x)), tm(torch.tensor(x))
        close(oe, ot, rtol=1e-4, atol=1e-5)
        close(em.parametrizations.weight[0]._u, tm.parametrizations.weight[0]._u, rtol=1e-4, atol=1e-5)
        (oe * oe).sum().backward()
        (ot * ot).sum().backward()
        close(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad,
              rtol=1e-3, atol=1e-5)
    # the estimate converges to the largest singular value
    sigma = np.linalg.svd(em.parametrizations.weight.original.detach().numpy(), compute_uv=False)[0]
    w = em.weight.detach().numpy()
    assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1) < 0.05 or sigma < 1e-6


def test_classic_spectral_norm_hook():
    tm, em = torch.nn.Linear(5, 4), ember.nn.Linear(5, 4)
    tu.spectral_norm(tm)
    eu.spectral_norm(em)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert sorted(n for n, _ in em.named_buffers()) == sorted(n for n, _ in tm.named_buffers())
    em.weight_orig.data = ember.tensor(tm.weight_orig.detach().numpy())
    em.weight_u.data = ember.tensor(tm.weight_u.numpy().copy())
    em.weight_v.data = ember.tensor(tm.weight_v.numpy().copy())
    em.bias.data = ember.tensor(tm.bias.detach().numpy())
    x = np.random.default_rng(5).standard_normal((3, 5)).astype(np.float32)
    for _ in range(2):
        oe, ot = em(ember.tensor(x)), tm(torch.tensor(x))
        close(oe, ot, rtol=1e-4, atol=1e-5)
        close(em.weight_u, tm.weight_u, rtol=1e-4, atol=1e-5)
    oe.sum().backward()
    ot.sum().backward()
    close(em.weight_orig.grad, tm.weight_orig.grad, rtol=1e-3, atol=1e-5)
    eu.remove_spectral_norm(em)
    tu.remove_spectral_norm(tm)
    close(em.weight, tm.weight, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        eu.remove_spectral_norm(em)
    with pytest.raises(ValueError, match='Expected n_power_iterations to be positive'):
        eu.spectral_norm(ember.nn.Linear(2, 2), n_power_iterations=0)


# ----- orthogonal --------------------------------------------------------------------------------

@pytest.mark.parametrize('shape,orth_map', [((4, 4), None), ((5, 3), None), ((3, 5), None),
                                            ((4, 4), 'cayley'), ((5, 3), 'matrix_exp'),
                                            ((4, 4), 'householder'), ((5, 3), 'cayley')])
def test_orthogonal_matches_torch(shape, orth_map):
    rng = np.random.default_rng(6)
    w = rng.standard_normal(shape)
    tm, em = torch.nn.Linear(shape[1], shape[0]).double(), ember.nn.Linear(shape[1], shape[0]).double()
    tm.weight.data = torch.tensor(w)
    copy_state(em, tm)
    tu.parametrizations.orthogonal(tm, orthogonal_map=orth_map)
    eu.parametrizations.orthogonal(em, orthogonal_map=orth_map)
    assert list(em.state_dict()) == list(tm.state_dict())
    close(em.weight, tm.weight, rtol=1e-7, atol=1e-9)
    # a non-square base is completed with random columns: take torch's for the gradient check
    copy_state(em, tm)
    q = em.weight.detach().numpy()
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)
    # a gradient step on the original stays orthogonal and matches torch's
    x = rng.standard_normal((2, shape[1]))
    (em(ember.tensor(x)) ** 3).sum().backward()
    (tm(torch.tensor(x)) ** 3).sum().backward()
    ge = em.parametrizations.weight.original.grad
    gt = tm.parametrizations.weight.original.grad
    close(ge, gt, rtol=1e-6, atol=1e-9)


def test_orthogonal_without_trivialization():
    rng = np.random.default_rng(7)
    w = rng.standard_normal((5, 3))
    tm, em = torch.nn.Linear(3, 5).double(), ember.nn.Linear(3, 5).double()
    tm.weight.data = torch.tensor(w)
    copy_state(em, tm)
    tu.parametrizations.orthogonal(tm, use_trivialization=False)
    eu.parametrizations.orthogonal(em, use_trivialization=False)
    close(em.parametrizations.weight.original, tm.parametrizations.weight.original, atol=1e-10)
    close(em.weight, tm.weight, rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match='Expected a matrix or batch of matrices'):
        eu.parametrizations.orthogonal(ember.nn.Linear(3, 3), 'bias')
