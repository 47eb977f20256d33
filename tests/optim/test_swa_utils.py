"""torch.optim.swa_utils twins: AveragedModel (SWA/EMA), the averaging functions, update_bn."""
import numpy as np
import pytest
import torch

import ember


def _models(seed=0):
    """The same 2-layer MLP in ember and torch."""
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 5), ember.nn.ReLU(), ember.nn.Linear(5, 3))
    _copy_weights(tm, em)
    return em, tm


def _bn_models(seed):
    """The same MLP with a BatchNorm1d (running statistics as buffers) in torch and ember."""
    torch.manual_seed(seed)
    tm, em = (lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.ReLU(),
                                lib.nn.Linear(6, 2)) for lib in (torch, ember))
    _copy_weights(tm, em)
    return tm, em


def _copy_weights(tm, em):
    for pe, pt in zip(em.parameters(), tm.parameters()):
        pe.data = ember.tensor(pt.detach().numpy().copy())


def _perturb(tm, em, rng):
    with torch.no_grad():
        for pt in tm.parameters():
            pt.add_(torch.from_numpy(rng.standard_normal(tuple(pt.shape)).astype(np.float32)))
    _copy_weights(tm, em)


def _compare(avg_e, avg_t, tol=1e-6):
    for pe, pt in zip(avg_e.parameters(), avg_t.parameters()):
        np.testing.assert_allclose(np.array(pe.detach().numpy()), pt.detach().numpy(), rtol=tol,
                                   atol=tol)


@pytest.mark.parametrize('kind', ['swa', 'ema_multi', 'ema_avg', 'swa_multi', 'swa_avg'])
def test_averaged_model_matches_torch(kind):
    em, tm = _models()
    rng = np.random.default_rng(1)
    kw = {}
    for lib, out in ((ember, 'e'), (torch, 't')):
        su = lib.optim.swa_utils
        kw[out] = {'swa': {}, 'ema_multi': dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
                   'ema_avg': dict(avg_fn=su.get_ema_avg_fn(0.8)),
                   'swa_multi': dict(multi_avg_fn=su.get_swa_multi_avg_fn()),
                   'swa_avg': dict(avg_fn=su.get_swa_avg_fn())}[kind]
    avg_e = ember.optim.swa_utils.AveragedModel(em, **kw['e'])
    avg_t = torch.optim.swa_utils.AveragedModel(tm, **kw['t'])
    for _ in range(6):
        _perturb(tm, em, rng)
        avg_e.update_parameters(em)
        avg_t.update_parameters(tm)
        _compare(avg_e, avg_t)
    assert int(avg_e.n_averaged) == int(avg_t.n_averaged) == 6
    assert avg_e.n_averaged.dtype == ember.int64
    x = np.random.default_rng(2).standard_normal((7, 4)).astype(np.float32)
    np.testing.assert_allclose(np.array(avg_e(ember.tensor(x)).detach().numpy()),
                               avg_t(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # the averaged copy is independent of the live model
    assert all(pe is not pm for pe, pm in zip(avg_e.module.parameters(), em.parameters()))


def test_averaged_model_state_dict_keys_match_torch():
    em, tm = _models()
    ke = list(ember.optim.swa_utils.AveragedModel(em).state_dict().keys())
    kt = list(torch.optim.swa_utils.AveragedModel(tm).state_dict().keys())
    assert ke == kt


def test_averaged_model_rejects_both_fns():
    em, _ = _models()
    su = ember.optim.swa_utils
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        su.AveragedModel(em, avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())


def test_ema_decay_validation_like_torch():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
            lib.optim.swa_utils.get_ema_multi_avg_fn(1.5)
        with pytest.raises(ValueError, match="Invalid decay value -0.1 provided"):
            lib.optim.swa_utils.get_ema_avg_fn(-0.1)


def test_swa_training_loop_matches_torch():
    # the torch docs' recipe: train, then average with SWALR driving the lr
    em, tm = _models(3)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((32, 4)).astype(np.float32)
    Y = rng.standard_normal((32, 3)).astype(np.float32)
    results = {}
    for lib, model in ((ember, em), (torch, tm)):
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        swa_model = lib.optim.swa_utils.AveragedModel(model)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=3)
        x, y = lib.tensor(X), lib.tensor(Y)
        lrs = []
        for epoch in range(10):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            if epoch >= 4:
                swa_model.update_parameters(model)
                sched.step()
            lrs.append(opt.param_groups[0]['lr'])
        results[lib.__name__] = (swa_model, lrs)
    assert results['ember'][1] == pytest.approx(results['torch'][1], rel=1e-12)
    _compare(results['ember'][0], results['torch'][0], tol=1e-5)


def test_swalr_errors_like_torch():
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_strategy='exp')
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=-1)


def test_update_bn_matches_torch():
    tm, em = _bn_models(0)
    rng = np.random.default_rng(5)
    batches = [rng.standard_normal((8, 4)).astype(np.float32) for _ in range(5)]
    tm.eval()
    em.eval()
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], tm)
    ember.optim.swa_utils.update_bn([(ember.tensor(b), 0) for b in batches], em)
    assert not em.training
    for be, bt in zip(em.buffers(), tm.buffers()):
        np.testing.assert_allclose(np.array(be.detach().numpy(), dtype=np.float64),
                                   bt.detach().numpy().astype(np.float64), rtol=1e-5, atol=1e-6)
    assert em[1].momentum == tm[1].momentum


@pytest.mark.parametrize('ema', [False, True])
def test_averaged_model_use_buffers_matches_torch(ema):
    tm, em = _bn_models(1)
    kw_t = dict(multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.7)) if ema else {}
    kw_e = dict(multi_avg_fn=ember.optim.swa_utils.get_ema_multi_avg_fn(0.7)) if ema else {}
    avg_t = torch.optim.swa_utils.AveragedModel(tm, use_buffers=True, **kw_t)
    avg_e = ember.optim.swa_utils.AveragedModel(em, use_buffers=True, **kw_e)
    rng = np.random.default_rng(6)
    for _ in range(4):
        x = rng.standard_normal((8, 4)).astype(np.float32)
        tm(torch.tensor(x))
        em(ember.tensor(x))
        _perturb(tm, em, rng)
        avg_t.update_parameters(tm)
        avg_e.update_parameters(em)
    for (ne, be), (nt, bt) in zip(avg_e.named_buffers(), avg_t.named_buffers()):
        assert ne == nt and str(be.dtype) == str(bt.dtype)
        np.testing.assert_allclose(np.array(be.detach().numpy(), dtype=np.float64),
                                   bt.detach().numpy().astype(np.float64), rtol=1e-5, atol=1e-6)
    _compare(avg_e, avg_t)
