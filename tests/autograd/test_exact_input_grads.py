"""Ops marked `_exact_input_grads` skip the engine's shape/dtype check on their gradients, so each
must really return gradients in its inputs' shapes and dtypes. Every marked op has a recipe here
(a new mark without one fails), run in several dtypes, through the array engine and through the
Tensor-op backward (create_graph), and compared with torch."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd.graph import Node


def _subclasses(cls):
    for c in cls.__subclasses__():
        yield c
        yield from _subclasses(c)


# op name -> (call(L, *tensors), input shapes)
RECIPES = {
    'AddmmBackward0': (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(4, 2), (3, 2), (3,)]),
    'SigmoidBackward0': (lambda L, x: L.sigmoid(x), [(4, 3)]),
    'TanhBackward0': (lambda L, x: L.tanh(x), [(4, 3)]),
    'ReluBackward0': (lambda L, x: L.relu(x), [(4, 3)]),
    'MseLossBackward0': (lambda L, x, y: L.nn.functional.mse_loss(x, y), [(4, 3), (4, 3)]),
}


def test_every_marked_op_has_a_recipe():
    marked = {c.__name__ for c in _subclasses(Node) if c.__dict__.get('_exact_input_grads')}
    assert marked == set(RECIPES)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
@pytest.mark.parametrize('create_graph', [False, True])
@pytest.mark.parametrize('name', sorted(RECIPES))
def test_marked_op_gradients_match_inputs_and_torch(name, dtype, create_graph):
    call, shapes = RECIPES[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = []
    for L in (ember, torch):
        ins = [L.tensor(a).to(getattr(L, dtype)).requires_grad_() for a in arrays]
        out = call(L, *ins)
        assert out.grad_fn.name() == name
        # through an op without the mark, so a wrongly shaped gradient would reach the leaves
        (out * 1.5).sum().backward(create_graph=create_graph)
        for t in ins:
            assert t.grad.shape == t.shape and t.grad.dtype == t.dtype
        grads.append([t.grad.detach().to(L.float64).numpy() for t in ins])
    tol = 1e-2 if dtype in ('float16', 'bfloat16') else 1e-5
    for ge, gt in zip(*grads):
        np.testing.assert_allclose(ge, gt, rtol=tol, atol=tol)
