"""torch.testing.assert_close: the same comparisons on ember and torch raise the same exception
type with the same message (or both pass)."""
import numpy as np
import pytest
import torch

import ember

nan, inf = float('nan'), float('inf')

CASES = [
    lambda L: ((L.tensor([1., 2., 3.]), L.tensor([1., 2.5, 3.])), {}),
    lambda L: ((L.tensor([[1., 2.], [3., 4]]), L.tensor([[1., 2.5], [3., 0]])), {}),
    lambda L: ((L.tensor([1, 2, 3]), L.tensor([1, 2, 4])), {}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 2., 3.])), {}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64)), {}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64)), {'check_dtype': False}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 2.1], dtype=L.float64)), {'check_dtype': False}),
    lambda L: ((1.0, 1.5), {}),
    lambda L: ((1, 2), {}),
    lambda L: ((L.tensor(1.0), 1.0), {}),
    lambda L: ((L.tensor([nan]), L.tensor([nan])), {}),
    lambda L: ((L.tensor([nan]), L.tensor([nan])), {'equal_nan': True}),
    lambda L: ((L.tensor([1.]), L.tensor([1.1])), {'rtol': 0.2}),
    lambda L: ((L.tensor([1.]), L.tensor([1.1])), {'atol': 0.2}),
    lambda L: ((L.tensor([1.]), L.tensor([1.1])), {'rtol': 0.2, 'atol': 0}),
    lambda L: (([L.tensor([1.]), L.tensor([2.])], [L.tensor([1.]), L.tensor([3.])]), {}),
    lambda L: (({'a': L.tensor([1.])}, {'a': L.tensor([2.])}), {}),
    lambda L: (({'a': [L.tensor([1.])]}, {'a': [L.tensor([2.])]}), {}),
    lambda L: (({'a': L.tensor([1.])}, {'b': L.tensor([1.])}), {}),
    lambda L: (([1.], [1., 2.]), {}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 3.])), {'msg': 'custom'}),
    lambda L: ((L.tensor([1., 2.]), L.tensor([1., 3.])), {'msg': lambda m: 'X' + m}),
    lambda L: ((np.array([1., 2.]), np.array([1., 3.])), {}),
    lambda L: ((np.array([1., 2.], np.float32), np.array([1., 2.00001], np.float32)), {}),
    lambda L: ((L.tensor([1., 2.]), np.array([1., 2.])), {}),
    lambda L: ((L.tensor([True, False]), L.tensor([True, True])), {}),
    lambda L: ((L.tensor([1., 2.], requires_grad=True), L.tensor([1., 2.])), {}),
    lambda L: ((L.tensor([1., 2.], dtype=L.bfloat16), L.tensor([1., 2.01], dtype=L.bfloat16)), {}),
    lambda L: ((L.tensor([1., 2.], dtype=L.bfloat16), L.tensor([1., 2.5], dtype=L.bfloat16)), {}),
    lambda L: ((L.tensor([1., 2.], dtype=L.float16), L.tensor([1., 2.01], dtype=L.float16)), {}),
    lambda L: ((L.tensor([1. + 1j]), L.tensor([1. + 2j])), {}),
    lambda L: ((L.tensor([1., inf]), L.tensor([1., inf])), {}),
    lambda L: ((L.tensor([1., inf]), L.tensor([1., -inf])), {}),
    lambda L: ((L.tensor([0., 1.]), L.tensor([1e-6, 1.])), {}),
    lambda L: ((L.ones(2, 3, 4), L.ones(2, 3, 4) + L.arange(24.).reshape(2, 3, 4) * 1e-3), {}),
    lambda L: ((L.tensor(1.), L.tensor(2.)), {}),
    lambda L: ((L.tensor(3), L.tensor(2)), {}),
    lambda L: ((L.tensor([1, 2], dtype=L.int32), L.tensor([1, 2])), {}),
    lambda L: ((1.0, 1), {}),
    lambda L: ((L.tensor([1., 2.]), [1., 2.]), {}),
    lambda L: ((L.tensor([2.]), L.tensor([1.])), {'rtol': 0., 'atol': 0.}),
    lambda L: ((L.tensor([3, 2]), L.tensor([1, 2])), {}),
    lambda L: ((L.tensor([7, 2]), L.tensor([3, 2])), {}),
    lambda L: ((L.tensor([[3, 2]]), L.tensor([[1, 2]])), {}),
    lambda L: ((True, False), {}),
    lambda L: ((None, None), {}),
    lambda L: (((1, 2), (1, 2)), {}),
    lambda L: (('a', 'a'), {}),
    lambda L: ((L.tensor([1., 2., 3., 4.]), L.tensor([1.5, 2., 3.5, 4.])), {}),
    lambda L: ((L.zeros(0), L.zeros(0)), {}),
]


def _outcome(lib, case):
    args, kw = case(lib)
    try:
        lib.testing.assert_close(*args, **kw)
    except Exception as e:  # noqa: BLE001 - the exception type is part of what is compared
        return type(e).__name__, str(e)
    return 'ok', ''


@pytest.mark.parametrize('i', range(len(CASES)))
def test_same_outcome_as_torch(i):
    assert _outcome(ember, CASES[i]) == _outcome(torch, CASES[i])


def test_default_tolerances_are_torchs():
    from ember.testing._comparison import default_tolerances
    pairs = {'float16': (1e-3, 1e-5), 'bfloat16': (1.6e-2, 1e-5), 'float32': (1.3e-6, 1e-5),
             'float64': (1e-7, 1e-7), 'int64': (0.0, 0.0)}
    for name, tol in pairs.items():
        assert default_tolerances(getattr(ember, name)) == tol
        # a value just inside the tolerance passes on both, just outside fails on both
        for factor, ok in ((0.5, True), (3.0, False)):
            if tol == (0.0, 0.0):
                continue
            x = 1.0 + factor * (tol[0] + tol[1])
            outs = []
            for lib in (torch, ember):
                try:
                    lib.testing.assert_close(lib.tensor([x], dtype=getattr(lib, name)),
                                             lib.tensor([1.0], dtype=getattr(lib, name)))
                    outs.append(True)
                except AssertionError:
                    outs.append(False)
            assert outs[0] == outs[1], (name, factor)
