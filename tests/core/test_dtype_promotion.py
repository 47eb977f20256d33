"""Type promotion against torch: every dtype pair, for dimensioned tensors, zero-dim tensors and
python scalars."""
import itertools

import numpy as np
import pytest
import torch

import ember

NAMES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32',
         'float64', 'complex64', 'complex128']


def _t(lib, name, zero_dim):
    dt = getattr(lib, name)
    return lib.ones((), dtype=dt) if zero_dim else lib.ones(2, dtype=dt)


@pytest.mark.parametrize('za,zb', [(False, False), (False, True), (True, False), (True, True)])
def test_tensor_tensor_promotion(za, zb):
    for a, b in itertools.product(NAMES, NAMES):
        if {a, b} & {'float16', 'bfloat16'} and {a, b} & {'complex64', 'complex128'} and (za != zb):
            continue  # torch answers complex32 (experimental ComplexHalf), which ember cannot store
        expect = (_t(torch, a, za) + _t(torch, b, zb)).dtype
        got = (_t(ember, a, za) + _t(ember, b, zb)).dtype
        assert repr(got) == repr(expect), (a, b, za, zb)


@pytest.mark.parametrize('scalar', [True, 2, 1.5, 1 + 2j])
def test_tensor_scalar_promotion(scalar):
    for a in NAMES:
        if a == 'bool' and isinstance(scalar, bool):
            continue
        if a in ('float16', 'bfloat16') and isinstance(scalar, complex):
            continue  # torch answers complex32 (experimental ComplexHalf), which ember cannot store
        expect = (_t(torch, a, False) * scalar).dtype
        got = (_t(ember, a, False) * scalar).dtype
        assert repr(got) == repr(expect), (a, scalar)


def test_promote_types_and_default_dtype():
    for a, b in itertools.product(NAMES, NAMES):
        assert repr(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
            repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.5]).dtype is ember.float64
        assert (ember.tensor([1, 2]) * 1.5).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_examples_from_the_issue():
    assert (ember.tensor([1, 2]) * 1.5).dtype is ember.float32
    assert (ember.tensor([1.], dtype=ember.float16) + 1.0).dtype is ember.float16
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor([True]).dtype is ember.bool
    assert ember.tensor(np.array([1.0])).dtype is ember.float64


def test_aliases_and_conversions():
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.int is ember.int32 and ember.half is ember.float16
    x = ember.tensor([1.7, -2.2])
    tx = torch.tensor([1.7, -2.2])
    for m in ('float', 'double', 'long', 'int', 'bool', 'half', 'bfloat16'):
        e, t = getattr(x, m)(), getattr(tx, m)()
        assert repr(e.dtype) == repr(t.dtype)
        assert e.tolist() == pytest.approx(t.tolist())
    assert x.type() == 'torch.FloatTensor'
    assert x.type(ember.float64).dtype is ember.float64
    assert x.type('torch.LongTensor').tolist() == [1, -2]
    assert x.to(ember.int32).dtype is ember.int32
    assert x.to(x) is x
    assert isinstance(x, ember.FloatTensor) and not isinstance(x, ember.LongTensor)
