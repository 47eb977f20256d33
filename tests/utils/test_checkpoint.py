"""torch.utils.checkpoint: gradients and warnings as torch's."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint

import ember
import ember.utils.checkpoint


def _nets():
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((5, 4)), rng.standard_normal(5), rng.standard_normal((2, 5)),
          rng.standard_normal(2)]
    out = []
    for lib in (torch, ember):
        seq = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))
        seq = seq.double()
        with lib.no_grad():
            for p, w in zip(seq.parameters(), ws):
                p.copy_(lib.tensor(w))
        out.append(seq)
    return out


@pytest.mark.parametrize('use_reentrant', [True, False])
def test_checkpoint_gradients_match_torch(use_reentrant):
    nets = _nets()
    x = np.random.default_rng(1).standard_normal((3, 4))
    grads = []
    for lib, net in zip((torch, ember), nets):
        xt = lib.tensor(x, requires_grad=True)
        h = lib.utils.checkpoint.checkpoint(net[0], xt, use_reentrant=use_reentrant)
        y = lib.utils.checkpoint.checkpoint(lambda a, b: net[2](net[1](a)) * b, h, 2.0,
                                            use_reentrant=use_reentrant)
        y.pow(2).sum().backward()
        grads.append([xt.grad.detach().numpy()] +
                     [p.grad.detach().numpy() for p in net.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_checkpoint_sequential_and_warnings():
    nets = _nets()
    x = np.random.default_rng(2).standard_normal((3, 4))
    outs = []
    for lib, net in zip((torch, ember), nets):
        xt = lib.tensor(x, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint_sequential(net, 2, xt, use_reentrant=False)
        y.sum().backward()
        outs.append((y.detach().numpy(), xt.grad.numpy()))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            z = lib.utils.checkpoint.checkpoint(net, lib.tensor(x))
        msgs = ' '.join(str(m.message) for m in w)
        assert 'use_reentrant parameter should be passed explicitly' in msgs
        assert 'None of the inputs have requires_grad=True. Gradients will be None' in msgs
        assert not z.requires_grad
        z2 = lib.utils.checkpoint.checkpoint(net, lib.tensor(x), use_reentrant=False)
        assert z2.requires_grad
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-12)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-12)


def _deep(L, x, n=12):
    for _ in range(n):
        x = (x * 1.01).tanh()
    return x


@pytest.mark.parametrize('use_reentrant', [True, False])
def test_checkpoint_keeps_no_activations_and_recomputes_in_backward(use_reentrant):
    import tracemalloc
    calls = []

    def seg(x):
        calls.append(1)
        return _deep(ember, x)

    held = {}
    data = np.random.default_rng(3).standard_normal((256, 256))
    for mode in ('plain', 'checkpoint'):
        x = ember.tensor(data, requires_grad=True)
        calls.clear()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        if mode == 'plain':
            y = seg(x)
        else:
            y = ember.utils.checkpoint.checkpoint(seg, x, use_reentrant=use_reentrant)
        held[mode] = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        y.sum().backward()
        held[mode + ' forwards'] = len(calls)
        held[mode + ' grad'] = x.grad.numpy().copy()
    mb = 256 * 256 * 8
    assert held["plain"] > 10 * mb          # the 12 tanh outputs are kept for backward
    assert held['checkpoint'] < 3 * mb      # only the output (and small bookkeeping)
    assert held['plain forwards'] == 1 and held['checkpoint forwards'] == 2
    np.testing.assert_array_equal(held['checkpoint grad'], held['plain grad'])


@pytest.mark.parametrize('use_reentrant', [True, False])
def test_recomputation_replays_the_random_state_like_torch(use_reentrant):
    # dropout inside the segment: backward must see the same mask as the forward did
    grads = []
    for L in (ember, torch):
        L.manual_seed(0)
        x = L.ones(50, 40, dtype=L.float64, requires_grad=True)
        w = L.ones(40, 30, dtype=L.float64, requires_grad=True)
        y = L.utils.checkpoint.checkpoint(
            lambda a: L.nn.functional.dropout(a @ w, 0.5).sigmoid(), x, use_reentrant=use_reentrant)
        L.rand(7)  # move the generator on between forward and backward
        y.pow(2).sum().backward()
        L.manual_seed(0)
        x2 = L.ones(50, 40, dtype=L.float64, requires_grad=True)
        w2 = L.ones(40, 30, dtype=L.float64, requires_grad=True)
        L.nn.functional.dropout(x2 @ w2, 0.5).sigmoid().pow(2).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(w.grad.numpy(), w2.grad.numpy(), rtol=1e-12)
        grads.append(w.grad.numpy())
    assert grads[0].shape == grads[1].shape


def test_non_reentrant_works_with_autograd_grad_and_double_backward():
    res = []
    for L in (ember, torch):
        x = L.tensor([[0.3, -1.2], [2.0, 0.5]], dtype=L.float64, requires_grad=True)
        w = L.tensor([[1.5, -0.5], [0.25, 2.0]], dtype=L.float64, requires_grad=True)
        y = L.utils.checkpoint.checkpoint(lambda a: (a @ w).tanh() * a, x, use_reentrant=False)
        gx, gw = L.autograd.grad(y.sum(), (x, w), create_graph=True)
        g2, = L.autograd.grad(gx.sum() + gw.sum(), w)
        res.append([t.detach().numpy() for t in (gx, gw, g2)])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_recomputation_that_saves_differently_raises():
    flip = []

    def seg(x):
        flip.append(1)
        return x.exp() if len(flip) == 1 else x * 2  # saves its output, then nothing
    x = ember.ones(3, requires_grad=True)
    y = ember.utils.checkpoint.checkpoint(seg, x, use_reentrant=False)
    with pytest.raises(RuntimeError, match='A different number of tensors was saved'):
        y.sum().backward()
