"""Indexing (`t[...]`, `t[...] = v`) and the gather/scatter/index_*/masked_*/take family against torch."""
import numpy as np
import pytest
import torch

import ember
from _oracle import check, check_error, rnd

A = rnd(3, 4)
B = rnd(2, 3, 4)
C = rnd(3, 4, 5)
I64 = np.int64


def _i(L, v):
    return L.tensor(v)


GETITEM = [
    ('int', lambda L, x: x[1], [A]),
    ('neg_int', lambda L, x: x[-1, -2], [A]),
    ('slice', lambda L, x: x[1:], [A]),
    ('slice_step', lambda L, x: x[::2, 1::2], [A]),
    ('slice_oob', lambda L, x: x[1:10, -10:2], [A]),
    ('none', lambda L, x: x[None], [A]),
    ('none_mid', lambda L, x: x[:, None, 1], [A]),
    ('ellipsis', lambda L, x: x[..., 0], [B]),
    ('ellipsis_mid', lambda L, x: x[0, ..., 1:], [B]),
    ('ellipsis_none', lambda L, x: x[..., None], [B]),
    ('bool_mask', lambda L, x: x[x > 0], [A]),
    ('bool_mask_row', lambda L, x: x[L.tensor([True, False, True])], [A]),
    ('bool_mask_partial', lambda L, x: x[:, L.tensor([True, False, True])], [B]),
    ('bool_mask_2d_of_3d', lambda L, x: x[x[:, :, 0] > 0], [B]),
    ('bool_scalar', lambda L, x: x[True], [A]),
    ('list', lambda L, x: x[[0, 2]], [A]),
    ('list_repeat', lambda L, x: x[[0, 0, 2, 0]], [A]),
    ('list_2d', lambda L, x: x[[[0, 1], [2, 0]]], [A]),
    ('list_pair', lambda L, x: x[[0, 2], [1, 3]], [A]),
    ('tensor', lambda L, x: x[L.tensor([2, 0, 2])], [A]),
    ('tensor_neg', lambda L, x: x[L.tensor([-1, 0])], [A]),
    ('tensor_2d', lambda L, x: x[L.tensor([[0, 1], [1, 2]])], [A]),
    ('int32_tensor', lambda L, x: x[L.tensor([1, 2], dtype=L.int32)], [A]),
    ('zero_d_tensor', lambda L, x: x[L.tensor(1)], [A]),
    ('zero_d_tensor_pair', lambda L, x: x[L.tensor(1), L.tensor(2)], [A]),
    ('adv_slice', lambda L, x: x[[0, 1], 1:3], [A]),
    ('slice_adv', lambda L, x: x[1:, [0, 0, 3]], [A]),
    ('adv_adv_separated', lambda L, x: x[[0, 1], :, [1, 2]], [B]),  # adv dims go first
    ('adv_adv_adjacent', lambda L, x: x[:, [0, 2], [1, 3]], [B]),   # adv dims stay in place
    ('adv_broadcast', lambda L, x: x[L.tensor([[0], [2]]), L.tensor([1, 3])], [A]),
    ('int_adv', lambda L, x: x[1, [0, 2]], [B]),
    ('adv_int_sep', lambda L, x: x[[0, 1], 2, :], [C]),
    ('none_adv', lambda L, x: x[None, [0, 1]], [A]),
    ('ellipsis_adv', lambda L, x: x[..., [0, 3]], [B]),
    ('mask_and_int', lambda L, x: x[L.tensor([True, False]), 1], [B]),
    ('empty_list', lambda L, x: x[L.tensor([], dtype=L.long)], [A]),
    ('0d_input_ellipsis', lambda L, x: x[...], [np.array(3.0)]),
    ('0d_input_none', lambda L, x: x[None], [np.array(3.0)]),
    ('int_on_int', lambda L, x: x[1:, 0], [rnd(3, 4, dtype=I64)]),
]


@pytest.mark.parametrize('name,fn,arrays', GETITEM, ids=[c[0] for c in GETITEM])
def test_getitem(name, fn, arrays):
    check(fn, *arrays, double=True)


def _setter(index_fn, value_fn):
    def fn(L, x, *rest):
        y = x * 1
        y[index_fn(L)] = value_fn(L, *rest) if rest else value_fn(L)
        return y
    return fn


SETITEM = [
    ('int_scalar', _setter(lambda L: 1, lambda L: 5.0), [A]),
    ('slice_tensor', _setter(lambda L: (slice(None), slice(1, 3)), lambda L, v: v), [A, rnd(3, 2)]),
    ('slice_bcast', _setter(lambda L: slice(0, 2), lambda L, v: v), [A, rnd(4)]),
    ('step', _setter(lambda L: (slice(None, None, 2),), lambda L, v: v), [A, rnd(2, 4)]),
    ('mask_scalar', _setter(lambda L: L.tensor([[True, False, True, False]] * 3), lambda L: -1.0), [A]),
    ('mask_values', _setter(lambda L: L.tensor([True, False, True]), lambda L, v: v), [A, rnd(2, 4)]),
    ('list', _setter(lambda L: [0, 2], lambda L, v: v), [A, rnd(2, 4)]),
    ('adv_pair', _setter(lambda L: (L.tensor([0, 2]), L.tensor([1, 3])), lambda L, v: v), [A, rnd(2)]),
    ('adv_mixed', _setter(lambda L: (slice(None), [0, 1], [2, 3]), lambda L, v: v), [B, rnd(2, 2)]),
    ('ellipsis', _setter(lambda L: (Ellipsis, 0), lambda L, v: v), [B, rnd(2, 3)]),
    ('none', _setter(lambda L: (None, 1), lambda L, v: v), [A, rnd(4)]),
    ('zero_d', _setter(lambda L: L.tensor(1), lambda L, v: v), [A, rnd(4)]),
    ('tensor_scalar_value', _setter(lambda L: (1, 2), lambda L, v: v[0]), [A, rnd(2)]),
]


@pytest.mark.parametrize('name,fn,arrays', SETITEM, ids=[c[0] for c in SETITEM])
def test_setitem(name, fn, arrays):
    check(fn, *arrays, double=True, grad_fn=False)


def test_setitem_dtype_cast_and_no_grad():
    for L in (torch, ember):
        x = L.zeros(3, dtype=L.int64)
        x[1] = 2.7
        x[0:3:2] = L.tensor([5.0, 6.0])
        assert x.tolist() == [5, 2, 6] and x.dtype == L.int64
    x = ember.zeros(4)
    v0 = x._version
    x[1:3] = 1
    assert x._version == v0 + 1 and x.tolist() == [0, 1, 1, 0]


def test_repeated_index_gradient_accumulates():
    check(lambda L, x: x[L.tensor([0, 0, 1, 0])] * L.tensor([1.0, 2.0, 3.0, 4.0])[:, None], A, double=True)
    check(lambda L, x: x[[0, 0], [1, 1]], A, double=True)


def test_getitem_views_share_memory():
    x = ember.arange(12.).reshape(3, 4)
    for v in (x[1], x[:, 1:3], x[::2], x[None], x[..., 1], x[1, 2]):
        assert v._base is not None and np.shares_memory(v._data, x._data)
    adv = x[[0, 1]]
    assert not np.shares_memory(adv._data, x._data)


IDX_ERRORS = [
    (lambda L, x: x[5], None),
    (lambda L, x: x[:, 9], None),
    (lambda L, x: x[[0, 5]], None),
    (lambda L, x: x[L.tensor([0, 5])], None),
    (lambda L, x: x[L.ones(2, dtype=L.bool)], None),
    (lambda L, x: x[0, 0, 0], None),
    (lambda L, x: x[L.tensor([0.])], None),
    (lambda L, x: x[1.5], None),
    (lambda L, x: x[::-1], None),
    (lambda L, x: x[0][0][0], 'invalid index of a 0-dim tensor'),
    (lambda L, x: x.__setitem__(slice(0, 2), L.ones(3)), None),
    (lambda L, x: x.__setitem__([0, 1], L.ones(3, dtype=L.float64)), None),
    (lambda L, x: x.__setitem__(0, [1.0, 2.0, 3.0, 4.0]), None),
    (lambda L, x: x.__setitem__(L.tensor([0, 1]), L.ones(2, 4, dtype=L.float32)), None),
    (lambda L, x: x.__setitem__(x > 0, L.ones(3, dtype=L.float64)), 'shape mismatch'),
    (lambda L, x: x.__setitem__(L.tensor([True, False]), 1.0), None),
]


@pytest.mark.parametrize('i', range(len(IDX_ERRORS)))
def test_index_errors(i):
    fn, match = IDX_ERRORS[i]
    check_error(fn, A, match=match)


# ----- gather / scatter / index_* / masked_* / take -------------------------------------------------

IX = np.array([[0, 3], [1, 1], [2, 0]])
OPS = [
    ('gather', lambda L, x: x.gather(1, L.tensor([[0, 3], [1, 1], [2, 0]])), [A]),
    ('gather_small', lambda L, x: L.gather(x, 0, L.tensor([[2, 0, 1]])), [A]),
    ('gather_3d', lambda L, x: x.gather(-1, L.tensor([[[1], [0], [2]]] * 2)), [B]),
    ('gather_0d', lambda L, x: x.gather(0, L.tensor(0)), [np.array(2.0)]),
    ('scatter_src', lambda L, x, s: x.scatter(1, L.tensor([[0, 3], [1, 2], [2, 0]]), s), [A, rnd(3, 2)]),
    ('scatter_value', lambda L, x: L.scatter(x, 0, L.tensor([[2, 0, 1, 1]]), 7.0), [A]),
    ('scatter_add', lambda L, x, s: x.scatter_add(1, L.tensor([[0, 0], [1, 1], [3, 3]]), s), [A, rnd(3, 2)]),
    ('scatter_add_fn', lambda L, x, s: L.scatter_add(x, 0, L.tensor([[0, 0, 0, 0], [0, 1, 1, 1]]), s), [A, rnd(2, 4)]),
    ('index_select', lambda L, x: x.index_select(1, L.tensor([3, 0, 0])), [A]),
    ('index_select_0d', lambda L, x: L.index_select(x, 0, L.tensor([0])), [np.array(2.0)]),
    ('index_select_i32', lambda L, x: x.index_select(0, L.tensor([2], dtype=L.int32)), [A]),
    ('index_add', lambda L, x, s: x.index_add(0, L.tensor([0, 2, 0]), s), [A, rnd(3, 4)]),
    ('index_add_alpha', lambda L, x, s: L.index_add(x, 1, L.tensor([1, 1]), s, alpha=2.5), [A, rnd(3, 2)]),
    ('index_copy', lambda L, x, s: x.index_copy(1, L.tensor([3, 0]), s), [A, rnd(3, 2)]),
    ('index_fill', lambda L, x: x.index_fill(1, L.tensor([1, 3]), -2.0), [A]),
    ('index_fill_neg', lambda L, x: x.index_fill(0, L.tensor([-1]), 1.0), [A]),
    ('index_fill_tensor', lambda L, x, v: x.index_fill(0, L.tensor([0, 2]), v[0]), [A, rnd(1)]),
    ('index_put', lambda L, x, v: x.index_put((L.tensor([0, 2]), L.tensor([1, 1])), v), [A, rnd(2)]),
    ('index_put_acc', lambda L, x, v: x.index_put((L.tensor([0, 0, 2]),), v, accumulate=True), [A, rnd(3, 4)]),
    ('index_put_fn', lambda L, x, v: L.index_put(x, (L.tensor([1]),), v, True), [A, rnd(4)]),
    ('masked_fill', lambda L, x: x.masked_fill(x > 0, 0.5), [A]),
    ('masked_fill_bcast', lambda L, x: x.masked_fill(L.tensor([True, False, False, True]), 1.0), [A]),
    ('masked_fill_tensor', lambda L, x, v: x.masked_fill(x < 0, v.sum()), [A, rnd(2)]),
    ('masked_fill_int', lambda L, x: x.masked_fill(x > 0, 2.7), [rnd(3, 4, dtype=I64)]),
    ('masked_select', lambda L, x: x.masked_select(x > 0.5), [A]),
    ('masked_select_bcast', lambda L, x: L.masked_select(x, L.tensor([[True], [False], [True]])), [A]),
    ('masked_select_bcast_up', lambda L, x: L.masked_select(x, L.ones(2, 3, 4, dtype=L.bool)), [A]),
    ('masked_scatter', lambda L, x, s: x.masked_scatter(x > 0, s), [A, rnd(20)]),
    ('masked_scatter_2d', lambda L, x, s: x.masked_scatter(L.tensor([True, False, True, False]), s), [A, rnd(3, 3)]),
    ('take', lambda L, x: x.take(L.tensor([[0, 11], [5, -1]])), [A]),
    ('take_repeat', lambda L, x: L.take(x, L.tensor([3, 3, 3])), [A]),
    ('take_along_dim', lambda L, x: x.take_along_dim(L.tensor([[1], [0], [3]]), 1), [A]),
    ('take_along_dim_bcast', lambda L, x: L.take_along_dim(x, L.tensor([[2], [0]]), dim=0), [A]),
    ('take_along_dim_bcast3', lambda L, x: L.take_along_dim(x, L.tensor([[[1]], [[0]]]), dim=2), [rnd(1, 3, 4)]),
    ('take_along_dim_flat', lambda L, x: L.take_along_dim(x, L.tensor([0, 5, 5])), [A]),
    ('take_along_argsort', lambda L, x: L.take_along_dim(x, L.tensor(np.argsort(A, 1)), 1), [A]),
]
for red in ('sum', 'prod', 'mean', 'amax', 'amin'):
    for inc in (True, False):
        OPS.append((f'scatter_reduce_{red}_{inc}',
                    (lambda r, i: lambda L, x, s: x.scatter_reduce(
                        1, L.tensor([[0, 0, 3], [1, 1, 1], [3, 0, 3]]), s, r, include_self=i))(red, inc),
                    [A, rnd(3, 3, seed=7)]))
OPS.append(('scatter_reduce_prod_zeros', lambda L, x, s: x.scatter_reduce(
    0, L.tensor([[0, 0, 1, 1], [0, 1, 1, 2]]), s, 'prod'),
    [np.array([[0., 1, 2, 3], [4, 0, 6, 7], [8, 9, 0, 1]]), np.array([[2., 0, 3, 1], [0, 5, 0, 2]])]))
OPS.append(('scatter_reduce_amax_ties', lambda L, x, s: x.scatter_reduce(
    1, L.tensor([[0, 0], [1, 1], [2, 2]]), s, 'amax'),
    [np.array([[1., 2, 3, 4]] * 3), np.array([[1., 1], [2, 0], [0, 0]])]))


@pytest.mark.parametrize('name,fn,arrays', OPS, ids=[c[0] for c in OPS])
def test_ops(name, fn, arrays):
    check(fn, *arrays, double=True)


def test_inplace_variants():
    for name, args in [('scatter_', (1, [[0], [1], [2]], 'S')), ('scatter_add_', (1, [[0], [1], [2]], 'S')),
                       ('index_add_', (0, [0, 2], 'R')), ('index_copy_', (0, [2, 0], 'R')),
                       ('index_fill_', (1, [0, 3], 2.5)), ('masked_fill_', ('M', -1.0)),
                       ('masked_scatter_', ('M', 'F')), ('index_put_', ('P', 'V'))]:
        res = []
        for L in (torch, ember):
            x = L.tensor(A.copy())
            conv = {'S': L.tensor(rnd(3, 1)), 'R': L.tensor(rnd(2, 4)), 'M': x > 0,
                    'F': L.tensor(rnd(12)), 'P': (L.tensor([0, 1]),), 'V': L.tensor(rnd(4))}
            a = [conv.get(v, v) if isinstance(v, str) else (L.tensor(v) if isinstance(v, list) else v)
                 for v in args]
            r = getattr(x, name)(*a)
            assert r is x
            res.append(x.tolist())
        np.testing.assert_allclose(res[0], res[1], err_msg=name)
    for L in (torch, ember):
        x = L.tensor(A.copy())
        x.scatter_reduce_(1, L.tensor([[0, 0], [1, 1], [2, 3]]), L.tensor(rnd(3, 2)), 'amax')
        res.append(x.tolist())
    np.testing.assert_allclose(res[-2], res[-1])


def test_nonzero_argwhere():
    x = np.array([[0, 1.5, 0], [2, 0, 3]])
    check(lambda L, t: t.nonzero(), x, grad=False)
    check(lambda L, t: L.nonzero(t, as_tuple=True), x, grad=False)
    check(lambda L, t: L.argwhere(t), x, grad=False)
    check(lambda L, t: t.nonzero(), np.array(2.0), grad=False)
    check(lambda L, t: t.nonzero(as_tuple=True), np.array(0.0), grad=False)
    check(lambda L, t: L.count_nonzero(t, dim=1), x, grad=False)


def test_scatter_reduce_arg_has_no_derivative():
    x = ember.ones(3, requires_grad=True)
    y = x.scatter(0, ember.tensor([0]), 2.0, reduce='add')
    with pytest.raises(RuntimeError, match='derivative for aten::scatter is not implemented'):
        y.sum().backward()
    check(lambda L, x: x.scatter(0, L.tensor([0, 0]), 2.0, reduce='multiply'), rnd(3), grad=False)


OP_ERRORS = [
    (lambda L, x: x.index_select(0, L.tensor([0.])), None),
    (lambda L, x: x.index_select(0, L.tensor([5])), None),
    (lambda L, x: x.index_select(0, L.tensor([[0]])), None),
    (lambda L, x: x.gather(1, L.tensor([0, 1])), None),
    (lambda L, x: x.gather(1, L.tensor([[5]])), None),
    (lambda L, x: x.gather(1, L.tensor([[0.]])), None),
    (lambda L, x: x.gather(1, L.tensor([[0]] * 4)), None),
    (lambda L, x: x.scatter(1, L.tensor([[5]]), 1.), None),
    (lambda L, x: x.scatter(1, L.tensor([[0]]), L.ones(3, 4, dtype=L.float32)), None),
    (lambda L, x: x.scatter(1, L.tensor([[0] * 2]), L.ones(1, 1, dtype=L.float64)), None),
    (lambda L, x: x.scatter_add(1, L.tensor([[0] * 2]), L.ones(1, 1, dtype=L.float64)), None),
    (lambda L, x: x.scatter_reduce(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float64), 'foo'), None),
    (lambda L, x: x.index_add(0, L.tensor([0]), L.ones(2, 4, dtype=L.float64)), None),
    (lambda L, x: x.index_add(0, L.tensor([7]), L.ones(1, 4, dtype=L.float64)), None),
    (lambda L, x: x.index_copy(0, L.tensor([7]), L.ones(1, 4, dtype=L.float64)), None),
    (lambda L, x: x.index_fill(0, L.tensor([7]), 1), None),
    (lambda L, x: x.index_fill(0, L.tensor([0]), L.ones(2)), None),
    (lambda L, x: x.masked_fill(L.ones(3, 4), 1.), None),
    (lambda L, x: x.masked_fill(L.ones(2, 4, dtype=L.bool), 1.), None),
    (lambda L, x: x.masked_fill(x > 0, L.ones(2)), None),
    (lambda L, x: x.masked_select(L.ones(3, 4)), None),
    (lambda L, x: x.masked_scatter(L.ones(3, 4, dtype=L.bool), L.ones(2, dtype=L.float64)), None),
    (lambda L, x: x.masked_scatter(L.ones(3, 4, dtype=L.bool), L.ones(20)), None),
    (lambda L, x: x.take(L.tensor([12])), None),
    (lambda L, x: x.take(L.tensor([-13])), None),
    (lambda L, x: x.take(L.tensor([1.])), None),
    (lambda L, x: x.take_along_dim(L.tensor([0]), 1), None),
    (lambda L, x: x.index_put((L.tensor([0, 5]),), L.ones(2, 4, dtype=L.float64)), None),
    (lambda L, x: x.index_put((L.tensor([0, 1]),), L.ones(3, dtype=L.float64)), None),
    (lambda L, x: L.index_select(L.tensor(1.0), 0, L.tensor([0, 0])), None),
    (lambda L, x: L.take_along_dim(x, L.tensor([[2, 0]]), dim=0), None),
]


def test_scatter_src_larger_than_index():
    check(lambda L, x, s: x.scatter(1, L.tensor([[0, 3], [1, 2], [2, 0]]), s), A, rnd(3, 3), grad=False)
    check(lambda L, x, s: x.scatter_add(0, L.tensor([[0, 1]]), s), A, rnd(2, 4), grad=False)
    # torch refuses the backward here; ember gives src's gradient zero outside the index block
    x, s = ember.zeros(3, 4, requires_grad=True), ember.ones(3, 3, requires_grad=True)
    x.scatter(1, ember.tensor([[0, 3], [1, 2], [2, 0]]), s).sum().backward()
    assert s.grad.tolist() == [[1, 1, 0]] * 3


@pytest.mark.parametrize('i', range(len(OP_ERRORS)))
def test_op_errors(i):
    fn, match = OP_ERRORS[i]
    check_error(fn, A, match=match)


def test_inplace_ops_under_autograd():
    for name, fn in [
        ('masked_fill_', lambda L, y, s: y.masked_fill_(y > 0, 0.0)),
        ('index_add_', lambda L, y, s: y.index_add_(0, L.tensor([0, 0]), s[:2])),
        ('index_copy_', lambda L, y, s: y.index_copy_(1, L.tensor([1, 3]), s[:, :2])),
        ('scatter_', lambda L, y, s: y.scatter_(1, L.tensor([[0], [1], [2]]), s[:, :1])),
        ('scatter_add_', lambda L, y, s: y.scatter_add_(1, L.tensor([[0, 0], [1, 1], [2, 3]]), s[:, :2])),
        ('index_put_', lambda L, y, s: y.index_put_((L.tensor([0, 2]),), s[0], accumulate=True)),
        ('masked_scatter_', lambda L, y, s: y.masked_scatter_(y < 0, s)),
        ('setitem_adv', lambda L, y, s: y.__setitem__((L.tensor([0, 2]), L.tensor([1, 1])), s[0, :2])),
        ('tril_', lambda L, y, s: y.tril_()),
    ]:
        grads = []
        for L in (torch, ember):
            x = L.tensor(A.copy(), requires_grad=True)
            s = L.tensor(rnd(3, 4, seed=9), requires_grad=True)
            y = x * 2
            fn(L, y, s)
            (y * L.tensor(rnd(3, 4, seed=4))).sum().backward()
            grads.append((x.grad.numpy().copy(), None if s.grad is None else s.grad.numpy().copy(),
                          y.detach().numpy().copy(), type(y.grad_fn).__name__))
        (xt, st, yt, nt), (xe, se, ye, ne) = grads
        np.testing.assert_allclose(ye, yt, err_msg=name)
        np.testing.assert_allclose(xe, xt, err_msg=name)
        if st is None:
            assert se is None or not se.any(), name
        else:
            np.testing.assert_allclose(se, st, err_msg=name)
        assert ne == nt, (name, ne, nt)


def test_none_index_strides_as_torch_unsqueeze():
    # numpy gives a None dim stride 0; torch's is the next dim's extent (as unsqueeze)
    a = rnd(3, 4)
    keys = [lambda x: x[None], lambda x: x[:, None], lambda x: x[..., None], lambda x: x[None, None],
            lambda x: x.t()[None], lambda x: x[1, None], lambda x: x[None, :, 1:3]]
    for k in keys:
        t, e = k(torch.tensor(a)), k(ember.tensor(a))
        assert e.stride() == t.stride() and e.storage_offset() == t.storage_offset()
        assert np.shares_memory(e._data, k(ember.tensor(a))._data) or e._base is not None
    e = ember.tensor(a)
    v = e[None, 1:]
    v[0, 0, 0] = 9.0                        # still a view: writes land in the base
    assert e[1, 0].item() == 9.0
    check(lambda L, x: x[None, :, None] * 2, a, double=True)
