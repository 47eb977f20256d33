"""The small-array helpers of the hot paths give exactly what the plain NumPy spelling gives."""
import ml_dtypes
import numpy as np
import pytest

from ember._ops import _fastmath as fm


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.float16, ml_dtypes.bfloat16, np.int64])
@pytest.mark.parametrize('shapes', [((4, 3), (3, 2)), ((1, 5), (5, 1)), ((0, 3), (3, 2)), ((6, 0), (0, 4))])
def test_mm_matches_matmul(dtype, shapes):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shapes[0]) * 4).astype(dtype)
    b = (rng.standard_normal(shapes[1]) * 4).astype(dtype)
    out = fm.mm(a, b)
    ref = (a @ b).astype(a.dtype)  # (NumPy returns float32 for bfloat16; torch keeps bfloat16)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    np.testing.assert_array_equal(out.astype(np.float64), ref.astype(np.float64))


def test_mm_transposed_and_mixed_operands():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(fm.mm(x, w.T), x @ w.T, rtol=1e-6)
    # mixed dtypes are not the fast path: NumPy's promotion applies
    assert fm.mm(x, w.T.astype(np.float64)).dtype == np.float64


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.float16, np.int32])
@pytest.mark.parametrize('rows', [0, 1, 4, 300])
def test_col_sums_matches_sum(dtype, rows):
    g = (np.random.default_rng(rows).standard_normal((rows, 3)) * 3).astype(dtype)
    out = fm.col_sums(g)
    ref = g.sum(0)
    assert out.dtype == ref.dtype and out.shape == (3,)
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64), rtol=1e-5, atol=1e-5)


def test_col_sums_cache_stays_bounded_and_read_only():
    for n in range(1, 200):
        fm.col_sums(np.ones((n, 2), np.float32))
    assert len(fm._ones) <= 64
    assert all(not v.flags.writeable for v in fm._ones.values())
    # past the cached length: still right, nothing cached
    big = np.ones((fm._ONES_MAX + 1, 2), np.float32)
    np.testing.assert_array_equal(fm.col_sums(big), [fm._ONES_MAX + 1] * 2)
    assert all(v.shape[0] <= fm._ONES_MAX for v in fm._ones.values())


def test_constants_are_shared_read_only_and_typed():
    one = fm.one(np.dtype(np.float32))
    assert one is fm.one(np.dtype(np.float32))
    assert one.dtype == np.float32 and one.shape == () and one == 1
    with pytest.raises(ValueError):
        one[...] = 2
    x = np.array([0.25, 0.5], np.float32)
    assert (one - x).dtype == np.float32
    half = fm.const(0.5, np.dtype(np.float64))
    assert half.dtype == np.float64 and half == 0.5


def test_ignore_overflow_silences_only_overflow_and_restores():
    import warnings
    big = np.float32(1000)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with np.errstate(divide='raise', over='raise'):
            token = fm.ignore_overflow()
            try:
                assert np.exp(big) == np.inf  # neither warns nor raises
                with pytest.raises(FloatingPointError):  # the caller's divide setting stays
                    np.float32(1) / np.float32(0)
            finally:
                fm.restore(token)
            with pytest.raises(FloatingPointError):  # and overflow raises again afterwards
                np.exp(big)
        with pytest.raises(RuntimeWarning):  # NumPy's default state is back too
            np.exp(big)


def test_sigmoid_of_huge_inputs_is_silent_and_matches_torch():
    import warnings
    import torch
    import ember
    x = np.array([-1e4, -100.0, -88.5, 0.0, 88.5, 1e4], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        got = ember.sigmoid(ember.tensor(x)).numpy()
    np.testing.assert_array_equal(got, torch.sigmoid(torch.from_numpy(x)).numpy())


def test_exp_ignoring_overflow_in_place_and_state_restored():
    a = np.array([0.0, 1000.0, -1000.0], np.float32)
    with np.errstate(over='raise'):
        out = fm.exp_ignoring_overflow_(a)
        assert out is a
        np.testing.assert_array_equal(a, [1.0, np.inf, 0.0])
        with pytest.raises(FloatingPointError):
            np.exp(np.float32(1000))


def test_overflow_helpers_fall_back_to_errstate(monkeypatch):
    # another NumPy layout without the error-state variable: np.errstate does the same job
    import warnings
    monkeypatch.setattr(fm, '_err_state', None)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        a = np.array([1000.0, 0.0], np.float32)
        assert fm.exp_ignoring_overflow_(a) is a and a[0] == np.inf and a[1] == 1.0
        token = fm.ignore_overflow()
        try:
            assert np.exp(np.float32(1000)) == np.inf
        finally:
            fm.restore(token)
        with pytest.raises(RuntimeWarning):
            np.exp(np.float32(1000))
