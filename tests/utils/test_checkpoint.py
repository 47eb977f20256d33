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
