"""Reductions and scans against torch beyond the op table: named result tuples, tie-sharing
gradients, argument forms (var/std/norm), out=, dtype=, special values and error messages."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


def _same(e, t):
    if isinstance(t, tuple):
        assert type(e).__name__ == type(t).__name__ and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
        return
    if t is None:  # torch has no gradient: ember's may be None or zeros
        assert e is None or not np.any(_np(e))
        return
    if not isinstance(t, torch.Tensor):
        assert e == t
        return
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype), \
        f"{tuple(e.shape)} {e.dtype} vs torch {tuple(t.shape)} {t.dtype}"
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-6, atol=1e-7, equal_nan=True)


def both(fn, *arrays, grad=False):
    """fn on ember and torch tensors made from arrays; compares results (and input grads of
    sum(out * w) when grad)."""
    res, grads = [], []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=grad) for a in arrays]
        out = fn(lib, *ts)
        res.append(out)
        if grad:
            o = out[0] if isinstance(out, tuple) else out
            w = np.random.default_rng(0).standard_normal(tuple(o.shape))
            (o * lib.tensor(w, dtype=o.dtype)).sum().backward()
            grads.append([t.grad for t in ts])
    _same(res[0], res[1])
    for a, b in zip(*grads) if grad else ():
        _same(a, b)
    return res


def raises_like(fn, exc, msg):
    for lib in (torch, ember):
        with pytest.raises(exc) as info:
            fn(lib)
        assert msg in str(info.value), f"{lib.__name__}: {info.value}"


X = np.array([[1.0, 5.0, 5.0, -2.0], [3.0, 3.0, 0.5, 3.0], [-1.0, 4.0, 2.0, 4.0]])


# ----- named result tuples ---------------------------------------------------------------

def test_return_types_repr_fields_and_tuple_behaviour():
    e = ember.tensor(X).max(1)
    t = torch.tensor(X).max(1)
    assert repr(e) == repr(t)
    assert str(e) == str(t)
    assert isinstance(e, tuple) and len(e) == 2
    values, indices = e
    assert values is e.values and indices is e[1] is e.indices
    assert type(e).__name__ == 'max' and type(e) is ember.return_types.max
    assert repr(ember.aminmax(ember.tensor(X))) == repr(torch.aminmax(torch.tensor(X)))
    r = pickle.loads(pickle.dumps(ember.tensor(X).sort(0)))
    assert type(r) is ember.return_types.sort and r.indices.tolist() == \
        torch.tensor(X).sort(0).indices.tolist()
    assert ember.return_types.topk((1, 2)).indices == 2
    with pytest.raises(TypeError):
        ember.return_types.max((1, 2, 3))


# ----- gradients shared among ties -------------------------------------------------------

@pytest.mark.parametrize('fn', [
    lambda m, x: m.max(x), lambda m, x: m.min(x), lambda m, x: x.amax(), lambda m, x: x.amin(1),
    lambda m, x: x.amax((0, 1), keepdim=True), lambda m, x: m.aminmax(x, dim=0).max,
    lambda m, x: x.max(1).values, lambda m, x: x.min(0, keepdim=True).values,
    lambda m, x: x.median(), lambda m, x: x.norm(float('inf'), dim=1),
    lambda m, x: x.norm(float('-inf')), lambda m, x: x.cummax(1).values,
], ids=['max', 'min', 'amax', 'amin_dim', 'amax_dims_keep', 'aminmax_dim', 'max_dim', 'min_dim',
        'median', 'norm_inf_dim', 'norm_neginf', 'cummax'])
def test_tie_gradients_match_torch(fn):
    both(fn, X, grad=True)


def test_max_dim_picks_the_first_tie_like_torch():
    e, t = both(lambda m, x: (x.max(1), x.min(0), x.argmax(1), x.argmin()), X)
    assert e[0].indices.tolist() == [1, 0, 1]


def test_max_with_other_is_maximum():
    both(lambda m, x: (m.max(x, m.ones_like(x) * 2), x.min(other=x * 0)), X)


def test_nan_propagation():
    a = np.array([[1.0, np.nan, 3.0], [2.0, 0.5, 1.0]])
    both(lambda m, x: (x.max(), x.max(1), x.amin(1), x.argmax(1), x.logsumexp(1), x.sum(1),
                       x.nansum(1), x.nanmean(1), x.cummax(1), x.cumsum(1), x.prod(1)), a)
    both(lambda m, x: (x.nansum(), x.nanmean()), a, grad=True)


def test_logsumexp_special_values():
    a = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [-np.inf, 2.0], [1000.0, 1000.0]])
    both(lambda m, x: m.logsumexp(x, 1), a)
    both(lambda m, x: m.logsumexp(x, (0, 1), keepdim=True), np.array([[1e4, 1.0], [-1e4, 0.0]]))


# ----- argument forms ----------------------------------------------------------------------

@pytest.mark.parametrize('fn', [
    lambda m, x: x.var(1, True), lambda m, x: x.var(1, False, True), lambda m, x: m.var(x, True),
    lambda m, x: m.std(x, False), lambda m, x: x.var(unbiased=False),
    lambda m, x: x.std(dim=[0, 1], correction=0), lambda m, x: m.var_mean(x, 1, keepdim=True),
    lambda m, x: m.std_mean(x, dim=(0,), correction=2), lambda m, x: m.var(x, dim=None),
    lambda m, x: m.std(x, 0, correction=3),
])
def test_var_std_signatures(fn):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        both(fn, X, grad=True)


def test_var_warns_when_dof_not_positive():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match='degrees of freedom is <= 0'):
            lib.ones(1).var()


@pytest.mark.parametrize('fn', [
    lambda m, x: x.norm(), lambda m, x: x.norm(1), lambda m, x: x.norm(p=3, dim=0),
    lambda m, x: x.norm('fro', dim=(0, 1), keepdim=True), lambda m, x: m.norm(x, 0.5, 1),
    lambda m, x: m.norm(x, dim=1, dtype=m.float64), lambda m, x: x.norm(0),
    lambda m, x: m.norm(x * 0, 2), lambda m, x: (x * 0).norm(3, dim=1),
])
def test_norm_forms(fn):
    both(fn, X.astype(np.float32), grad=True)


def test_norm_of_complex_is_real():
    z = np.array([3 + 4j, 1 - 1j])
    both(lambda m, x: (x.norm(), m.norm(x, 1), x.norm(float('inf'))), z)


def test_dtype_and_out_arguments():
    ints = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    both(lambda m, x: (x.prod(dtype=m.float64), x.cumsum(1, dtype=m.float32), x.sum(dtype=m.int8),
                       x.cumprod(0), x.nansum(), m.prod(x, 1, True, dtype=m.int16)), ints)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(X)
        v, i = lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.long)
        r = lib.max(x, 1, out=(v, i))
        o = lib.empty(0, dtype=lib.float64)
        lib.logsumexp(x, 1, out=o)
        c = lib.empty(3, 4, dtype=lib.float64)
        lib.cumsum(x, 0, out=c)
        res.append((tuple(r), o, c))
        assert r.values is v and r[1] is i
    _same(res[0], res[1])


def test_all_any_dtypes_and_dims():
    for a in (np.array([[0, 2], [3, 0]], dtype=np.uint8), np.array([[0.0, 1.5], [2.0, 3.0]]),
              np.array([[True, False], [True, True]])):
        both(lambda m, x: (x.all(), x.any(1), m.all(x, (0, 1), keepdim=True), x.any(dim=(0,))), a)


def test_inplace_scans():
    both(lambda m, x: (x.clone().cumsum_(1), x.clone().cumprod_(0)), X)


# ----- errors -------------------------------------------------------------------------

@pytest.mark.parametrize('fn', [
    lambda m, x: x.sum(2), lambda m, x: x.max(2), lambda m, x: x.amax(-3), lambda m, x: x.var(2),
    lambda m, x: x.cumsum(2), lambda m, x: x.argmax(2), lambda m, x: x.logsumexp(2),
    lambda m, x: x.prod(2), lambda m, x: x.norm(dim=2), lambda m, x: x.all(2),
    lambda m, x: x.cummax(-3), lambda m, x: x.nansum(2), lambda m, x: m.aminmax(x, dim=2),
])
def test_dim_out_of_range(fn):
    raises_like(lambda m: fn(m, m.ones(2, 3)), IndexError,
                'Dimension out of range (expected to be in range of [-2, 1], but got')


@pytest.mark.parametrize('fn, exc, msg', [
    (lambda m: m.tensor([1, 2]).var(), RuntimeError,
     'std and var only support floating point and complex dtypes'),
    (lambda m: m.tensor([1, 2]).norm(), RuntimeError,
     'linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long'),
    (lambda m: m.tensor([1, 2]).nanmean(), RuntimeError,
     'nanmean(): expected input to have floating point or complex dtype but got Long'),
    (lambda m: m.ones(0, 3).max(), RuntimeError,
     'max(): Expected reduction dim to be specified for input.numel() == 0.'),
    (lambda m: m.ones(0, 3).amin(0), IndexError, 'amin(): Expected reduction dim 0 to have non-zero'),
    (lambda m: m.ones(0, 3).argmax(), IndexError, 'argmax(): Expected reduction dim to be specified'),
    (lambda m: m.aminmax(m.ones(0, 3)), RuntimeError, 'cannot compute aminmax over an empty'),
    (lambda m: m.ones(2, 3).amax((0, 0)), RuntimeError, 'dim 0 appears multiple times'),
    (lambda m: m.ones(2, 3).prod((0, 1)), TypeError, 'prod() received an invalid combination'),
    (lambda m: m.ones(0).norm(float('inf')), RuntimeError,
     'linalg.vector_norm cannot compute the inf norm on an empty tensor'),
    (lambda m: m.logcumsumexp(m.tensor([1, 2]), 0), NotImplementedError,
     '"logcumsumexp_out_cpu" not implemented for \'Long\''),
    (lambda m: m.tensor([True, False]).cumsum_(0), NotImplementedError,
     '"cumsum_out_cpu" not implemented for \'Bool\''),
    (lambda m: m.max(m.ones(2, 3), 1, out=(m.empty(0, dtype=m.float64), m.empty(0, dtype=m.long))),
     RuntimeError, "Expected out tensor to have dtype float, but got double instead"),
])
def test_errors(fn, exc, msg):
    raises_like(fn, exc, msg)


def test_empty_and_zero_dim_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        both(lambda m, x: (x.sum(0), x.prod(), x.logsumexp(0), x.var(0), x.all(0), x.mean(0),
                           x.cumsum(0), x.max(1), x.nanmean()), np.zeros((0, 3)))
    both(lambda m, x: (x.max(0), x.amax(-1), x.argmax(0), x.var(0, correction=0), x.cumsum(-1),
                       x.norm(dim=0), x.logsumexp(0), x.cummin(0), m.std_mean(x, 0, correction=0)),
         np.array(2.5))


def test_tensor_norm_method_signature_and_keywords():
    # Tensor.norm has no out= (torch's method signature); its keywords work as torch's
    import inspect
    assert list(inspect.signature(ember.Tensor.norm).parameters) == \
        list(inspect.signature(torch.Tensor.norm).parameters)
    a = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    for kw in ({}, {'p': 1, 'dim': 1, 'keepdim': True}, {'p': 'fro', 'dim': (0, 1)},
               {'dim': 0, 'dtype': 'float64'}, {'p': float('inf')}):
        tk = {k: (getattr(torch, v) if k == 'dtype' else v) for k, v in kw.items()}
        ek = {k: (getattr(ember, v) if k == 'dtype' else v) for k, v in kw.items()}
        t, e = torch.tensor(a).norm(**tk), ember.tensor(a).norm(**ek)
        assert str(e.dtype) == str(t.dtype) and np.allclose(_np(e), _np(t), rtol=1e-5)
    x = ember.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    x.norm(p=3, dim=1).sum().backward()
    tx.norm(p=3, dim=1).sum().backward()
    assert np.allclose(_np(x.grad), _np(tx.grad), rtol=1e-5)


def test_nuclear_norm_second_derivative_and_complex():
    """'nuc' is the sum of svdvals: torch's grad_fn, double backward and a real result for complex."""
    from _oracle import check
    a = np.random.default_rng(3).standard_normal((2, 3, 4))
    # (torch's keepdim result ends in a permute, ember's in unsqueezes: only grad_fn differs)
    check(lambda L, x: L.norm(x, 'nuc', dim=(2, 0), keepdim=True), a, double=True, grad_fn=False)
    check(lambda L, x: L.linalg.matrix_norm(x, 'nuc'), a, double=True)
    c = a[0] + 1j * a[1]
    both(lambda m, x: m.norm(x, 'nuc'), c)
