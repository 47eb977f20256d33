"""Autograd basics from the core issue: grad_fn names, accumulation, retain_graph, grad modes,
detach, and a deep chain without recursion."""
import numpy as np
import pytest
import torch

import ember


def both(fn):
    """Run fn(lib) on ember and torch; return both results."""
    return fn(ember), fn(torch)


@pytest.mark.parametrize('expr', [
    lambda L, x: x + 1, lambda L, x: 2 * x, lambda L, x: x - 1, lambda L, x: 1 - x,
    lambda L, x: x / 2, lambda L, x: x ** 2, lambda L, x: -x, lambda L, x: x * x,
    lambda L, x: L.sigmoid(x), lambda L, x: L.tanh(x), lambda L, x: L.relu(x), lambda L, x: L.exp(x),
    lambda L, x: x.sum(), lambda L, x: x.mean(), lambda L, x: x.sum(0), lambda L, x: x.mean(1),
    lambda L, x: x.reshape(-1), lambda L, x: x.view(4), lambda L, x: x.t(), lambda L, x: x.T,
    lambda L, x: x.transpose(0, 1), lambda L, x: x.permute(1, 0), lambda L, x: x.unsqueeze(0),
    lambda L, x: x @ x, lambda L, x: x[0], lambda L, x: x[:, 1:], lambda L, x: x.sqrt(),
    lambda L, x: x.abs(), lambda L, x: x.log(), lambda L, x: x.to(L.float64), lambda L, x: x.clone(),
    lambda L, x: L.nn.functional.linear(x, x, x[0]), lambda L, x: L.nn.functional.mse_loss(x, x * 0),
    lambda L, x: L.inverse(x), lambda L, x: L.diag(x),
])
def test_grad_fn_names_match_torch(expr):
    data = [[1., 2.], [3., 5.]]
    e = expr(ember, ember.tensor(data, requires_grad=True))
    t = expr(torch, torch.tensor(data, requires_grad=True))
    assert e.grad_fn.name() == t.grad_fn.name()
    assert repr(e).split('grad_fn=')[-1] == repr(t).split('grad_fn=')[-1]


def test_accumulation_retain_graph_and_gradient_argument():
    for L in (ember, torch):
        x = L.tensor([1., 2., 3.], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert x.grad.tolist() == [4., 8., 12.]
        z = x * 3
        z.backward(gradient=L.tensor([1., 0., 2.]))
        assert x.grad.tolist() == [7., 8., 18.]


def test_grad_modes_and_detach():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    with ember.enable_grad():
        assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    with ember.inference_mode():
        assert not (x * 2).requires_grad and not ember.is_grad_enabled()

    @ember.no_grad()
    def f(a):
        return a * 2

    @ember.inference_mode()
    def g(a):
        return a * 2
    assert not f(x).requires_grad and not g(x).requires_grad
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match='only Tensors of floating point'):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match='you can only change requires_grad flags of leaf'):
        (ember.ones(1, requires_grad=True) * 2).requires_grad = False


def test_seed_perceptron_cell_gradients():
    w = ember.nn.Linear(1, 1)
    x = ember.tensor([[0.]], requires_grad=True)
    y = w(x)
    y.backward()
    assert x.grad.tolist() == w.weight.detach().tolist()
    assert w.bias.grad.tolist() == [1.]


def test_chain_of_100000_ops_has_no_recursion():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]


def test_non_leaf_grad_warns_and_retain_grad():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match='is not a leaf Tensor'):
        assert y.grad is None
    z = x * 3
    z.retain_grad()
    (z * z).sum().backward()
    assert z.grad.tolist() == [6., 6.]
