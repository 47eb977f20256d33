"""Helpers shared by the ember.utils.data tests: compare ember results with torch's."""
import collections.abc
import re

import numpy as np
import torch

import ember


def to_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x._data if hasattr(x, '_data') else x.numpy())


def assert_same(e, t, path='batch'):
    """`e` (ember) has torch's structure, container types, dtypes, shapes and values `t`."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: expected a Tensor, got {type(e).__name__}"
        assert str(e.dtype) == str(t.dtype), f"{path}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        np.testing.assert_array_equal(to_np(e), to_np(t), err_msg=path)
        return
    assert type(e).__name__ == type(t).__name__, f"{path}: {type(e).__name__} != {type(t).__name__}"
    if isinstance(t, (str, bytes, int, float, type(None))):
        assert e == t, f"{path}: {e!r} != {t!r}"
    elif isinstance(t, collections.abc.Mapping):
        assert list(e.keys()) == list(t.keys()), f"{path}: keys differ"
        for k in t:
            assert_same(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, collections.abc.Sequence):
        assert len(e) == len(t), f"{path}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(t, np.ndarray):
        np.testing.assert_array_equal(e, t)
    else:
        assert e == t, f"{path}: {e!r} != {t!r}"


def _normalize(msg):
    # object reprs hold addresses and module paths that legitimately differ
    msg = re.sub(r' at 0x[0-9a-f]+', '', msg)
    return re.sub(r'\b(torch|ember)\.utils\.data\.[\w.]*\.', '', msg)


def same_error(fe, ft):
    """Run `fe` (ember) and `ft` (torch); both must raise the same exception type with the same message."""
    errs = []
    for fn in (fe, ft):
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - the exception itself is under test
            errs.append(exc)
        else:
            errs.append(None)
    e, t = errs
    assert t is not None, "torch did not raise"
    assert e is not None, f"ember did not raise; torch raised {type(t).__name__}: {t}"
    assert type(e) is type(t), f"{type(e).__name__}: {e}  vs torch {type(t).__name__}: {t}"
    assert _normalize(str(e)) == _normalize(str(t)), f"{e!s}\n  vs torch\n{t!s}"
    return e
