"""Linear reads its parameters from _parameters directly only for an exact Linear whose weight is
registered there: parametrized layers (a generated subclass) and weight_norm (weight moved out of
_parameters) still see their computed weight, as torch's Linear does."""
import numpy as np
import torch

import ember


def _pair(lib, cls):
    lin = cls(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 7))
        lin.bias.copy_(lib.tensor([0.5, -0.25]))
    return lin


def _x(lib):
    return lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))


def test_parametrized_and_weight_normed_linear_match_torch():
    for wrap in ('parametrize', 'weight_norm'):
        outs, grads = [], []
        for lib in (ember, torch):
            lin = _pair(lib, lib.nn.Linear)
            if wrap == 'parametrize':
                class Scale(lib.nn.Module):
                    def forward(self, w):
                        return w * 3
                lib.nn.utils.parametrize.register_parametrization(lin, 'weight', Scale())
            else:
                lin = lib.nn.utils.weight_norm(lin)
                with lib.no_grad():
                    lin.weight_g.mul_(2)  # (so weight != weight_v)
            out = lin(_x(lib))
            out.sum().backward()
            outs.append(out.detach().numpy())
            grads.append(lin.bias.grad.numpy())
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_bias_free_linear_matches_torch():
    outs = []
    for lib in (ember, torch):
        torch.manual_seed(0)
        lin = lib.nn.Linear(3, 2, bias=False)
        with lib.no_grad():
            lin.weight.fill_(0.5)
        outs.append(lin(_x(lib)).detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)
