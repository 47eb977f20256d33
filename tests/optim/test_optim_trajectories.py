"""Every optimizer follows torch.optim's parameter trajectory for 100 steps (float32, 1e-5 relative)."""
import pytest
import torch

import ember
from _optim_helpers import assert_close_traj, trajectory

CONFIGS = [
    ('SGD', dict(lr=0.05)),
    ('SGD', dict(lr=0.02, momentum=0.9)),
    ('SGD', dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ('SGD', dict(lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.05)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ('Adam', dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, decoupled_weight_decay=True,
                  weight_decay=0.1)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ('Adamax', dict(lr=0.01, weight_decay=0.01)),
    ('NAdam', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.02, momentum_decay=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.02, decoupled_weight_decay=True)),
    ('RAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
    ('RAdam', dict(lr=0.01, weight_decay=0.05)),
    ('RMSprop', dict(lr=0.005)),
    ('RMSprop', dict(lr=0.002, centered=True, momentum=0.5, weight_decay=0.01)),
    ('RMSprop', dict(lr=0.002, momentum=0.9, alpha=0.9)),
    ('Adagrad', dict(lr=0.05)),
    ('Adagrad', dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ('Adadelta', dict(lr=1.0)),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.01)),
    ('ASGD', dict(lr=0.01)),
    ('ASGD', dict(lr=0.02, lambd=1e-3, alpha=0.6, t0=30, weight_decay=0.01)),
    ('Rprop', dict(lr=0.01)),
    ('Rprop', dict(lr=0.005, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
    ('Adafactor', dict()),
    ('Adafactor', dict(lr=0.05, weight_decay=0.01, d=1.5, eps=(1e-6, 1e-3))),
]


def _id(cfg):
    name, kw = cfg
    return name + '-' + '-'.join(f'{k}={v}' for k, v in kw.items())


@pytest.mark.parametrize('cfg', CONFIGS, ids=[_id(c) for c in CONFIGS])
def test_trajectory_matches_torch(cfg):
    name, kwargs = cfg
    te, le, _ = trajectory(ember, name, kwargs)
    tt, lt, _ = trajectory(torch, name, kwargs)
    assert_close_traj(te, tt)


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop',
                                  'Adagrad', 'Adadelta', 'ASGD', 'Rprop'])
def test_maximize(name):
    # maximizing -loss walks the same path as minimizing loss
    kw = dict(lr=0.01, maximize=True)
    if name == 'SGD':
        kw['momentum'] = 0.9
    te, _, _ = trajectory(ember, name, kw, steps=40, maximize_loss=True)
    tt, _, _ = trajectory(torch, name, kw, steps=40, maximize_loss=True)
    assert_close_traj(te, tt)


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'RMSprop', 'Adagrad', 'NAdam'])
def test_param_groups_with_own_options(name):
    groups = [dict(lr=0.02, weight_decay=0.01), dict(lr=0.005)]
    kw = dict(lr=0.01)
    if name in ('SGD', 'RMSprop'):
        groups[0]['momentum'] = 0.9
    te, _, oe = trajectory(ember, name, kw, steps=60, groups=groups)
    tt, _, ot = trajectory(torch, name, kw, steps=60, groups=groups)
    assert_close_traj(te, tt)
    assert len(oe.param_groups) == 2 and oe.param_groups[1]['lr'] == 0.005


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'Adagrad', 'Rprop'])
def test_closure_returns_loss(name):
    te, le, _ = trajectory(ember, name, dict(lr=0.01), steps=30, use_closure=True)
    tt, lt, _ = trajectory(torch, name, dict(lr=0.01), steps=30, use_closure=True)
    assert_close_traj(te, tt)
    assert le == pytest.approx(lt, rel=1e-5)


@pytest.mark.parametrize('name,kw', [('SGD', dict(lr=0.05, momentum=0.9)), ('Adam', dict(lr=0.02)),
                                     ('RMSprop', dict(lr=0.01))])
def test_scheduler_changes_lr(name, kw):
    def sched(lib, opt):
        return lib.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    te, _, oe = trajectory(ember, name, kw, scheduler=sched)
    tt, _, ot = trajectory(torch, name, kw, scheduler=sched)
    assert_close_traj(te, tt)
    assert oe.param_groups[0]['lr'] == ot.param_groups[0]['lr']


def test_lambda_scheduler_and_groups():
    def sched(lib, opt):
        return lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 0.97 ** e, lambda e: 1 / (1 + e)])
    groups = [dict(lr=0.05), dict(lr=0.1)]
    te, _, _ = trajectory(ember, 'Adam', {}, groups=groups, scheduler=sched)
    tt, _, _ = trajectory(torch, 'Adam', {}, groups=groups, scheduler=sched)
    assert_close_traj(te, tt)


def test_params_without_grad_are_skipped():
    for lib in (ember, torch):
        a = lib.ones(3, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([a, b], lr=0.1)
        (a * 2).sum().backward()
        opt.step()
        assert len(opt.state) == 1
        assert b.detach().numpy().tolist() == [1.0, 1.0]


def test_float64_params():
    from _optim_helpers import Run
    out = {}
    for lib in (ember, torch):
        run = Run(lib, dtype='float64')
        opt = lib.optim.Adam(run.params(), lr=0.01, amsgrad=True)
        for _ in range(50):
            run.closure(opt)()
            opt.step()
        out[lib.__name__] = run.snapshot()
        assert str(opt.state[run.W]['exp_avg'].dtype) == 'torch.float64'
        assert str(opt.state[run.W]['step'].dtype) == 'torch.float32'
    for a, b in zip(out['ember'], out['torch']):
        assert a.dtype == b.dtype
        assert abs(a - b).max() < 1e-12


@pytest.mark.parametrize('kw', [dict(), dict(lr=0.02, nesterov=False, weight_decay=0.01,
                                             adjust_lr_fn='match_rms_adamw')])
def test_muon_matches_torch(kw):
    # Muon takes 2-D parameters only; its Newton-Schulz iterations run in bfloat16 in both
    from _optim_helpers import Run
    out = []
    for lib in (ember, torch):
        run = Run(lib)
        opt = lib.optim.Muon([run.W], **kw)
        traj = []
        for _ in range(60):
            run.closure(opt)()
            opt.step()
            traj.append(run.snapshot()[:1])
        out.append(traj)
    assert_close_traj(out[0], out[1])


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
@pytest.mark.parametrize('name,kw', [('SGD', {}), ('SGD', dict(momentum=0.9)), ('Adam', dict(eps=1e-3)),
                                     ('RMSprop', dict(eps=1e-3)), ('Adagrad', {}),
                                     ('Rprop', {}), ('Adadelta', {})])
def test_low_precision_params(dtype, name, kw):
    import numpy as np
    out = []
    for lib in (ember, torch):
        rng = np.random.default_rng(0)
        dt = getattr(lib, dtype)
        p = lib.tensor(rng.standard_normal(64).astype(np.float32)).to(dt).requires_grad_()
        opt = getattr(lib.optim, name)([p], lr=0.01, **kw)
        for _ in range(10):
            p.grad = lib.tensor(rng.standard_normal(64).astype(np.float32)).to(dt)
            opt.step()
        assert str(opt.state[p]['step'].dtype) == 'torch.float32' if 'step' in opt.state[p] else True
        out.append(p.detach().float().numpy())
    eps = 2.0 ** -10 if dtype == 'float16' else 2.0 ** -7
    # at most a couple of units in the last place apart (torch fuses some ops we round twice)
    assert (abs(out[0] - out[1]) <= 2 * eps * np.maximum(abs(out[1]), 1)).all()


@pytest.mark.parametrize('cfg', CONFIGS[::2], ids=[_id(c) for c in CONFIGS[::2]])
def test_step_updates_params_and_state_in_place(cfg):
    # issue 6: the update is written into the parameter's own storage (a view taken before the
    # step sees it, the version counter moves) and the state buffers are kept, not replaced
    from _optim_helpers import Run
    name, kw = cfg
    for lib in (ember, torch):
        run = Run(lib)
        opt = getattr(lib.optim, name)(run.params(), **kw)
        run.closure(opt)()
        opt.step()
        state_ids = {k: id(v) for k, v in opt.state[run.W].items() if isinstance(v, lib.Tensor)}
        alias = run.W.detach().view(-1)
        before, version = alias.clone(), run.W._version
        run.closure(opt)()
        opt.step()
        assert not lib.equal(alias, before), lib.__name__
        assert lib.equal(alias, run.W.detach().reshape(-1)), lib.__name__
        assert run.W._version > version, lib.__name__
        assert state_ids == {k: id(v) for k, v in opt.state[run.W].items()
                             if isinstance(v, lib.Tensor)}, lib.__name__
