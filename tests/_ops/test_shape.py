"""Shape and selection ops against torch: values, dtypes, grad_fn names, gradients, double backward,
views sharing memory, and error types/messages."""
import numpy as np
import pytest
import torch

import ember
from _oracle import check, check_error, rnd

A = rnd(3, 4)
B = rnd(2, 3, 4)
V = rnd(5)
SQ = rnd(4, 4)

CASES = [
    # name, fn(lib, *tensors), arrays
    ('reshape', lambda L, x: x.reshape(4, 3), [A]),
    ('reshape_infer', lambda L, x: L.reshape(x, (-1, 2)), [B]),
    ('reshape_copy', lambda L, x: x.t().reshape(-1), [A]),
    ('view', lambda L, x: x.view(2, 6), [A]),
    ('view_as', lambda L, x, y: x.view_as(y), [A, rnd(6, 2)]),
    ('flatten', lambda L, x: x.flatten(1), [B]),
    ('flatten_mid', lambda L, x: L.flatten(x, 0, 1), [B]),
    ('unflatten', lambda L, x: x.unflatten(1, (2, 2)), [A]),
    ('unflatten_neg', lambda L, x: L.unflatten(x, -1, (-1, 2)), [B]),
    ('squeeze', lambda L, x: x.reshape(1, 3, 1, 4).squeeze(), [A]),
    ('squeeze_dim', lambda L, x: x.reshape(1, 3, 1, 4).squeeze(2), [A]),
    ('squeeze_dims', lambda L, x: x.reshape(1, 3, 1, 4).squeeze((0, 2)), [A]),
    ('unsqueeze', lambda L, x: x.unsqueeze(-1), [A]),
    ('permute', lambda L, x: x.permute(2, 0, 1), [B]),
    ('transpose', lambda L, x: x.transpose(0, 2), [B]),
    ('swapaxes', lambda L, x: L.swapaxes(x, 0, 1), [B]),
    ('movedim', lambda L, x: x.movedim(0, -1), [B]),
    ('movedim_multi', lambda L, x: L.movedim(x, (0, 1), (2, 0)), [B]),
    ('moveaxis', lambda L, x: L.moveaxis(x, 2, 0), [B]),
    ('t', lambda L, x: x.t(), [A]),
    ('t1d', lambda L, x: L.t(x), [V]),
    ('expand', lambda L, x: x.expand(2, 3, 4), [A]),
    ('expand_neg', lambda L, x: x[:, :1].expand(-1, 5), [A]),
    ('expand_as', lambda L, x, y: x.expand_as(y), [rnd(3, 1), A]),
    ('broadcast_to', lambda L, x: L.broadcast_to(x, (2, 3, 4)), [rnd(1, 4)]),
    ('broadcast_tensors', lambda L, x, y: L.broadcast_tensors(x, y), [rnd(3, 1), rnd(1, 4)]),
    ('repeat', lambda L, x: x.repeat(2, 1, 3), [A]),
    ('repeat_interleave', lambda L, x: x.repeat_interleave(2), [A]),
    ('repeat_interleave_dim', lambda L, x: x.repeat_interleave(3, dim=1), [A]),
    ('repeat_interleave_t', lambda L, x: L.repeat_interleave(x, L.tensor([1, 0, 2]), dim=0), [A]),
    ('tile', lambda L, x: x.tile((2,)), [A]),
    ('tile3', lambda L, x: L.tile(x, (2, 1, 2)), [A]),
    ('cat', lambda L, x, y: L.cat([x, y], 1), [A, rnd(3, 2)]),
    ('cat_neg', lambda L, x, y: L.cat((x, y), -1), [A, rnd(3, 2)]),
    ('cat_promote', lambda L, x, y: L.cat([x, y]), [A, rnd(2, 4, dtype=np.int64)]),
    ('cat_empty1d', lambda L, x, y: L.cat([x, y]), [A, np.zeros(0)]),
    ('concat', lambda L, x: L.concat([x, x]), [V]),
    ('concatenate', lambda L, x: L.concatenate([x, x], 0), [V]),
    ('stack', lambda L, x, y: L.stack([x, y], 1), [A, rnd(3, 4, seed=3)]),
    ('stack_neg', lambda L, x, y: L.stack([x, y], -1), [A, A]),
    ('hstack', lambda L, x, y: L.hstack([x, y]), [A, rnd(3, 1)]),
    ('hstack1d', lambda L, x, y: L.hstack([x, y]), [V, rnd(2)]),
    ('vstack', lambda L, x, y: L.vstack([x, y]), [rnd(4), A]),
    ('dstack', lambda L, x, y: L.dstack([x, y]), [A, A]),
    ('column_stack', lambda L, x, y: L.column_stack([x, y]), [rnd(3), A]),
    ('split', lambda L, x: x.split(2), [rnd(5, 3)]),
    ('split_dim', lambda L, x: L.split(x, 3, dim=1), [A]),
    ('split_list', lambda L, x: x.split([1, 3], 1), [A]),
    ('chunk', lambda L, x: x.chunk(2), [rnd(5, 3)]),
    ('chunk_fewer', lambda L, x: L.chunk(x, 4, 1), [rnd(2, 6)]),
    ('tensor_split_n', lambda L, x: x.tensor_split(3, 1), [rnd(2, 7)]),
    ('tensor_split_idx', lambda L, x: L.tensor_split(x, [1, 4, 9], 1), [rnd(2, 7)]),
    ('hsplit', lambda L, x: L.hsplit(x, 2), [A]),
    ('vsplit', lambda L, x: L.vsplit(x, [1]), [A]),
    ('unbind', lambda L, x: x.unbind(1), [A]),
    ('unbind0', lambda L, x: L.unbind(x), [B]),
    ('narrow', lambda L, x: x.narrow(1, 1, 2), [A]),
    ('narrow_neg', lambda L, x: L.narrow(x, -1, -3, 2), [A]),
    ('select', lambda L, x: x.select(1, -1), [B]),
    ('flip', lambda L, x: x.flip(0, 2), [B]),
    ('flip_list', lambda L, x: L.flip(x, [1]), [B]),
    ('fliplr', lambda L, x: L.fliplr(x), [A]),
    ('flipud', lambda L, x: x.flipud(), [A]),
    ('roll', lambda L, x: x.roll(1, 0), [A]),
    ('roll_flat', lambda L, x: L.roll(x, -5), [A]),
    ('roll_multi', lambda L, x: x.roll((1, -2), (0, 2)), [B]),
    ('rot90', lambda L, x: x.rot90(), [A]),
    ('rot90_k', lambda L, x: L.rot90(x, 3, (1, 2)), [B]),
    ('rot90_neg', lambda L, x: L.rot90(x, -1, [0, 1]), [A]),
    ('tril', lambda L, x: x.tril(), [A]),
    ('tril_k', lambda L, x: L.tril(x, -1), [B]),
    ('triu', lambda L, x: x.triu(1), [A]),
    ('triu_batch', lambda L, x: L.triu(x, -2), [B]),
    ('diag_vec', lambda L, x: L.diag(x), [V]),
    ('diag_vec_k', lambda L, x: L.diag(x, -2), [V]),
    ('diag_mat', lambda L, x: x.diag(), [A]),
    ('diag_mat_k', lambda L, x: L.diag(x, 1), [A]),
    ('diagonal', lambda L, x: x.diagonal(), [A]),
    ('diagonal_off', lambda L, x: L.diagonal(x, 1, 0, 2), [B]),
    ('diagonal_neg', lambda L, x: x.diagonal(-1, -1, -2), [B]),
    ('diagonal_far', lambda L, x: x.diagonal(7), [A]),
    ('diag_embed', lambda L, x: L.diag_embed(x), [A]),
    ('diag_embed_off', lambda L, x: L.diag_embed(x, 1, 0, 2), [A]),
    ('diagflat', lambda L, x: L.diagflat(x), [rnd(2, 2)]),
    ('diagflat_off', lambda L, x: x.diagflat(-1), [V]),
    ('trace', lambda L, x: x.trace(), [A]),
    ('trace_int', lambda L, x: L.trace(x), [rnd(3, 3, dtype=np.int64)]),
    ('contiguous', lambda L, x: x.t().contiguous(), [A]),
    ('clone', lambda L, x: L.clone(x, memory_format=L.contiguous_format), [A]),
    ('atleast_1d', lambda L, x: L.atleast_1d(x), [np.array(2.0)]),
    ('atleast_2d', lambda L, x, y: L.atleast_2d(x, y), [V, np.array(2.0)]),
    ('atleast_3d', lambda L, x, y: L.atleast_3d([x, y]), [V, A]),
    ('block_diag', lambda L, x, y, z: L.block_diag(x, y, z), [A, V, np.array(3.0)]),
    ('meshgrid_ij', lambda L, x, y: L.meshgrid(x, y, indexing='ij'), [rnd(3), rnd(4)]),
    ('meshgrid_xy', lambda L, x, y, z: L.meshgrid(x, y, z, indexing='xy'), [rnd(3), rnd(4), rnd(2)]),
    ('cartesian_prod', lambda L, x, y: L.cartesian_prod(x, y), [rnd(3), rnd(2)]),
    ('combinations', lambda L, x: L.combinations(x), [rnd(4)]),
    ('combinations_r3', lambda L, x: L.combinations(x, 3, with_replacement=True), [rnd(3)]),
]


@pytest.mark.parametrize('name,fn,arrays', CASES, ids=[c[0] for c in CASES])
def test_against_torch(name, fn, arrays):
    check(fn, *arrays, double=True)


def test_broadcast_shapes_and_indices():
    assert tuple(ember.broadcast_shapes((3, 1), (1, 4), (4,))) == tuple(torch.broadcast_shapes((3, 1), (1, 4), (4,)))
    assert isinstance(ember.broadcast_shapes((2,)), ember.Size)
    for r, c, o in [(3, 3, 0), (4, 3, -1), (3, 5, 2), (0, 3, 0)]:
        for f in ('tril_indices', 'triu_indices'):
            e, t = getattr(ember, f)(r, c, o), getattr(torch, f)(r, c, o)
            assert e.dtype == ember.int64 and e.tolist() == t.tolist(), (f, r, c, o)
    assert ember.tril_indices(3, 3, dtype=ember.int32).dtype == ember.int32


def test_views_share_memory_and_version():
    x = ember.arange(12.).reshape(3, 4)
    views = [x.narrow(1, 1, 2), x.select(0, 1), x.diagonal(), x.movedim(0, 1), x.unflatten(1, (2, 2)),
             x.expand(2, 3, 4), *x.split(2), *x.chunk(3, 1), *x.unbind(1), *x.tensor_split(2),
             ember.broadcast_to(x, (1, 3, 4)), x.t(), x[1:, ::2]]
    for v in views:
        assert v._base is not None and v._version == x._version
        assert np.shares_memory(v._data, x._data)
    x.add_(1)
    assert all(v._version == x._version for v in views)
    d = x.diagonal()
    d.fill_(-1)           # a writable view: diagonal writes land in x
    assert x[1, 1].item() == -1
    x.select(1, 0).zero_()
    assert x[:, 0].tolist() == [0, 0, 0]
    for p in x.split(1):
        assert p._base is not None
    # flip/roll/tril are copies (as in torch)
    assert not np.shares_memory(x.flip(0)._data, x._data)


def test_masked_fill_broadcast_result_and_inplace():
    check(lambda L, x, m: x.masked_fill(m, 1.5), rnd(3), rnd(2, 3, dtype=bool), double=True)
    t = torch.arange(6.).reshape(2, 3)
    e = ember.arange(6.).reshape(2, 3)
    t.tril_(); e.tril_()
    assert e.tolist() == t.tolist()
    t.triu_(1); e.triu_(1)
    assert e.tolist() == t.tolist()


ERRORS = [
    (lambda L, x: L.cat([x, L.ones(2, 3)]), [A], None),
    (lambda L, x: L.cat([x, L.ones(3)]), [A], None),
    (lambda L: L.cat([]), [], None),
    (lambda L, x: L.cat([x, L.ones(())]), [A], None),
    (lambda L, x: L.cat([x, x], 2), [A], None),
    (lambda L, x: L.stack([x, L.ones(3)]), [A], None),
    (lambda L: L.stack([]), [], None),
    (lambda L, x: x.split(0), [A], None),
    (lambda L, x: x.split([1, 1]), [A], None),
    (lambda L, x: x.chunk(0), [A], None),
    (lambda L, x: x.narrow(0, 2, 5), [A], None),
    (lambda L, x: x.narrow(0, 4, 0), [A], None),
    (lambda L, x: x.select(0, 3), [A], None),
    (lambda L, x: x.flip(0, 0), [A], None),
    (lambda L, x: x.roll((1, 2), (0,)), [A], None),
    (lambda L, x: x.repeat(2), [A], None),
    (lambda L, x: x.movedim((0, 0), (0, 1)), [A], None),
    (lambda L, x: x.unflatten(1, (3, 2)), [A], None),
    (lambda L, x: L.broadcast_tensors(x, L.ones(3)), [A], None),
    (lambda L, x: L.broadcast_to(x, (4, 4)), [A], None),
    (lambda L, x: x.diagonal(0, 0, 0), [A], None),
    (lambda L: L.ones(3).trace(), [], None),
    (lambda L: L.ones(3).tril(), [], None),
    (lambda L: L.block_diag(L.ones(2, 2, 2)), [], None),
    (lambda L: L.ones(3).rot90(), [], None),
    (lambda L, x: x.expand(2, 3), [A], None),
    (lambda L, x: x.view(5), [A], None),
    (lambda L, x: x.reshape(5, -1), [A], None),
    (lambda L, x: x.squeeze(3), [A], None),
    (lambda L, x: x.permute(0, 0), [A], None),
    (lambda L, x: x.transpose(0, 2), [A], None),
    (lambda L, x: x.t().view(-1), [A], 'view size is not compatible'),
    (lambda L, x: x.unbind(2), [A], None),
    (lambda L, x: L.meshgrid(x, indexing='foo'), [V], 'indexing must be one of'),
    (lambda L, x: x.tensor_split(0), [A], None),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_errors(i):
    fn, arrays, match = ERRORS[i]
    check_error(fn, *arrays, match=match)


# ----- keyword forms, in-place view ops, clone's strides (gaps found by test_api_coverage) -----

KW_CASES = [
    ('reshape_shape_kw', lambda L, x: (L.reshape(x, shape=(4, 3)), x.reshape(shape=(2, -1))), [A]),
    ('view_size_kw', lambda L, x: x.view(size=(4, 3)), [A]),
    ('permute_dims_kw', lambda L, x: (L.permute(x, dims=(2, 0, 1)), x.permute(dims=[1, 2, 0])), [B]),
    ('expand_size_kw', lambda L, x: x.expand(size=(2, -1, 4)), [A]),
    ('sum_to_size_kw', lambda L, x: x.sum_to_size(size=(1, 4)), [A]),
    ('flip_dims_kw', lambda L, x: (L.flip(x, dims=(0, 2)), x.flip(dims=[1])), [B]),
    ('repeat_repeats_kw', lambda L, x: x.repeat(repeats=(2, 1, 2)), [A]),
    ('swapaxes_axis_kw', lambda L, x: (L.swapaxes(x, axis0=0, axis1=2), x.swapaxes(axis0=1, axis1=0)), [B]),
    ('swapdims_dim_kw', lambda L, x: (L.swapdims(x, dim0=0, dim1=2), x.swapdims(dim0=1, dim1=0)), [B]),
    ('concatenate_axis', lambda L, x, y: (L.concatenate([x, y], axis=1), L.concatenate((x, y))), [A, A]),
    ('tensor_split_sections_kw', lambda L, x: L.tensor_split(x, sections=3, dim=1), [rnd(2, 7)]),
    ('tensor_split_indices_kw', lambda L, x: x.tensor_split(indices=[1, 4], dim=1), [rnd(2, 7)]),
    ('tensor_split_tensor_kw',
     lambda L, x: L.tensor_split(x, tensor_indices_or_sections=L.tensor([2, 5]), dim=1), [rnd(2, 7)]),
]


@pytest.mark.parametrize('name,fn,arrays', KW_CASES, ids=[c[0] for c in KW_CASES])
def test_keyword_forms(name, fn, arrays):
    check(fn, *arrays, double=True)


INPLACE_VIEWS = [
    ('t_', lambda y: y.t_(), A),
    ('transpose_', lambda y: y.transpose_(0, 2), B),
    ('swapaxes_', lambda y: y.swapaxes_(2, 1), B),
    ('swapdims_', lambda y: y.swapdims_(-1, 0), B),
    ('unsqueeze_', lambda y: y.unsqueeze_(1), A),
    ('unsqueeze_neg', lambda y: y.unsqueeze_(-1), A),
    ('squeeze_all', lambda y: y.squeeze_(), rnd(1, 3, 1)),
    ('squeeze_dim', lambda y: y.squeeze_(2), rnd(1, 3, 1)),
    ('squeeze_dims', lambda y: y.squeeze_((0, 2)), rnd(1, 3, 1)),
    ('squeeze_noop', lambda y: y.squeeze_(1), rnd(1, 3, 1)),
]


@pytest.mark.parametrize('name,op,arr', INPLACE_VIEWS, ids=[c[0] for c in INPLACE_VIEWS])
def test_inplace_view_ops(name, op, arr):
    # under autograd: grad_fn (TBackward1, SqueezeBackward4...), values, gradients, double backward
    def fn(L, x):
        y = x * 1
        r = op(y)
        assert r is y
        return y
    check(fn, arr, double=True)
    # outside autograd: same memory, new shape and strides, version bumped
    t, e = torch.tensor(arr), ember.tensor(arr)
    tv, ev = t._version, e._version
    op(t), op(e)
    assert tuple(e.shape) == tuple(t.shape) and e.stride() == t.stride()
    assert e._version - ev == t._version - tv == 1
    assert np.array_equal(e.numpy(), t.numpy())
    # on a view: stays a view of the same base, writes reach the base
    tb, eb = torch.tensor(arr), ember.tensor(arr)
    tq, eq = op(tb[:]), op(eb[:])
    assert eq._base is eb and tq._base is tb
    eq.fill_(7.0)
    assert (eb == 7).all().item()


def test_inplace_view_ops_errors_and_views_under_autograd():
    check_error(lambda L, x: x.requires_grad_().t_(), A)
    check_error(lambda L, x: x.requires_grad_()[0].unsqueeze_(0), A)
    check_error(lambda L, x: L.ones(2, 2, 2).t_(), [])
    # a view of a non-leaf: in-place view op keeps the view and its gradient path
    check(lambda L, x: (lambda r: (r[1:].unsqueeze_(0) * 3, r)[0])(x * 2), A, double=True)


CLONE_VIEWS = [
    ('transposed', lambda x: x.t()),
    ('permuted', lambda x: x.reshape(2, 3, 2).permute(2, 0, 1)),
    ('sliced', lambda x: x[:, ::2]),
    ('transposed_sliced', lambda x: x.t()[:, ::2]),
    ('expanded', lambda x: x[:1].expand(3, 4)),
    ('expanded_transposed', lambda x: x.t()[:, :1].expand(4, 3)),
    ('unsqueezed_transposed', lambda x: x.t().unsqueeze(1)),
    ('size1_dim', lambda x: x[:1].t()),
    ('permuted_expanded', lambda x: x.reshape(2, 3, 2).permute(2, 0, 1)[:, :1].expand(2, 5, 3)),
]


@pytest.mark.parametrize('name,view', CLONE_VIEWS, ids=[c[0] for c in CLONE_VIEWS])
def test_clone_preserves_layout_as_torch(name, view):
    a = rnd(3, 4)
    t, e = view(torch.tensor(a)), view(ember.tensor(a))
    assert e.stride() == t.stride()
    for fmt in (None, 'preserve_format', 'contiguous_format'):
        kw = {} if fmt is None else {'memory_format': getattr(ember, fmt)}
        tkw = {} if fmt is None else {'memory_format': getattr(torch, fmt)}
        tc, ec = t.clone(**tkw), e.clone(**kw)
        assert ec.stride() == tc.stride(), (fmt, ec.stride(), tc.stride())
        assert ec.is_contiguous() == tc.is_contiguous()
        assert np.array_equal(ec.numpy(), tc.numpy())
        assert not np.shares_memory(ec._data, e._data)
    # gradients flow through a strided clone
    check(lambda L, x: view(x).clone() * 2, a, double=True)
