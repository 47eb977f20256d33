"""The rest of nn.functional against torch: dropout family, embedding / embedding_bag / one_hot,
pad, interpolate, pixel/channel shuffle, grid_sample / affine_grid, distances, bilinear; and their
modules."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as FE
import torch.nn as tnn
import torch.nn.functional as FT
from _nn_helpers import compare, rand, grad_fn_name


# ----- dropout ---------------------------------------------------------------------------------

@pytest.mark.parametrize('p', [0.2, 0.5, 0.8])
def test_dropout_statistics_and_gradient(p):
    ember.manual_seed(0)
    x = ember.ones(200, 500, requires_grad=True)
    y = FE.dropout(x, p)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy(), rtol=1e-6)
    assert grad_fn_name(y) == 'MulBackward0'


def test_dropout_eval_identity_and_edge_probabilities():
    x = ember.randn(4, 5)
    assert FE.dropout(x, 0.5, training=False) is x
    assert FE.dropout(x, 0.0) is x
    assert (FE.dropout(x, 1.0).numpy() == 0).all()
    for L, F in ((torch, FT), (ember, FE)):
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1'):
            F.dropout(L.randn(2), 1.5)
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1'):
            (tnn if L is torch else enn).Dropout(-0.1)


@pytest.mark.parametrize('fn,shape', [('dropout1d', (8, 16, 20)), ('dropout1d', (16, 20)),
                                      ('dropout2d', (8, 16, 5, 4)), ('dropout3d', (4, 16, 3, 3, 3)),
                                      ('dropout3d', (16, 3, 3, 3))])
def test_channel_dropout_zeroes_whole_channels(fn, shape):
    ember.manual_seed(1)
    y = getattr(FE, fn)(ember.ones(*shape), 0.5).numpy()
    flat = y.reshape(-1, int(np.prod(shape[-(len(shape) - (2 if len(shape) > {'dropout1d': 2,
                                                                               'dropout2d': 3,
                                                                               'dropout3d': 4}[fn] else 1)):])))
    for row in flat:
        assert (row == 0).all() or np.allclose(row, 2.0)
    assert 0.3 < (flat[:, 0] == 0).mean() < 0.7


def test_dropout2d_3d_input_warns_like_torch():
    for F, L in ((FE, ember), (FT, torch)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            F.dropout2d(L.ones(2, 3, 4))
        assert any('Received a 3D input to dropout2d' in str(m.message) for m in w)
    with pytest.raises(RuntimeError, match='dropout1d: Expected 2D or 3D input'):
        FE.dropout1d(ember.ones(2, 3, 4, 5))


@pytest.mark.parametrize('fn', ['alpha_dropout', 'feature_alpha_dropout'])
def test_alpha_dropout_keeps_selu_statistics(fn):
    ember.manual_seed(2)
    x = ember.randn(400, 300)
    y = getattr(FE, fn)(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    assert getattr(FE, fn)(x, 0.3, training=False) is x
    torch.manual_seed(2)
    yt = getattr(FT, fn)(torch.tensor(x.numpy()), 0.3, training=True).numpy()
    # the two values a dropped / kept unit maps to are the same affine images as torch's
    assert np.isclose(np.unique(y[y < -1.7]).min(), np.unique(yt[yt < -1.7]).min(), atol=1e-5) or fn != 'alpha_dropout'


def test_dropout_modules_follow_training_flag():
    for cls, shape in (('Dropout', (2, 3)), ('Dropout1d', (2, 3, 4)), ('Dropout2d', (2, 3, 4, 4)),
                       ('Dropout3d', (2, 3, 4, 4, 4)), ('AlphaDropout', (2, 3)),
                       ('FeatureAlphaDropout', (2, 3, 4, 4))):
        me, mt = getattr(enn, cls)(0.3), getattr(tnn, cls)(0.3)
        assert repr(me) == repr(mt)
        me.eval()
        x = ember.randn(*shape)
        np.testing.assert_array_equal(me(x).numpy(), x.numpy())
        me.train()
        assert (me(ember.ones(*shape) * 100).numpy() != 100).any()
    m = enn.Dropout(0.5, inplace=True)
    x = ember.ones(100, 100)
    y = m(x)
    assert y is x and (x.numpy() == 0).any()


# ----- embedding ---------------------------------------------------------------------------------

def test_embedding_functional():
    idx = np.array([[0, 2, 2], [1, 3, 0]])
    compare(lambda w: FE.embedding(ember.tensor(idx), w), lambda w: FT.embedding(torch.tensor(idx), w),
            [rand(4, 3, seed=1)], gradgrad=True, atol=1e-12)
    compare(lambda w: FE.embedding(ember.tensor(idx), w, padding_idx=2),
            lambda w: FT.embedding(torch.tensor(idx), w, padding_idx=2), [rand(4, 3, seed=1)],
            gradgrad=True, atol=1e-12)
    compare(lambda w: FE.embedding(ember.tensor(idx), w, scale_grad_by_freq=True),
            lambda w: FT.embedding(torch.tensor(idx), w, scale_grad_by_freq=True), [rand(4, 3, seed=1)],
            atol=1e-12)
    assert grad_fn_name(FE.embedding(ember.tensor(idx), ember.randn(4, 3, requires_grad=True))) == \
        'EmbeddingBackward0'


def test_embedding_max_norm_renormalises_in_place():
    w = rand(5, 3, seed=2) * 3
    we, wt = ember.tensor(w), torch.tensor(w)
    idx = [0, 1, 1, 4]
    oe = FE.embedding(ember.tensor(idx), we, max_norm=1.0)
    ot = FT.embedding(torch.tensor(idx), wt, max_norm=1.0)
    np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-6)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-6)


def test_embedding_errors():
    w = rand(5, 3)
    cases = [(lambda F, L: F.embedding(L.tensor([0, 7]), L.tensor(w)), IndexError, 'index out of range'),
             (lambda F, L: F.embedding(L.tensor([0.0, 1.0]), L.tensor(w)), RuntimeError,
              "Expected tensor for argument #1 'indices'"),
             (lambda F, L: F.embedding(L.tensor([0, 1]), L.tensor(w), padding_idx=7), AssertionError,
              'Padding_idx must be within num_embeddings')]
    for fn, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            fn(FT, torch)
        with pytest.raises(exc, match=msg):
            fn(FE, ember)


def test_embedding_module_and_from_pretrained():
    me, mt = enn.Embedding(10, 3, padding_idx=0), tnn.Embedding(10, 3, padding_idx=0)
    assert repr(me) == repr(mt)
    assert (me.weight.detach().numpy()[0] == 0).all()
    ember.manual_seed(0)
    big = enn.Embedding(1000, 64).weight.detach().numpy()
    assert abs(big.mean()) < 0.01 and abs(big.std() - 1) < 0.01  # N(0, 1) like torch
    pre = np.arange(12, dtype=np.float32).reshape(4, 3)
    fe = enn.Embedding.from_pretrained(ember.tensor(pre))
    ft = tnn.Embedding.from_pretrained(torch.tensor(pre))
    assert fe.weight.requires_grad == ft.weight.requires_grad is False
    np.testing.assert_array_equal(fe(ember.tensor([3, 1])).numpy(), ft(torch.tensor([3, 1])).numpy())
    assert repr(enn.Embedding.from_pretrained(ember.tensor(pre), freeze=False, max_norm=2.0)) == \
        repr(tnn.Embedding.from_pretrained(torch.tensor(pre), freeze=False, max_norm=2.0))
    assert enn.Embedding.from_pretrained(ember.tensor(pre), freeze=False).weight.requires_grad


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag(mode):
    idx, offs = np.array([0, 2, 1, 2, 3, 1]), np.array([0, 2, 2, 5])
    compare(lambda w: FE.embedding_bag(ember.tensor(idx), w, ember.tensor(offs), mode=mode),
            lambda w: FT.embedding_bag(torch.tensor(idx), w, torch.tensor(offs), mode=mode),
            [rand(4, 3, seed=3)], atol=1e-12)
    idx2 = np.array([[0, 2, 1], [3, 3, 1]])
    compare(lambda w: FE.embedding_bag(ember.tensor(idx2), w, mode=mode, padding_idx=1),
            lambda w: FT.embedding_bag(torch.tensor(idx2), w, mode=mode, padding_idx=1),
            [rand(4, 3, seed=4)], atol=1e-12)
    compare(lambda w: FE.embedding_bag(ember.tensor(idx), w, ember.tensor(np.append(offs, 6)), mode=mode,
                                       include_last_offset=True),
            lambda w: FT.embedding_bag(torch.tensor(idx), w, torch.tensor(np.append(offs, 6)), mode=mode,
                                       include_last_offset=True), [rand(4, 3, seed=5)], atol=1e-12)


def test_embedding_bag_per_sample_weights_and_module():
    idx, offs = np.array([0, 2, 1, 2, 3]), np.array([0, 2])
    compare(lambda w, p: FE.embedding_bag(ember.tensor(idx), w, ember.tensor(offs), mode='sum',
                                          per_sample_weights=p),
            lambda w, p: FT.embedding_bag(torch.tensor(idx), w, torch.tensor(offs), mode='sum',
                                          per_sample_weights=p),
            [rand(4, 3, seed=6), rand(5, seed=7)], atol=1e-12)
    me, mt = enn.EmbeddingBag(10, 3, mode='sum', padding_idx=1), tnn.EmbeddingBag(10, 3, mode='sum',
                                                                                  padding_idx=1)
    assert repr(me) == repr(mt)
    me.weight.data = ember.tensor(mt.weight.detach().numpy().copy())
    np.testing.assert_allclose(me(ember.tensor([[1, 2], [3, 4]])).detach().numpy(),
                               mt(torch.tensor([[1, 2], [3, 4]])).detach().numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match='offsets\\[0\\] has to be 0'):
        FE.embedding_bag(ember.tensor([0, 1]), ember.randn(3, 2), ember.tensor([1]))


def test_one_hot():
    for args in (([0, 3, 1],), ([0, 3, 1], 5), ([[0, 1], [2, 0]], -1)):
        e = FE.one_hot(ember.tensor(args[0]), *args[1:])
        t = FT.one_hot(torch.tensor(args[0]), *args[1:])
        assert e.dtype == ember.int64
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert tuple(FE.one_hot(ember.tensor([], dtype=ember.int64), 3).shape) == (0, 3)
    for arg, msg in (([0, 3], 'smaller than num_classes'), ([0, -1], 'non-negative')):
        with pytest.raises(RuntimeError, match=msg):
            FE.one_hot(ember.tensor(arg), 2 if msg.startswith('smaller') else -1)
    with pytest.raises(RuntimeError, match='LongTensor'):
        FE.one_hot(ember.tensor([0.0, 1.0]))


# ----- pad / interpolate / shuffles ------------------------------------------------------------

PADS = [((2, 3, 4, 5), (1, 2, 2, 1), 'constant', 0.5), ((2, 3, 4, 5), (1, -2, -1, 1), 'constant', None),
        ((2, 3, 4, 5), (1, 2, 3, 1), 'reflect', None), ((2, 3, 4, 5), (1, 2, 2, 1), 'replicate', None),
        ((2, 3, 4, 5), (1, 2, 2, 1), 'circular', None), ((3, 6), (2, 3), 'reflect', None),
        ((2, 3, 6), (4, 1), 'circular', None), ((1, 2, 3, 3, 4), (1, 1, 2, 0, 1, 2), 'replicate', None),
        ((1, 2, 3, 3, 4), (1, 1, 2, 0, 1, 2), 'reflect', None), ((4, 5), (1, 1, 1, 1), 'constant', None)]


@pytest.mark.parametrize('shape,pad,mode,value', PADS, ids=[str(i) for i in range(len(PADS))])
def test_pad(shape, pad, mode, value):
    compare(lambda x: FE.pad(x, pad, mode, value), lambda x: FT.pad(x, pad, mode, value),
            [rand(*shape, seed=8)], gradgrad=True, atol=1e-12)
    if mode in ('constant', 'reflect', 'replicate'):
        xe, xt = ember.randn(*shape, requires_grad=True), torch.randn(*shape, requires_grad=True)
        assert grad_fn_name(FE.pad(xe, pad, mode)) == grad_fn_name(FT.pad(xt, pad, mode))


def test_pad_errors():
    x = rand(1, 2, 3, 4)
    cases = [((1, 2, 3), 'constant', RuntimeError, 'Padding length must be divisible by 2'),
             ((1, 1), 'reflect', NotImplementedError, 'Padding size 2 is not supported for 4D input'),
             ((1, 1), 'foo', NotImplementedError, 'Unrecognised padding mode foo'),
             ((1,) * 10, 'constant', RuntimeError, 'Padding length should be less than or equal'),
             ((4, 4, 1, 1), 'reflect', RuntimeError, 'Padding size should be less than')]
    for pad, mode, exc, msg in cases:
        for F, L in ((FT, torch), (FE, ember)):
            with pytest.raises(exc, match=msg):
                F.pad(L.tensor(x), pad, mode)


INTERP = [((2, 3, 4, 5), {'scale_factor': 2, 'mode': 'nearest'}),
          ((2, 3, 4, 5), {'size': (7, 3), 'mode': 'nearest'}),
          ((2, 3, 4, 5), {'size': (7, 3), 'mode': 'nearest-exact'}),
          ((2, 3, 4, 5), {'scale_factor': (1.5, 0.7), 'mode': 'nearest'}),
          ((2, 3, 4, 5), {'size': (7, 3), 'mode': 'bilinear'}),
          ((2, 3, 4, 5), {'size': (7, 3), 'mode': 'bilinear', 'align_corners': True}),
          ((2, 3, 4, 5), {'scale_factor': 1.7, 'mode': 'bilinear'}),
          ((2, 3, 4, 5), {'scale_factor': 2.5, 'mode': 'bilinear', 'recompute_scale_factor': True}),
          ((2, 3, 4, 5), {'scale_factor': 1.7, 'mode': 'bicubic'}),
          ((2, 3, 4, 5), {'size': (3, 8), 'mode': 'bicubic', 'align_corners': True}),
          ((2, 3, 5), {'scale_factor': 1.5, 'mode': 'linear'}),
          ((2, 3, 5), {'size': 3, 'mode': 'linear', 'align_corners': True}),
          ((1, 2, 2, 3, 4), {'size': (3, 4, 5), 'mode': 'trilinear'}),
          ((1, 2, 2, 3, 4), {'scale_factor': 2, 'mode': 'nearest'}),
          ((2, 3, 7, 9), {'size': (3, 4), 'mode': 'area'})]


@pytest.mark.parametrize('shape,kw', INTERP, ids=[str(i) for i in range(len(INTERP))])
def test_interpolate(shape, kw):
    compare(lambda x: FE.interpolate(x, **kw), lambda x: FT.interpolate(x, **kw), [rand(*shape, seed=9)],
            gradgrad=True, atol=1e-10, rtol=1e-7)
    xe, xt = ember.randn(*shape, requires_grad=True), torch.randn(*shape, requires_grad=True)
    assert grad_fn_name(FE.interpolate(xe, **kw)) == grad_fn_name(FT.interpolate(xt, **kw))


def test_interpolate_errors_and_modules():
    x = rand(1, 2, 3, 4)
    cases = [({'size': 5, 'scale_factor': 2}, ValueError, 'only one of size or scale_factor'),
             ({}, ValueError, 'either size or scale_factor'),
             ({'size': 5, 'align_corners': True}, ValueError, 'align_corners option can only be set'),
             ({'size': 5, 'mode': 'linear'}, NotImplementedError, 'Got 4D input, but linear mode needs 3D'),
             ({'size': (2, 3, 4)}, ValueError, 'Input and output must have the same number of spatial'),
             ({'scale_factor': (2.0,)}, ValueError,
              'Input and scale_factor must have the same number of spatial dimensions')]
    for kw, exc, msg in cases:
        for F, L in ((FT, torch), (FE, ember)):
            with pytest.raises(exc, match=msg):
                F.interpolate(L.tensor(x), **kw)
    for make in (lambda L: L.Upsample(scale_factor=2), lambda L: L.Upsample(size=(3, 5), mode='bilinear'),
                 lambda L: L.Upsample(scale_factor=1.5, mode='bicubic', align_corners=True),
                 lambda L: L.UpsamplingNearest2d(scale_factor=2), lambda L: L.UpsamplingBilinear2d(size=6)):
        assert repr(make(enn)) == repr(make(tnn))
        compare(lambda t: make(enn)(t), lambda t: make(tnn)(t), [x.astype(np.float32)], atol=1e-5)


def test_pixel_and_channel_shuffle():
    compare(lambda x: FE.pixel_shuffle(x, 2), lambda x: FT.pixel_shuffle(x, 2), [rand(2, 8, 3, 3, seed=10)],
            atol=1e-12)
    compare(lambda x: FE.pixel_shuffle(x, 3), lambda x: FT.pixel_shuffle(x, 3), [rand(9, 2, 2, seed=11)],
            atol=1e-12)
    compare(lambda x: FE.pixel_unshuffle(x, 2), lambda x: FT.pixel_unshuffle(x, 2),
            [rand(2, 2, 4, 6, seed=12)], atol=1e-12)
    compare(lambda x: FE.channel_shuffle(x, 3), lambda x: FT.channel_shuffle(x, 3),
            [rand(2, 6, 2, 2, seed=13)], atol=1e-12)
    for make in (lambda L: L.PixelShuffle(2), lambda L: L.PixelUnshuffle(2), lambda L: L.ChannelShuffle(2)):
        assert repr(make(enn)) == repr(make(tnn))
    for F, L in ((FT, torch), (FE, ember)):
        with pytest.raises(RuntimeError, match='divisible by the square of upscale_factor'):
            F.pixel_shuffle(L.randn(1, 2, 2, 2), 3)
        with pytest.raises(RuntimeError, match='Number of channels must be divisible by groups'):
            F.channel_shuffle(L.randn(1, 2, 2, 2), 3)


@pytest.mark.parametrize('kw', [{'align_corners': False}, {'align_corners': True},
                                {'padding_mode': 'border', 'align_corners': False},
                                {'padding_mode': 'reflection', 'align_corners': False},
                                {'padding_mode': 'reflection', 'align_corners': True},
                                {'mode': 'nearest', 'align_corners': False},
                                {'mode': 'bicubic', 'align_corners': False},
                                {'mode': 'bicubic', 'padding_mode': 'border', 'align_corners': True}])
def test_grid_sample(kw):
    grid = rand(2, 4, 3, 2, seed=14, low=-1.3, high=1.3)
    compare(lambda x, g: FE.grid_sample(x, g, **kw), lambda x, g: FT.grid_sample(x, g, **kw),
            [rand(2, 3, 5, 6, seed=15), grid], atol=1e-9, rtol=1e-7)


def test_grid_sample_3d_and_affine_grid():
    compare(lambda x, g: FE.grid_sample(x, g, align_corners=False),
            lambda x, g: FT.grid_sample(x, g, align_corners=False),
            [rand(1, 2, 3, 4, 5, seed=16), rand(1, 2, 3, 2, 3, seed=17, low=-1, high=1)], atol=1e-9)
    for ac in (False, True):
        compare(lambda t: FE.affine_grid(t, (2, 3, 4, 5), align_corners=ac),
                lambda t: FT.affine_grid(t, (2, 3, 4, 5), align_corners=ac), [rand(2, 2, 3, seed=18)],
                atol=1e-12)
        compare(lambda t: FE.affine_grid(t, (1, 1, 2, 3, 4), align_corners=ac),
                lambda t: FT.affine_grid(t, (1, 1, 2, 3, 4), align_corners=ac), [rand(1, 3, 4, seed=19)],
                atol=1e-12)


# ----- distances, bilinear, flatten, fold --------------------------------------------------------

def test_distances():
    compare(FE.cosine_similarity, FT.cosine_similarity, [rand(4, 3, seed=20), rand(4, 3, seed=21)],
            gradgrad=True, atol=1e-10)
    compare(lambda a, b: FE.cosine_similarity(a, b, dim=-1), lambda a, b: FT.cosine_similarity(a, b, dim=-1),
            [rand(2, 4, 3, seed=22), rand(3, seed=23)], atol=1e-10)
    compare(FE.cosine_similarity, FT.cosine_similarity, [np.zeros((2, 3)), rand(2, 3, seed=24)], atol=1e-10)
    for kw in ({}, {'p': 1.0}, {'p': 3.0, 'keepdim': True}, {'p': float('inf'), 'eps': 0.0}):
        compare(lambda a, b: FE.pairwise_distance(a, b, **kw), lambda a, b: FT.pairwise_distance(a, b, **kw),
                [rand(4, 3, seed=25), rand(4, 3, seed=26)], atol=1e-10)
    compare(FE.pdist, FT.pdist, [rand(5, 3, seed=27)], atol=1e-10)
    compare(lambda x: FE.pdist(x, 1.0), lambda x: FT.pdist(x, 1.0), [rand(4, 3, seed=28)], atol=1e-10)
    for make in (lambda L: L.CosineSimilarity(dim=0), lambda L: L.PairwiseDistance(p=1, keepdim=True)):
        assert repr(make(enn)) == repr(make(tnn))
        compare(lambda a, b: make(enn)(a, b), lambda a, b: make(tnn)(a, b),
                [rand(4, 3, seed=29), rand(4, 3, seed=30)], atol=1e-10)


def test_bilinear():
    compare(FE.bilinear, FT.bilinear, [rand(3, 2, seed=31), rand(3, 4, seed=32), rand(5, 2, 4, seed=33),
                                       rand(5, seed=34)], gradgrad=True, atol=1e-10)
    compare(FE.bilinear, FT.bilinear, [rand(2, 3, 2, seed=35), rand(2, 3, 4, seed=36),
                                       rand(5, 2, 4, seed=37)], atol=1e-10)
    with pytest.raises(RuntimeError, match='input2 size does not match weight size'):
        FE.bilinear(ember.randn(2, 3), ember.randn(2, 5), ember.randn(5, 3, 4))


def test_flatten_unflatten_fold_modules():
    for make, shape in ((lambda L: L.Flatten(), (2, 3, 4)), (lambda L: L.Flatten(0, 1), (2, 3, 4)),
                        (lambda L: L.Unflatten(1, (2, 3)), (4, 6, 5)), (lambda L: L.Unflatten(-1, (-1, 2)), (4, 6)),
                        (lambda L: L.Unfold(2, padding=1), (2, 3, 4, 4)),
                        (lambda L: L.Fold((4, 5), 2), (2, 12, 12))):
        assert repr(make(enn)) == repr(make(tnn))
        compare(lambda t: make(enn)(t), lambda t: make(tnn)(t), [rand(*shape, seed=38)], atol=1e-12)
    for L in (enn, tnn):
        with pytest.raises(TypeError):
            L.Unflatten(1, 3)


# ----- linear with other bias shapes -----------------------------------------------------------

@pytest.mark.parametrize('xshape', [(4, 2), (2, 4, 2)])
@pytest.mark.parametrize('bshape', [(3,), (1, 3), (), (1,), (4, 3)])
def test_linear_bias_broadcasts_like_torch(xshape, bshape):
    # a (3,) bias takes the fused node; any other shape broadcasts through the general ops and
    # its gradient is reduced back to its own shape (this used to fail inside NumPy)
    compare(FE.linear, FT.linear, [rand(*xshape, seed=51), rand(3, 2, seed=52), rand(*bshape, seed=53)],
            gradgrad=True, atol=1e-10)


def test_linear_bias_wider_than_output_raises():
    with pytest.raises(RuntimeError, match='must be greater or equal to the number of dimensions'):
        FE.linear(ember.ones(4, 2), ember.ones(3, 2), ember.ones(2, 4, 3))
