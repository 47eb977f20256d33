"""ember.save / ember.load against torch.save / torch.load (the oracle), both directions."""
import collections
import io
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
import ember._weights_only_unpickler
import ember.serialization as es

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64',
          'float16', 'bfloat16', 'float32', 'float64', 'complex64', 'complex128']
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sample(name, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    if name == 'bool':
        return rng.random(shape) > 0.5
    if 'int' in name:
        info = np.iinfo(name)
        a = rng.integers(info.min, info.max, size=shape, dtype=name, endpoint=True)
        a.flat[0], a.flat[1] = info.max, info.min
        return a
    if name.startswith('complex'):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(name)
    a = (rng.standard_normal(shape) * 100).astype(ml_dtypes.bfloat16 if name == 'bfloat16' else name)
    a.flat[0], a.flat[1], a.flat[2] = np.inf, np.nan, -0.0
    return a


def torch_from(a):
    if a.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(a.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(a.copy())


def tnp(t):
    """torch tensor -> numpy, bit-exact (bfloat16 included)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def enp(e):
    return e.detach().numpy()


def same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.uint16) if a.dtype == ml_dtypes.bfloat16 else a,
                                  b.view(np.uint16) if b.dtype == ml_dtypes.bfloat16 else b)


def check_equal(e, t):
    """An ember object equals a torch object: same structure, types, dtypes and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
        assert e.requires_grad == t.requires_grad
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter)
        same(enp(e), tnp(t))
    elif isinstance(t, torch.Size):
        assert type(e) is ember.Size and tuple(e) == tuple(t)
    elif isinstance(t, torch.dtype):
        assert isinstance(e, ember.dtype) and str(e) == str(t)
    elif isinstance(t, torch.device):
        assert isinstance(e, ember.device) and str(e) == str(t)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            check_equal(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for x, y in zip(e, t):
            check_equal(x, y)
    else:
        assert type(e) is type(t) and e == t


def roundtrip_torch(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    buf.seek(0)
    return buf


# ----- every dtype, both directions ----------------------------------------------------------

@pytest.mark.parametrize('name', DTYPES)
def test_ember_to_torch_to_ember(name, tmp_path):
    a = sample(name)
    e = ember.from_numpy(a.copy())
    ember.save(e, tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    assert t.dtype == getattr(torch, name)
    same(tnp(t), a)
    torch.save(t, tmp_path / 't.pt')
    back = ember.load(tmp_path / 't.pt')
    check_equal(back, t)


@pytest.mark.parametrize('name', DTYPES)
def test_torch_to_ember_to_torch(name, tmp_path):
    t = torch_from(sample(name, (4, 5), seed=1))
    obj = {'full': t, 'view': t.t()[1:, ::2], 'scalar': t[2, 3]}
    torch.save(obj, tmp_path / 't.pt')
    e = ember.load(tmp_path / 't.pt')
    check_equal(e, obj)
    for k in obj:
        assert e[k].stride() == obj[k].stride() and e[k].storage_offset() == obj[k].storage_offset()
    ember.save(e, tmp_path / 'e.pt')
    back = torch.load(tmp_path / 'e.pt')
    for k in obj:
        same(tnp(back[k]), tnp(obj[k]))
        assert back[k].stride() == obj[k].stride()
        assert back[k].storage_offset() == obj[k].storage_offset()
    assert len({back[k].untyped_storage().data_ptr() for k in obj}) == 1


def _nested(lib, tensor):
    return {'list': [1, -2.5, 'text', None, True, b'\x00bytes', (1, (2, 3.0)), {'n': -7}],
            'od': collections.OrderedDict(z=1, a=[]), 'set': {1, 2, 3}, 'complex': 1 + 2j,
            'big': 2 ** 70, 'size': lib.Size([2, 3]), 'dtype': lib.float16, 'dev': lib.device('cpu'),
            'tensor': tensor, 'tensors': [tensor[0], (tensor[1],)], 'empty': tensor[:0]}


def test_nested_structures_both_ways(tmp_path):
    a = sample('float32')
    ember.save(_nested(ember, ember.from_numpy(a)), tmp_path / 'e.pt')
    expected_t = _nested(torch, torch.from_numpy(a))
    check_equal_mixed = torch.load(tmp_path / 'e.pt')
    assert check_equal_mixed.keys() == expected_t.keys()
    for k, v in expected_t.items():
        if isinstance(v, torch.Tensor):
            same(tnp(check_equal_mixed[k]), tnp(v))
        elif k != 'tensors':
            assert check_equal_mixed[k] == v and type(check_equal_mixed[k]) is type(v)
    torch.save(expected_t, tmp_path / 't.pt')
    check_equal(ember.load(tmp_path / 't.pt'), expected_t)


def test_parameters_and_requires_grad(tmp_path):
    p = ember.nn.Parameter(ember.from_numpy(sample('float32')))
    leaf = ember.from_numpy(sample('float64')).requires_grad_()
    ember.save({'p': p, 'leaf': leaf, 'p2': p}, tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    assert type(t['p']) is torch.nn.Parameter and t['p'].requires_grad and t['p2'] is t['p']
    assert type(t['leaf']) is torch.Tensor and t['leaf'].requires_grad
    torch.save(t, tmp_path / 't.pt')
    e = ember.load(tmp_path / 't.pt')
    check_equal(e, t)
    assert type(e['p']) is ember.nn.Parameter and e['p2'] is e['p']


def test_tensor_attributes_travel(tmp_path):
    t, p = torch.ones(2), torch.nn.Parameter(torch.zeros(1))
    t.foo, p.bar = 5, 'x'
    torch.save([t, p], tmp_path / 't.pt')
    e, ep = ember.load(tmp_path / 't.pt')
    assert e.foo == 5 and ep.bar == 'x' and type(ep) is ember.nn.Parameter
    ember.save([e, ep], tmp_path / 'e.pt')
    t2, p2 = torch.load(tmp_path / 'e.pt')
    assert t2.foo == 5 and p2.bar == 'x' and torch.equal(t2, t) and type(p2) is torch.nn.Parameter


# ----- storage sharing ----------------------------------------------------------------------

def _views(lib, base):
    return {'base': base, 'mat': base[2:8].reshape(2, 3), 'tr': base.reshape(3, 4).t(),
            'step': base[1::3], 'row': base.reshape(3, 4)[1]}


def test_sharing_ember_to_torch(tmp_path):
    ember.save(_views(ember, ember.arange(12.)), tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    expected = _views(torch, torch.arange(12.))
    assert len({v.untyped_storage().data_ptr() for v in t.values()}) == 1
    for k, v in expected.items():
        assert torch.equal(t[k], v) and t[k].stride() == v.stride()
        assert t[k].storage_offset() == v.storage_offset()
    t['base'][4] = 100.
    assert t['mat'][0, 2] == 100. and t['tr'][0, 1] == 100. and t['step'][1] == 100.
    assert t['row'][0] == 100.


def test_sharing_torch_to_ember(tmp_path):
    expected = _views(torch, torch.arange(12.))
    torch.save(expected, tmp_path / 't.pt')
    e = ember.load(tmp_path / 't.pt')
    for k, v in expected.items():
        same(enp(e[k]), tnp(v))
        assert e[k].stride() == v.stride() and e[k].storage_offset() == v.storage_offset()
    e['base'].numpy()[4] = 100.
    assert e['mat'][0, 2].item() == 100. and e['tr'][0, 1].item() == 100.
    assert e['step'][1].item() == 100. and e['row'][0].item() == 100.
    # and the sharing survives another trip through ember.save
    ember.save(e, tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    assert len({v.untyped_storage().data_ptr() for v in t.values()}) == 1


def test_views_of_different_dtypes_and_expand(tmp_path):
    base = ember.arange(6, dtype=ember.float32)
    obj = {'f': base, 'exp': base[:3].expand(2, 3), 'flip': ember.from_numpy(np.arange(5.)[::-1])}
    ember.save(obj, tmp_path / 'e.pt')
    t = torch.load(tmp_path / 'e.pt')
    assert torch.equal(t['exp'], torch.arange(3.).expand(2, 3)) and t['exp'].stride() == (0, 1)
    assert torch.equal(t['flip'], torch.arange(5., dtype=torch.float64).flip(0))


# ----- models and optimizers ------------------------------------------------------------------

def _twins():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3))
    return tm, em


def test_torch_state_dict_into_ember_model_and_back(tmp_path):
    tm, em = _twins()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    torch.save(tm.state_dict(), tmp_path / 't.pt')
    em.load_state_dict(ember.load(tmp_path / 't.pt'))
    np.testing.assert_allclose(enp(em(ember.from_numpy(x))), tm(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    em2 = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3))
    ember.save(em2.state_dict(), tmp_path / 'e.pt')
    tm.load_state_dict(torch.load(tmp_path / 'e.pt'))
    np.testing.assert_allclose(tm(torch.from_numpy(x)).detach().numpy(), enp(em2(ember.from_numpy(x))),
                               rtol=1e-6, atol=1e-6)


def test_optimizer_state_dict(tmp_path):
    tm, _ = _twins()
    opt = torch.optim.Adam(tm.parameters(), lr=0.01)
    tm(torch.ones(2, 4)).sum().backward()
    opt.step()
    torch.save(opt.state_dict(), tmp_path / 't.pt')
    check_equal(ember.load(tmp_path / 't.pt'), opt.state_dict())
    ember.save(ember.load(tmp_path / 't.pt'), tmp_path / 'e.pt')
    opt.load_state_dict(torch.load(tmp_path / 'e.pt'))
    # an ember optimizer's state_dict loads into the torch twin
    _, em = _twins()
    eopt = ember.optim.Adam(em.parameters(), lr=0.01)
    em(ember.ones(2, 4)).sum().backward()
    eopt.step()
    ember.save(eopt.state_dict(), tmp_path / 'eopt.pt')
    loaded = torch.load(tmp_path / 'eopt.pt')
    check_equal(eopt.state_dict(), loaded)
    opt.load_state_dict(loaded)


def test_whole_module(tmp_path):
    em = ember.nn.Linear(3, 2)
    ember.save(em, tmp_path / 'e.pt')
    with pytest.raises(pickle.UnpicklingError, match=r'ember\.nn\.modules\.linear\.Linear'):
        ember.load(tmp_path / 'e.pt')
    back = ember.load(tmp_path / 'e.pt', weights_only=False)
    assert type(back) is ember.nn.Linear
    x = ember.ones(1, 3)
    same(enp(back(x)), enp(em(x)))
    # a module saved by torch loads as its ember twin
    tm = torch.nn.Linear(3, 2)
    torch.save(tm, tmp_path / 't.pt')
    with pytest.raises(pickle.UnpicklingError):  # torch refuses it too, by default
        torch.load(tmp_path / 't.pt')
    with pytest.raises(pickle.UnpicklingError, match=r'torch\.nn\.modules\.linear\.Linear'):
        ember.load(tmp_path / 't.pt')
    twin = ember.load(tmp_path / 't.pt', weights_only=False)
    assert type(twin) is ember.nn.Linear
    np.testing.assert_allclose(enp(twin(x)), tm(torch.ones(1, 3)).detach().numpy(), rtol=1e-6)


def test_load_state_dict_wrong_shapes_names_every_key_and_changes_nothing():
    tm, em = _twins()
    bad = {k: v for k, v in tm.state_dict().items()}
    bad['0.weight'] = torch.zeros(8, 5)
    bad['2.bias'] = torch.zeros(4)
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict(bad)
    before = {k: enp(v).copy() for k, v in em.state_dict().items()}
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict({k: ember.from_numpy(v.numpy()) for k, v in bad.items()})
    for key in ('size mismatch for 0.weight', 'size mismatch for 2.bias'):
        assert key in str(te.value) and key in str(ee.value)
    assert str(ee.value) == str(te.value)
    for k, v in em.state_dict().items():
        same(enp(v), before[k])


# ----- weights-only safety ------------------------------------------------------------------

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class _Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return self.fn, (self.arg,)


@pytest.mark.parametrize('how', ['system', 'eval'])
def test_refuses_code_execution(how, tmp_path):
    marker = tmp_path / 'pwned'
    cmd = f'touch {marker}'
    evil = _Evil(os.system, cmd) if how == 'system' else \
        _Evil(eval, f"__import__('os').system({cmd!r})")
    torch.save({'w': torch.ones(2), 'x': evil}, tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(tmp_path / 'evil.pt')
    msg = str(err.value)
    assert ('posix.system' if how == 'system' else 'builtins.eval') in msg
    assert 'ember.serialization.add_safe_globals' in msg and 'safe_globals' in msg
    assert not marker.exists()


def test_refuses_code_in_legacy_format(tmp_path):
    marker = tmp_path / 'pwned'
    raw = b'\x80\x02cposix\nsystem\nq\x00X' + len(f'touch {marker}').to_bytes(4, 'little') + \
        f'touch {marker}'.encode() + b'q\x01\x85q\x02Rq\x03.'
    (tmp_path / 'evil.pt').write_bytes(raw)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError, match='posix.system'):
        ember.load(tmp_path / 'evil.pt')
    assert not marker.exists()


def _u(text):
    b = text.encode()
    return pickle.BINUNICODE + len(b).to_bytes(4, 'little') + b


def _checkpoint_with_pickle(path, pkl):
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('archive/data.pkl', pkl)
        z.writestr('archive/byteorder', b'little')
        z.writestr('archive/version', b'3\n')


P2 = pickle.PROTO + b'\x02'


@pytest.mark.parametrize('case', ['dtype', 'class', 'function'])
def test_refuses_build_on_shared_objects(case, tmp_path):
    target = {'dtype': b'torch\nfloat32\n', 'class': b'torch\ndevice\n',
              'function': b'torch._utils\n_rebuild_tensor_v2\n'}[case]
    attr = {'dtype': 'name', 'class': '__repr__', 'function': '__defaults__'}[case]
    # BUILD with slot state (None, {attr: set}) would setattr on the shared object
    pkl = (P2 + pickle.GLOBAL + target + pickle.NONE + pickle.EMPTY_DICT + _u(attr) +
           pickle.GLOBAL + b'builtins\nset\n' + pickle.SETITEM + pickle.TUPLE2 + pickle.BUILD +
           pickle.STOP)
    _checkpoint_with_pickle(tmp_path / 'x.pt', pkl)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / 'x.pt')
    with pytest.raises(pickle.UnpicklingError, match='Can only build'):
        ember.load(tmp_path / 'x.pt')
    assert ember.float32.name == 'float32' and repr(ember.device('cpu')) == "device(type='cpu')"
    assert ember._weights_only_unpickler._rebuild_tensor_v2.__defaults__ == (None,)


def test_refuses_calling_what_a_call_returned(tmp_path):
    marker = tmp_path / 'written.pt'
    # _get_layout('torch.save') must not hand out ember.save for the next REDUCE to call
    pkl = (P2 + pickle.GLOBAL + b'torch.serialization\n_get_layout\n' + _u('torch.save') +
           pickle.TUPLE1 + pickle.REDUCE + pickle.NONE + _u(str(marker)) + pickle.TUPLE2 +
           pickle.REDUCE + pickle.STOP)
    _checkpoint_with_pickle(tmp_path / 'x.pt', pkl)
    with pytest.raises(KeyError):  # torch's _get_layout knows only layouts too
        torch.load(tmp_path / 'x.pt')
    with pytest.raises(pickle.UnpicklingError, match='unknown layout'):
        ember.load(tmp_path / 'x.pt')
    assert not marker.exists()


def test_safe_globals_allow_list(tmp_path):
    torch.save({'p': Point(1, 2), 'w': torch.ones(1)}, tmp_path / 'p.pt')
    with pytest.raises(pickle.UnpicklingError, match=f'{__name__}.Point') as te:
        torch.load(tmp_path / 'p.pt')
    with pytest.raises(pickle.UnpicklingError, match=f'{__name__}.Point'):
        ember.load(tmp_path / 'p.pt')
    assert 'Unsupported global' in str(te.value)
    with es.safe_globals([Point]):
        assert Point in es.get_safe_globals()
        obj = ember.load(tmp_path / 'p.pt')
    assert type(obj['p']) is Point and (obj['p'].x, obj['p'].y) == (1, 2)
    assert Point not in es.get_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / 'p.pt')
    try:
        es.add_safe_globals([(Point, f'{__name__}.Point')])
        assert ember.load(tmp_path / 'p.pt')['p'].y == 2
    finally:
        es.clear_safe_globals()
    assert es.get_safe_globals() == []


# ----- crash safety and corrupt files --------------------------------------------------------

_CHILD = """
import os, sys, time, numpy as np
sys.path.insert(0, {repo!r})
import ember
if {hold!r}:
    def fsync(fd):
        print('ready', flush=True)
        time.sleep(60)
    os.fsync = fsync
else:
    print('ready', flush=True)
ember.save({{'w': ember.from_numpy(np.ones({n}, np.float32))}}, {path!r})
"""


@pytest.mark.parametrize('hold', [True, False])
def test_sigkill_mid_save_keeps_previous_file(hold, tmp_path):
    path = str(tmp_path / 'ckpt.pt')
    ember.save({'w': ember.arange(5.)}, path)
    n = 2 ** 25  # 128 MiB
    child = subprocess.Popen([sys.executable, '-c', _CHILD.format(repo=REPO, hold=hold, n=n, path=path)],
                             stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b'ready'
        if not hold:  # kill once the temporary file is partly written
            deadline = time.time() + 30
            while time.time() < deadline:
                tmps = [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]
                if tmps and os.path.getsize(tmp_path / tmps[0]) > 1 << 20:
                    break
                time.sleep(0.0005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    if child.returncode == 0:
        pytest.skip("the save finished before the kill could land")
    assert child.returncode == -signal.SIGKILL
    assert any(f.endswith('.tmp') for f in os.listdir(tmp_path))  # it was killed mid-save
    same(enp(ember.load(path)['w']), np.arange(5.).astype(np.float32))
    assert torch.equal(torch.load(path)['w'], torch.arange(5.))


def test_truncated_random_and_empty_files(tmp_path):
    path = tmp_path / 'ok.pt'
    ember.save({'w': ember.ones(1000)}, path)
    data = path.read_bytes()
    (tmp_path / 'trunc.pt').write_bytes(data[:len(data) // 2])
    with pytest.raises(RuntimeError, match='central directory'):
        torch.load(tmp_path / 'trunc.pt')
    with pytest.raises(RuntimeError, match='trunc.pt.*truncated'):
        ember.load(tmp_path / 'trunc.pt')
    with pytest.raises(RuntimeError, match='central directory'):
        ember.load(io.BytesIO(data[:-30]))
    (tmp_path / 'rand.pt').write_bytes(np.random.default_rng(0).bytes(1000))
    with pytest.raises(RuntimeError, match='rand.pt'):
        ember.load(tmp_path / 'rand.pt')
    (tmp_path / 'empty.pt').write_bytes(b'')
    with pytest.raises(RuntimeError, match='empty.pt'):
        ember.load(tmp_path / 'empty.pt')
    # one flipped byte inside the tensor data: the CRC catches it
    i = data.index(np.ones(4, np.float32).tobytes())
    (tmp_path / 'flip.pt').write_bytes(data[:i] + b'\x01' + data[i + 1:])
    with pytest.raises(RuntimeError, match='flip.pt'):
        ember.load(tmp_path / 'flip.pt')


def test_path_errors(tmp_path):
    with pytest.raises(RuntimeError, match='Parent directory .* does not exist'):
        torch.save(torch.ones(1), tmp_path / 'no' / 'x.pt')
    with pytest.raises(RuntimeError, match='Parent directory .* does not exist'):
        ember.save(ember.ones(1), tmp_path / 'no' / 'x.pt')
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / 'missing.pt')
    assert os.listdir(tmp_path) == []


# ----- map_location, mmap, file objects, formats ----------------------------------------------

def _rewrite(src, dst, fn):
    """Copy zip checkpoint `src` to `dst`, passing each record through fn(name, bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, fn(info.filename, zin.read(info.filename)))


def test_map_location(tmp_path):
    ember.save({'a': ember.arange(4.), 'b': ember.ones(2, dtype=ember.int64)}, tmp_path / 'e.pt')
    _rewrite(tmp_path / 'e.pt', tmp_path / 'cuda.pt', lambda n, b: b.replace(
        b'X\x03\x00\x00\x00cpu', b'X\x06\x00\x00\x00cuda:0') if n.endswith('data.pkl') else b)
    cuda = str(tmp_path / 'cuda.pt')
    if not torch.cuda.is_available() and not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match='Attempting to deserialize object on a CUDA device'):
            torch.load(cuda)
        with pytest.raises(RuntimeError, match='Attempting to deserialize object on a CUDA device'):
            ember.load(cuda)
    expected = torch.load(cuda, map_location='cpu')
    for ml in ('cpu', b'cpu', ember.device('cpu'), {'cuda:0': 'cpu'}, {'cuda:0': ember.device('cpu')},
               lambda storage, loc: storage):
        check_equal(ember.load(cuda, map_location=ml), expected)
    seen_e, seen_t = [], []
    ember.load(cuda, map_location=lambda s, loc: seen_e.append(loc) or s)
    torch.load(cuda, map_location=lambda s, loc: seen_t.append(loc) or s)
    assert seen_e == seen_t == ['cuda:0', 'cuda:0']
    with pytest.raises(TypeError):
        ember.load(cuda, map_location=3.5)


def test_mmap(tmp_path):
    path = tmp_path / 'e.pt'
    ember.save({'a': ember.arange(100.), 'b': ember.ones(3, 3)}, path)
    torch_view = torch.load(path, mmap=True)  # torch maps ember's file: records are aligned
    assert torch.equal(torch_view['a'], torch.arange(100.))
    e = ember.load(path, mmap=True)
    same(enp(e['a']), np.arange(100.).astype(np.float32))
    base = e['a'].numpy()
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap)
    e['a'].numpy()[:] = -1  # copy-on-write: the file keeps its data
    same(enp(ember.load(path)['a']), np.arange(100.).astype(np.float32))
    with pytest.raises(ValueError, match='must be a file path'):
        torch.load(io.BytesIO(path.read_bytes()), mmap=True)
    with pytest.raises(ValueError, match='must be a file path'):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_file_objects_and_alignment():
    buf = io.BytesIO()
    ember.save({'x': ember.arange(10, dtype=ember.int32)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert z.read('archive/byteorder') == b'little' and z.read('archive/version') == b'3\n'
        assert len(z.read('archive/.data/serialization_id')) == 40
        raw = buf.getvalue()
        for info in z.infolist():
            off = info.header_offset + 30 + int.from_bytes(raw[info.header_offset + 26:
                  info.header_offset + 28], 'little') + int.from_bytes(
                raw[info.header_offset + 28:info.header_offset + 30], 'little')
            assert off % 64 == 0, info.filename
    buf.seek(0)
    assert torch.equal(torch.load(buf)['x'], torch.arange(10, dtype=torch.int32))
    buf2 = roundtrip_torch({'x': torch.arange(3)})
    check_equal(ember.load(buf2), {'x': torch.arange(3)})


class _Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek, no tell."""

    def __init__(self, data=b''):
        self.buf = io.BytesIO(data)

    def writable(self):
        return True

    def readable(self):
        return True

    def seekable(self):
        return False

    def write(self, b):
        return self.buf.write(b)

    def readinto(self, mv):
        return self.buf.readinto(mv)


def test_unseekable_streams():
    out = _Unseekable()
    ember.save({'a': ember.arange(10.), 'b': ember.ones(3, dtype=ember.int64)}, out)
    data = out.buf.getvalue()
    expected = {'a': torch.arange(10.), 'b': torch.ones(3, dtype=torch.int64)}
    check_equal(ember.load(_Unseekable(data)), torch.load(io.BytesIO(data)))
    check_equal(ember.load(_Unseekable(data)), expected)


def test_legacy_format_both_ways(tmp_path):
    expected = _views(torch, torch.arange(12.))
    expected['p'] = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    torch.save(expected, tmp_path / 't.pt', _use_new_zipfile_serialization=False)
    e = ember.load(tmp_path / 't.pt')
    check_equal(e, expected)
    e['base'].numpy()[4] = 100.
    assert e['mat'][0, 2].item() == 100.
    ember.save(e, tmp_path / 'e.pt', _use_new_zipfile_serialization=False)
    back = torch.load(tmp_path / 'e.pt')
    assert back['mat'][0, 2] == 100. and back['base'].untyped_storage().data_ptr() == \
        back['row'].untyped_storage().data_ptr()
    with pytest.raises(RuntimeError, match='mmap can only be used'):
        ember.load(tmp_path / 't.pt', mmap=True)


def test_big_endian_file(tmp_path):
    ember.save({'f': ember.arange(6.), 'i': ember.arange(3, dtype=ember.int16)}, tmp_path / 'e.pt')
    # storage byte size -> dtype (24 bytes of float32, 6 bytes of int16)
    dtypes = {t.untyped_storage().nbytes(): t.numpy().dtype
              for t in torch.load(tmp_path / 'e.pt').values()}

    def swap(name, data):
        if name.endswith('/byteorder'):
            return b'big'
        if '/data/' in name:
            return np.frombuffer(data, dtypes[len(data)]).byteswap().tobytes()
        return data
    _rewrite(tmp_path / 'e.pt', tmp_path / 'big.pt', swap)
    expected = torch.load(tmp_path / 'big.pt')
    assert torch.equal(expected['f'], torch.arange(6.))
    check_equal(ember.load(tmp_path / 'big.pt'), expected)


def test_pickle_protocol_4_and_overwrite(tmp_path):
    path = tmp_path / 'e.pt'
    ember.save({'a': ember.ones(2), 'd': ember.float16, 's': ember.Size([1, 2])}, path, pickle_protocol=4)
    expected = {'a': torch.ones(2), 'd': torch.float16, 's': torch.Size([1, 2])}
    check_equal(ember.load(path), expected)
    got = torch.load(path, weights_only=False)
    assert torch.equal(got['a'], expected['a']) and got['d'] == torch.float16 and got['s'] == expected['s']
    os.chmod(path, 0o640)
    ember.save({'a': ember.zeros(2)}, path)  # replacing keeps the file's permissions
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert torch.equal(torch.load(path)['a'], torch.zeros(2))
    assert os.listdir(tmp_path) == ['e.pt']


_NO_TORCH_CHILD = r"""
import sys
sys.modules['torch'] = None  # any `import torch` now raises ImportError
sys.path.insert(0, {repo!r})
import ember
d = ember.load({src!r})
d['base'][2] = -7  # the view shares the storage: it sees the write
print(repr(d['view'][0].item()), d['bf16'].dtype, d['lst'][1], flush=True)
ember.save({{'x': d['base'][:3], 'bf16': d['bf16'] * 2, 'lst': d['lst']}}, {dst!r})
"""


def test_files_cross_without_torch_importable(tmp_path):
    # issue 7: ember reads torch's files, and writes files torch reads, with torch not importable
    src, dst = str(tmp_path / 'torch.pt'), str(tmp_path / 'ember.pt')
    base = torch.arange(6.)
    torch.save({'base': base, 'view': base[2:], 'lst': [1, 'two', None],
                'bf16': torch.tensor([1.5, -3.0], dtype=torch.bfloat16)}, src)
    r = subprocess.run([sys.executable, '-c', _NO_TORCH_CHILD.format(repo=REPO, src=src, dst=dst)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == ['-7.0', 'torch.bfloat16', 'two']
    back = torch.load(dst)
    assert torch.equal(back['x'], torch.tensor([0., 1., -7.]))
    assert back['bf16'].dtype == torch.bfloat16
    assert torch.equal(back['bf16'], torch.tensor([3., -6.], dtype=torch.bfloat16))
    assert back['lst'] == [1, 'two', None]
