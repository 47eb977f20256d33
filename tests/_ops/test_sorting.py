"""Sorting and order statistics against torch beyond the op table: NaN ordering, stability,
ties, quantile shapes and interpolation, unique/searchsorted/histc/bincount forms and errors."""
import numpy as np
import pytest
import torch

import ember
from test_reductions import both, raises_like

NAN = np.nan


def test_sort_nan_and_stability():
    a = np.array([[3.0, NAN, 1.0, 3.0, -np.inf, NAN, 1.0], [2.0, 2.0, 2.0, np.inf, 0.0, -1.0, 2.0]])
    both(lambda m, x: (x.sort(stable=True), x.sort(dim=1, descending=True, stable=True), m.argsort(x, 0),
                       m.argsort(x, descending=True, stable=True), m.msort(x)), a)
    ints = np.array([[3, -9223372036854775808, 3, 0, 9223372036854775807]], dtype=np.int64)
    both(lambda m, x: (x.sort(descending=True, stable=True), x.sort(stable=True)), ints)
    both(lambda m, x: x.sort(descending=True, stable=True), np.array([True, False, True]))


def test_sort_gradient_and_names():
    a = np.random.default_rng(0).permutation(12).reshape(3, 4) * 0.5
    both(lambda m, x: x.sort(0, descending=True).values, a, grad=True)
    both(lambda m, x: x.topk(2, 0, largest=False).values, a, grad=True)
    both(lambda m, x: x.kthvalue(3, 1, keepdim=True).values, a, grad=True)
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        assert x.sort().values.grad_fn.name() == 'SortBackward0'
        assert x.sort(stable=True).values.grad_fn.name() == 'SortBackward1'
        assert x.topk(1).values.grad_fn.name() == 'TopkBackward0'


def test_topk_nan_and_unsorted():
    a = np.array([3.0, 1.0, NAN, 2.0, NAN, 5.0])
    both(lambda m, x: (x.topk(2), x.topk(3, largest=False), x.topk(0)), a)
    r = ember.tensor([4.0, 1.0, 3.0]).topk(2, sorted=False)
    assert sorted(r.values.tolist()) == [3.0, 4.0]


def test_median_mode_ties_and_nan():
    a = np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 1.0, 1.0]])
    both(lambda m, x: (x.median(), x.median(1).values, m.mode(x, 1), x.nanmedian()), a, grad=True)
    both(lambda m, x: (x.median(), x.nanmedian(), x.median(0).values, x.nanmedian(0).values),
         np.array([NAN, 1.0, NAN, 3.0]))
    both(lambda m, x: (x.nanmedian(1).values, x.nanmedian()), np.array([[NAN, NAN, NAN, NAN]]))
    both(lambda m, x: (x.median(), x.mode(), x.median(0)), np.array(2.5))
    both(lambda m, x: m.mode(x, 0), np.array([[1, 2], [1, 3], [2, 3], [2, 2]], dtype=np.int32))


@pytest.mark.parametrize('q', [0.25, [0.0, 0.1, 0.5, 1.0]])
@pytest.mark.parametrize('dim, keepdim', [(None, False), (None, True), (0, False), (1, True),
                                          (-1, False)])
@pytest.mark.parametrize('interp', ['linear', 'lower', 'higher', 'midpoint', 'nearest'])
def test_quantile_shapes_and_interpolation(q, dim, keepdim, interp):
    a = np.random.default_rng(1).standard_normal((3, 5))

    def fn(m, x):
        qq = m.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
        return (m.quantile(x, qq, dim, keepdim, interpolation=interp),
                x.nanquantile(qq, dim=dim, keepdim=keepdim, interpolation=interp))
    both(fn, a)
    both(lambda m, x: fn(m, x)[0], a.astype(np.float32), grad=True)


def test_quantile_nan_and_3d():
    a = np.random.default_rng(2).standard_normal((2, 3, 4))
    a[0, 1, 2] = NAN
    both(lambda m, x: (x.quantile(0.3, dim=1), x.nanquantile(0.7, dim=2, keepdim=True),
                       x.quantile(m.tensor([0.2, 0.9], dtype=m.float64), dim=0)), a)


@pytest.mark.parametrize('fn, exc, msg', [
    (lambda m: m.ones(3).quantile(1.5), RuntimeError, 'q must be in the range [0, 1] but got 1.5'),
    (lambda m: m.tensor([1, 2]).quantile(0.5), RuntimeError,
     'quantile() input tensor must be either float or double dtype'),
    (lambda m: m.ones(3).quantile(m.tensor([0.5], dtype=m.float64)), RuntimeError,
     'quantile() q tensor must be same dtype as the input tensor'),
    (lambda m: m.ones(3).quantile(0.5, interpolation='bad'), RuntimeError,
     'quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but '
     'got bad'),
    (lambda m: m.ones(1, 3).kthvalue(4), RuntimeError, 'kthvalue(): selected number k out of range'),
    (lambda m: m.ones(1, 3).topk(4), RuntimeError, 'selected index k out of range'),
    (lambda m: m.ones(2, 0).median(1), IndexError, 'median(): Expected reduction dim 1 to have'),
    (lambda m: m.ones(2, 0).mode(1), IndexError, 'mode(): Expected reduction dim 1 to have'),
    (lambda m: m.ones(2, dtype=m.complex64).sort(), RuntimeError, 'Sort does not support complex'),
    (lambda m: m.ones(2, 3).sort(2), IndexError, 'Dimension out of range'),
    (lambda m: m.searchsorted(m.tensor([1, 3]), m.tensor([2]), right=True, side='left'),
     RuntimeError, "side and right can't be set to opposites"),
    (lambda m: m.searchsorted(m.ones(2, 3), m.ones(3)), RuntimeError,
     'boundaries tensor should be 1 dimension or the first N-1 dimensions'),
    (lambda m: m.bucketize(m.ones(3), m.ones(1, 3)), RuntimeError,
     'boundaries tensor must be 1 dimension, but got dim(2)'),
    (lambda m: m.bincount(m.tensor([-1, 2])), RuntimeError,
     'bincount only supports 1-d non-negative integral inputs.'),
    (lambda m: m.bincount(m.tensor([1.0])), NotImplementedError, '"bincount_cpu" not implemented'),
    (lambda m: m.histc(m.tensor([1, 2])), NotImplementedError, '"histogram_cpu" not implemented'),
])
def test_errors(fn, exc, msg):
    raises_like(fn, exc, msg)


def test_unique_forms():
    a = np.array([[3, 1, 2], [1, 3, 3]], dtype=np.int64)
    both(lambda m, x: (m.unique(x), m.unique(x, sorted=False, return_inverse=True),
                       x.unique(return_counts=True), m.unique(x, dim=1, return_inverse=True),
                       m.unique(x, return_inverse=True, return_counts=True, dim=0)), a)
    both(lambda m, x: (m.unique_consecutive(x), x.unique_consecutive(return_counts=True, dim=1)),
         np.array([[1, 1, 2, 2], [1, 1, 2, 3]]))
    both(lambda m, x: (x.unique(return_inverse=True, return_counts=True),
                       x.unique_consecutive(return_inverse=True)), np.zeros((0,)))
    e = ember.unique(ember.tensor([1.0, 2.0], requires_grad=True))
    assert not e.requires_grad


def test_searchsorted_bucketize_forms():
    seq = np.array([1.0, 2.0, 2.0, 4.0])
    v = np.array([[2.0, 0.0], [5.0, 2.0]])
    both(lambda m, s, x: (m.searchsorted(s, x), m.searchsorted(s, x, right=True),
                          m.searchsorted(s, x, side='left', out_int32=True),
                          m.bucketize(x, s), m.bucketize(x, s, right=True, out_int32=True),
                          m.searchsorted(s, 2.0), m.bucketize(4.0, s)), seq, v)
    out = ember.empty(0, dtype=ember.long)
    r = ember.searchsorted(ember.tensor(seq), ember.tensor([3.0]), out=out)
    assert r is out and out.tolist() == [3]


def test_histc_bincount_values():
    x = np.random.default_rng(3).uniform(-2, 3, 50).astype(np.float32)
    both(lambda m, t: (m.histc(t, 7), t.histc(5, min=-1, max=1), m.histc(t * 0, 3)), x)
    idx = np.array([0, 3, 3, 1, 7])
    w = np.array([0.5, 1.0, 2.0, 1.5, 3.0])
    both(lambda m, i, ww: (m.bincount(i), i.bincount(ww), m.bincount(i, minlength=10),
                           m.bincount(i, ww.float())), idx, w)
