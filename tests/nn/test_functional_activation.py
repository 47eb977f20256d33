"""nn.functional activations and the softmax family against torch: values, float64 gradients,
second-order gradients, grad_fn names, in-place forms, dtypes and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as FE
import torch.nn.functional as FT
from _nn_helpers import compare, rand, grad_fn_name

# (name, kwargs, double backward supported by torch)
ACTS = [
    ('relu', {}, True), ('relu6', {}, True), ('leaky_relu', {}, True),
    ('leaky_relu', {'negative_slope': 0.3}, True), ('elu', {}, True), ('elu', {'alpha': 0.4}, True),
    ('selu', {}, True), ('celu', {}, True), ('celu', {'alpha': 0.7}, True), ('gelu', {}, True),
    ('gelu', {'approximate': 'tanh'}, True), ('silu', {}, True), ('mish', {}, True),
    ('softplus', {}, True), ('softplus', {'beta': 2.0, 'threshold': 1.5}, True),
    ('softsign', {}, True), ('hardtanh', {}, True), ('hardtanh', {'min_val': -0.5, 'max_val': 2.0}, True),
    ('hardsigmoid', {}, False), ('hardswish', {}, True), ('logsigmoid', {}, True),
    ('sigmoid', {}, True), ('tanh', {}, True), ('hardshrink', {}, True),
    ('hardshrink', {'lambd': 1.1}, True), ('softshrink', {}, True), ('softshrink', {'lambd': 0.2}, True),
    ('tanhshrink', {}, True), ('threshold', {'threshold': 0.2, 'value': -3.0}, True),
]


def _x(seed=1, shape=(3, 5)):
    # avoid points within 1e-3 of the kinks so the float64 comparisons are about the function
    x = rand(*shape, seed=seed) * 3
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize('name,kw,gg', ACTS, ids=[f'{a}-{i}' for i, (a, _, _) in enumerate(ACTS)])
def test_activation_matches_torch(name, kw, gg):
    # torch's celu and hardsigmoid backwards round 1/alpha and 1/6 to float32 even for float64
    rtol = 1e-7 if name in ('celu', 'hardsigmoid') else 1e-9
    compare(lambda x: getattr(FE, name)(x, **kw), lambda x: getattr(FT, name)(x, **kw), [_x()],
            gradgrad=gg, atol=1e-10, rtol=rtol)


@pytest.mark.parametrize('name,kw,gg', ACTS[:14], ids=[f'{a}-{i}' for i, (a, _, _) in enumerate(ACTS[:14])])
def test_activation_float32(name, kw, gg):
    x = _x(seed=2).astype(np.float32)
    compare(lambda t: getattr(FE, name)(t, **kw), lambda t: getattr(FT, name)(t, **kw), [x],
            atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize('name,kw,_', ACTS, ids=[f'{a}-{i}' for i, (a, _, _) in enumerate(ACTS)])
def test_grad_fn_names(name, kw, _):
    xe = ember.tensor(_x(), requires_grad=True)
    xt = torch.tensor(_x(), requires_grad=True)
    assert grad_fn_name(getattr(FE, name)(xe, **kw)) == grad_fn_name(getattr(FT, name)(xt, **kw))


def test_extreme_values_are_finite_as_torch():
    x = np.array([-1000.0, -50.0, -20.0, 0.0, 20.0, 50.0, 1000.0])
    for name in ('softplus', 'logsigmoid', 'silu', 'mish', 'gelu', 'elu', 'selu', 'sigmoid'):
        compare(lambda t: getattr(FE, name)(t), lambda t: getattr(FT, name)(t), [x], atol=1e-9, rtol=1e-9)


INPLACE = [('relu_', {}), ('elu_', {'alpha': 0.5}), ('leaky_relu_', {'negative_slope': 0.2}),
           ('hardtanh_', {}), ('threshold_', {'threshold': 0.1, 'value': 2.0}), ('celu_', {}),
           ('selu_', {})]


@pytest.mark.parametrize('name,kw', INPLACE)
def test_inplace_variants(name, kw):
    a = _x(seed=3)

    def run(F, lib):
        leaf = lib.tensor(a, requires_grad=True)
        y = leaf * 1.0
        out = getattr(F, name)(y, **kw)
        assert out is y
        out.sum().backward()
        return out.detach().numpy(), leaf.grad.numpy(), y._version
    oe, ge, ve = run(FE, ember)
    ot, gt, vt = run(FT, torch)
    np.testing.assert_allclose(oe, ot, atol=1e-12)
    np.testing.assert_allclose(ge, gt, atol=1e-12)
    assert ve >= 1


@pytest.mark.parametrize('name', ['relu', 'elu', 'leaky_relu', 'selu', 'celu', 'silu', 'mish',
                                  'hardtanh', 'relu6', 'hardsigmoid', 'hardswish', 'rrelu'])
def test_inplace_keyword(name):
    a = _x(seed=4)
    xe, xt = ember.tensor(a), torch.tensor(a)
    re = getattr(FE, name)(xe, inplace=True)
    rt = getattr(FT, name)(xt, inplace=True)
    assert re is xe and rt is xt
    np.testing.assert_allclose(xe.numpy(), xt.numpy(), atol=1e-12)


def test_inplace_on_leaf_requiring_grad_raises():
    x = ember.tensor(_x(), requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        FE.relu_(x)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        FE.elu(x, inplace=True)


@pytest.mark.parametrize('fn', ['softmax', 'log_softmax', 'softmin'])
@pytest.mark.parametrize('dim', [0, 1, -1])
def test_softmax_family(fn, dim):
    a = rand(3, 4, 5, seed=5) * 4
    compare(lambda t: getattr(FE, fn)(t, dim=dim), lambda t: getattr(FT, fn)(t, dim=dim), [a],
            gradgrad=True, atol=1e-10, rtol=1e-9)


def test_softmax_is_stable_and_handles_inf():
    a = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf]])
    for fn in ('softmax', 'log_softmax'):
        e = getattr(FE, fn)(ember.tensor(a), dim=1).numpy()
        t = getattr(FT, fn)(torch.tensor(a), dim=1).numpy()
        np.testing.assert_allclose(e, t, atol=1e-12)


def test_softmax_dtype_argument_and_float32():
    a = rand(4, 6, seed=6).astype(np.float32)
    e = FE.softmax(ember.tensor(a), dim=1, dtype=ember.float64)
    t = FT.softmax(torch.tensor(a), dim=1, dtype=torch.float64)
    assert e.dtype == ember.float64
    np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-12)
    compare(lambda x: FE.log_softmax(x, 1), lambda x: FT.log_softmax(x, 1), [a], atol=1e-6, rtol=1e-5)


def test_softmax_implicit_dim_warns_like_torch():
    a = rand(2, 3, seed=7)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter('always')
        e = FE.softmax(ember.tensor(a))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter('always')
        t = FT.softmax(torch.tensor(a))
    np.testing.assert_allclose(e.numpy(), t.numpy())
    assert any('Implicit dimension' in str(w.message) for w in we)
    assert any('Implicit dimension' in str(w.message) for w in wt)


def test_softmax_scalar_and_errors():
    assert float(FE.softmax(ember.tensor(3.0), 0)) == float(FT.softmax(torch.tensor(3.0), 0))
    with pytest.raises(IndexError):
        FE.softmax(ember.tensor(rand(2, 3)), dim=2)
    with pytest.raises(RuntimeError):
        FE.softmax(ember.tensor([1, 2, 3]), dim=0)
    with pytest.raises(RuntimeError):
        FT.softmax(torch.tensor([1, 2, 3]), dim=0)


def test_glu_prelu_rrelu():
    compare(lambda x: FE.glu(x, 1), lambda x: FT.glu(x, 1), [rand(3, 6, seed=8)], gradgrad=True,
            atol=1e-10)
    compare(lambda x: FE.glu(x), lambda x: FT.glu(x), [rand(2, 3, 4, seed=9)], atol=1e-10)
    compare(FE.prelu, FT.prelu, [_x(shape=(2, 3, 4)), rand(3, seed=10)], gradgrad=True, atol=1e-10)
    compare(FE.prelu, FT.prelu, [_x(shape=(2, 3)), rand(1, seed=11)], atol=1e-10)
    # eval-mode rrelu is leaky_relu with the mean slope
    compare(lambda x: FE.rrelu(x, 0.1, 0.3), lambda x: FT.rrelu(x, 0.1, 0.3), [_x()], atol=1e-12)
    with pytest.raises(RuntimeError, match='Halving dimension must be even'):
        FE.glu(ember.randn(3, 5))
    with pytest.raises(RuntimeError, match='Mismatch of parameter numbers'):
        FE.prelu(ember.randn(2, 3), ember.randn(4))


def test_rrelu_training_slopes_in_range():
    ember.manual_seed(0)
    x = ember.tensor(-np.ones(20000), requires_grad=True)
    y = FE.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    assert grad_fn_name(y) == 'RreluWithNoiseBackward0'


def test_integer_inputs_raise_like_torch():
    xi = [1, -2, 3]
    for name in ('gelu', 'silu', 'elu', 'softplus', 'mish'):
        with pytest.raises(RuntimeError):
            getattr(FT, name)(torch.tensor(xi))
        with pytest.raises(RuntimeError):
            getattr(FE, name)(ember.tensor(xi))
    assert FE.relu(ember.tensor(xi)).tolist() == FT.relu(torch.tensor(xi)).tolist()


def test_gelu_bad_approximate():
    with pytest.raises(RuntimeError, match='approximate'):
        FE.gelu(ember.randn(3), approximate='fast')


def test_half_and_bfloat16_compute():
    a = rand(4, 5, seed=12)
    for de, dt in ((ember.float16, torch.float16), (ember.bfloat16, torch.bfloat16)):
        for name in ('gelu', 'silu', 'softplus', 'elu'):
            e = getattr(FE, name)(ember.tensor(a).to(de))
            t = getattr(FT, name)(torch.tensor(a).to(dt))
            assert e.dtype == de
            np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=2e-2, atol=2e-2)


def test_softmax_non_finite_rows_match_torch():
    inf = float('inf')
    for row in ([inf, 1., 2.], [-inf, -inf], [-inf, 1., 2.], [inf, -inf], [1., float('nan')]):
        for name in ('softmax', 'log_softmax'):
            e = getattr(ember.nn.functional, name)(ember.tensor(row), 0).tolist()
            t = getattr(torch.nn.functional, name)(torch.tensor(row), 0).tolist()
            np.testing.assert_allclose(e, t, rtol=1e-6, err_msg=f'{name}({row})')
