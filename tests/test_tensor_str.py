"""Tensor printing: ember's repr must be byte-identical to torch's for the same values."""
import math

import numpy as np
import pytest

torch = pytest.importorskip('torch')
ml_dtypes = pytest.importorskip('ml_dtypes')

import ember
from ember import _tensor_str
from ember._tensor import _wrap

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32',
          'float64', 'complex64', 'complex128']
_NP = {'bfloat16': ml_dtypes.bfloat16}


def np_dtype(name):
    return np.dtype(_NP.get(name, name))


def torch_of(a):
    if a.dtype == ml_dtypes.bfloat16:  # torch.from_numpy knows no bfloat16; float32 is exact
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a.copy())


@pytest.fixture(autouse=True)
def _reset_options():
    yield
    torch.set_printoptions(profile='default')
    ember.set_printoptions(profile='default')


def both_options(**opts):
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)


def assert_same(a, requires_grad=False):
    a = np.asarray(a)
    t = torch_of(a)
    e = _wrap(a)
    if requires_grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    expect = repr(t)
    got = repr(e)
    assert got == expect, f'\n{dict(_tensor_str.get_printoptions())}\nexpected:\n{expect}\ngot:\n{got}'
    assert str(e) == str(t)


# ---------------------------------------------------------------------------------------------
# random tensors


def _real_values(rng, n):
    kind = rng.integers(0, 7)
    if kind == 0:
        v = rng.standard_normal(n)
    elif kind == 1:
        v = rng.integers(-50, 50, n).astype(float)
    elif kind == 2:
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12)
    elif kind == 3:  # magnitudes spread over many decades: scientific notation
        v = np.exp(rng.uniform(-30, 30, n)) * rng.choice([-1, 1], n)
    elif kind == 4:  # integral but huge: integer mode vs scientific
        v = rng.integers(-3, 3, n) * 10.0 ** rng.integers(0, 10)
    elif kind == 5:
        v = rng.standard_normal(n).round(rng.integers(0, 6))
    else:
        v = np.zeros(n)
    if rng.random() < 0.3 and n:
        k = rng.integers(1, min(n, 4) + 1)
        v[rng.integers(0, n, k)] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], k)
    return v


def random_array(rng, name, shape):
    n = int(np.prod(shape))
    if name == 'bool':
        return np.asarray(rng.random(n).reshape(shape) < 0.5)
    if name.startswith(('int', 'uint')):
        info = np.iinfo(name)
        mag = rng.choice([10, 1000, info.max])
        v = rng.integers(max(info.min, -mag), min(info.max, mag), size=n, endpoint=True)
        return np.asarray(v.astype(name).reshape(shape))
    if name.startswith('complex'):
        v = np.empty(n, complex)
        v.real = _real_values(rng, n)
        v.imag = _real_values(rng, n)
    else:
        v = _real_values(rng, n)
    with np.errstate(all='ignore'):  # float16 overflow to inf is wanted
        return np.asarray(v.astype(np_dtype(name)).reshape(shape))


def random_options(rng):
    opts = {}
    if rng.random() < 0.4:
        opts['precision'] = int(rng.integers(0, 9))
    if rng.random() < 0.3:
        opts['threshold'] = int(rng.choice([0, 5, 20, 100, 1000]))
    if rng.random() < 0.3:
        opts['edgeitems'] = int(rng.integers(0, 5))
    if rng.random() < 0.3:
        opts['linewidth'] = int(rng.choice([10, 40, 80, 120, 200]))
    if rng.random() < 0.3:
        opts['sci_mode'] = bool(rng.random() < 0.5)
    return opts


@pytest.mark.parametrize('seed', range(16))
def test_random_tensors(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        name = str(rng.choice(DTYPES))
        nd = int(rng.integers(0, 5))
        if rng.random() < 0.1:
            shape = tuple(int(x) for x in rng.integers(0, 3, nd))
        else:
            shape = tuple(int(x) for x in rng.integers(1, [6, 8, 12, 40][-nd:], nd)) if nd else ()
        if nd and rng.random() < 0.1:  # big enough to be summarized
            shape = (int(rng.integers(900, 1200)),) + shape[1:]
        a = random_array(rng, name, shape)
        both_options(**random_options(rng))
        rg = name.startswith(('float', 'bfloat', 'complex')) and rng.random() < 0.2
        assert_same(a, requires_grad=rg)
        both_options(profile='default')


@pytest.mark.parametrize('shape', [(2000,), (40, 40), (1001,), (7, 8, 30), (3, 500), (500, 3),
                                   (2, 2, 2, 200), (10, 10, 10, 10), (1, 1, 1001)])
@pytest.mark.parametrize('name', ['float32', 'int64', 'bool', 'complex128', 'uint8'])
def test_summarized(shape, name):
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    a = random_array(rng, name, shape)
    for opts in [{}, dict(edgeitems=1), dict(edgeitems=5, linewidth=30), dict(profile='short'),
                 dict(threshold=10, edgeitems=0), dict(precision=0), dict(precision=12, sci_mode=True)]:
        both_options(**opts)
        assert_same(a)
        both_options(profile='default')


def test_huge_tensor_only_edges_are_formatted():
    a = np.arange(4_000_000, dtype=np.float32).reshape(2000, 2000) / 7
    assert_same(a)
    assert_same(a[:, :1])


# ---------------------------------------------------------------------------------------------
# specific values


@pytest.mark.parametrize('values', [
    [1e-5, 1.], [1e8, 1.], [1.1e8], [123456789.], [1e-4], [9.99999e-5], [0.00012, 1.], [1000.5, 1.],
    [1001., 1.], [1e3, 1.], [float('nan')], [float('-inf'), 2.5], [-0., 0.], [0.1, -0.], [0., 0.],
    [float('nan'), 0.], [float('inf'), 1.], [-1., 2.], [9.99995, 1.], [0.5, -0.00001], [1e-300, 1e300],
    [-1e-300, 3.], [1e100, -1e-100, float('nan')], [65504., 1.],
])
@pytest.mark.parametrize('name', ['float16', 'bfloat16', 'float32', 'float64'])
def test_special_floats(values, name):
    with np.errstate(all='ignore'):
        a = np.asarray(values, np.float64).astype(np_dtype(name))
    assert_same(a)
    assert_same(a[0].reshape(()))
    for sci in (True, False):
        both_options(sci_mode=sci)
        assert_same(a)
        assert_same(a[:1].reshape(()))


@pytest.mark.parametrize('value', [1 + 2j, -3.5 - 0j, complex(0, -0.0), complex(float('nan'), 1),
                                   complex(1e10, 1e-10), complex(float('inf'), -float('inf'))])
@pytest.mark.parametrize('name', ['complex64', 'complex128'])
def test_complex(value, name):
    assert_same(np.asarray([value, 1 - 1j], dtype=name))
    assert_same(np.asarray(value, dtype=name))
    both_options(sci_mode=True)
    assert_same(np.asarray([value, 2 + 0j], dtype=name))


@pytest.mark.parametrize('name', DTYPES + ['uint16', 'uint32', 'uint64'])
def test_extreme_ints_and_empty(name):
    if name.startswith(('int', 'uint')):
        info = np.iinfo(name)
        assert_same(np.asarray([info.min, 0, info.max], dtype=name))
        assert_same(np.asarray(info.max, dtype=name))
    for shape in [(0,), (0, 3), (2, 0, 1), (3, 0)]:
        assert_same(np.zeros(shape, np_dtype(name)))
        if name.startswith(('float', 'bfloat', 'complex')):
            assert_same(np.zeros(shape, np_dtype(name)), requires_grad=True)


def test_default_dtype_float64_changes_suffixes():
    old_t, old_e = torch.get_default_dtype(), ember.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        rng = np.random.default_rng(0)
        for name in DTYPES:
            for shape in [(0,), (3,), ()]:
                assert_same(random_array(rng, name, shape))
    finally:
        torch.set_default_dtype(old_t)
        ember.set_default_dtype(old_e)


def test_long_rows_wrap_and_suffixes_wrap():
    rng = np.random.default_rng(3)
    for linewidth in (20, 50, 80, 81, 82, 83, 90):
        both_options(linewidth=linewidth)
        for n in range(1, 14):
            a = rng.standard_normal(n) * 1000
            assert_same(a)                       # float64 suffix
            assert_same(a, requires_grad=True)   # and requires_grad after it
            assert_same(a.astype(np.float32).reshape(1, n), requires_grad=True)


# ---------------------------------------------------------------------------------------------
# autograd suffixes, subclasses, devices


def test_grad_fn_and_requires_grad():
    a = np.asarray([[1.5, -2.0], [3.25, 4.0]], dtype=np.float32)
    t, e = torch.from_numpy(a).requires_grad_(), ember.from_numpy(a).requires_grad_()
    assert repr(e) == repr(t)
    assert repr(e + 1) == repr(t + 1)
    assert repr(e * e) == repr(t * t)
    t64, e64 = t.double(), e.double()
    assert repr(e64) == repr(t64)
    with torch.no_grad(), ember.no_grad():
        assert repr(e + 1) == repr(t + 1)


def test_subclass_prefix():
    class MyTensor(torch.Tensor):
        pass

    torch_cls = MyTensor

    class MyTensor(ember.Tensor):  # noqa: F811  (same name: the name is what gets printed)
        pass

    a = np.asarray([1.0, 2.5, -3.0], dtype=np.float32)
    t = torch.Tensor._make_subclass(torch_cls, torch.from_numpy(a))
    e = ember.Tensor._make_subclass(MyTensor, ember.from_numpy(a))
    assert repr(t) == 'MyTensor([ 1.0000,  2.5000, -3.0000])'
    assert repr(e) == repr(t)


def test_parameter_repr():
    nn = pytest.importorskip('ember.nn')
    if not hasattr(nn, 'Parameter'):
        pytest.skip('ember.nn.Parameter not built yet')
    a = np.asarray([[0.5, -1.0]], dtype=np.float32)
    assert repr(nn.Parameter(ember.from_numpy(a))) == repr(torch.nn.Parameter(torch.from_numpy(a)))


def test_device_suffix(monkeypatch):
    # torch prints the device of any tensor that is not on the CPU, before dtype and grad suffixes.
    monkeypatch.setattr(ember.Tensor, 'device', property(lambda self: ember.device('cuda', 0)))
    x = ember.from_numpy(np.asarray([1.0, 2.0], dtype=np.float32))
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
    x = ember.from_numpy(np.asarray([1, 2], dtype=np.int32))
    assert repr(x) == "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    x = ember.from_numpy(np.zeros((0, 2), dtype=np.float64)).requires_grad_()
    assert repr(x) == ("tensor([], device='cuda:0', size=(0, 2), dtype=torch.float64,\n"
                       "       requires_grad=True)")


# ---------------------------------------------------------------------------------------------
# the options API


def test_printoptions_api_matches_torch():
    import torch._tensor_str as tts
    assert ember.get_printoptions() == tts.get_printoptions()
    for kwargs in [dict(precision=2), dict(profile='short'), dict(profile='full'), dict(sci_mode=True),
                   dict(precision=6, threshold=50, edgeitems=1, linewidth=60, sci_mode=False),
                   dict(profile='no-such-profile', precision=3), dict(linewidth=50)]:
        torch.set_printoptions(**kwargs)
        ember.set_printoptions(**kwargs)
        assert ember.get_printoptions() == tts.get_printoptions()
        # options persist, and omitting sci_mode resets it
        assert repr(_tensor_str.PRINT_OPTS) == repr(tts.PRINT_OPTS)


def test_printoptions_context_manager():
    import torch._tensor_str as tts
    both_options(precision=2, sci_mode=True)
    a = np.asarray([1.23456, 7.0], dtype=np.float32)
    with tts.printoptions(precision=6, linewidth=50), ember.printoptions(precision=6, linewidth=50):
        assert ember.get_printoptions() == tts.get_printoptions()
        assert repr(_wrap(a)) == repr(torch.from_numpy(a))
    assert ember.get_printoptions() == tts.get_printoptions()
    assert repr(_wrap(a)) == repr(torch.from_numpy(a))
    with pytest.raises(ZeroDivisionError):
        with ember.printoptions(precision=1):
            1 / 0
    assert ember.get_printoptions()['precision'] == 2
    with pytest.raises(TypeError):
        ember.set_printoptions(bogus=1)


def test_full_profile_prints_everything():
    a = np.arange(1500, dtype=np.int64)
    both_options(profile='full')
    assert_same(a)
    assert math.isinf(ember.get_printoptions()['threshold'])
