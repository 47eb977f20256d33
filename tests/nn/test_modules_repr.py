"""Every nn module's repr equals torch's, and default initialisations draw from torch's
distributions (uniform bounds, normal moments, constant fills)."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import torch.nn as tnn

MAKERS = [
    lambda L: L.Conv1d(3, 4, 3), lambda L: L.Conv2d(3, 16, 3),
    lambda L: L.Conv2d(3, 16, (3, 5), stride=2, padding=1, dilation=2, bias=False, padding_mode='reflect'),
    lambda L: L.Conv2d(4, 8, 3, padding='same', groups=2), lambda L: L.Conv3d(2, 3, 2),
    lambda L: L.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1), lambda L: L.ConvTranspose1d(3, 4, 3, dilation=2),
    lambda L: L.ConvTranspose3d(2, 2, 2, groups=2, bias=False),
    lambda L: L.MaxPool2d(2), lambda L: L.MaxPool2d(3, 2, 1, ceil_mode=True, return_indices=True),
    lambda L: L.MaxPool1d(2), lambda L: L.MaxPool3d((1, 2, 2)), lambda L: L.AvgPool2d(2),
    lambda L: L.AvgPool1d(3, 2, count_include_pad=False), lambda L: L.AvgPool2d(3, divisor_override=2),
    lambda L: L.AvgPool3d(2, 1, 1), lambda L: L.AdaptiveAvgPool2d((3, None)), lambda L: L.AdaptiveAvgPool1d(3),
    lambda L: L.AdaptiveAvgPool3d(1), lambda L: L.AdaptiveMaxPool2d(3, return_indices=True),
    lambda L: L.AdaptiveMaxPool1d(2), lambda L: L.AdaptiveMaxPool3d((1, 2, 3)), lambda L: L.LPPool2d(2, 3),
    lambda L: L.LPPool1d(1.5, 2, 1), lambda L: L.LPPool3d(2, 2), lambda L: L.MaxUnpool2d(2),
    lambda L: L.MaxUnpool1d(3, 2, 1), lambda L: L.MaxUnpool3d(2),
    lambda L: L.BatchNorm1d(4), lambda L: L.BatchNorm2d(4, momentum=None, affine=False, track_running_stats=False),
    lambda L: L.BatchNorm3d(3, eps=1e-3), lambda L: L.BatchNorm2d(3, bias=False),
    lambda L: L.LayerNorm(5), lambda L: L.LayerNorm((4, 5), elementwise_affine=False),
    lambda L: L.LayerNorm(5, bias=False), lambda L: L.GroupNorm(2, 4), lambda L: L.GroupNorm(2, 4, affine=False),
    lambda L: L.InstanceNorm1d(3), lambda L: L.InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda L: L.InstanceNorm3d(3, eps=1e-3), lambda L: L.RMSNorm(5), lambda L: L.RMSNorm((3, 4), eps=1e-5,
                                                                                         elementwise_affine=False),
    lambda L: L.LocalResponseNorm(3), lambda L: L.LocalResponseNorm(2, 1e-3, 0.5, 2.0),
    lambda L: L.Dropout(), lambda L: L.Dropout(0.2, inplace=True), lambda L: L.Dropout1d(),
    lambda L: L.Dropout2d(0.1), lambda L: L.Dropout3d(), lambda L: L.AlphaDropout(0.3),
    lambda L: L.FeatureAlphaDropout(),
    lambda L: L.Embedding(10, 3), lambda L: L.Embedding(10, 3, padding_idx=0, max_norm=1.0),
    lambda L: L.Embedding(10, 3, norm_type=1., scale_grad_by_freq=True, sparse=True),
    lambda L: L.EmbeddingBag(10, 3), lambda L: L.EmbeddingBag(10, 3, mode='sum', padding_idx=1),
    lambda L: L.EmbeddingBag(10, 3, max_norm=2.0, mode='max'),
    lambda L: L.Upsample(scale_factor=2), lambda L: L.Upsample(size=(3, 4), mode='bilinear', align_corners=True),
    lambda L: L.UpsamplingNearest2d(scale_factor=2), lambda L: L.UpsamplingBilinear2d(size=4),
    lambda L: L.PixelShuffle(2), lambda L: L.PixelUnshuffle(3), lambda L: L.ChannelShuffle(2),
    lambda L: L.ZeroPad1d(2), lambda L: L.ZeroPad2d((1, 2, 3, 4)), lambda L: L.ZeroPad3d(1),
    lambda L: L.ConstantPad1d(2, 3.5), lambda L: L.ConstantPad2d(1, 0.), lambda L: L.ConstantPad3d(1, 2),
    lambda L: L.ReflectionPad1d(2), lambda L: L.ReflectionPad2d((1, 1, 2, 0)), lambda L: L.ReflectionPad3d(1),
    lambda L: L.ReplicationPad1d(1), lambda L: L.ReplicationPad2d(2), lambda L: L.ReplicationPad3d(1),
    lambda L: L.CircularPad1d(1), lambda L: L.CircularPad2d(1), lambda L: L.CircularPad3d(1),
    lambda L: L.CosineSimilarity(), lambda L: L.PairwiseDistance(), lambda L: L.PairwiseDistance(p=1, eps=1e-3),
    lambda L: L.Flatten(), lambda L: L.Flatten(0, 2), lambda L: L.Unflatten(1, (2, 3)),
    lambda L: L.Fold((4, 5), 2), lambda L: L.Unfold(2, padding=1),
    lambda L: L.ReLU(), lambda L: L.ReLU(True), lambda L: L.ReLU6(), lambda L: L.ReLU6(inplace=True),
    lambda L: L.LeakyReLU(), lambda L: L.LeakyReLU(0.2, True), lambda L: L.ELU(), lambda L: L.ELU(0.5, True),
    lambda L: L.SELU(), lambda L: L.SELU(True), lambda L: L.CELU(), lambda L: L.CELU(0.3), lambda L: L.GELU(),
    lambda L: L.GELU('tanh'), lambda L: L.SiLU(), lambda L: L.SiLU(True), lambda L: L.Mish(), lambda L: L.Mish(True),
    lambda L: L.Softplus(), lambda L: L.Softplus(2, 10), lambda L: L.Softsign(), lambda L: L.Hardtanh(),
    lambda L: L.Hardtanh(-2, 2, True), lambda L: L.Hardsigmoid(), lambda L: L.Hardsigmoid(True),
    lambda L: L.Hardswish(), lambda L: L.Sigmoid(), lambda L: L.Tanh(), lambda L: L.LogSigmoid(),
    lambda L: L.Softmax(), lambda L: L.Softmax(dim=1), lambda L: L.LogSoftmax(1), lambda L: L.Softmin(0),
    lambda L: L.Softmax2d(), lambda L: L.GLU(), lambda L: L.GLU(1), lambda L: L.Threshold(0.1, 20),
    lambda L: L.Threshold(0.1, 20, True), lambda L: L.PReLU(), lambda L: L.PReLU(3, 0.1), lambda L: L.RReLU(),
    lambda L: L.RReLU(0.1, 0.3, True), lambda L: L.Hardshrink(), lambda L: L.Hardshrink(0.3),
    lambda L: L.Softshrink(), lambda L: L.Tanhshrink(),
    lambda L: L.CrossEntropyLoss(), lambda L: L.NLLLoss(), lambda L: L.BCELoss(), lambda L: L.BCEWithLogitsLoss(),
    lambda L: L.L1Loss(), lambda L: L.MSELoss(), lambda L: L.SmoothL1Loss(), lambda L: L.HuberLoss(),
    lambda L: L.KLDivLoss(), lambda L: L.PoissonNLLLoss(), lambda L: L.GaussianNLLLoss(),
    lambda L: L.MarginRankingLoss(), lambda L: L.HingeEmbeddingLoss(), lambda L: L.SoftMarginLoss(),
    lambda L: L.MultiLabelMarginLoss(), lambda L: L.MultiLabelSoftMarginLoss(), lambda L: L.MultiMarginLoss(),
    lambda L: L.CosineEmbeddingLoss(), lambda L: L.TripletMarginLoss(), lambda L: L.TripletMarginWithDistanceLoss(),
    lambda L: L.CTCLoss(),
    lambda L: L.Sequential(L.Conv2d(1, 6, 5), L.ReLU(), L.MaxPool2d(2), L.Flatten(), L.BatchNorm1d(4),
                           L.Dropout(0.1), L.Linear(4, 2)),
]


@pytest.mark.parametrize('make', MAKERS, ids=[str(i) for i in range(len(MAKERS))])
def test_repr_equals_torch(make):
    assert repr(make(enn)) == repr(make(tnn))


@pytest.mark.parametrize('make', MAKERS[:8] + [lambda L: L.LayerNorm(5), lambda L: L.BatchNorm2d(3),
                                                lambda L: L.Embedding(7, 2), lambda L: L.PReLU(3)],
                         ids=[str(i) for i in range(12)])
def test_parameter_names_shapes_dtypes_match_torch(make):
    me, mt = make(enn), make(tnn)
    pe = [(n, tuple(p.shape), str(p.dtype), p.requires_grad) for n, p in me.named_parameters()]
    pt = [(n, tuple(p.shape), str(p.dtype), p.requires_grad) for n, p in mt.named_parameters()]
    assert pe == pt
    assert [(n, tuple(b.shape)) for n, b in me.named_buffers()] == \
        [(n, tuple(b.shape)) for n, b in mt.named_buffers()]


def _uniform_ok(a, bound):
    a = np.asarray(a, dtype=np.float64).ravel()
    assert np.abs(a).max() <= bound + 1e-7
    assert np.abs(a).max() > 0.9 * bound
    assert abs(a.mean()) < 0.1 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.1 * bound


@pytest.mark.parametrize('make', [lambda L: L.Conv2d(32, 64, 3), lambda L: L.Conv1d(16, 32, 5, groups=4),
                                  lambda L: L.Conv3d(8, 16, 3), lambda L: L.ConvTranspose2d(32, 16, 3),
                                  lambda L: L.ConvTranspose1d(16, 32, 3, groups=2)])
def test_conv_default_init(make):
    ember.manual_seed(0)
    torch.manual_seed(0)
    me, mt = make(enn), make(tnn)
    w = me.weight.detach().numpy()
    fan_in = w.shape[1] * int(np.prod(w.shape[2:]))
    _uniform_ok(w, 1 / math.sqrt(fan_in))
    _uniform_ok(me.bias.detach().numpy(), 1 / math.sqrt(fan_in)) if me.bias.numel() > 50 else None
    assert np.abs(me.bias.detach().numpy()).max() <= 1 / math.sqrt(fan_in)
    wt = mt.weight.detach().numpy()
    assert abs(w.std() - wt.std()) < 0.1 * wt.std()


def test_other_default_inits():
    ember.manual_seed(1)
    torch.manual_seed(1)
    e = enn.Embedding(500, 100).weight.detach().numpy()
    t = tnn.Embedding(500, 100).weight.detach().numpy()
    assert abs(e.mean() - t.mean()) < 0.01 and abs(e.std() - t.std()) < 0.01
    # deterministic initial states: every entry (and its dtype) exactly as torch's
    for make in (lambda L: L.PReLU(4, 0.1), lambda L: L.PReLU(), lambda L: L.LayerNorm(6),
                 lambda L: L.GroupNorm(2, 6), lambda L: L.BatchNorm1d(6),
                 lambda L: L.InstanceNorm1d(6, affine=True, track_running_stats=True),
                 lambda L: L.RMSNorm(6), lambda L: L.LayerNorm(6, bias=False)):
        se, st = make(enn).state_dict(), make(tnn).state_dict()
        assert list(se) == list(st)
        for k in st:
            assert str(se[k].dtype) == str(st[k].dtype), k
            np.testing.assert_array_equal(se[k].numpy(), st[k].numpy(), err_msg=k)
    for m in (enn.Conv2d(3, 4, 3, dtype=ember.float64), enn.BatchNorm2d(3, dtype=ember.float64),
              enn.Embedding(5, 2, dtype=ember.float64)):
        assert all(p.dtype == ember.float64 for p in m.parameters())
