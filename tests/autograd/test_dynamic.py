"""Define-by-run graphs: a network whose depth is drawn at random every step (reusing one layer),
and one that branches and loops on tensor values, trained side by side with torch from the same
weights and the same random draws: gradients match at every step and the loss falls."""
import numpy as np
import torch

import ember


def _copy_params(L, module, arrays):
    with L.no_grad():
        for p, a in zip(module.parameters(), arrays):
            p.copy_(L.tensor(a))


def _dynamic_net(L):
    class DynamicNet(L.nn.Module):
        def __init__(self, d_in, h, d_out):
            super().__init__()
            self.input_linear = L.nn.Linear(d_in, h)
            self.middle_linear = L.nn.Linear(h, h)
            self.output_linear = L.nn.Linear(h, d_out)

        def forward(self, x, depth):
            h = self.input_linear(x).clamp(min=0)
            for _ in range(depth):          # the same layer, a random number of times
                h = self.middle_linear(h).clamp(min=0)
            return self.output_linear(h)
    return DynamicNet(5, 16, 2).double()


def test_dynamic_depth_network_matches_torch_and_learns():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    nets = {L: _dynamic_net(L) for L in (ember, torch)}
    init = [p.detach().numpy().copy() for p in nets[torch].parameters()]
    _copy_params(ember, nets[ember], init)
    x = rng.standard_normal((32, 5))
    y = np.stack([np.sin(x[:, 0]) + x[:, 1], x[:, 2] * x[:, 3]], 1)
    opts = {L: L.optim.SGD(nets[L].parameters(), lr=0.02, momentum=0.9) for L in (ember, torch)}
    depths = rng.integers(0, 4, size=60)   # the same draws fed to both
    losses = {ember: [], torch: []}
    for step, depth in enumerate(depths):
        grads = {}
        for L in (ember, torch):
            opts[L].zero_grad()
            loss = L.nn.functional.mse_loss(nets[L](L.tensor(x), int(depth)), L.tensor(y))
            loss.backward()
            grads[L] = [None if p.grad is None else p.grad.numpy().copy()
                        for p in nets[L].parameters()]
            losses[L].append(loss.item())
            opts[L].step()
        for ge, gt in zip(grads[ember], grads[torch]):
            assert (ge is None) == (gt is None)    # depth 0: the middle layer gets no gradient
            if ge is not None:
                np.testing.assert_allclose(ge, gt, rtol=1e-7, atol=1e-10, err_msg=f"step {step}")
    np.testing.assert_allclose(losses[ember], losses[torch], rtol=1e-8)
    assert np.mean(losses[ember][-10:]) < 0.7 * np.mean(losses[ember][:10])


def _branchy(L):
    class Branchy(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.nn.Linear(3, 3)
            self.b = L.nn.Linear(3, 3)
            self.head = L.nn.Linear(3, 1)

        def forward(self, x):
            outs = []
            for row in x:                       # per-sample control flow on values
                h = row
                if h.sum() > 0:
                    h = self.a(h).tanh()
                else:
                    h = self.b(h).relu() + h
                n = 0
                while h.norm() > 1.0 and n < 5:  # data-dependent loop length
                    h = h * 0.7
                    n += 1
                if h[0] > h[1]:
                    h = h * h[2]
                outs.append(self.head(h))
            return L.stack(outs)
    return Branchy().double()


def test_value_dependent_branches_match_torch_and_learn():
    rng = np.random.default_rng(1)
    torch.manual_seed(1)
    nets = {L: _branchy(L) for L in (ember, torch)}
    init = [p.detach().numpy().copy() for p in nets[torch].parameters()]
    _copy_params(ember, nets[ember], init)
    opts = {L: L.optim.Adam(nets[L].parameters(), lr=0.05) for L in (ember, torch)}
    losses = {ember: [], torch: []}
    for step in range(40):
        x = rng.standard_normal((6, 3)) * 2     # fresh draw each step, fed to both
        y = (x[:, :1] > 0).astype(np.float64) - 0.5
        grads = {}
        for L in (ember, torch):
            opts[L].zero_grad()
            loss = ((nets[L](L.tensor(x)) - L.tensor(y)) ** 2).mean()
            loss.backward()
            grads[L] = [p.grad.numpy().copy() for p in nets[L].parameters()]
            losses[L].append(loss.item())
            opts[L].step()
        for ge, gt in zip(grads[ember], grads[torch]):
            np.testing.assert_allclose(ge, gt, rtol=1e-7, atol=1e-10, err_msg=f"step {step}")
    np.testing.assert_allclose(losses[ember], losses[torch], rtol=1e-8)
    assert np.mean(losses[ember][-10:]) < np.mean(losses[ember][:10])


def test_graph_structure_differs_per_step():
    # each step's graph is built anew: its depth follows the draw
    net = _dynamic_net(ember)
    x = ember.ones(1, 5, dtype=ember.float64)

    def depth_of(t):
        n, fn = 0, t.grad_fn
        while fn is not None and fn.next_functions:
            nxt = [f for f, _ in fn.next_functions if f is not None and f.name() != 'torch::autograd::AccumulateGrad']
            fn = nxt[0] if nxt else None
            n += 1
        return n
    d = [depth_of(net(x, k)) for k in (0, 1, 3)]
    assert d[0] < d[1] < d[2] and d[2] - d[1] == 2 * (d[1] - d[0])
