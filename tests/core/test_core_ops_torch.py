"""Core-op corners checked against torch: empty dim lists in reductions, relu's double-backward
node, fill_ with a tensor under autograd, addmm's broadcast error."""
import numpy as np
import pytest
import torch

import ember


def _pair(data, requires_grad=False):
    a = np.asarray(data)
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


@pytest.mark.parametrize('op', ['sum', 'mean'])
@pytest.mark.parametrize('dim', [(), []])
@pytest.mark.parametrize('keepdim', [False, True])
def test_reduction_empty_dim_list_reduces_everything(op, dim, keepdim):
    e, t = _pair(np.arange(6.).reshape(2, 3), requires_grad=True)
    re, rt = getattr(e, op)(dim, keepdim=keepdim), getattr(t, op)(dim, keepdim=keepdim)
    assert tuple(re.shape) == tuple(rt.shape)
    assert re.tolist() == rt.tolist()
    assert type(re.grad_fn).__name__ == type(rt.grad_fn).__name__
    re.sum().backward()
    rt.sum().backward()
    assert e.grad.tolist() == t.grad.tolist()


def test_int_sum_empty_dim_list():
    e, t = _pair(np.arange(6).reshape(2, 3))
    re, rt = e.sum(()), t.sum(())
    assert re.tolist() == rt.tolist() and repr(re.dtype) == repr(rt.dtype)


def test_relu_double_backward_matches_torch():
    data = np.array([-1.5, 0.5, 2.0, -0.25])
    e, t = _pair(data, requires_grad=True)
    ge, = ember.autograd.grad((ember.relu(e) * e).sum(), e, create_graph=True)
    gt, = torch.autograd.grad((torch.relu(t) * t).sum(), t, create_graph=True)
    np.testing.assert_allclose(ge.detach().numpy(), gt.detach().numpy())
    assert type(ge.grad_fn).__name__ == type(gt.grad_fn).__name__ == 'AddBackward0'
    # the relu-gradient node itself is named as torch names it
    ge2, = ember.autograd.grad(ember.relu(e).sum(), e, create_graph=True)
    gt2, = torch.autograd.grad(torch.relu(t).sum(), t, create_graph=True)
    assert type(ge2.grad_fn).__name__ == type(gt2.grad_fn).__name__
    (ge * e).sum().backward()
    (gt * t).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())


def test_fill_with_tensor_gradient_matches_torch():
    xe, xt = _pair(np.array([[1., 2.], [3., 4.]]), requires_grad=True)
    ve, vt = _pair(np.array(0.5), requires_grad=True)
    ye, yt = xe * 1, xt * 1
    ye.fill_(ve * 3)
    yt.fill_(vt * 3)
    w = np.array([[1., 2.], [3., 5.]])
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert ve.grad.shape == vt.grad.shape == ()
    np.testing.assert_allclose(ve.grad.numpy(), vt.grad.numpy())
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize('bias_shape', [(4,), (3, 1)])
def test_addmm_bad_bias_error_matches_torch(bias_shape):
    with pytest.raises(RuntimeError) as te:
        torch.addmm(torch.zeros(bias_shape), torch.zeros(2, 3), torch.zeros(3, 5))
    with pytest.raises(RuntimeError) as ee:
        ember.addmm(ember.zeros(bias_shape), ember.zeros(2, 3), ember.zeros(3, 5))
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize('case', ['basic_shape', 'advanced_dtype', 'index_put_dtype'])
def test_setitem_errors_match_torch(case):
    def run(m):
        x = m.zeros(2, 3)
        if case == 'basic_shape':
            x[0] = m.ones(4)
        elif case == 'advanced_dtype':
            x[m.tensor([0])] = m.ones(1, 3, dtype=m.float64)
        else:
            x.index_put((m.tensor([0]),), m.ones(3, dtype=m.float64))
    with pytest.raises(RuntimeError) as te:
        run(torch)
    with pytest.raises(RuntimeError) as ee:
        run(ember)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize('name', ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32',
                                  'int16', 'int8', 'uint8', 'bool', 'complex64', 'complex128'])
def test_legacy_type_names_match_torch(name):
    tname = torch.zeros(1, dtype=getattr(torch, name)).type()
    assert ember.zeros(1, dtype=getattr(ember, name)).type() == tname
    assert repr(ember.zeros(1).type(tname).dtype) == repr(torch.zeros(1).type(tname).dtype)


def _grad_mode_program(L):
    """Each grad-mode API as context manager, decorator and call, nested inside the opposite mode
    (so a mode that does nothing is caught); returns requires_grad of each result."""
    x = L.ones(2, requires_grad=True)
    out = []

    @L.enable_grad()
    def on(a):
        return a * 2

    @L.set_grad_enabled(False)
    def off(a):
        return a * 2

    @L.inference_mode()
    def inf(a):
        return a * 2

    with L.no_grad():
        with L.enable_grad():
            out.append((x * 2).requires_grad)
        out.append(on(x).requires_grad)
        with L.set_grad_enabled(True):
            out.append((x * 2).requires_grad)
        out.append((x * 2).requires_grad)
        with L.inference_mode(False):
            out.append((x * 2).requires_grad)
    out.append(off(x).requires_grad)
    out.append(inf(x).requires_grad)
    out.append(L.is_grad_enabled())
    prev = L.set_grad_enabled(False)  # also a plain call that switches the mode
    try:
        out.append((x * 2).requires_grad)
        out.append(L.is_grad_enabled())
    finally:
        L.set_grad_enabled(True)
    out.append(type(prev).__name__ == 'set_grad_enabled')
    out.append((x * 2).requires_grad)
    return out


def test_grad_modes_nested_and_as_decorators_match_torch():
    assert _grad_mode_program(ember) == _grad_mode_program(torch)
