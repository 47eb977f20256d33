"""Tensor.random_ and multinomial against torch (ranges, dtypes, errors, distributions)."""
from collections import Counter

import numpy as np
import pytest
import torch

import ember


def _same_error(fe, ft):
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(type(te.value)) as ee:
        fe()
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'float16', 'bfloat16',
                                   'float32', 'float64'])
def test_random_default_range_like_torch(dtype):
    e = ember.empty(4000, dtype=getattr(ember, dtype)).random_(generator=ember.Generator().manual_seed(0))
    t = torch.empty(4000, dtype=getattr(torch, dtype)).random_(generator=torch.Generator().manual_seed(0))
    assert str(e.dtype) == str(t.dtype)
    ev = np.array(e.tolist(), dtype=np.float64)
    tv = np.array(t.tolist(), dtype=np.float64)
    digits = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}
    bound = 1 if dtype == 'bool' else 2 ** digits[dtype] if dtype in digits else np.iinfo(dtype).max
    for v in (ev, tv):
        assert v.min() >= 0 and v.max() <= bound and v.max() > 0.9 * bound
    assert np.array_equal(ev, np.round(ev))


def test_random_bounds_like_torch():
    for args in [(5,), (3, 7), (-4, 2)]:
        e = ember.empty(2000, dtype=ember.int64).random_(*args)
        t = torch.empty(2000, dtype=torch.int64).random_(*args)
        assert set(e.tolist()) == set(t.tolist())
    e = ember.empty(1000).random_(2, generator=ember.Generator().manual_seed(1))
    assert set(e.tolist()) == {0.0, 1.0} and e.dtype == ember.float32
    s = ember.empty((), dtype=ember.int64).random_(generator=ember.Generator().manual_seed(3)).item()
    assert s == ember.empty((), dtype=ember.int64).random_(generator=ember.Generator().manual_seed(3)).item()
    assert 0 <= s < 2 ** 63


@pytest.mark.parametrize('dtype,args', [('float32', (5, 5)), ('int64', (3, 1)), ('uint8', (0, 300)),
                                        ('uint8', (-1, 3)), ('int8', (0, 200))])
def test_random_errors_like_torch(dtype, args):
    _same_error(lambda: ember.empty(3, dtype=getattr(ember, dtype)).random_(*args),
                lambda: torch.empty(3, dtype=getattr(torch, dtype)).random_(*args))


def test_random_is_in_place():
    x = ember.zeros(3)
    v = x._version
    assert x.random_(10) is x and x._version > v
    with pytest.raises(RuntimeError, match='leaf Variable'):
        ember.zeros(2, requires_grad=True).random_()


def test_multinomial_shapes_dtypes_like_torch():
    for w, n, repl in [([1.0, 2.0, 3.0], 2, False), ([1.0, 2.0, 3.0], 7, True), ([[1.0, 0.0], [0.0, 1.0]], 1, False),
                       ([[1.0, 1.0, 1.0]], 3, False)]:
        e = ember.multinomial(ember.tensor(w), n, repl)
        t = torch.multinomial(torch.tensor(w), n, repl)
        assert e.shape == t.shape and str(e.dtype) == str(t.dtype)
    assert ember.multinomial(ember.tensor([[1.0, 0.0], [0.0, 1.0]]), 1).tolist() == [[0], [1]]
    assert ember.tensor([0.0, 5.0]).multinomial(1).tolist() == [1]


def test_multinomial_distribution_and_reproducibility():
    w = ember.tensor([1.0, 0.0, 3.0])
    draws = ember.multinomial(w, 4000, True, generator=ember.Generator().manual_seed(0)).tolist()
    c = Counter(draws)
    assert c[1] == 0 and 0.70 < c[2] / 4000 < 0.80
    again = ember.multinomial(w, 4000, True, generator=ember.Generator().manual_seed(0)).tolist()
    assert draws == again
    # without replacement: distinct, and zero weights only after the positive ones
    for seed in range(20):
        out = ember.multinomial(ember.tensor([0.0, 1.0, 2.0, 0.0]), 4, generator=ember.Generator().manual_seed(seed))
        assert sorted(out.tolist()) == [0, 1, 2, 3] and set(out.tolist()[:2]) == {1, 2}
    # the first draw without replacement follows the weights
    first = Counter(ember.multinomial(ember.tensor([1.0, 3.0]), 1, generator=ember.Generator().manual_seed(s)).item()
                    for s in range(400))
    assert 0.65 < first[1] / 400 < 0.85


@pytest.mark.parametrize('w,n,repl', [([1, 2], 1, False), ([1.0, 2.0], 0, True), ([1.0, 2.0], 3, False),
                                      ([1.0, -2.0], 1, True), ([0.0, 0.0], 1, True), ([1.0, float('nan')], 1, True),
                                      ([[[1.0]]], 1, True), (1.0, 1, True)])
def test_multinomial_errors_like_torch(w, n, repl):
    _same_error(lambda: ember.multinomial(ember.tensor(w), n, repl), lambda: torch.multinomial(torch.tensor(w), n, repl))
