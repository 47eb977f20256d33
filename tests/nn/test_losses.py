"""Every loss against torch: functional forms in float64 with gradients (and second-order
gradients where torch has them), each reduction, weights, ignore_index, label smoothing,
K-dimensional inputs, the loss modules and their errors."""
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

R = ['mean', 'sum', 'none']
TGT = np.array([0, 3, 1, 4])


def _cmp(fn, arrays, grad=None, gg=True, **kw):
    compare(lambda *a: getattr(FE, fn)(*a, **kw), lambda *a: getattr(FT, fn)(*a, **kw), arrays,
            grad=grad, gradgrad=gg, atol=1e-10, rtol=1e-8)


@pytest.mark.parametrize('reduction', R)
def test_cross_entropy_class_indices(reduction):
    _cmp('cross_entropy', [rand(4, 5, seed=1), TGT], reduction=reduction)
    _cmp('cross_entropy', [rand(4, 5, seed=1), np.array([0, -100, 1, 4])], reduction=reduction)
    _cmp('cross_entropy', [rand(4, 5, seed=1), np.array([0, 2, 1, 2])], reduction=reduction,
         ignore_index=2)


@pytest.mark.parametrize('reduction', R)
def test_cross_entropy_weight_smoothing_kdim(reduction):
    w = rand(5, seed=2, low=0.5, high=1.5)
    _cmp('cross_entropy', [rand(4, 5, seed=3), TGT, w], grad=[0], reduction=reduction)
    _cmp('cross_entropy', [rand(4, 5, seed=3), np.array([0, 3, -100, 4]), w], grad=[0],
         reduction=reduction, label_smoothing=0.2)
    _cmp('cross_entropy', [rand(4, 5, seed=3), TGT], reduction=reduction, label_smoothing=0.1)
    t3 = np.array([[0, 3, 1], [4, 1, 1], [0, 0, 0], [2, 2, -100]])
    _cmp('cross_entropy', [rand(4, 5, 3, seed=4), t3], reduction=reduction)
    _cmp('cross_entropy', [rand(2, 5, 3, 2, seed=5), np.array([[[0, 1], [2, 3], [4, 0]]] * 2)],
         reduction=reduction, label_smoothing=0.3)
    _cmp('cross_entropy', [rand(5, seed=6), np.array(2)], reduction=reduction)


@pytest.mark.parametrize('reduction', R)
def test_cross_entropy_probabilities(reduction):
    p = rand(4, 5, seed=7, low=0, high=1)
    p /= p.sum(1, keepdims=True)
    _cmp('cross_entropy', [rand(4, 5, seed=8), p], reduction=reduction)
    _cmp('cross_entropy', [rand(4, 5, seed=8), p, rand(5, seed=9, low=0.5, high=1)], grad=[0, 1],
         reduction=reduction, label_smoothing=0.25)
    _cmp('cross_entropy', [rand(2, 5, 3, seed=10), rand(2, 5, 3, seed=11, low=0, high=1)],
         reduction=reduction)


def test_cross_entropy_grad_fn_and_errors():
    x = ember.randn(3, 4, requires_grad=True)
    assert grad_fn_name(FE.cross_entropy(x, ember.tensor([0, 1, 2]))) == 'NllLossBackward0'
    assert grad_fn_name(x.log_softmax(1) if hasattr(x, 'log_softmax') else FE.log_softmax(x, 1)) == \
        'LogSoftmaxBackward0'
    x = rand(2, 3)
    cases = [
        (lambda F, L: F.nll_loss(L.tensor(x), L.tensor([0, 5])), IndexError, 'Target 5 is out of bounds'),
        (lambda F, L: F.nll_loss(L.tensor(x), L.tensor([0, -5])), IndexError, 'Target -5 is out of bounds'),
        (lambda F, L: F.nll_loss(L.tensor(x), L.tensor([0, 1, 2])), ValueError,
         r'Expected input batch_size \(2\) to match target batch_size \(3\)'),
        (lambda F, L: F.nll_loss(L.tensor(x), L.tensor([0., 1.])), RuntimeError,
         'expected target dtype to be Long or Byte, but got Float'),
        (lambda F, L: F.cross_entropy(L.tensor(x), L.tensor([0, 1]).int()), RuntimeError,
         'expected target dtype to be Long or Byte, but got Int'),
        (lambda F, L: F.nll_loss(L.tensor(x), L.tensor([0, 1]), weight=L.ones(4, dtype=L.float64)),
         RuntimeError, 'weight tensor should be defined either for all 3 classes'),
        (lambda F, L: F.nll_loss(L.tensor(rand(2, 3, 4)), L.tensor([[0, 1, 2], [0, 1, 1]])),
         RuntimeError, r'Expected target size \[2, 4\], got \[2, 3\]'),
        (lambda F, L: F.cross_entropy(L.tensor(x), L.tensor([0, 1]), label_smoothing=1.5), RuntimeError,
         'label_smoothing must be between 0.0 and 1.0'),
        (lambda F, L: F.cross_entropy(L.tensor(x), L.tensor(rand(2, 4))), RuntimeError,
         '0D or 1D target tensor expected'),
        (lambda F, L: F.binary_cross_entropy(L.tensor(rand(2, 3, low=0, high=1)), L.tensor(rand(2))),
         ValueError, 'different to the input size'),
        (lambda F, L: F.binary_cross_entropy(L.tensor(rand(2, 3, low=1.1, high=2)), L.tensor(rand(2, 3))),
         RuntimeError, 'all elements of input should be between 0 and 1'),
        (lambda F, L: F.binary_cross_entropy_with_logits(L.tensor(x), L.tensor(rand(2))), ValueError,
         'must be the same as input size'),
        (lambda F, L: F.l1_loss(L.tensor(x), L.tensor(x), reduction='avg'), ValueError,
         'avg is not a valid value for reduction'),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            fn(FT, torch)
        with pytest.raises(exc, match=msg):
            fn(FE, ember)


@pytest.mark.parametrize('reduction', R)
def test_nll_loss(reduction):
    lp = np.log(rand(4, 5, seed=12, low=0.05, high=1))
    _cmp('nll_loss', [lp, TGT], reduction=reduction)
    _cmp('nll_loss', [lp, TGT, rand(5, seed=13, low=0.5, high=1.5)], grad=[0], reduction=reduction,
         ignore_index=3)
    _cmp('nll_loss', [rand(2, 5, 3, seed=14), np.array([[0, 1, 2], [4, -100, 1]])], reduction=reduction)


def test_all_ignored_mean_is_nan_as_torch():
    e = FE.nll_loss(ember.randn(2, 3), ember.tensor([-100, -100]))
    t = FT.nll_loss(torch.randn(2, 3), torch.tensor([-100, -100]))
    assert np.isnan(float(e)) and np.isnan(float(t))


@pytest.mark.parametrize('reduction', R)
def test_elementwise_regression_losses(reduction):
    x, y = rand(4, 5, seed=15), rand(4, 5, seed=16)
    _cmp('mse_loss', [x, y], reduction=reduction)
    _cmp('l1_loss', [x, y], reduction=reduction)
    _cmp('smooth_l1_loss', [x, y], reduction=reduction)
    _cmp('smooth_l1_loss', [x, y], reduction=reduction, beta=0.5)
    _cmp('smooth_l1_loss', [x, y], reduction=reduction, beta=0.0)
    _cmp('huber_loss', [x, y], reduction=reduction)
    _cmp('huber_loss', [x, y], reduction=reduction, delta=0.4)


def test_broadcasting_target_warns_like_torch():
    for F, L in ((FE, ember), (FT, torch)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            F.mse_loss(L.tensor(rand(2, 3)), L.tensor(rand(3)))
        assert any('different to the input size' in str(m.message) for m in w)
    _cmp('l1_loss', [rand(2, 3, seed=17), rand(3, seed=18)])


@pytest.mark.parametrize('reduction', R)
def test_binary_cross_entropy(reduction):
    p = rand(4, 5, seed=19, low=0.02, high=0.98)
    y = rand(4, 5, seed=20, low=0, high=1)
    w = rand(5, seed=21, low=0.5, high=1.5)
    _cmp('binary_cross_entropy', [p, y], reduction=reduction)
    _cmp('binary_cross_entropy', [p, y, w], grad=[0, 1], reduction=reduction)
    # clamped logs at the boundaries (the target gradient is +-inf there, as torch's)
    pb = np.array([0.0, 1.0, 0.5, 1e-50])
    yb = np.array([1.0, 0.0, 0.5, 1.0])
    _cmp('binary_cross_entropy', [pb, yb], grad=[], reduction=reduction)
    _cmp('binary_cross_entropy', [pb, yb], grad=[1], reduction=reduction, gg=False)
    x = rand(4, 5, seed=22) * 3
    _cmp('binary_cross_entropy_with_logits', [x, y], reduction=reduction)
    _cmp('binary_cross_entropy_with_logits', [x, y, w], grad=[0, 1], reduction=reduction)
    compare(lambda a, b, pw: FE.binary_cross_entropy_with_logits(a, b, pos_weight=pw, reduction=reduction),
            lambda a, b, pw: FT.binary_cross_entropy_with_logits(a, b, pos_weight=pw, reduction=reduction),
            [x, y, rand(5, seed=23, low=0.5, high=3)], grad=[0, 1], gradgrad=True, atol=1e-10)
    big = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    _cmp('binary_cross_entropy_with_logits', [big, np.array([1.0, 0, 1, 0, 1])], reduction=reduction)


@pytest.mark.parametrize('reduction', R + ['batchmean'])
def test_kl_div(reduction):
    x = np.log(rand(4, 5, seed=24, low=0.05, high=1))
    t = rand(4, 5, seed=25, low=0, high=1)
    t[0, 0] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _cmp('kl_div', [x, t + 0.1], reduction=reduction)
        # at target == 0 torch's target gradient is 0/0; the loss and the input gradient are defined
        _cmp('kl_div', [x, t], grad=[0], reduction=reduction)
        _cmp('kl_div', [x, np.log(t + 0.1)], reduction=reduction, log_target=True)


@pytest.mark.parametrize('reduction', R)
def test_nll_family(reduction):
    _cmp('poisson_nll_loss', [rand(4, 5, seed=26), rand(4, 5, seed=27, low=0, high=3)],
         reduction=reduction)
    _cmp('poisson_nll_loss', [rand(4, 5, seed=28, low=0.1, high=2), rand(4, 5, seed=29, low=0, high=3)],
         reduction=reduction, log_input=False, full=True)
    var = rand(4, 5, seed=30, low=0.1, high=2)
    _cmp('gaussian_nll_loss', [rand(4, 5, seed=31), rand(4, 5, seed=32), var], reduction=reduction)
    _cmp('gaussian_nll_loss', [rand(4, 5, seed=31), rand(4, 5, seed=32), var[:, :1]],
         reduction=reduction, full=True)
    _cmp('gaussian_nll_loss', [rand(4, 5, seed=31), rand(4, 5, seed=32), var[:, 0]], reduction=reduction,
         eps=0.5)


@pytest.mark.parametrize('reduction', R)
def test_margin_losses(reduction):
    y = np.array([1.0, -1, 1, 1, -1])
    _cmp('margin_ranking_loss', [rand(5, seed=33), rand(5, seed=34), y], grad=[0, 1], reduction=reduction,
         margin=0.2)
    _cmp('hinge_embedding_loss', [rand(5, seed=35), y], grad=[0], reduction=reduction, margin=0.5)
    _cmp('soft_margin_loss', [rand(5, seed=36), y], grad=[0], reduction=reduction)
    _cmp('multilabel_soft_margin_loss', [rand(3, 4, seed=37), rand(3, 4, seed=38, low=0, high=1).round()],
         grad=[0], reduction=reduction)
    _cmp('multilabel_soft_margin_loss', [rand(3, 4, seed=37), rand(3, 4, seed=38, low=0, high=1).round(),
                                         rand(4, seed=39, low=0.5, high=1)], grad=[0], reduction=reduction)
    _cmp('multilabel_margin_loss', [rand(3, 4, seed=40), np.array([[3, 0, -1, 1], [1, 2, 3, -1],
                                                                   [0, 1, 2, 3]])],
         reduction=reduction, gg=False)
    _cmp('multi_margin_loss', [rand(3, 4, seed=41), np.array([3, 0, 1])], reduction=reduction, gg=False)
    compare(lambda x, t, w: FE.multi_margin_loss(x, t, p=2, margin=0.5, weight=w, reduction=reduction),
            lambda x, t, w: FT.multi_margin_loss(x, t, p=2, margin=0.5, weight=w, reduction=reduction),
            [rand(3, 4, seed=42), np.array([3, 0, 1]), rand(4, seed=43, low=0.5, high=1)], grad=[0],
            atol=1e-10)
    _cmp('cosine_embedding_loss', [rand(3, 4, seed=44), rand(3, 4, seed=45), np.array([1.0, -1, 1])],
         grad=[0, 1], reduction=reduction, margin=0.1)
    a, p_, n = rand(3, 4, seed=46), rand(3, 4, seed=47), rand(3, 4, seed=48)
    _cmp('triplet_margin_loss', [a, p_, n], reduction=reduction)
    _cmp('triplet_margin_loss', [a, p_, n], reduction=reduction, swap=True, p=1.0, margin=2.0)


def test_margin_losses_at_the_hinge_match_torch():
    # identical inputs sit exactly on the clamp boundary, where torch's clamp_min passes gradient
    x = rand(5, seed=49)
    _cmp('margin_ranking_loss', [x, x.copy(), np.ones(5)], grad=[0, 1])
    a = rand(3, 4, seed=50)
    _cmp('triplet_margin_loss', [a, a.copy(), a.copy()], swap=True)


def test_triplet_with_distance_function():
    a, p, n = rand(3, 4, seed=51), rand(3, 4, seed=52), rand(3, 4, seed=53)
    compare(lambda *t: FE.triplet_margin_with_distance_loss(*t, distance_function=lambda u, v: (u - v).abs().sum(1)),
            lambda *t: FT.triplet_margin_with_distance_loss(*t, distance_function=lambda u, v: (u - v).abs().sum(1)),
            [a, p, n], atol=1e-10)
    _cmp('triplet_margin_with_distance_loss', [a, p, n], swap=True)


def test_ctc_loss():
    rng = np.random.default_rng(0)
    T, N, C = 8, 3, 5
    logits = rng.standard_normal((T, N, C))
    targets = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])
    il, tl = np.array([8, 6, 7]), np.array([3, 2, 1])
    for reduction in R:
        compare(lambda x, t, a, b: FE.ctc_loss(x.log_softmax(2) if hasattr(x, 'log_softmax') else FE.log_softmax(x, 2), t, a, b, reduction=reduction),
                lambda x, t, a, b: FT.ctc_loss(x.log_softmax(2), t, a, b, reduction=reduction),
                [logits, targets, il, tl], grad=[0], atol=1e-9, rtol=1e-8)
    # 1-D concatenated targets, blank != 0, log_probs as the leaf (torch's gradient convention)
    flat = np.array([1, 2, 2, 3, 1, 4])
    lp = np.log(rng.dirichlet(np.ones(C), size=(T, N)))
    compare(lambda x, t, a, b: FE.ctc_loss(x, t, a, b, blank=0), lambda x, t, a, b: FT.ctc_loss(x, t, a, b, blank=0),
            [lp, flat, il, tl], grad=[0], atol=1e-9, rtol=1e-8)
    compare(lambda x, t, a, b: FE.ctc_loss(x, t, a, b, blank=4, reduction='sum'),
            lambda x, t, a, b: FT.ctc_loss(x, t, a, b, blank=4, reduction='sum'),
            [lp, np.array([[1, 2, 2], [3, 1, 0], [0, 0, 0]]), il, tl], grad=[0], atol=1e-9, rtol=1e-8)


def test_ctc_infeasible_and_zero_infinity():
    lp = np.log(np.full((2, 1, 3), 1 / 3))
    tg, il, tl = np.array([[1, 1]]), np.array([2]), np.array([2])  # needs 3 frames
    for zi in (False, True):
        compare(lambda x, t, a, b: FE.ctc_loss(x, t, a, b, reduction='sum', zero_infinity=zi),
                lambda x, t, a, b: FT.ctc_loss(x, t, a, b, reduction='sum', zero_infinity=zi),
                [lp, tg, il, tl], grad=[0] if zi else [], atol=1e-9)


def T(L):
    return ember if L is enn else torch


MODULES = [
    (lambda L: L.CrossEntropyLoss(), [rand(4, 5, seed=60), TGT]),
    (lambda L: L.CrossEntropyLoss(weight=T(L).tensor(rand(5, seed=61, low=0.5, high=1)).float(), ignore_index=1,
                                  label_smoothing=0.1, reduction='sum'), [rand(4, 5, seed=60), TGT]),
    (lambda L: L.NLLLoss(reduction='none'), [rand(4, 5, seed=62), TGT]),
    (lambda L: L.BCELoss(), [rand(4, 5, seed=63, low=0.1, high=0.9), rand(4, 5, seed=64, low=0, high=1)]),
    (lambda L: L.BCEWithLogitsLoss(pos_weight=T(L).tensor(rand(5, seed=65, low=1, high=2)).float()),
     [rand(4, 5, seed=66), rand(4, 5, seed=64, low=0, high=1)]),
    (lambda L: L.L1Loss(), [rand(4, 5, seed=67), rand(4, 5, seed=68)]),
    (lambda L: L.MSELoss(reduction='sum'), [rand(4, 5, seed=67), rand(4, 5, seed=68)]),
    (lambda L: L.SmoothL1Loss(beta=0.3), [rand(4, 5, seed=67), rand(4, 5, seed=68)]),
    (lambda L: L.HuberLoss(delta=0.3), [rand(4, 5, seed=67), rand(4, 5, seed=68)]),
    (lambda L: L.KLDivLoss(reduction='batchmean'), [rand(4, 5, seed=69), rand(4, 5, seed=70, low=0, high=1)]),
    (lambda L: L.PoissonNLLLoss(), [rand(4, 5, seed=71), rand(4, 5, seed=72, low=0, high=3)]),
    (lambda L: L.GaussianNLLLoss(), [rand(4, 5, seed=73), rand(4, 5, seed=74), rand(4, 5, seed=75, low=0.5, high=1)]),
    (lambda L: L.MarginRankingLoss(0.1), [rand(5, seed=76), rand(5, seed=77), np.array([1.0, -1, 1, 1, -1])]),
    (lambda L: L.HingeEmbeddingLoss(), [rand(5, seed=78), np.array([1.0, -1, 1, 1, -1])]),
    (lambda L: L.SoftMarginLoss(), [rand(5, seed=79), np.array([1.0, -1, 1, 1, -1])]),
    (lambda L: L.MultiLabelSoftMarginLoss(), [rand(3, 4, seed=80), np.array([[1.0, 0, 1, 0]] * 3)]),
    (lambda L: L.MultiLabelMarginLoss(), [rand(3, 4, seed=81), np.array([[3, 0, -1, 1]] * 3)]),
    (lambda L: L.MultiMarginLoss(margin=0.5), [rand(3, 4, seed=82), np.array([3, 0, 1])]),
    (lambda L: L.CosineEmbeddingLoss(), [rand(3, 4, seed=83), rand(3, 4, seed=84), np.array([1.0, -1, 1])]),
    (lambda L: L.TripletMarginLoss(), [rand(3, 4, seed=85), rand(3, 4, seed=86), rand(3, 4, seed=87)]),
    (lambda L: L.TripletMarginWithDistanceLoss(), [rand(3, 4, seed=85), rand(3, 4, seed=86), rand(3, 4, seed=87)]),
]


@pytest.mark.parametrize('make,arrays', MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_loss_modules(make, arrays):
    arrays = [a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays]
    compare(lambda *a: make(enn)(*a), lambda *a: make(tnn)(*a), arrays, grad=[0], atol=1e-5, rtol=1e-4)
    assert repr(make(enn)) == repr(make(tnn))


def test_loss_module_buffers_and_legacy_reduction():
    w = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    me, mt = enn.CrossEntropyLoss(weight=ember.tensor(w)), tnn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(me.state_dict()) == list(mt.state_dict()) == ['weight']
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert enn.MSELoss(size_average=False).reduction == tnn.MSELoss(size_average=False).reduction
        assert enn.L1Loss(reduce=False).reduction == tnn.L1Loss(reduce=False).reduction
    ce = enn.CTCLoss(blank=1, zero_infinity=True)
    assert (ce.blank, ce.reduction, ce.zero_infinity) == (1, 'mean', True)


def test_nll_weight_requiring_grad_raises_like_torch():
    msg = "not differentiable with respect to argument 'weight'"
    for F, L in ((FT, torch), (FE, ember)):
        x = L.tensor(rand(3, 4, seed=40), requires_grad=True)
        w = L.tensor(rand(4, seed=41, low=0.5, high=1.5), requires_grad=True)
        t = L.tensor([0, 1, 3])
        for fn in (F.nll_loss, F.cross_entropy):
            with pytest.raises(RuntimeError, match=msg):
                fn(x, t, w)
        with L.no_grad():
            fn(x, t, w)
