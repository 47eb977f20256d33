"""Pooling against torch: max/avg/adaptive/lp pooling and max_unpool (values, indices, float64
gradients, second-order gradients where torch has them), modules, errors and NaN handling."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as FE
import torch.nn as tnn
import torch.nn.functional as FT
from _nn_helpers import compare, rand, grad_fn_name

MAX = [
    ('max_pool1d', (2, 3, 9), {'kernel_size': 3, 'stride': 2, 'dilation': 2}),
    ('max_pool1d', (3, 10), {'kernel_size': 4, 'stride': 3, 'padding': 2, 'ceil_mode': True}),
    ('max_pool2d', (2, 3, 8, 8), {'kernel_size': 2}),
    ('max_pool2d', (2, 3, 7, 7), {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True}),
    ('max_pool2d', (2, 2, 9, 8), {'kernel_size': (3, 2), 'stride': (2, 1), 'dilation': (2, 3),
                                  'padding': (1, 0)}),
    ('max_pool2d', (3, 7, 6), {'kernel_size': 2, 'ceil_mode': True}),
    ('max_pool3d', (1, 2, 5, 5, 5), {'kernel_size': 2}),
    ('max_pool3d', (1, 2, 5, 6, 5), {'kernel_size': 3, 'stride': 2, 'padding': 1}),
]


@pytest.mark.parametrize('fn,xs,kw', MAX, ids=[f'{c[0]}-{i}' for i, c in enumerate(MAX)])
def test_max_pool(fn, xs, kw):
    x = rand(*xs, seed=1)
    compare(lambda t: getattr(FE, fn)(t, **kw), lambda t: getattr(FT, fn)(t, **kw), [x], gradgrad=True,
            atol=1e-12)
    ie = getattr(FE, fn)(ember.tensor(x), return_indices=True, **kw)[1]
    it = getattr(FT, fn)(torch.tensor(x), return_indices=True, **kw)[1]
    assert ie.dtype == ember.int64
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_max_pool_ties_go_to_the_first_maximum():
    # post-ReLU inputs have many equal zeros: the gradient must pick the first, as torch does
    x = np.maximum(rand(2, 3, 8, 8, seed=2), 0)
    x[0, 0, :2, :2] = 1.0
    for kw in ({'kernel_size': 2}, {'kernel_size': 3, 'stride': 1}):
        compare(lambda t: FE.max_pool2d(t, **kw), lambda t: FT.max_pool2d(t, **kw), [x], atol=1e-12)


def test_max_pool_nan_propagates_like_torch():
    x = rand(1, 1, 4, 4, seed=3)
    x[0, 0, 1, 0] = np.nan
    x[0, 0, 3, 3] = np.nan
    oe, ie = FE.max_pool2d(ember.tensor(x), 2, return_indices=True)
    ot, it = FT.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(np.isnan(oe.numpy()), np.isnan(ot.numpy()))
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_max_pool_integer_input():
    x = (np.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6) * 7) % 11
    e = FE.max_pool2d(ember.tensor(x), 2)
    t = FT.max_pool2d(torch.tensor(x), 2)
    assert e.dtype == ember.int64
    np.testing.assert_array_equal(e.numpy(), t.numpy())


AVG = [
    ('avg_pool1d', (2, 3, 9), {'kernel_size': 3, 'stride': 2}),
    ('avg_pool1d', (2, 3, 9), {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True,
                               'count_include_pad': False}),
    ('avg_pool2d', (2, 3, 8, 8), {'kernel_size': 2}),
    ('avg_pool2d', (2, 3, 7, 7), {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True}),
    ('avg_pool2d', (2, 3, 7, 7), {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True,
                                  'count_include_pad': False}),
    ('avg_pool2d', (2, 3, 7, 6), {'kernel_size': (3, 2), 'divisor_override': 5}),
    ('avg_pool3d', (1, 2, 5, 5, 5), {'kernel_size': 2, 'stride': 1, 'padding': 1}),
]


@pytest.mark.parametrize('fn,xs,kw', AVG, ids=[f'{c[0]}-{i}' for i, c in enumerate(AVG)])
def test_avg_pool(fn, xs, kw):
    compare(lambda t: getattr(FE, fn)(t, **kw), lambda t: getattr(FT, fn)(t, **kw),
            [rand(*xs, seed=4)], gradgrad=True, atol=1e-12)


ADAPT = [
    ('adaptive_avg_pool1d', (2, 3, 9), 4), ('adaptive_avg_pool2d', (2, 3, 7, 9), (3, 4)),
    ('adaptive_avg_pool2d', (2, 3, 8, 8), 4), ('adaptive_avg_pool2d', (2, 3, 8, 8), 1),
    ('adaptive_avg_pool2d', (3, 7, 9), (None, 5)), ('adaptive_avg_pool3d', (1, 2, 5, 4, 6), (2, 3, 4)),
    ('adaptive_max_pool1d', (2, 3, 9), 4), ('adaptive_max_pool2d', (2, 3, 7, 9), (3, 4)),
    ('adaptive_max_pool2d', (2, 3, 8, 8), 2), ('adaptive_max_pool3d', (1, 2, 5, 4, 6), (2, 3, 4)),
]


@pytest.mark.parametrize('fn,xs,size', ADAPT, ids=[f'{c[0]}-{i}' for i, c in enumerate(ADAPT)])
def test_adaptive_pool(fn, xs, size):
    compare(lambda t: getattr(FE, fn)(t, size), lambda t: getattr(FT, fn)(t, size), [rand(*xs, seed=5)],
            gradgrad='avg' in fn, atol=1e-12)
    if 'max' in fn:
        ie = getattr(FE, fn)(ember.tensor(rand(*xs, seed=5)), size, return_indices=True)[1]
        it = getattr(FT, fn)(torch.tensor(rand(*xs, seed=5)), size, return_indices=True)[1]
        np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_grad_fn_names():
    x4 = ember.randn(1, 2, 6, 6, requires_grad=True)
    t4 = torch.randn(1, 2, 6, 6, requires_grad=True)
    for fn, kw in (('max_pool2d', {'kernel_size': 2}), ('avg_pool2d', {'kernel_size': 2}),
                   ('adaptive_avg_pool2d', {'output_size': 4}), ('adaptive_max_pool2d', {'output_size': 4})):
        assert grad_fn_name(getattr(FE, fn)(x4, **kw)) == grad_fn_name(getattr(FT, fn)(t4, **kw))
    x3 = ember.randn(1, 2, 6, requires_grad=True)
    assert grad_fn_name(FE.max_pool1d(x3, 2)) == 'SqueezeBackward1'


@pytest.mark.parametrize('fn,nd,kw', [('lp_pool1d', 1, {'norm_type': 2, 'kernel_size': 3, 'stride': 2}),
                                      ('lp_pool2d', 2, {'norm_type': 3, 'kernel_size': 2}),
                                      ('lp_pool2d', 2, {'norm_type': 1.5, 'kernel_size': (2, 3),
                                                        'ceil_mode': True})])
def test_lp_pool(fn, nd, kw):
    x = np.abs(rand(*((2, 3) + (7,) * nd), seed=6)) + 0.1
    compare(lambda t: getattr(FE, fn)(t, **kw), lambda t: getattr(FT, fn)(t, **kw), [x], atol=1e-10)


@pytest.mark.parametrize('nd', [1, 2, 3])
def test_max_unpool(nd):
    shape = (2, 3) + (6,) * nd
    x = rand(*shape, seed=7)
    pool = {1: 'max_pool1d', 2: 'max_pool2d', 3: 'max_pool3d'}[nd]
    unpool = {1: 'max_unpool1d', 2: 'max_unpool2d', 3: 'max_unpool3d'}[nd]
    pt, it = getattr(FT, pool)(torch.tensor(x), 2, return_indices=True)
    pe, ie = getattr(FE, pool)(ember.tensor(x), 2, return_indices=True)
    for out_size in (None, (7,) * nd):
        compare(lambda v: getattr(FE, unpool)(v, ie, 2, output_size=out_size),
                lambda v: getattr(FT, unpool)(v, it, 2, output_size=out_size), [pt.numpy()],
                gradgrad=True, atol=1e-12)


def test_errors_match_torch():
    x = rand(2, 3, 8, 8)
    cases = [
        (lambda F, L: F.max_pool2d(L.tensor(x), 2, padding=2), 'pad should be at most half'),
        (lambda F, L: F.avg_pool2d(L.tensor(x), 2, padding=2), 'pad should be at most half'),
        (lambda F, L: F.max_pool2d(L.tensor(rand(3, 1, 1)), 2), 'Output size is too small'),
        (lambda F, L: F.max_pool2d(L.tensor(x), 2, stride=0), 'stride should not be zero'),
        (lambda F, L: F.max_pool1d(L.tensor(x), 2), 'max_pool1d'),
        (lambda F, L: F.avg_pool1d(L.tensor(x), 2), 'Expected 2 to 3 dimensions'),
        (lambda F, L: F.adaptive_avg_pool2d(L.tensor(rand(8)), 2), 'Expected 3D or 4D tensor'),
        (lambda F, L: F.max_unpool2d(L.tensor(rand(2, 3, 4, 4)), L.zeros(2, 3, 4, 4, dtype=L.long) + 100, 2),
         'Found an invalid max index: 100'),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError, match=msg):
            fn(FT, torch)
        with pytest.raises(RuntimeError, match=msg):
            fn(FE, ember)


MODULES = [
    (lambda L: L.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 7)),
    (lambda L: L.MaxPool1d(2), (2, 3, 8)),
    (lambda L: L.MaxPool3d(2, dilation=1), (1, 2, 4, 4, 4)),
    (lambda L: L.AvgPool1d(3, 2, count_include_pad=False, padding=1), (2, 3, 9)),
    (lambda L: L.AvgPool2d(3, divisor_override=2), (2, 3, 7, 7)),
    (lambda L: L.AvgPool3d(2), (1, 2, 4, 4, 4)),
    (lambda L: L.AdaptiveAvgPool2d((3, None)), (2, 3, 7, 5)),
    (lambda L: L.AdaptiveAvgPool1d(3), (2, 3, 7)),
    (lambda L: L.AdaptiveAvgPool3d(2), (1, 2, 4, 5, 6)),
    (lambda L: L.AdaptiveMaxPool2d(3), (2, 3, 7, 7)),
    (lambda L: L.AdaptiveMaxPool1d(3), (2, 3, 7)),
    (lambda L: L.LPPool2d(2, 3), (2, 3, 7, 7)),
    (lambda L: L.LPPool1d(1.5, 2, 1), (2, 3, 7)),
]


@pytest.mark.parametrize('make,xs', MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_modules(make, xs):
    x = np.abs(rand(*xs, seed=8)).astype(np.float32) + 0.01
    compare(lambda t: make(enn)(t), lambda t: make(tnn)(t), [x], atol=1e-6, rtol=1e-5)
    assert repr(make(enn)) == repr(make(tnn))


def test_unpool_modules_and_return_indices():
    x = rand(2, 3, 6, 6, seed=9).astype(np.float32)
    pe, pt = enn.MaxPool2d(2, return_indices=True), tnn.MaxPool2d(2, return_indices=True)
    (oe, ie), (ot, it) = pe(ember.tensor(x)), pt(torch.tensor(x))
    ue, ut = enn.MaxUnpool2d(2), tnn.MaxUnpool2d(2)
    np.testing.assert_allclose(ue(oe, ie).numpy(), ut(ot, it).numpy())
    assert repr(ue) == repr(ut)
    np.testing.assert_allclose(ue(oe, ie, output_size=(7, 7)).numpy(),
                               ut(ot, it, output_size=(7, 7)).numpy())
