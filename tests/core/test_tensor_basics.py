"""Tensor creation, attributes, Python protocol methods and arithmetic against torch."""
import math
import operator

import numpy as np
import pytest
import torch

import ember


def same(e, t, exact=True):
    assert tuple(e.shape) == tuple(t.shape)
    assert repr(e.dtype) == repr(t.dtype)
    if exact:
        assert e.tolist() == t.tolist()
    else:
        np.testing.assert_allclose(np.asarray(e.tolist(), dtype=float),
                                   np.asarray(t.tolist(), dtype=float), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('data', [5, 1.5, True, [1, 2], [[1., 2.], [3., 4.]], [[True, False]], [],
                                  [[1, 2.5]], [1 + 2j], np.float64(2.5), np.arange(4, dtype=np.int32)])
def test_tensor_inference(data):
    same(ember.tensor(data), torch.tensor(data))


def test_tensor_from_tensors_and_dtype_device():
    same(ember.tensor([ember.tensor(1.), ember.tensor(2.)]), torch.tensor([1., 2.]))
    t = ember.tensor([1, 2], dtype=ember.float64, device='cpu', requires_grad=True)
    assert t.dtype is ember.float64 and t.requires_grad and str(t.device) == 'cpu'
    assert repr(t.device) == "device(type='cpu')"


def test_creation_functions():
    for name, args in [('zeros', (2, 3)), ('ones', ((2, 3),)), ('empty', (0, 2)), ('eye', (3,)),
                       ('eye', (2, 4))]:
        e, t = getattr(ember, name)(*args), getattr(torch, name)(*args)
        assert tuple(e.shape) == tuple(t.shape) and repr(e.dtype) == repr(t.dtype)
        if name != 'empty':
            same(e, t)
    same(ember.full((2, 2), 7), torch.full((2, 2), 7))
    same(ember.full((2,), 1.5), torch.full((2,), 1.5))
    same(ember.full((2,), True), torch.full((2,), True))
    x = ember.tensor([[1, 2]], dtype=ember.int32)
    for f in ('zeros_like', 'ones_like'):
        same(getattr(ember, f)(x), getattr(torch, f)(torch.tensor([[1, 2]], dtype=torch.int32)))
    same(ember.full_like(x, 3), torch.full_like(torch.tensor([[1, 2]], dtype=torch.int32), 3))
    for args in [(5,), (1, 10, 3), (0., 1., 0.1), (-3, 3), (10, 0, -2), (0, 1, 0.25)]:
        same(ember.arange(*args), torch.arange(*args))
    for args in [(0, 1, 5), (-2.5, 7, 11), (3, 3, 1), (0, 1, 0)]:
        same(ember.linspace(*args), torch.linspace(*args))


def test_legacy_constructors():
    same(ember.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert tuple(ember.Tensor(2, 3).shape) == (2, 3) and ember.Tensor(2, 3).dtype is ember.float32
    same(ember.FloatTensor([1, 2]), torch.FloatTensor([1, 2]))
    same(ember.LongTensor([1, 2]), torch.LongTensor([1, 2]))


def test_from_numpy_shares_memory_and_numpy_roundtrip():
    a = np.array([[1, 2], [3, 4]])
    t = ember.from_numpy(a)
    a[0, 0] = 9
    assert t[0, 0].item() == 9
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    assert np.asarray(t).tolist() == [[9, 2], [3, 4]]


def test_manual_seed_reproducible():
    ember.manual_seed(123)
    a = [ember.rand(3).tolist(), ember.randn(2, 2).tolist(), ember.randint(0, 10, (4,)).tolist()]
    ember.manual_seed(123)
    b = [ember.rand(3).tolist(), ember.randn(2, 2).tolist(), ember.randint(0, 10, (4,)).tolist()]
    assert a == b
    assert set(ember.randint(3, 5, (100,)).tolist()) == {3, 4}


def test_attributes():
    x = ember.zeros(2, 3, 4)
    t = torch.zeros(2, 3, 4)
    assert x.shape == t.shape and repr(x.shape) == repr(t.shape) == 'torch.Size([2, 3, 4])'
    assert x.size() == t.size() and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24
    assert x.T.shape == t.T.shape if hasattr(t, 'T') else True
    assert x.mT.shape == t.mT.shape
    assert x.is_leaf and x.grad_fn is None and not x.requires_grad
    with pytest.raises(IndexError, match='Dimension out of range'):
        x.size(3)


def test_python_protocols():
    s = ember.tensor(3.5)
    assert float(s) == 3.5 and int(s) == 3 and bool(s) and f'{s:.2f}' == '3.50'
    assert s.item() == 3.5 and ember.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert operator.index(ember.tensor(4)) == 4
    assert list(range(10))[ember.tensor(2)] == 2
    with pytest.raises(TypeError, match='only integer tensors'):
        operator.index(ember.tensor(4.0))
    assert len(ember.zeros(5, 2)) == 5
    with pytest.raises(TypeError, match='len\\(\\) of a 0-d tensor'):
        len(s)
    with pytest.raises(TypeError, match='iteration over a 0-d tensor'):
        iter(s)
    rows = list(ember.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match='more than one value is ambiguous'):
        bool(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match='cannot be converted to Scalar'):
        ember.tensor([1, 2]).item()


OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
       operator.pow, operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]


@pytest.mark.parametrize('op', OPS, ids=lambda o: o.__name__)
def test_binary_operators_both_sides(op):
    a = [[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]
    b = [2.0, -3.0, 0.5]
    ea, eb, ta, tb = ember.tensor(a), ember.tensor(b), torch.tensor(a), torch.tensor(b)
    same(op(ea, eb), op(ta, tb), exact=False)
    same(op(ea, 2), op(ta, 2), exact=False)
    same(op(3, eb), op(3, tb), exact=False)
    ia, ta_i = ember.tensor([[5, -7, 9]]), torch.tensor([[5, -7, 9]])
    if op is not operator.pow:
        same(op(ia, 2), op(ta_i, 2), exact=False)
        same(op(ia, 2.5), op(ta_i, 2.5), exact=False)


def test_unary_and_math():
    a = [[0.5, 1.0], [2.0, 4.0]]
    e, t = ember.tensor(a), torch.tensor(a)
    for f in ('sqrt', 'exp', 'log', 'sigmoid', 'tanh', 'relu', 'abs'):
        same(getattr(ember, f)(e), getattr(torch, f)(t), exact=False)
        same(getattr(e, f)(), getattr(t, f)(), exact=False)
    same(-e, -t)
    same(abs(ember.tensor([-1, 2])), abs(torch.tensor([-1, 2])))
    same(ember.sum(e), torch.sum(t), exact=False)
    same(e.sum(dim=0), t.sum(dim=0), exact=False)
    same(e.sum(1, keepdim=True), t.sum(1, keepdim=True), exact=False)
    same(e.mean((0, 1)), t.mean((0, 1)), exact=False)
    same(ember.tensor([1, 2]).sum(), torch.tensor([1, 2]).sum())
    same(ember.tensor([True, True]).sum(), torch.tensor([True, True]).sum())
    same(ember.sqrt(ember.tensor([4])), torch.sqrt(torch.tensor([4])))


@pytest.mark.parametrize('sa,sb', [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                   ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
                                   ((1, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 3, 2))])
def test_matmul_broadcasting_and_grad(sa, sb):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    ea = ember.tensor(a, requires_grad=True)
    eb = ember.tensor(b, requires_grad=True)
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (ea @ eb).sum().backward()
    (ta @ tb).sum().backward()
    np.testing.assert_allclose((ea @ eb).detach().numpy(), (ta @ tb).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


def test_shape_ops():
    x = np.arange(24.).reshape(2, 3, 4)
    e, t = ember.tensor(x), torch.tensor(x)
    same(e.reshape(4, -1), t.reshape(4, -1))
    same(e.view(-1), t.view(-1))
    same(e.transpose(0, 2), t.transpose(0, 2))
    same(e.permute(2, 0, 1), t.permute(2, 0, 1))
    same(e.flatten(1), t.flatten(1))
    same(e.unsqueeze(1), t.unsqueeze(1))
    same(e.unsqueeze(-1).squeeze(), t.unsqueeze(-1).squeeze())
    same(e[0].t(), t[0].t())
    same(ember.diag(e[0, :, :3]), torch.diag(t[0, :, :3]))
    same(ember.diag(ember.tensor([1., 2.])), torch.diag(torch.tensor([1., 2.])))
    same(ember.inverse(ember.tensor([[1., 2.], [3., 4.]])), torch.inverse(torch.tensor([[1., 2.], [3., 4.]])),
         exact=False)
    for idx in [(0,), (slice(None), 1), (Ellipsis, 2), (None, 0, slice(1, 3)), (1, slice(None, None, 2))]:
        same(e[idx], t[idx])


def test_views_share_memory():
    x = ember.zeros(2, 3)
    v = x.view(3, 2)
    v[0, 0] = 5.
    assert x[0, 0].item() == 5.
    s = x[1]
    s += 1
    assert x[1].tolist() == [1., 1., 1.]
    assert x._version == v._version > 0


def test_bad_input_errors_match_torch():
    with pytest.raises(RuntimeError, match=r'mat1 and mat2 shapes cannot be multiplied \(4x2 and 3x1\)'):
        ember.zeros(4, 2) @ ember.zeros(3, 1)
    with pytest.raises(RuntimeError, match=r'The size of tensor a \(3\) must match the size of tensor b '
                                           r'\(4\) at non-singleton dimension 1'):
        ember.zeros(2, 3) + ember.zeros(2, 4)
    with pytest.raises(ValueError, match='expected sequence of length 2 at dim 1 \\(got 3\\)'):
        ember.tensor([[1, 2], [3, 4, 5]])
    w = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        w.numpy()
    with pytest.raises(RuntimeError, match='a leaf Variable that requires grad is being used in an '
                                           'in-place operation'):
        w.add_(1)
    with pytest.raises(TypeError, match='assigned grad expected to be a Tensor or None but got grad '
                                        'of type int'):
        w.grad = 3
    with pytest.raises(RuntimeError, match='grad can be implicitly created only for scalar outputs'):
        (w * 2).backward()
    y = (w * w).sum()
    y.backward()
    with pytest.raises(RuntimeError, match='Trying to backward through the graph a second time'):
        y.backward()
    with pytest.raises(RuntimeError, match='shape .* is invalid for input of size 6'):
        ember.zeros(2, 3).view(4, 2)
