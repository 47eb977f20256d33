"""Normalisation against torch: batch/instance/layer/group/RMS/local-response norm and normalize
(functional float64 gradients and double backward; modules in train and eval mode with running
statistics, momentum=None, track_running_stats=False, affine=False, num_batches_tracked and
state_dict compatibility)."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as FE
import torch.nn as tnn
import torch.nn.functional as FT
from _nn_helpers import compare, rand, grad_fn_name


def test_batch_norm_functional_training_with_double_backward():
    compare(lambda x, w, b: FE.batch_norm(x, None, None, w, b, training=True),
            lambda x, w, b: FT.batch_norm(x, None, None, w, b, training=True),
            [rand(4, 3, 5, seed=1), rand(3, seed=2), rand(3, seed=3)], gradgrad=True, atol=1e-9,
            rtol=1e-8)
    compare(lambda x: FE.batch_norm(x, None, None, training=True),
            lambda x: FT.batch_norm(x, None, None, training=True),
            [rand(5, 2, 3, 4, seed=4)], gradgrad=True, atol=1e-9, rtol=1e-8)


def test_batch_norm_functional_eval_uses_running_stats():
    rm, rv = rand(3, seed=5), np.abs(rand(3, seed=6)) + 0.5
    compare(lambda x, w, b: FE.batch_norm(x, ember.tensor(rm), ember.tensor(rv), w, b, eps=1e-3),
            lambda x, w, b: FT.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b, eps=1e-3),
            [rand(4, 3, 5, seed=7), rand(3, seed=8), rand(3, seed=9)], gradgrad=True, atol=1e-10)


def test_batch_norm_functional_updates_running_stats():
    x = rand(6, 3, 4, seed=10)
    out = []
    for F, L in ((FE, ember), (FT, torch)):
        rm, rv = L.zeros(3, dtype=L.float64), L.ones(3, dtype=L.float64)
        F.batch_norm(L.tensor(x), rm, rv, training=True, momentum=0.3)
        out.append((rm.numpy().copy(), rv.numpy().copy()))
    np.testing.assert_allclose(out[0][0], out[1][0], atol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], atol=1e-12)


@pytest.mark.parametrize('cls,shape', [('BatchNorm1d', (8, 3)), ('BatchNorm1d', (8, 3, 5)),
                                       ('BatchNorm2d', (4, 3, 5, 5)), ('BatchNorm3d', (2, 3, 3, 4, 2))])
@pytest.mark.parametrize('kw', [{}, {'momentum': None}, {'affine': False}, {'momentum': 0.5, 'eps': 1e-3},
                                {'track_running_stats': False}, {'bias': False}])
def test_batchnorm_modules_train_and_eval(cls, shape, kw):
    me, mt = getattr(enn, cls)(3, **kw), getattr(tnn, cls)(3, **kw)
    assert repr(me) == repr(mt)
    for pe, pt in zip(me.parameters(), mt.parameters()):
        pe.data = ember.tensor(np.linspace(0.5, 1.5, pe.numel()).astype(np.float32))
        pt.data = torch.tensor(np.linspace(0.5, 1.5, pt.numel()).astype(np.float32))
    for step in range(3):
        x = rand(*shape, seed=20 + step).astype(np.float32) * (step + 1) + step
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = me(xe), mt(xt)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        g = rand(*shape, seed=30 + step).astype(np.float32)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
        for pe, pt in zip(me.parameters(), mt.parameters()):
            np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (ne, be), (nt, bt) in zip(me.named_buffers(), mt.named_buffers()):
        assert ne == nt and be.dtype.name == str(bt.dtype).split('.')[1]
        np.testing.assert_allclose(be.numpy(), bt.numpy(), rtol=1e-5, atol=1e-6, err_msg=ne)
    me.eval()
    mt.eval()
    x = rand(*shape, seed=40).astype(np.float32)
    compare(lambda t: me(t), lambda t: mt(t), [x], grad=[0], atol=1e-5, rtol=1e-4)
    assert [k for k in me.state_dict()] == [k for k in mt.state_dict()]


def test_batchnorm_grad_fn_and_errors():
    x = ember.randn(4, 3, requires_grad=True)
    assert grad_fn_name(enn.BatchNorm1d(3)(x)) == 'NativeBatchNormBackward0'
    for L in (enn, tnn):
        with pytest.raises(ValueError, match='expected 2D or 3D input'):
            L.BatchNorm1d(3)((torch if L is tnn else ember).randn(2, 3, 4, 5))
        with pytest.raises(ValueError, match='expected 4D input'):
            L.BatchNorm2d(3)((torch if L is tnn else ember).randn(2, 3, 4))
        with pytest.raises(ValueError, match='Expected more than 1 value per channel'):
            L.BatchNorm1d(3)((torch if L is tnn else ember).randn(1, 3))


def test_batchnorm_loads_old_state_dict_without_num_batches_tracked():
    mt = tnn.BatchNorm1d(3)
    mt.running_mean.fill_(0.5)
    sd = {k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items() if k != 'num_batches_tracked'}
    me = enn.BatchNorm1d(3)
    me.load_state_dict(sd)  # no version metadata: treated as a pre-1.0 checkpoint
    assert int(me.num_batches_tracked) == 0
    np.testing.assert_allclose(me.running_mean.numpy(), 0.5)
    me.train()
    me(ember.randn(4, 3))
    assert int(me.num_batches_tracked) == 1
    # torch loads ember's state_dict
    mt.load_state_dict({k: torch.tensor(v.numpy()) for k, v in me.state_dict().items()})
    np.testing.assert_allclose(mt.running_var.numpy(), me.running_var.numpy())


@pytest.mark.parametrize('kw', [{}, {'affine': False}, {'track_running_stats': False}])
def test_batchnorm_default_init_and_running_stats(kw):
    se, st = enn.BatchNorm2d(5, **kw).state_dict(), tnn.BatchNorm2d(5, **kw).state_dict()
    assert list(se) == list(st)
    for k in st:
        assert str(se[k].dtype) == str(st[k].dtype), k
        np.testing.assert_array_equal(se[k].numpy(), st[k].numpy(), err_msg=k)


@pytest.mark.parametrize('shape,ns', [((4, 3, 5), (5,)), ((2, 3, 4, 5), (4, 5)), ((6,), (6,))])
def test_layer_norm_functional(shape, ns):
    compare(lambda x, w, b: FE.layer_norm(x, ns, w, b), lambda x, w, b: FT.layer_norm(x, ns, w, b),
            [rand(*shape, seed=11), rand(*ns, seed=12), rand(*ns, seed=13)], gradgrad=True, atol=1e-9,
            rtol=1e-8)
    compare(lambda x: FE.layer_norm(x, ns, eps=1e-3), lambda x: FT.layer_norm(x, ns, eps=1e-3),
            [rand(*shape, seed=14)], gradgrad=True, atol=1e-9, rtol=1e-8)


@pytest.mark.parametrize('kw', [{}, {'elementwise_affine': False}, {'bias': False}, {'eps': 1e-2}])
def test_layernorm_module(kw):
    me, mt = enn.LayerNorm((3, 4), **kw), tnn.LayerNorm((3, 4), **kw)
    assert repr(me) == repr(mt)
    compare(lambda x: me(x), lambda x: mt(x), [rand(2, 3, 4, seed=15).astype(np.float32)], atol=1e-5,
            rtol=1e-4)
    assert grad_fn_name(me(ember.randn(2, 3, 4, requires_grad=True))) == 'NativeLayerNormBackward0'


def test_group_norm():
    compare(lambda x, w, b: FE.group_norm(x, 3, w, b), lambda x, w, b: FT.group_norm(x, 3, w, b),
            [rand(4, 6, 5, seed=16), rand(6, seed=17), rand(6, seed=18)], gradgrad=True, atol=1e-9,
            rtol=1e-8)
    compare(lambda x: FE.group_norm(x, 2), lambda x: FT.group_norm(x, 2), [rand(2, 4, 3, 3, seed=19)],
            gradgrad=True, atol=1e-9, rtol=1e-8)
    for kw in ({}, {'affine': False}, {'eps': 1e-3}):
        me, mt = enn.GroupNorm(2, 4, **kw), tnn.GroupNorm(2, 4, **kw)
        assert repr(me) == repr(mt)
        compare(lambda x: me(x), lambda x: mt(x), [rand(3, 4, 5, seed=20).astype(np.float32)],
                atol=1e-5, rtol=1e-4)
    with pytest.raises(RuntimeError, match='divisible by num_groups'):
        FE.group_norm(ember.randn(2, 4, 3), 3)
    with pytest.raises(ValueError, match='divisible by num_groups'):
        enn.GroupNorm(3, 4)


@pytest.mark.parametrize('cls,shape', [('InstanceNorm1d', (2, 3, 6)), ('InstanceNorm1d', (3, 6)),
                                       ('InstanceNorm2d', (2, 3, 4, 5)), ('InstanceNorm3d', (2, 3, 2, 3, 4))])
@pytest.mark.parametrize('kw', [{}, {'affine': True}, {'track_running_stats': True},
                                {'affine': True, 'track_running_stats': True, 'momentum': 0.3}])
def test_instance_norm_modules(cls, shape, kw):
    me, mt = getattr(enn, cls)(3, **kw), getattr(tnn, cls)(3, **kw)
    assert repr(me) == repr(mt)
    for step in range(2):
        x = rand(*shape, seed=50 + step).astype(np.float32) + step
        compare(lambda t: me(t), lambda t: mt(t), [x], atol=1e-5, rtol=1e-4)
    for be, bt in zip(me.buffers(), mt.buffers()):
        np.testing.assert_allclose(be.numpy(), bt.numpy(), rtol=1e-5, atol=1e-6)
    me.eval()
    mt.eval()
    compare(lambda t: me(t), lambda t: mt(t), [rand(*shape, seed=60).astype(np.float32)], atol=1e-5,
            rtol=1e-4)


def test_instance_norm_functional_double_backward():
    compare(lambda x, w, b: FE.instance_norm(x, weight=w, bias=b),
            lambda x, w, b: FT.instance_norm(x, weight=w, bias=b),
            [rand(2, 3, 5, seed=21), rand(3, seed=22), rand(3, seed=23)], gradgrad=True, atol=1e-9,
            rtol=1e-8)


def test_rms_norm():
    compare(lambda x, w: FE.rms_norm(x, (5,), w), lambda x, w: FT.rms_norm(x, (5,), w),
            [rand(3, 4, 5, seed=24), rand(5, seed=25)], gradgrad=True, atol=1e-10)
    compare(lambda x: FE.rms_norm(x, (4, 5), eps=1e-3), lambda x: FT.rms_norm(x, (4, 5), eps=1e-3),
            [rand(3, 4, 5, seed=26)], gradgrad=True, atol=1e-10)
    for kw in ({}, {'eps': 1e-5}, {'elementwise_affine': False}):
        me, mt = enn.RMSNorm([4, 5], **kw), tnn.RMSNorm([4, 5], **kw)
        assert repr(me) == repr(mt)
        compare(lambda x: me(x), lambda x: mt(x), [rand(3, 4, 5, seed=27).astype(np.float32)],
                atol=1e-5, rtol=1e-4)


def test_local_response_norm_and_normalize():
    for shape in ((2, 5, 4), (2, 5, 4, 4), (1, 6, 2, 3, 3)):
        compare(lambda x: FE.local_response_norm(x, 3, alpha=0.1, k=2.0),
                lambda x: FT.local_response_norm(x, 3, alpha=0.1, k=2.0), [rand(*shape, seed=28)],
                gradgrad=True, atol=1e-10)
    me, mt = enn.LocalResponseNorm(2), tnn.LocalResponseNorm(2)
    assert repr(me) == repr(mt)
    for kw in ({}, {'p': 1.0, 'dim': 0}, {'p': 3.0, 'dim': -1}, {'p': float('inf')}):
        compare(lambda x: FE.normalize(x, **kw), lambda x: FT.normalize(x, **kw), [rand(4, 3, seed=29)],
                gradgrad=kw.get('p', 2) != float('inf'), atol=1e-10, rtol=1e-9)
    z = np.zeros((2, 3))
    z[1] = 1.0
    compare(lambda x: FE.normalize(x), lambda x: FT.normalize(x), [z], atol=1e-12)


def test_layer_norm_errors():
    with pytest.raises(RuntimeError, match='normalized_shape'):
        FT.layer_norm(torch.randn(3, 4), (5,))
    with pytest.raises(RuntimeError, match='normalized_shape'):
        FE.layer_norm(ember.randn(3, 4), (5,))
