"""ember.testing: torch.testing's assert_close (and the deprecated assert_allclose)."""
import warnings

from ._comparison import assert_close  # noqa: F401

__all__ = ['assert_close', 'assert_allclose']


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=''):
    """The deprecated torch.testing.assert_allclose: assert_close without dtype checks."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in "
                  "a future release. Please use `torch.testing.assert_close()` instead.",
                  FutureWarning, stacklevel=2)
    from .. import as_tensor, Tensor
    if not isinstance(actual, Tensor):
        actual = as_tensor(actual)
    if not isinstance(expected, Tensor):
        expected = as_tensor(expected, dtype=actual.dtype)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)


from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.testing')
