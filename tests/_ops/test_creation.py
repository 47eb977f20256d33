"""Creation and conversion against torch: values (bit-exact float32 arange/linspace), dtypes, the
new_* family, to/type_as/copy_, strides and storage queries, tensor() inference and its errors."""
import numpy as np
import pytest
import torch

import ember
from _oracle import check, check_error, assert_same


def _same(e, t, exact=True):
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    a, b = np.asarray(e.tolist()), np.asarray(t.tolist())
    if exact:
        assert np.array_equal(a, b, equal_nan=True), (a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-6)


CREATE = [
    ('arange_int', lambda L: L.arange(5)),
    ('arange_start_step', lambda L: L.arange(1, 10, 3)),
    ('arange_neg', lambda L: L.arange(5, -3, -2)),
    ('arange_float', lambda L: L.arange(0, 1, 0.1)),
    ('arange_float_neg', lambda L: L.arange(1.5, -2.0, -0.3)),
    ('arange_f64', lambda L: L.arange(0, 2, 0.25, dtype=L.float64)),
    ('arange_dtype_int', lambda L: L.arange(0.0, 5.0, dtype=L.int32)),
    ('arange_tensor', lambda L: L.arange(L.tensor(4))),
    ('arange_empty', lambda L: L.arange(3, 3)),
    ('arange_long_float', lambda L: L.arange(-3.7, 12.9, 0.7)),
    ('linspace', lambda L: L.linspace(0, 1, 11)),
    ('linspace_odd', lambda L: L.linspace(-3.3, 7.1, 17)),
    ('linspace_big', lambda L: L.linspace(0.1, 1000.7, 1001)),
    ('linspace_one', lambda L: L.linspace(2, 5, 1)),
    ('linspace_zero', lambda L: L.linspace(2, 5, 0)),
    ('linspace_f64', lambda L: L.linspace(0, 1, 7, dtype=L.float64)),
    ('linspace_int', lambda L: L.linspace(0, 10, 4, dtype=L.int64)),
    ('linspace_desc', lambda L: L.linspace(5, -5, 9)),
    ('logspace', lambda L: L.logspace(0, 3, 4)),
    ('logspace_base2', lambda L: L.logspace(-2, 2, 5, base=2)),
    ('full_float', lambda L: L.full((2, 3), 1.5)),
    ('full_int', lambda L: L.full((2,), 7)),
    ('full_bool', lambda L: L.full((2,), True)),
    ('full_dtype', lambda L: L.full([3], 2, dtype=L.float16)),
    ('zeros', lambda L: L.zeros(2, 3)),
    ('zeros_tuple', lambda L: L.zeros((2, 3), dtype=L.int32)),
    ('ones', lambda L: L.ones([4], dtype=L.bool)),
    ('empty_shape', lambda L: L.empty(0, 3).shape),
    ('zeros_like', lambda L: L.zeros_like(L.ones(2, dtype=L.int16))),
    ('ones_like', lambda L: L.ones_like(L.ones(2), dtype=L.float64)),
    ('full_like', lambda L: L.full_like(L.ones(2, 2), 3.5)),
    ('full_like_int', lambda L: L.full_like(L.ones(2, dtype=L.long), 3.9)),
    ('eye', lambda L: L.eye(3)),
    ('eye_rect', lambda L: L.eye(2, 4, dtype=L.int64)),
    ('new_zeros', lambda L: L.ones(2, dtype=L.float64).new_zeros(3, 2)),
    ('new_ones', lambda L: L.ones(2, dtype=L.int32).new_ones((2,))),
    ('new_full', lambda L: L.ones(2).new_full((2, 2), 4)),
    ('new_empty_shape', lambda L: L.ones(2, dtype=L.float16).new_empty(3).shape),
    ('new_tensor', lambda L: L.ones(2, dtype=L.float64).new_tensor([1, 2])),
    ('new_tensor_dtype', lambda L: L.ones(2).new_tensor([1, 2], dtype=L.int8)),
    ('tensor_int', lambda L: L.tensor([1, 2, 3])),
    ('tensor_float', lambda L: L.tensor([[1., 2], [3, 4]])),
    ('tensor_mixed', lambda L: L.tensor([1, 2.5])),
    ('tensor_bool', lambda L: L.tensor([True, False])),
    ('tensor_bool_int', lambda L: L.tensor([True, 2])),
    ('tensor_complex', lambda L: L.tensor([1 + 2j, 3])),
    ('tensor_scalar', lambda L: L.tensor(3.5)),
    ('tensor_empty', lambda L: L.tensor([])),
    ('tensor_empty_nested', lambda L: L.tensor([[], []])),
    ('tensor_np_f32', lambda L: L.tensor(np.array([1, 2], dtype=np.float32))),
    ('tensor_np_i32', lambda L: L.tensor(np.array([1, 2], dtype=np.int32))),
    ('tensor_np_scalar', lambda L: L.tensor(np.float64(2.5))),
    ('tensor_of_tensors', lambda L: L.tensor([L.tensor(1.5), L.tensor(2.0)])),
    ('tensor_tuple', lambda L: L.tensor(((1, 2), (3, 4)), dtype=L.float64)),
    ('as_tensor', lambda L: L.as_tensor([1, 2], dtype=L.float32)),
    ('scalar_tensor', lambda L: L.scalar_tensor(3)),
]


@pytest.mark.parametrize('name,fn', CREATE, ids=[c[0] for c in CREATE])
def test_creation(name, fn):
    e, t = fn(ember), fn(torch)
    if isinstance(t, torch.Size):
        assert tuple(e) == tuple(t)
        return
    _same(e, t, exact=not name.startswith(('logspace',)))


def test_default_dtype_changes_inference():
    prev = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for fn in (lambda L: L.tensor([1.5]), lambda L: L.arange(0, 1, 0.5), lambda L: L.linspace(0, 1, 3),
                   lambda L: L.zeros(2), lambda L: L.full((1,), 2.0), lambda L: L.tensor([1 + 1j])):
            _same(fn(ember), fn(torch))
    finally:
        ember.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


def test_requires_grad_and_device_args():
    for L in (torch, ember):
        x = L.zeros(2, requires_grad=True, device='cpu')
        assert x.requires_grad and x.is_leaf and str(x.device) == 'cpu'
        y = L.arange(0., 3., requires_grad=True)
        assert y.requires_grad
        z = L.eye(2, requires_grad=True)
        assert z.requires_grad


def test_out_arguments():
    for L in (torch, ember):
        o = L.empty(3)
        L.arange(3, out=o)
        assert o.tolist() == [0, 1, 2]
        o2 = L.zeros(2, dtype=L.float64)
        L.zeros(2, out=o2)
        assert o2.dtype == L.float64


def test_conversion_to_and_type_as():
    e = ember.tensor([1.5, -2.0])
    t = torch.tensor([1.5, -2.0])
    for args in [(ember.float64,), (ember.int32,), ('cpu',), ('cpu', ember.float16)]:
        targs = tuple(getattr(torch, a.name) if isinstance(a, ember.dtype) else a for a in args)
        _same(e.to(*args), t.to(*targs))
    _same(e.to(ember.ones(1, dtype=ember.int64)), t.to(torch.ones(1, dtype=torch.int64)))
    _same(e.to(dtype=ember.float64), t.to(dtype=torch.float64))
    assert e.to(ember.float32) is e and t.to(torch.float32) is t
    c = e.to(ember.float32, copy=True)
    assert c is not e and not np.shares_memory(c._data, e._data)
    _same(e.type_as(ember.ones(1, dtype=ember.int16)), t.type_as(torch.ones(1, dtype=torch.int16)))
    assert e.type() == t.type() == 'torch.FloatTensor'
    _same(e.type(ember.float64), t.type(torch.float64))
    _same(e.type('torch.IntTensor'), t.type('torch.IntTensor'))
    for m in ('float', 'double', 'half', 'long', 'int', 'short', 'char', 'byte', 'bool', 'bfloat16'):
        _same(getattr(e, m)(), getattr(t, m)(), exact=m != 'bfloat16')
    check(lambda L, x: x.to(L.float32) * 2, np.array([1.0, 2.0]), double=True)
    check(lambda L, x, y: x.type_as(y), np.array([1.0, 2.0]), np.array([1.0], dtype=np.float32))


def test_copy_and_clone():
    for L in (torch, ember):
        x = L.zeros(2, 3)
        r = x.copy_(L.tensor([1, 2, 3]))           # broadcast + dtype conversion
        assert r is x and x.tolist() == [[1, 2, 3]] * 2
        x.copy_(L.tensor(5.0, dtype=L.float64))
        assert x.tolist() == [[5] * 3] * 2
        y = x.t().clone(memory_format=L.contiguous_format)
        assert y.is_contiguous() and y.shape == (3, 2)
        z = x.clone(memory_format=L.preserve_format)
        assert z.tolist() == x.tolist()
    check(lambda L, a, b: L.zeros(2, 3, dtype=L.float64).copy_(b) * a, np.ones((2, 3)), np.array([1., 2, 3]),
          double=True, grad_fn=False)
    check_error(lambda L: L.zeros(2, 3).copy_(L.ones(4)))


def test_strides_and_storage_queries():
    for L in (torch, ember):
        x = L.arange(24, dtype=L.float32).reshape(2, 3, 4)
        assert x.stride() == (12, 4, 1) and x.stride(1) == 4 and x.stride(-1) == 1
        assert x.is_contiguous() and not x.transpose(0, 2).is_contiguous()
        assert x.transpose(0, 2).stride() == (1, 4, 12)
        assert x[1].storage_offset() == 12 and x[:, 1, 2:].storage_offset() == 6
        assert x[0, ::2].stride() == (8, 1)
        assert x.element_size() == 4 and x.nbytes == 96 and x.itemsize == 4
        assert x.double().element_size() == 8 and L.ones(3, dtype=L.bool).element_size() == 1
        assert x[1].data_ptr() == x.data_ptr() + 12 * 4
        assert x.view(-1).data_ptr() == x.data_ptr()
        assert x.is_floating_point() and not x.long().is_floating_point()
        assert L.is_floating_point(x) and not L.ones(1, dtype=L.complex64).is_floating_point()
        assert x.expand(2, 2, 3, 4).stride() == (0, 12, 4, 1)


def test_tensor_errors():
    check_error(lambda L: L.tensor([[1, 2], [3]]))
    check_error(lambda L: L.tensor([[1, 2], [3, 4, 5]]))
    check_error(lambda L: L.tensor([1, 'a']))
    check_error(lambda L: L.tensor([[1, 2], 3]))
    check_error(lambda L: L.zeros(-1))
    check_error(lambda L: L.arange(0, 5, 0))
    check_error(lambda L: L.arange(0, 5, -1))
    check_error(lambda L: L.linspace(0, 1, -1))
    check_error(lambda L: L.eye(-1))
    check_error(lambda L: L.full((2,), 1.5, dtype=L.bool).add_(L.ones(2)), match='result type')


# ----- keyword forms found by test_api_coverage ----------------------------------------------

def test_size_keyword_forms():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for L in (torch, ember):
        x = L.tensor(a)
        outs = [L.zeros(size=(2, 3), dtype=L.int32), L.ones(size=[1, 2]), L.empty(size=(2,)).shape,
                x.new_zeros(size=(2,)), x.new_ones(size=(1, 3), dtype=L.int64), x.new_empty(size=(4,)).shape,
                x.new_zeros(2, 3), x.new_ones((2,))]
        if L is torch:
            ref = outs
        else:
            for e, t in zip(outs, ref):
                if isinstance(t, torch.Tensor):
                    assert str(e.dtype) == str(t.dtype) and e.tolist() == t.tolist()
                else:
                    assert tuple(e) == tuple(t)
    with pytest.raises(TypeError):
        ember.zeros(2, size=(2,))
    with pytest.raises(TypeError, match='new_zeros'):
        ember.ones(1).new_zeros(2, sizes=(2,))


def test_to_tensor_keyword_and_copy_other_keyword():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for L in (torch, ember):
        x, i = L.tensor(a), L.tensor([1, 2])
        r = (x.to(tensor=i).dtype, x.to(i).dtype, x.clone().copy_(other=L.ones(3)).tolist(),
             x.clone().copy_(L.ones(3), non_blocking=False).tolist())
        if L is torch:
            ref = r
        else:
            assert (str(r[0]), str(r[1])) == (str(ref[0]), str(ref[1])) and r[2:] == ref[2:]
    with pytest.raises(TypeError):
        ember.ones(2).copy_()
    with pytest.raises(TypeError):
        ember.ones(2).copy_(src=ember.ones(2), bogus=1)
    # copy_ keeps its gradient through the keyword form
    w = ember.ones(3, requires_grad=True)
    y = ember.zeros(3).copy_(other=w * 2)
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
