"""Convolutions against torch: functional conv/conv_transpose/unfold/fold in float64 with
gradients and second-order gradients; Conv/ConvTranspose modules with copied weights in float32;
default initialisation; padding modes; errors."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as FE
import torch.nn as tnn
import torch.nn.functional as FT
from _nn_helpers import compare, rand, grad_fn_name

CONV = [
    ('conv1d', (2, 3, 10), (4, 3, 3), {}),
    ('conv1d', (2, 4, 11), (6, 2, 3), {'stride': 2, 'padding': 2, 'dilation': 2, 'groups': 2}),
    ('conv1d', (3, 9), (4, 3, 4), {'padding': 'same'}),
    ('conv2d', (2, 3, 7, 6), (4, 3, 3, 3), {'stride': 2, 'padding': 1}),
    ('conv2d', (2, 4, 9, 8), (6, 2, 3, 2), {'stride': (2, 1), 'padding': (1, 2), 'dilation': (2, 1),
                                            'groups': 2}),
    ('conv2d', (2, 4, 6, 5), (4, 1, 3, 3), {'groups': 4, 'padding': 'same'}),
    ('conv2d', (2, 3, 8, 7), (2, 3, 4, 2), {'padding': 'same', 'dilation': 2}),
    ('conv2d', (2, 3, 6, 6), (5, 3, 3, 3), {'padding': 'valid'}),
    ('conv2d', (3, 6, 6), (2, 3, 2, 2), {}),
    ('conv3d', (2, 2, 5, 6, 5), (3, 2, 2, 3, 2), {'stride': (1, 2, 1), 'padding': 1}),
]


@pytest.mark.parametrize('fn,xs,ws,kw', CONV, ids=[f'{c[0]}-{i}' for i, c in enumerate(CONV)])
@pytest.mark.parametrize('bias', [True, False])
def test_conv_functional(fn, xs, ws, kw, bias):
    arrays = [rand(*xs, seed=1), rand(*ws, seed=2)]
    if bias:
        arrays.append(rand(ws[0], seed=3))
    compare(lambda *a: getattr(FE, fn)(*a, **kw), lambda *a: getattr(FT, fn)(*a, **kw), arrays,
            gradgrad=True, atol=1e-10, rtol=1e-9)


CONVT = [
    ('conv_transpose1d', (2, 3, 7), (3, 2, 4), {'stride': 3, 'output_padding': 2}),
    ('conv_transpose2d', (2, 3, 5, 5), (3, 4, 3, 3), {'stride': 2, 'padding': 1, 'output_padding': 1}),
    ('conv_transpose2d', (2, 4, 5, 4), (4, 3, 3, 2), {'stride': (2, 3), 'padding': (0, 2),
                                                      'output_padding': (1, 0), 'groups': 2,
                                                      'dilation': (1, 2)}),
    ('conv_transpose2d', (3, 4, 4), (3, 2, 2, 2), {}),
    ('conv_transpose3d', (1, 2, 3, 3, 3), (2, 2, 2, 2, 2), {'stride': 2}),
]


@pytest.mark.parametrize('fn,xs,ws,kw', CONVT, ids=[f'{c[0]}-{i}' for i, c in enumerate(CONVT)])
def test_conv_transpose_functional(fn, xs, ws, kw):
    cout = ws[1] * kw.get('groups', 1)
    arrays = [rand(*xs, seed=4), rand(*ws, seed=5), rand(cout, seed=6)]
    compare(lambda *a: getattr(FE, fn)(*a, **kw), lambda *a: getattr(FT, fn)(*a, **kw), arrays,
            gradgrad=True, atol=1e-10, rtol=1e-9)


def test_grad_fn_is_convolution_backward():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    assert grad_fn_name(FE.conv2d(x, ember.randn(3, 2, 3, 3))) == 'ConvolutionBackward0'
    assert grad_fn_name(FE.conv_transpose2d(x, ember.randn(2, 3, 3, 3))) == 'ConvolutionBackward0'


@pytest.mark.parametrize('kw', [{'kernel_size': 2}, {'kernel_size': (2, 3), 'dilation': (1, 2),
                                                      'padding': 1, 'stride': (2, 1)}])
def test_unfold_fold(kw):
    compare(lambda x: FE.unfold(x, **kw), lambda x: FT.unfold(x, **kw), [rand(2, 3, 7, 6, seed=7)],
            gradgrad=True, atol=1e-12)
    L = FT.unfold(torch.zeros(2, 3, 7, 6), **kw).shape
    compare(lambda x: FE.fold(x, (7, 6), **kw), lambda x: FT.fold(x, (7, 6), **kw),
            [rand(*L, seed=8)], gradgrad=True, atol=1e-12)
    assert grad_fn_name(FE.unfold(ember.randn(1, 1, 4, 4, requires_grad=True), 2)) == 'Im2ColBackward0'


MODULES = [
    (lambda L: L.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 9)),
    (lambda L: L.Conv2d(3, 6, 3, padding=1, groups=3), (2, 3, 8, 8)),
    (lambda L: L.Conv2d(2, 4, (3, 2), stride=(2, 1), dilation=(1, 2), bias=False), (2, 2, 9, 9)),
    (lambda L: L.Conv2d(3, 4, 3, padding=2, padding_mode='reflect'), (2, 3, 6, 7)),
    (lambda L: L.Conv2d(3, 4, 3, padding=1, padding_mode='replicate'), (2, 3, 6, 7)),
    (lambda L: L.Conv2d(3, 4, 3, padding=(1, 2), padding_mode='circular'), (2, 3, 6, 7)),
    (lambda L: L.Conv2d(3, 4, 4, padding='same', padding_mode='reflect'), (2, 3, 6, 7)),
    (lambda L: L.Conv1d(2, 2, 3, padding='same', padding_mode='circular'), (2, 2, 6)),
    (lambda L: L.Conv3d(2, 3, 2, padding=1), (1, 2, 4, 4, 4)),
    (lambda L: L.ConvTranspose1d(3, 2, 3, stride=2), (2, 3, 5)),
    (lambda L: L.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 4, 4)),
    (lambda L: L.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 3, 2)),
]


def _copy_params(me, mt):
    for pe, pt in zip(me.parameters(), mt.parameters()):
        pe.data = ember.tensor(pt.detach().numpy().copy())


@pytest.mark.parametrize('make,xs', MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_modules_match_torch_float32(make, xs):
    torch.manual_seed(0)
    mt = make(tnn)
    me = make(enn)
    _copy_params(me, mt)
    x = rand(*xs, seed=9).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = me(xe), mt(xt)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rand(*yt.shape, seed=10).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (n, pe), pt in zip(me.named_parameters(), mt.parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=n)
    assert repr(me) == repr(mt)


def test_conv_transpose_output_size():
    mt = tnn.ConvTranspose2d(2, 3, 3, stride=2)
    me = enn.ConvTranspose2d(2, 3, 3, stride=2)
    _copy_params(me, mt)
    x = rand(1, 2, 4, 5, seed=11).astype(np.float32)   # non-square, so per-dim mix-ups show
    for size in [(9, 11), (10, 12), (1, 3, 10, 11)]:
        ye = me(ember.tensor(x), output_size=size)
        yt = mt(torch.tensor(x), output_size=size)
        assert tuple(ye.shape) == tuple(yt.shape)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    msg = r'valid sizes range from \[9, 11\] to \[10, 12\]'
    with pytest.raises(ValueError, match=msg):
        mt(torch.tensor(x), output_size=(12, 12))
    with pytest.raises(ValueError, match=msg):
        me(ember.tensor(x), output_size=(12, 12))


@pytest.mark.parametrize('make', [lambda L: L.Conv2d(16, 32, 3), lambda L: L.Conv1d(8, 4, 5, groups=2),
                                  lambda L: L.ConvTranspose2d(16, 8, 3)])
def test_default_init_distribution(make):
    ember.manual_seed(0)
    m = make(enn)
    w = m.weight.detach().numpy()
    fan_in = w.shape[1] * int(np.prod(w.shape[2:]))
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    mt = make(tnn)
    wt = mt.weight.detach().numpy()
    assert w.shape == wt.shape and m.bias.shape == mt.bias.shape
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert abs(w.std() - wt.std()) < 0.1 * bound
    b = m.bias.detach().numpy()
    assert np.abs(b).max() <= bound


def test_errors_match_torch():
    x = rand(2, 3, 8, 8)
    cases = [
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 5, 3, 3))), 'to have 5 channels, but got 3 channels'),
        (lambda F, L: F.conv2d(L.tensor(rand(2, 3)), L.tensor(rand(4, 3, 3, 3))), 'input to conv2d'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 9, 9))), "Kernel size can't be greater"),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)), stride=2, padding='same'),
         'strided convolutions'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)), padding='foo'),
         'Invalid padding string'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 1, 3, 3)), groups=3),
         'divisible by 3'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)).float()),
         'expected scalar type Double but found Float'),
        (lambda F, L: F.conv2d(L.tensor(x).float(), L.tensor(rand(4, 3, 3, 3))),
         r'Input type \(torch.FloatTensor\) and weight type \(torch.DoubleTensor\) should be the same'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)), stride=0),
         'non-positive stride'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)), padding=-1),
         'negative padding'),
        (lambda F, L: F.conv2d(L.tensor(x), L.tensor(rand(4, 3, 3, 3)), stride=(1, 2, 3)),
         'stride to be a single integer'),
        (lambda F, L: F.conv_transpose2d(L.tensor(x), L.tensor(rand(3, 4, 3, 3)), output_padding=2),
         'output padding must be smaller'),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError, match=msg):
            fn(FT, torch)
        with pytest.raises(RuntimeError, match=msg):
            fn(FE, ember)


def test_module_constructor_errors():
    for L in (tnn, enn):
        with pytest.raises(ValueError, match='in_channels must be divisible'):
            L.Conv2d(3, 4, 3, groups=2)
        with pytest.raises(ValueError, match='padding_mode must be one of'):
            L.Conv2d(3, 3, 3, padding_mode='foo')
        with pytest.raises(ValueError, match="not supported for strided"):
            L.Conv2d(3, 3, 3, stride=2, padding='same')
        with pytest.raises(ValueError, match='Only "zeros" padding mode'):
            L.ConvTranspose2d(3, 3, 3, padding_mode='reflect')


def test_conv_state_dict_roundtrip_with_torch():
    mt = tnn.Conv2d(3, 4, 3)
    me = enn.Conv2d(3, 4, 3)
    me.load_state_dict({k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    x = rand(1, 3, 5, 5).astype(np.float32)
    np.testing.assert_allclose(me(ember.tensor(x)).detach().numpy(),
                               mt(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert list(me.state_dict()) == list(mt.state_dict())


def test_integer_conv_matches_torch():
    x = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5) % 7
    w = np.arange(4 * 3 * 2 * 2).reshape(4, 3, 2, 2) % 5 - 2
    e = FE.conv2d(ember.tensor(x), ember.tensor(w))
    t = FT.conv2d(torch.tensor(x), torch.tensor(w))
    assert e.dtype == ember.int64
    np.testing.assert_array_equal(e.numpy(), t.numpy())
