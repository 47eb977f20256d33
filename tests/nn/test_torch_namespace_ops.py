"""nn ops exposed at the top level (torch.softmax, torch.conv2d, torch.batch_norm, ...) and as
Tensor methods, with torch's top-level signatures."""
import numpy as np
import torch

import ember
from _nn_helpers import compare, rand


def test_top_level_nn_ops_match_torch():
    x4, w4 = rand(2, 3, 6, 6, seed=1), rand(4, 3, 3, 3, seed=2)
    cases = [
        (lambda L, x: L.softmax(x, 1), [rand(3, 4)]),
        (lambda L, x: L.log_softmax(x, -1, dtype=L.float64), [rand(3, 4)]),
        (lambda L, x, w: L.conv2d(x, w, None, 2, 1), [x4, w4]),
        (lambda L, x, w: L.conv_transpose2d(x, w.transpose(0, 1)), [x4, w4]),
        (lambda L, x: L.max_pool2d(x, 2), [x4]),
        (lambda L, x: L.max_pool1d_with_indices(x, 2)[0], [rand(2, 3, 8)]),
        (lambda L, x: L.avg_pool1d(x, 3, 2), [rand(2, 3, 8)]),
        (lambda L, x: L.adaptive_max_pool1d(x, 3)[0], [rand(2, 3, 8)]),
        (lambda L, x, w, b: L.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), [x4, rand(3), rand(3)]),
        (lambda L, x, w, b: L.layer_norm(x, (6,), w, b), [x4, rand(6), rand(6)]),
        (lambda L, x: L.group_norm(x, 3), [x4]),
        (lambda L, x: L.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False), [x4]),
        (lambda L, w: L.embedding(w, L.tensor([[0, 2], [1, 1]])), [rand(4, 3)]),
        (lambda L, w: L.embedding(w, L.tensor([0, 2, 2]), 2), [rand(4, 3)]),
        (lambda L, a, b: L.cosine_similarity(a, b), [rand(3, 4), rand(3, 4, seed=3)]),
        (lambda L, a, b: L.pairwise_distance(a, b), [rand(3, 4), rand(3, 4, seed=4)]),
        (lambda L, a: L.pdist(a), [rand(4, 3)]),
        (lambda L, x: L.pixel_shuffle(x, 2), [rand(1, 8, 2, 2)]),
        (lambda L, x: L.selu(x), [rand(3, 4)]),
        (lambda L, x: L.celu(x, 0.5), [rand(3, 4)]),
        (lambda L, x, w: L.prelu(x, w), [rand(2, 3, 4), rand(3)]),
        (lambda L, x: L.threshold(x, 0.1, -1.0), [rand(3, 4)]),
        (lambda L, x: L.hardshrink(x, 0.3), [rand(3, 4)]),
        (lambda L, x: L.rrelu(x), [rand(3, 4)]),
        (lambda L, x: L.constant_pad_nd(x, (1, 2), 0.5), [rand(3, 4)]),
        (lambda L, x: L.rms_norm(x, (4,)), [rand(3, 4)]),
        (lambda L, x: L.dropout(x, 0.5, False), [rand(3, 4)]),
        (lambda L, x: x.softmax(0), [rand(3, 4)]),
        (lambda L, x: x.log_softmax(dim=1), [rand(3, 4)]),
        (lambda L, x: x.hardshrink(), [rand(3, 4)]),
        (lambda L, x, w: x.prelu(w), [rand(3, 4), rand(1)]),
    ]
    for fn, arrays in cases:
        compare(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), arrays, atol=1e-10)


def test_top_level_dropout_and_inplace_forms():
    ember.manual_seed(0)
    y = ember.dropout(ember.ones(100, 100), 0.5, True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    x = ember.randn(3, 4)
    before = x.numpy().copy()
    assert ember.relu_(x) is x
    np.testing.assert_array_equal(x.numpy(), np.maximum(before, 0))
    y = ember.feature_dropout(ember.ones(4, 8, 3), 0.5, True).numpy()
    assert ((y == 0).all(-1) | (y == 2).all(-1)).all()
