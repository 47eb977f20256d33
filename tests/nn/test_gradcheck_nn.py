"""ember's own gradcheck / gradgradcheck (float64 central differences) over the nn primitives,
complementing the comparisons with torch's gradients."""
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


def _t(*shape, seed=0, positive=False):
    g = ember.Generator().manual_seed(seed)
    t = ember.randn(*shape, generator=g, dtype=ember.float64)
    if positive:
        t = t.abs() + 0.5
    return t.requires_grad_()


CASES = [
    ('conv2d', lambda x, w: F.conv2d(x, w, stride=2, padding=1, dilation=1), [(2, 3, 6, 5), (4, 3, 3, 2)], True),
    ('conv1d groups', lambda x, w: F.conv1d(x, w, groups=2, padding='same'), [(2, 4, 7), (4, 2, 3)], True),
    ('conv_transpose2d', lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
     [(1, 2, 3, 3), (2, 3, 3, 3)], True),
    ('max_pool2d', lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 2, 7, 7)], True),
    ('avg_pool2d', lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [(2, 2, 7, 7)], True),
    ('adaptive_max_pool2d', lambda x: F.adaptive_max_pool2d(x, (3, 2)), [(2, 2, 7, 5)], True),
    ('interpolate bicubic', lambda x: F.interpolate(x, scale_factor=1.5, mode='bicubic'), [(1, 2, 4, 4)], True),
    ('batch_norm', lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(4, 3, 2), (3,), (3,)], True),
    ('layer_norm', lambda x, w, b: F.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)], True),
    ('group_norm', lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)], True),
    ('log_softmax', lambda x: F.log_softmax(x, 1), [(3, 5)], True),
    ('softmax', lambda x: F.softmax(x, 0), [(3, 5)], True),
    ('gelu', lambda x: F.gelu(x), [(3, 5)], True),
    ('mish', lambda x: F.mish(x), [(3, 5)], True),
    ('cross_entropy', lambda x: F.cross_entropy(x, ember.tensor([0, 2, 1]), label_smoothing=0.1), [(3, 4)], True),
    ('bce_with_logits', lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()), [(3, 4), (3, 4)], True),
    ('smooth_l1', lambda x, y: F.smooth_l1_loss(x, y, beta=0.7), [(3, 4), (3, 4)], True),
    ('grid_sample', lambda x, g: F.grid_sample(x, g.tanh(), align_corners=False), [(1, 2, 4, 4), (1, 3, 3, 2)], False),
    ('pad reflect', lambda x: F.pad(x, (2, 1, 1, 2), 'reflect'), [(1, 2, 4, 4)], True),
    ('embedding', lambda w: F.embedding(ember.tensor([[0, 2], [2, 3]]), w), [(4, 3)], True),
    ('cosine_similarity', lambda a, b: F.cosine_similarity(a, b), [(3, 4), (3, 4)], True),
    ('prelu', lambda x, w: F.prelu(x, w), [(2, 3, 4), (3,)], True),
    ('glu', lambda x: F.glu(x, 1), [(2, 6)], True),
    ('huber', lambda x, y: F.huber_loss(x, y, delta=0.8), [(3, 4), (3, 4)], True),
    ('nll_loss weight', lambda x: F.nll_loss(x, ember.tensor([0, 2, 1]),
                                              ember.tensor([0.5, 1.0, 2.0, 1.5], dtype=ember.float64)),
     [(3, 4)], True),
    ('bce', lambda x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()), [(3, 4), (3, 4)], True),
    ('kl_div log_target', lambda x, y: F.kl_div(x, y, reduction='batchmean', log_target=True),
     [(3, 4), (3, 4)], True),
    ('unfold', lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [(1, 2, 5, 6)], True),
    ('fold', lambda x: F.fold(x, (4, 5), 2, stride=1), [(1, 8, 12)], True),
    ('rms_norm', lambda x, w: F.rms_norm(x, (4,), w), [(3, 4), (4,)], True),
    ('instance_norm', lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [(2, 3, 5), (3,), (3,)], True),
    ('local_response_norm', lambda x: F.local_response_norm(x, 3), [(2, 4, 3)], True),
    ('sdpa causal', lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
     [(2, 3, 4), (2, 3, 4), (2, 3, 5)], True),
    ('adaptive_avg_pool2d', lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 7)], True),
    ('lp_pool2d', lambda x: F.lp_pool2d(x.abs() + 0.5, 2, 2), [(1, 2, 4, 4)], True),
    ('pixel_shuffle', lambda x: F.pixel_shuffle(x, 2), [(1, 8, 2, 3)], True),
    ('embedding_bag', lambda w: F.embedding_bag(ember.tensor([0, 2, 1, 3]), w, ember.tensor([0, 1]),
                                                mode='mean'), [(4, 3)], True),
]


@pytest.mark.parametrize('name,fn,shapes,gg', CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, shapes, gg):
    inputs = tuple(_t(*s, seed=i) for i, s in enumerate(shapes))
    assert gradcheck(fn, inputs)
    if gg:
        assert gradgradcheck(fn, inputs)
