"""GradScaler and autocast against torch.amp on the CPU."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _pair(init_scale=8.0, growth_interval=2):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    out = []
    for lib in (torch, ember):
        m = lib.nn.Linear(4, 3)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
            m.bias.copy_(lib.tensor(b))
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler('cpu', init_scale=init_scale, growth_interval=growth_interval)
        out.append((lib, m, opt, scaler))
    return out


def _train(lib, m, opt, scaler, xs, poison):
    history = []
    for i, x in enumerate(xs):
        opt.zero_grad()
        loss = m(lib.tensor(x)).pow(2).mean()
        scaled = scaler.scale(loss)
        history.append(float(scaled.item()))
        scaled.backward()
        if i in poison:
            m.weight.grad[0, 0] = float('inf') if i % 2 else float('nan')
        scaler.unscale_(opt)
        history.append(m.bias.grad.detach().numpy().copy() if lib is torch
                       else m.bias.grad.numpy().copy())
        ret = scaler.step(opt)
        history.append(ret)
        scaler.update()
        history.append((scaler.get_scale(), scaler.state_dict()))
    return history, m.weight.detach().numpy().copy()


def test_scaler_trajectory_matches_torch():
    xs = [np.random.default_rng(i).standard_normal((5, 4)).astype(np.float32) for i in range(7)]
    poison = {2, 5}
    (t_hist, t_w), (e_hist, e_w) = [_train(*p, xs, poison) for p in _pair()]
    assert len(t_hist) == len(e_hist)
    for a, b in zip(t_hist, e_hist):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
        elif isinstance(a, float):
            assert b == pytest.approx(a, rel=1e-5)
        else:
            assert a == b
    np.testing.assert_allclose(e_w, t_w, rtol=1e-5, atol=1e-6)


def test_scaler_errors_and_state_dict_round_trip():
    for lib, m, opt, scaler in _pair():
        with pytest.raises(AssertionError, match='_scale is None'):
            scaler.unscale_(opt)
        scaler.scale(m(lib.ones(1, 4)).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match='unscale_\\(\\) has already been called'):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match='step\\(\\) has already been called'):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match='Closure use is not currently supported'):
            scaler.step(opt, closure=lambda: 0)
        scaler.update()
        sd = scaler.state_dict()
        other = lib.amp.GradScaler('cpu')
        other.load_state_dict(sd)
        assert other.state_dict() == sd
        with pytest.raises(RuntimeError, match='source state dict is empty'):
            other.load_state_dict({})
        with pytest.raises(ValueError, match='outputs must be a Tensor'):
            scaler.scale([1.0])
        scaled = scaler.scale([m(lib.ones(1, 4)).sum(), (lib.ones(2),)])
        assert isinstance(scaled, list) and isinstance(scaled[1], tuple)
        assert float(scaled[1][0][0]) == scaler.get_scale()


def test_disabled_and_cuda_without_gpu_are_pass_through():
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            s_cuda = lib.cuda.amp.GradScaler()
            s_amp = lib.amp.GradScaler()
        if not lib.cuda.is_available():
            msgs = [str(x.message) for x in w]
            assert any('is deprecated' in m for m in msgs)
            assert any('CUDA is not available.  Disabling.' in m for m in msgs)
            assert not s_cuda.is_enabled() and not s_amp.is_enabled()
        s_off = lib.amp.GradScaler('cpu', enabled=False)
        for s in (s_off,) + ((s_cuda,) if not lib.cuda.is_available() else ()):
            assert s.get_scale() == 1.0 and s.state_dict() == {} and not s.is_enabled()
            m = lib.nn.Linear(2, 1)
            opt = lib.optim.SGD(m.parameters(), lr=1.0)
            loss = m(lib.ones(3, 2)).sum()
            assert s.scale(loss) is loss
            s.scale(loss).backward()
            s.unscale_(opt)
            before = m.bias.detach().clone()
            assert s.step(opt) is None
            s.update()
            assert m.bias.detach().item() == pytest.approx(before.item() - 3.0)
            s.load_state_dict({})  # a disabled scaler ignores what it is given


def test_autocast_regions_and_warnings():
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            ctx = lib.autocast('cuda')
            ctx_bad = lib.autocast('cpu', dtype=lib.float32)
        msgs = ' '.join(str(x.message) for x in w)
        if not lib.cuda.is_available():
            assert 'Disabling autocast' in msgs
        assert 'CPU Autocast only supports dtypes of torch.bfloat16, torch.float16' in msgs
        with ctx, ctx_bad:
            assert not lib.is_autocast_enabled('cpu')
        assert lib.get_autocast_dtype('cpu') == lib.bfloat16
        assert lib.get_autocast_dtype('cuda') == lib.float16
        with pytest.raises(ValueError, match='Expected `device_type` of type `str`'):
            lib.autocast(0)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with lib.autocast('cpu', dtype=lib.bfloat16):
                assert lib.is_autocast_enabled('cpu')
                with lib.autocast('cpu', enabled=False):
                    assert not lib.is_autocast_enabled('cpu')
                assert lib.is_autocast_enabled('cpu')
            assert not lib.is_autocast_enabled('cpu')
            with lib.cpu.amp.autocast():
                assert lib.is_autocast_enabled('cpu')

            @lib.amp.autocast('cpu')
            def f(x):
                return lib.is_autocast_enabled('cpu'), x
            assert f(1) == (True, 1)


def test_autocast_is_a_full_precision_no_op_in_ember():
    from ember import _run
    m = ember.nn.Linear(4, 3)
    x = ember.randn(2, 4)
    ref = m(x)
    with pytest.warns(UserWarning, match='runs in full precision') if not \
            ember.amp.autocast_mode._warned[0] else warnings.catch_warnings():
        with ember.autocast('cpu', dtype=ember.bfloat16):
            y = m(x)
    assert y.dtype == ember.float32
    assert ember.equal(y, ref)
    assert 'torch.autocast' in _run.approximated
