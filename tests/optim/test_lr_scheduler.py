"""Every lr scheduler gives torch's learning-rate sequence, float for float, for 200 steps."""
import copy
import math
import warnings

import pytest
import torch

import ember


def _opt(lib, name='SGD'):
    a, b = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)
    if name == 'SGD':
        return lib.optim.SGD([{'params': [a]}, {'params': [b], 'lr': 0.05}], lr=0.1, momentum=0.9)
    return lib.optim.Adam([{'params': [a]}, {'params': [b], 'lr': 0.05}], lr=0.1)


def _sched(lib, opt, spec):
    S = lib.optim.lr_scheduler
    name, kw = spec
    if name == 'SequentialLR':
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=10),
                                    S.ExponentialLR(opt, gamma=0.97),
                                    S.CosineAnnealingLR(opt, T_max=40)], milestones=[10, 70])
    if name == 'ChainedScheduler':
        return S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=20),
                                   S.ExponentialLR(opt, gamma=0.99),
                                   S.MultiStepLR(opt, milestones=[30, 80], gamma=0.3)])
    if name == 'SWALR':
        return lib.optim.swa_utils.SWALR(opt, **kw)
    return getattr(S, name)(opt, **kw)


SPECS = [
    ('LambdaLR', dict(lr_lambda=lambda e: 0.95 ** e)),
    ('LambdaLR', dict(lr_lambda=[lambda e: 1 / (1 + e), lambda e: math.cos(e / 30)])),
    ('MultiplicativeLR', dict(lr_lambda=lambda e: 0.97)),
    ('StepLR', dict(step_size=7, gamma=0.5)),
    ('MultiStepLR', dict(milestones=[10, 30, 30, 120], gamma=0.3)),
    ('ConstantLR', dict(factor=0.25, total_iters=13)),
    ('LinearLR', dict(start_factor=0.2, end_factor=0.9, total_iters=50)),
    ('LinearLR', dict(start_factor=1.0, end_factor=0.1, total_iters=150)),
    ('ExponentialLR', dict(gamma=0.98)),
    ('PolynomialLR', dict(total_iters=120, power=2.0)),
    ('PolynomialLR', dict(total_iters=60, power=0.5)),
    ('CosineAnnealingLR', dict(T_max=50, eta_min=1e-3)),
    ('CosineAnnealingLR', dict(T_max=17)),
    ('CosineAnnealingWarmRestarts', dict(T_0=10, T_mult=2, eta_min=1e-4)),
    ('CosineAnnealingWarmRestarts', dict(T_0=7)),
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=15)),
    ('CyclicLR', dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=10, step_size_down=25,
                      mode='triangular2')),
    ('CyclicLR', dict(base_lr=0.001, max_lr=0.05, step_size_up=20, mode='exp_range', gamma=0.99,
                      base_momentum=0.7, max_momentum=0.95)),
    ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=8, scale_fn=lambda x: 1 / x,
                      scale_mode='cycle', cycle_momentum=False)),
    ('OneCycleLR', dict(max_lr=0.5, total_steps=201)),
    ('OneCycleLR', dict(max_lr=[0.3, 0.6], epochs=4, steps_per_epoch=51, pct_start=0.25,
                        anneal_strategy='linear', three_phase=True)),
    ('SequentialLR', {}),
    ('ChainedScheduler', {}),
    ('SWALR', dict(swa_lr=0.02, anneal_epochs=15)),
    ('SWALR', dict(swa_lr=[0.01, 0.03], anneal_epochs=30, anneal_strategy='linear')),
]


def _id(spec):
    return spec[0] + '-' + '-'.join(f'{k}' for k in spec[1])


def _momentum(group):
    return group['betas'][0] if 'betas' in group else group.get('momentum')


def _sequence(lib, spec, opt_name='SGD', steps=200):
    opt = _opt(lib, opt_name)
    sched = _sched(lib, opt, spec)
    seq = [(tuple(sched.get_last_lr()), tuple(g['lr'] for g in opt.param_groups),
            tuple(_momentum(g) for g in opt.param_groups))]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append((tuple(sched.get_last_lr()), tuple(g['lr'] for g in opt.param_groups),
                    tuple(_momentum(g) for g in opt.param_groups)))
    return seq, sched, opt


@pytest.mark.parametrize('spec', SPECS, ids=[_id(s) for s in SPECS])
def test_lr_sequence_equals_torch(spec):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        se, sched_e, _ = _sequence(ember, spec)
        st, sched_t, _ = _sequence(torch, spec)
    for i, (a, b) in enumerate(zip(se, st)):
        for x, y in zip(a, b):
            assert x == pytest.approx(y, rel=1e-12, abs=1e-15), f"step {i}: {x} != {y}"
    assert set(sched_e.state_dict()) == set(sched_t.state_dict())


@pytest.mark.parametrize('spec', [s for s in SPECS if s[0] in ('CyclicLR', 'OneCycleLR')][:3],
                         ids=str)
def test_cycles_betas_of_adam(spec):
    se, _, oe = _sequence(ember, spec, 'Adam', steps=100)
    st, _, ot = _sequence(torch, spec, 'Adam', steps=100)
    assert se == st
    assert oe.param_groups[0]['betas'] == ot.param_groups[0]['betas']


def test_reduce_lr_on_plateau_equals_torch():
    metrics = [1.0 / (1 + i) if i < 20 else 0.05 + 0.001 * ((i * 7) % 5) for i in range(200)]
    for kw in [dict(), dict(mode='max', factor=0.5, patience=3, threshold_mode='abs',
                            threshold=0.01, cooldown=2, min_lr=[1e-3, 2e-3]),
               dict(patience=2, cooldown=1, eps=1e-3, min_lr=0.004)]:
        seqs, sds = [], []
        for lib in (ember, torch):
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
            seq = []
            for m in metrics:
                opt.step()
                sched.step(m)
                seq.append(tuple(sched.get_last_lr()))
            seqs.append(seq)
            sds.append(sched.state_dict())
        assert seqs[0] == seqs[1]
        assert set(sds[0]) == set(sds[1])
        assert {k: v for k, v in sds[0].items() if k != '_last_lr'} == \
            {k: v for k, v in sds[1].items() if k != '_last_lr'}


def test_closed_form_with_epoch_argument():
    for name, kw in [('StepLR', dict(step_size=3, gamma=0.5)), ('CosineAnnealingLR', dict(T_max=10)),
                     ('ExponentialLR', dict(gamma=0.9)), ('MultiStepLR', dict(milestones=[2, 5])),
                     ('LinearLR', dict(total_iters=6)), ('PolynomialLR', dict(total_iters=8))]:
        out = []
        for lib in (ember, torch):
            opt = _opt(lib)
            sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
            seq = []
            for epoch in [3, 5, 1, 9, 12]:
                opt.step()
                with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
                    sched.step(epoch)
                seq.append(sched.get_last_lr())
            out.append(seq)
        assert out[0] == out[1], name


def test_warm_restarts_fractional_epochs():
    out = []
    for lib in (ember, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2)
        seq = []
        for epoch in range(20):
            for i in range(4):
                opt.step()
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    sched.step(epoch + i / 4)
                seq.append(sched.get_last_lr())
        out.append(seq)
    assert out[0] == out[1]


def test_warns_when_scheduler_steps_before_optimizer():
    for lib in (ember, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                             "`optimizer.step\\(\\)`"):
            sched.step()
    for lib in (ember, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        opt.step = lambda closure=None: None
        with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
            sched.step()


def test_no_warning_in_correct_order():
    opt = _opt(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        opt.step()
        sched.step()
        sched.step()


def test_get_lr_outside_step_warns():
    for lib in (ember, torch):
        sched = lib.optim.lr_scheduler.StepLR(_opt(lib), 2)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()


def test_scheduler_state_dict_round_trip():
    for spec in [('StepLR', dict(step_size=4)), ('OneCycleLR', dict(max_lr=0.5, total_steps=100)),
                 ('SequentialLR', {}), ('ChainedScheduler', {}),
                 ('CyclicLR', dict(base_lr=0.01, max_lr=0.1, step_size_up=6)),
                 ('LambdaLR', dict(lr_lambda=lambda e: 0.9 ** e))]:
        opt = _opt(ember)
        sched = _sched(ember, opt, spec)
        for _ in range(30):
            opt.step()
            sched.step()
        sd = copy.deepcopy(sched.state_dict())
        opt_sd = copy.deepcopy(opt.state_dict())
        expect = []
        for _ in range(20):
            opt.step()
            sched.step()
            expect.append(sched.get_last_lr())
        opt2 = _opt(ember)
        sched2 = _sched(ember, opt2, spec)
        opt2.load_state_dict(opt_sd)
        sched2.load_state_dict(sd)
        got = []
        for _ in range(20):
            opt2.step()
            sched2.step()
            got.append(sched2.get_last_lr())
        assert got == expect, spec[0]


def test_resume_requires_initial_lr():
    for lib in (ember, torch):
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
            lib.optim.lr_scheduler.StepLR(_opt(lib), 2, last_epoch=5)


@pytest.mark.parametrize('make', [
    lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=1.5),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, end_factor=2),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode='avg'),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=1.5),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10,
                                                     anneal_strategy='exp'),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode='bogus'),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [], milestones=[]),
    lambda lib, o: lib.optim.lr_scheduler.StepLR(object(), 3),
    lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
])
def test_scheduler_errors_like_torch(make):
    errs = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            make(lib, _opt(lib))
        errs.append(info.value)
    assert type(errs[0]) is type(errs[1])
    assert str(errs[0]) == str(errs[1])


def test_onecycle_too_many_steps():
    for lib in (ember, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            sched.step()


def test_tensor_lr_updated_in_place():
    out = []
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([p], lr=lr)
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        opt.step()
        sched.step()
        assert opt.param_groups[0]['lr'] is lr
        out.append(float(lr))
    assert out[0] == out[1]
