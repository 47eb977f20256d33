"""LBFGS against torch.optim.LBFGS: trajectories, closure calls, state and state dicts."""
import copy

import numpy as np
import pytest
import torch

import ember
from _optim_helpers import Run, assert_close_traj, assert_same_structure, sd_to_torch

CONFIGS = [
    dict(),
    dict(lr=0.5, history_size=3, max_iter=5),
    dict(line_search_fn='strong_wolfe'),
    dict(line_search_fn='strong_wolfe', history_size=4, max_iter=7, tolerance_change=1e-12),
    dict(lr=0.8, max_iter=3, max_eval=4, tolerance_grad=1e-4),
]


class Counting(Run):
    calls = 0

    def closure(self, opt):
        inner = super().closure(opt)

        def fn():
            self.calls += 1
            return inner()
        return fn


def _run(lib, kw, steps=6, dtype='float32'):
    run = Counting(lib, dtype=dtype)
    opt = lib.optim.LBFGS(run.params(), **kw)
    traj, losses = [], []
    for _ in range(steps):
        loss = opt.step(run.closure(opt))
        losses.append(float(loss.detach()))
        traj.append(run.snapshot())
    return traj, losses, run.calls, opt


@pytest.mark.parametrize('kw', CONFIGS, ids=[str(c) for c in CONFIGS])
def test_lbfgs_matches_torch_float64(kw):
    # In float64 the two runs agree to rounding, which checks the algorithm step by step.
    te, le, ce, oe = _run(ember, kw, dtype='float64')
    tt, lt, ct, ot = _run(torch, kw, dtype='float64')
    assert_close_traj(te, tt, rtol=1e-10)
    assert le == pytest.approx(lt, rel=1e-10)
    # the closure is called exactly as often as torch calls it
    assert ce == ct
    se, st = oe.state[oe._params[0]], ot.state[ot._params[0]]
    assert se['func_evals'] == st['func_evals'] and se['n_iter'] == st['n_iter']


@pytest.mark.parametrize('kw', CONFIGS, ids=[str(c) for c in CONFIGS])
def test_lbfgs_float32_reaches_torchs_loss(kw):
    # float32 L-BFGS amplifies rounding (curvature pairs are differences of nearly equal
    # gradients), and near the minimum the loss pins the weights only to ~sqrt(eps): torch run
    # on 1e-7-perturbed data drifts as far. So compare where the runs end up, not every step.
    te, le, _, oe = _run(ember, kw)
    tt, lt, _, ot = _run(torch, kw)
    assert le[-1] == pytest.approx(lt[-1], rel=1e-5)
    assert_close_traj(te[-1:], tt[-1:], rtol=3e-3)
    assert str(oe.state[oe._params[0]]['d'].dtype) == 'torch.float32'


def test_lbfgs_state_dict_structure_and_resume():
    kw = dict(history_size=3, max_iter=4, line_search_fn='strong_wolfe')
    _, _, _, oe = _run(ember, kw, steps=2)
    _, _, _, ot = _run(torch, kw, steps=2)
    sde, sdt = oe.state_dict(), ot.state_dict()
    assert set(sde['state'][0]) == set(sdt['state'][0])
    assert_same_structure(sde['param_groups'], sdt['param_groups'])
    for key in ('d', 'prev_flat_grad', 'H_diag'):
        assert isinstance(sde['state'][0][key], ember.Tensor)
        assert str(sde['state'][0][key].dtype) == str(sdt['state'][0][key].dtype)
        assert tuple(sde['state'][0][key].shape) == tuple(sdt['state'][0][key].shape)
    assert len(sde['state'][0]['old_dirs']) == len(sdt['state'][0]['old_dirs'])

    # resume: an ember state dict loaded into torch continues like the uninterrupted torch run
    run_e = Run(ember)
    opt_e = ember.optim.LBFGS(run_e.params(), **kw)
    for _ in range(2):
        opt_e.step(run_e.closure(opt_e))
    run_t = Run(torch)
    with torch.no_grad():
        run_t.W.copy_(torch.from_numpy(run_e.snapshot()[0]))
        run_t.b.copy_(torch.from_numpy(run_e.snapshot()[1]))
    opt_t = torch.optim.LBFGS(run_t.params(), **kw)
    opt_t.load_state_dict(sd_to_torch(copy.deepcopy(opt_e.state_dict())))
    opt_e2 = ember.optim.LBFGS(Run(ember).params(), **kw)
    opt_e2.load_state_dict(copy.deepcopy(opt_e.state_dict()))
    ta, tb = [], []
    for _ in range(2):
        opt_t.step(run_t.closure(opt_t))
        opt_e.step(run_e.closure(opt_e))
        ta.append(run_t.snapshot())
        tb.append(run_e.snapshot())
    assert_close_traj(tb, ta, rtol=3e-3)


def test_lbfgs_converges_on_least_squares():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 4))
    y = rng.standard_normal(30)
    x = ember.zeros(4, dtype=ember.float64, requires_grad=True)
    At, yt = ember.tensor(A), ember.tensor(y)
    opt = ember.optim.LBFGS([x], line_search_fn='strong_wolfe', max_iter=100,
                            tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = ((At @ x - yt) ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    expect = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(x.detach().numpy(), expect, rtol=1e-6, atol=1e-8)


def test_lbfgs_errors():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.LBFGS([p], line_search_fn='armijo')

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_lbfgs_stops_when_gradient_is_tiny():
    p = ember.zeros(3, requires_grad=True)
    opt = ember.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    assert float(opt.step(closure).detach()) == 0.0
    assert len(calls) == 1
