"""Optimizer state dicts: torch's exact layout, round trips mid-training, checkpoints across frameworks."""
import copy

import numpy as np
import pytest
import torch

import ember
from _optim_helpers import (Run, assert_close_traj, assert_same_structure, sd_to_ember,
                            sd_to_torch)

CONFIGS = [
    ('SGD', dict(lr=0.02)),
    ('SGD', dict(lr=0.02, momentum=0.9, nesterov=True)),
    ('Adam', dict(lr=0.01, amsgrad=True)),
    ('AdamW', dict(lr=0.01)),
    ('Adamax', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.005, centered=True, momentum=0.5)),
    ('Adagrad', dict(lr=0.05, lr_decay=0.01)),
    ('Adadelta', dict(lr=1.0)),
    ('ASGD', dict(lr=0.01, t0=5)),
    ('Rprop', dict(lr=0.01)),
    ('Adafactor', dict(lr=0.02)),
]
IDS = [c[0] + str(i) for i, c in enumerate(CONFIGS)]


def _train(run, opt, steps):
    for _ in range(steps):
        run.closure(opt)()
        opt.step()


@pytest.mark.parametrize('name,kw', CONFIGS, ids=IDS)
def test_state_dict_structure_equals_torch(name, kw):
    sds = {}
    for lib in (ember, torch):
        run = Run(lib)
        opt = getattr(lib.optim, name)(run.params([dict(lr=kw['lr'] / 2), dict()]), **kw)
        sds[lib.__name__ + '0'] = copy.deepcopy(opt.state_dict())
        _train(run, opt, 7)
        sds[lib.__name__] = opt.state_dict()
    assert_same_structure(sds['ember0'], sds['torch0'])
    assert_same_structure(sds['ember'], sds['torch'])
    for st in sds['ember']['state'].values():
        if 'step' in st:
            assert st['step'].shape == () and str(st['step'].dtype) == 'torch.float32'


@pytest.mark.parametrize('name,kw', CONFIGS, ids=IDS)
def test_round_trip_mid_training_continues_identically(name, kw):
    # reference: 40 uninterrupted steps in torch
    ref = Run(torch)
    topt = getattr(torch.optim, name)(ref.params(), **kw)
    tt = []
    for _ in range(40):
        ref.closure(topt)()
        topt.step()
        tt.append(ref.snapshot())

    run = Run(ember)
    opt = getattr(ember.optim, name)(run.params(), **kw)
    te = []
    for _ in range(20):
        run.closure(opt)()
        opt.step()
        te.append(run.snapshot())
    saved = copy.deepcopy(opt.state_dict())
    # a fresh optimizer over copies of the parameters picks up where the first stopped
    run2 = Run(ember)
    run2.W.data = ember.tensor(run.snapshot()[0])
    run2.b.data = ember.tensor(run.snapshot()[1])
    opt2 = getattr(ember.optim, name)(run2.params(), **kw)
    opt2.load_state_dict(saved)
    assert_same_structure(opt2.state_dict(), sd_to_torch(saved))
    for _ in range(20):
        run2.closure(opt2)()
        opt2.step()
        te.append(run2.snapshot())
    assert_close_traj(te, tt)


@pytest.mark.parametrize('name,kw', CONFIGS, ids=IDS)
def test_checkpoint_moves_between_ember_and_torch(name, kw):
    # train 15 steps in ember, continue 15 in torch; and the other way round
    ember_run, torch_run = Run(ember), Run(torch)
    eopt = getattr(ember.optim, name)(ember_run.params(), **kw)
    topt = getattr(torch.optim, name)(torch_run.params(), **kw)
    _train(ember_run, eopt, 15)
    _train(torch_run, topt, 15)

    t2 = Run(torch)
    with torch.no_grad():
        t2.W.copy_(torch.from_numpy(ember_run.snapshot()[0]))
        t2.b.copy_(torch.from_numpy(ember_run.snapshot()[1]))
    t2opt = getattr(torch.optim, name)(t2.params(), **kw)
    t2opt.load_state_dict(sd_to_torch(copy.deepcopy(eopt.state_dict())))

    e2 = Run(ember)
    e2.W.data = ember.tensor(torch_run.snapshot()[0])
    e2.b.data = ember.tensor(torch_run.snapshot()[1])
    e2opt = getattr(ember.optim, name)(e2.params(), **kw)
    e2opt.load_state_dict(sd_to_ember(copy.deepcopy(topt.state_dict())))

    ta, tb, ea, eb = [], [], [], []
    for _ in range(15):
        for run, opt, out in ((torch_run, topt, ta), (t2, t2opt, tb), (ember_run, eopt, ea),
                              (e2, e2opt, eb)):
            run.closure(opt)()
            opt.step()
            out.append(run.snapshot())
    assert_close_traj(tb, ta)
    assert_close_traj(eb, ta)
    assert_close_traj(ea, ta)


def test_state_dict_shares_state_tensors_like_torch():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.1)
        p.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        assert sd['state'][0]['exp_avg'] is opt.state[p]['exp_avg']
        assert sd['param_groups'][0] is not opt.param_groups[0]
        assert sd['param_groups'][0]['params'] == [0]


def test_load_state_dict_errors_like_torch():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([a, b], lr=0.1)
        sd = opt.state_dict()
        other = lib.optim.SGD([{'params': [a]}, {'params': [b]}], lr=0.1)
        with pytest.raises(ValueError, match="different number of parameter groups"):
            other.load_state_dict(sd)
        single = lib.optim.SGD([a], lr=0.1)
        with pytest.raises(ValueError, match="doesn't match the size"):
            single.load_state_dict(sd)


def test_load_casts_state_to_param_dtype_but_keeps_step():
    p = ember.ones(3, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.Adam([p])
    sd = {'state': {0: {'step': ember.tensor(3.0), 'exp_avg': ember.ones(3),
                        'exp_avg_sq': ember.ones(3)}},
          'param_groups': [dict(opt.state_dict()['param_groups'][0])]}
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st['exp_avg'].dtype == ember.float64
    assert st['step'].dtype == ember.float32


def test_param_names_in_state_dict():
    sds = []
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([('w', a), ('b', b)], lr=0.1)
        sds.append(opt.state_dict())
    assert sds[0]['param_groups'][0]['param_names'] == ['w', 'b']
    assert_same_structure(sds[0], sds[1])


def test_state_dict_hooks():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append('pre'))
    h = opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    sd = opt.state_dict()
    assert calls == ['pre'] and sd['extra'] == 1
    h.remove()
    assert 'extra' not in opt.state_dict()
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append('lpre'))
    opt.register_load_state_dict_post_hook(lambda o: calls.append('lpost'))
    opt.load_state_dict(opt.state_dict())
    assert calls[-2:] == ['lpre', 'lpost']


def test_deepcopy_and_pickle_optimizer():
    import pickle
    run = Run(ember)
    opt = ember.optim.Adam(run.params(), lr=0.01)
    _train(run, opt, 3)
    opt2 = copy.deepcopy(opt)
    assert len(opt2.state) == 2
    blob = pickle.loads(pickle.dumps(opt.state_dict()))
    np.testing.assert_array_equal(blob['state'][0]['exp_avg'].numpy(),
                                  opt.state[run.W]['exp_avg'].numpy())


def _as_old_checkpoint(sd):
    """A state dict as older torch wrote it: 0-d state (`step`, `mu_product`, ...) as python floats
    and no kernel-selection flags in the groups."""
    sd = copy.deepcopy(sd)
    for st in sd['state'].values():
        for k, v in st.items():
            if hasattr(v, 'ndim') and v.ndim == 0:
                st[k] = float(v)
    for g in sd['param_groups']:
        for k in ('foreach', 'maximize', 'capturable', 'differentiable', 'fused'):
            g.pop(k, None)
    return sd


@pytest.mark.parametrize('name,kw', [c for c in CONFIGS if c[0] not in ('SGD', 'Adafactor')],
                         ids=[i for i, c in zip(IDS, CONFIGS) if c[0] not in ('SGD', 'Adafactor')])
def test_old_checkpoint_with_float_scalars_loads_like_torch(name, kw):
    # __setstate__ refills the missing group flags and turns float scalars back into tensors
    runs, opts = {}, {}
    for lib in (ember, torch):
        run = Run(lib)
        opt = getattr(lib.optim, name)(run.params(), **kw)
        _train(run, opt, 5)
        old = _as_old_checkpoint(opt.state_dict())
        run2 = Run(lib)
        with lib.no_grad():
            run2.W.copy_(run.W)
            run2.b.copy_(run.b)
        opt2 = getattr(lib.optim, name)(run2.params(), **kw)
        opt2.load_state_dict(old)
        _train(run2, opt2, 5)
        runs[lib.__name__], opts[lib.__name__] = run2, opt2
    se, st = opts['ember'].state_dict(), opts['torch'].state_dict()
    assert se['param_groups'] == st['param_groups']
    for i, tstate in st['state'].items():
        estate = se['state'][i]
        assert list(estate) == list(tstate)
        for k, v in tstate.items():
            assert isinstance(estate[k], ember.Tensor) and str(estate[k].dtype) == str(v.dtype), k
    assert_close_traj([runs['ember'].snapshot()], [runs['torch'].snapshot()])
