"""ember.utils.safetensors against safetensors.torch (the oracle), both directions."""
import sys

import ml_dtypes
import numpy as np
import pytest
import torch

pytest.importorskip('safetensors')
import safetensors.torch as st  # noqa: E402
from safetensors import safe_open  # noqa: E402

import ember  # noqa: E402
import ember.utils.safetensors as es  # noqa: E402

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64',
          'float16', 'bfloat16', 'float32', 'float64', 'complex64']


def sample(name, shape=(2, 3)):
    rng = np.random.default_rng(0)
    if name == 'bool':
        return rng.random(shape) > 0.5
    if 'int' in name:
        info = np.iinfo(name)
        return rng.integers(info.min, info.max, size=shape, dtype=name, endpoint=True)
    if name.startswith('complex'):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(name)
    return (rng.standard_normal(shape) * 10).astype(ml_dtypes.bfloat16 if name == 'bfloat16' else name)


def torch_from(a):
    if a.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(a.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(a.copy())


def tnp(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def same(e, t):
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    a, b = e.numpy(), tnp(t)
    if a.dtype == ml_dtypes.bfloat16:
        a, b = a.view(np.uint16), b.view(np.uint16)
    np.testing.assert_array_equal(a, b)


def test_files_both_ways(tmp_path):
    arrays = {name: sample(name) for name in DTYPES}
    arrays['scalar'] = np.array(3.5, np.float32)
    arrays['empty'] = np.zeros((0, 4), np.float32)
    st.save_file({k: torch_from(a) for k, a in arrays.items()}, tmp_path / 't.safetensors',
                 metadata={'format': 'pt'})
    e = es.load_file(tmp_path / 't.safetensors')
    t = st.load_file(tmp_path / 't.safetensors')
    assert sorted(e) == sorted(t)
    for k in t:
        same(e[k], t[k])
    es.save_file(e, tmp_path / 'e.safetensors', metadata={'who': 'ember'})
    back = st.load_file(tmp_path / 'e.safetensors')
    for k in t:
        same(e[k], back[k])
    with safe_open(tmp_path / 'e.safetensors', framework='np') as f:
        assert f.metadata() == {'who': 'ember'}
    # the loaded tensors are ordinary, writable ember tensors
    e['float32'].numpy()[0, 0] = 1.0


def test_bytes_both_ways():
    t = {'w': torch.arange(6.).reshape(2, 3), 'b': torch.tensor([1.5, -2], dtype=torch.bfloat16),
         'm': torch.tensor([True, False])}
    e = es.load(st.save(t))
    for k in t:
        same(e[k], t[k])
    back = st.load(es.save(e, metadata={'a': 'b'}))
    for k in t:
        same(e[k], back[k])
    e['w'].numpy()[0, 0] = 7.  # writable


def test_rejects_what_safetensors_torch_rejects(tmp_path):
    tb = torch.arange(6.)
    eb = ember.arange(6.)
    for lib_save, shared in ((st.save_file, {'a': tb, 'b': tb[:3]}), (es.save_file, {'a': eb, 'b': eb[:3]})):
        with pytest.raises(RuntimeError, match='Some tensors share memory'):
            lib_save(shared, tmp_path / 'x.safetensors')
    with pytest.raises(ValueError, match='non contiguous tensor: `t`'):
        st.save_file({'t': tb.reshape(2, 3).t()}, tmp_path / 'x.safetensors')
    with pytest.raises(ValueError, match='non contiguous tensor: `t`'):
        es.save_file({'t': eb.reshape(2, 3).t()}, tmp_path / 'x.safetensors')
    with pytest.raises(ValueError, match='expected torch.Tensor'):
        es.save_file({'t': [1, 2]}, tmp_path / 'x.safetensors')
    # disjoint halves of one buffer are fine, as in safetensors.torch
    es.save_file({'a': eb[:3], 'b': eb[3:]}, tmp_path / 'halves.safetensors')
    st.save_file({'a': tb[:3], 'b': tb[3:]}, tmp_path / 'halves_t.safetensors')
    assert torch.equal(st.load_file(tmp_path / 'halves.safetensors')['b'], torch.tensor([3., 4., 5.]))


class _TiedT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Linear(4, 3, bias=False)
        self.head = torch.nn.Linear(4, 3)
        self.head.weight = self.emb.weight

    def forward(self, x):
        return self.head(x) + self.emb(x)


class _TiedE(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = ember.nn.Linear(4, 3, bias=False)
        self.head = ember.nn.Linear(4, 3)
        self.head.weight = self.emb.weight

    def forward(self, x):
        return self.head(x) + self.emb(x)


def test_models_with_tied_weights_both_ways(tmp_path):
    torch.manual_seed(0)
    tm, em = _TiedT(), _TiedE()
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    st.save_model(tm, tmp_path / 't.safetensors')
    assert es.load_model(em, tmp_path / 't.safetensors') == (set(), [])
    assert em.head.weight is em.emb.weight
    np.testing.assert_allclose(em(ember.from_numpy(x)).detach().numpy(),
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    em2 = _TiedE()
    es.save_model(em2, tmp_path / 'e.safetensors')
    with safe_open(tmp_path / 'e.safetensors', framework='np') as f:
        with safe_open(tmp_path / 't.safetensors', framework='np') as g:
            assert sorted(f.keys()) == sorted(g.keys()) and f.metadata() == g.metadata()
    tm2 = _TiedT()
    assert st.load_model(tm2, tmp_path / 'e.safetensors') == (set(), [])
    np.testing.assert_allclose(tm2(torch.from_numpy(x)).detach().numpy(),
                               em2(ember.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_load_model_strict_errors_match(tmp_path):
    st.save_file({'weight': torch.zeros(3, 4), 'extra': torch.zeros(1)}, tmp_path / 'm.safetensors')
    with pytest.raises(RuntimeError) as te:
        st.load_model(torch.nn.Linear(4, 3), tmp_path / 'm.safetensors')
    with pytest.raises(RuntimeError) as ee:
        es.load_model(ember.nn.Linear(4, 3), tmp_path / 'm.safetensors')
    assert str(ee.value) == str(te.value)
    tmiss, tunexp = st.load_model(torch.nn.Linear(4, 3), tmp_path / 'm.safetensors', strict=False)
    emiss, eunexp = es.load_model(ember.nn.Linear(4, 3), tmp_path / 'm.safetensors', strict=False)
    assert (emiss, sorted(eunexp)) == (tmiss, sorted(tunexp))


def test_clear_error_without_the_package(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'safetensors', None)
    with pytest.raises(ImportError, match='pip install safetensors'):
        es.save_file({'a': ember.ones(1)}, tmp_path / 'a.safetensors')
    with pytest.raises(ImportError, match='pip install safetensors'):
        es.load(b'')
