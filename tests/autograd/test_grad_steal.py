"""A leaf's first gradient is taken without a copy only when nothing else holds the array.

The array engine (`_run_on_arrays`) decides by reference count, calibrated on its own loop shape.
Both directions are checked, so a change to that loop which breaks the calibration fails here:
an unshared gradient must become `.grad` as it is, and a shared one must be copied.
"""
import numpy as np

import ember
from ember.autograd.graph import Node


class _TimesTwo(Node):
    """x -> 2x; subclasses give its array backward."""

    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


class _KeepsGrad(_TimesTwo):
    """...whose array backward also keeps the gradient it returns (a shared array)."""
    kept = []

    @staticmethod
    def backward_arrays(ctx, g):
        r = g * 2
        _KeepsGrad.kept.append(r)
        return r


class _FreshGrad(_TimesTwo):
    """...whose array backward returns a fresh array and keeps nothing."""
    made = []

    @staticmethod
    def backward_arrays(ctx, g):
        r = g * 2
        _FreshGrad.made.append(id(r))
        return r


def test_shared_gradient_is_copied_into_grad():
    x = ember.ones(3, requires_grad=True)
    _KeepsGrad.kept.clear()
    _KeepsGrad.apply(x).sum().backward()
    kept = _KeepsGrad.kept[0]
    assert x.grad._data is not kept
    kept[:] = 100.0  # the op's copy changes; .grad must not
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_unshared_gradient_becomes_grad_without_copy():
    x = ember.ones(3, requires_grad=True)
    _FreshGrad.made.clear()
    _FreshGrad.apply(x).sum().backward()
    assert id(x.grad._data) == _FreshGrad.made[0]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_gradient_reaching_two_edges_is_not_shared_between_leaves():
    # x + y passes the same incoming gradient to both leaves: each .grad needs its own array
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    (x + y).sum().backward()
    assert x.grad._data is not y.grad._data
    x.grad.add_(1)
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0, 1.0])


def test_view_gradient_is_copied():
    # a gradient that is a view of a bigger array must not become .grad (its base is shared)
    w = ember.ones(2, 3, requires_grad=True)
    out = w.t() * 3
    out.sum().backward()
    assert w.grad._data.base is None
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 3), 3.0))


def test_linear_step_grads_match_torch_after_stealing():
    import torch
    torch.manual_seed(0)
    tl = torch.nn.Linear(3, 2)
    el = ember.nn.Linear(3, 2)
    el.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tl.state_dict().items()})
    xs = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for _ in range(2):  # the second backward accumulates in place into the stolen arrays
        torch.sigmoid(tl(torch.from_numpy(xs))).sum().backward()
        ember.sigmoid(el(ember.tensor(xs))).sum().backward()
    for name, p in el.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(tl.named_parameters())[name].grad.numpy(),
                                   rtol=1e-6, atol=1e-6)
