"""DLPack and NumPy interop: zero-copy both ways with numpy and torch (the oracle)."""
import ml_dtypes
import numpy as np
import pytest
import torch
import torch.utils.dlpack as tdl

import ember
import ember.utils.dlpack as edl

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32',
          'float64', 'complex64', 'complex128']


def ember_sample(name):
    a = (np.arange(12).reshape(3, 4) % 5)
    a = a.astype(ml_dtypes.bfloat16 if name == 'bfloat16' else name)
    return ember.from_numpy(a), a


def tnp(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def _set_first(arr, value):
    arr.reshape(-1)[0] = value if arr.dtype != np.bool_ else not arr.reshape(-1)[0]


@pytest.mark.parametrize('name', DTYPES)
def test_ember_to_torch_zero_copy(name):
    e, a = ember_sample(name)
    t = torch.from_dlpack(e)
    assert str(t.dtype) == str(e.dtype) and t.shape == e.shape and t.stride() == e.stride()
    assert t.data_ptr() == e.data_ptr()
    np.testing.assert_array_equal(tnp(t).astype(np.float64) if name == 'bfloat16' else tnp(t),
                                  a.astype(np.float64) if name == 'bfloat16' else a)
    _set_first(e.numpy(), 3)
    assert tnp(t).reshape(-1)[0] == e.numpy().reshape(-1)[0]


@pytest.mark.parametrize('name', DTYPES)
def test_torch_to_ember_zero_copy(name):
    t = torch.from_numpy(np.arange(12).reshape(3, 4) % 5).to(getattr(torch, name))
    e = ember.from_dlpack(t)
    assert str(e.dtype) == str(t.dtype) and e.shape == t.shape and e.data_ptr() == t.data_ptr()
    view = ember.from_dlpack(t.t()[1:])  # strided views keep their strides
    assert view.stride() == t.t()[1:].stride() and view.data_ptr() == t.t()[1:].data_ptr()
    with torch.no_grad():
        t.view(-1)[0] = 1
    assert e.numpy().reshape(-1)[0] == tnp(t).reshape(-1)[0]


def test_capsules_both_ways():
    t = torch.arange(6.).reshape(2, 3)
    e = edl.from_dlpack(tdl.to_dlpack(t))
    assert e.data_ptr() == t.data_ptr() and e.tolist() == t.tolist()
    e2 = ember.arange(4, dtype=ember.bfloat16)
    t2 = tdl.from_dlpack(edl.to_dlpack(e2))
    assert t2.dtype == torch.bfloat16 and t2.data_ptr() == e2.data_ptr()
    assert t2.tolist() == [0., 1., 2., 3.]
    cap = tdl.to_dlpack(t)
    edl.from_dlpack(cap)
    with pytest.raises(RuntimeError, match='consumed only once'):
        edl.from_dlpack(cap)


def test_numpy_both_ways_and_memory_sharing():
    a = np.arange(6.).reshape(2, 3)
    e = ember.from_dlpack(a)
    a[0, 0] = 9.
    assert e[0, 0].item() == 9. and e.data_ptr() == a.ctypes.data
    back = np.from_dlpack(e)
    assert np.shares_memory(back, a)
    # from_numpy / numpy() / np.asarray share memory, as in torch
    f = ember.from_numpy(a)
    assert np.shares_memory(f.numpy(), a) and np.shares_memory(np.asarray(f), a)
    tt = torch.from_numpy(a)
    assert np.shares_memory(tt.numpy(), a) and np.shares_memory(np.asarray(tt), a)
    np.testing.assert_array_equal(np.asarray(ember.ones(2, 2)), np.asarray(torch.ones(2, 2)))


def test_device_and_errors_match_torch():
    assert tuple(int(x) for x in ember.ones(2).__dlpack_device__()) == \
        tuple(int(x) for x in torch.ones(2).__dlpack_device__())
    with pytest.raises(BufferError, match='require gradient') as te:
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError) as ee:
        ember.ones(2, requires_grad=True).__dlpack__()
    assert str(ee.value) == str(te.value)
    with pytest.raises(TypeError):
        ember.from_dlpack([1, 2, 3])
    assert ember.from_dlpack(ember.ones(2).detach()).tolist() == [1., 1.]


def test_cupy_zero_copy():
    cp = pytest.importorskip('cupy')
    if not ember.cuda.is_available():
        pytest.skip('no GPU')
    c = cp.arange(6, dtype=cp.float32)
    e = ember.from_dlpack(c)
    assert e.device.type == 'cuda' and e.data_ptr() == c.data.ptr
    back = cp.from_dlpack(e)
    assert back.data.ptr == c.data.ptr
