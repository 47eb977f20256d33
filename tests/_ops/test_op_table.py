"""Run every row of op_table.OPS against torch: forward (all dtypes, method and in-place forms,
exceptions), gradients and grad_fn names, gradcheck and gradgradcheck (float64 central
differences). See op_table.py for how to add an op."""
import warnings

import numpy as np
import pytest
import torch

import ember
from op_table import OPS, T

pytestmark = pytest.mark.filterwarnings('ignore')

_IDS = [op.id for op in OPS]
assert len(set(_IDS)) == len(_IDS), "op_table ids must be unique"


# ----- building the arguments ---------------------------------------------------------------

def _cast(arr, dt):
    dt = np.dtype(dt)
    if dt.kind == 'f':
        return arr.astype(dt)
    if dt.kind == 'b':
        return arr > (np.median(arr) if arr.size else 0)
    a = np.nan_to_num(arr, nan=0.0, posinf=100.0, neginf=-100.0)
    if dt.kind == 'u':
        a = a - min(a.min(initial=0.0), 0.0)
    return np.floor(a * 2).astype(dt)


def _tensor(lib, arr, requires_grad=False):
    t = lib.tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _args(lib, sample, dt, grad=False):
    """(args, kwargs, leaves) for lib; float arrays cast to dt (and made leaves when grad)."""
    leaves = []

    def conv(a):
        if isinstance(a, T):
            return _tensor(lib, a.arr)
        if isinstance(a, np.ndarray):
            c = _cast(a, dt)
            t = _tensor(lib, c, grad and c.dtype.kind == 'f')
            if grad and c.dtype.kind == 'f':
                leaves.append(t)
            return t
        return a
    args = [conv(a) for a in sample.args]
    kwargs = {k: conv(v) for k, v in sample.kwargs.items()}
    return args, kwargs, leaves


def _run(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return fn(*args, **kwargs), None
        except Exception as ex:  # noqa: BLE001 - any exception is compared with torch's
            return None, ex


# ----- comparing results ------------------------------------------------------------------

def _tol(dtype_name, op):
    if op.rtol is not None:
        return op.rtol, op.atol or 0
    if dtype_name in ('float16', 'bfloat16'):
        return 1e-2, 1e-2
    if dtype_name in ('float32', 'complex64'):
        return 2e-5, 2e-6
    return 1e-9, 1e-11


def _np(t):
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():
            return np.zeros(tuple(t.shape), dtype=torch.empty(0, dtype=t.dtype).numpy().dtype)
        return t.detach().numpy()
    return np.asarray(ember.Tensor.detach(t)._data)


def _same(e, t, op, where):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{where}: {type(e).__name__} instead of a Tensor"
        assert tuple(e.shape) == tuple(t.shape), f"{where}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        assert str(e.dtype) == str(t.dtype), f"{where}: dtype {e.dtype} != {t.dtype}"
        if op.skip_values:
            return
        a, b = _np(e), _np(t)
        if b.dtype.kind in 'biu':
            np.testing.assert_array_equal(a, b, err_msg=where)
        else:
            rtol, atol = _tol(str(t.dtype)[6:], op)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        return
    if isinstance(t, (tuple, list)):
        if type(t).__module__ == 'torch.return_types':
            assert type(e).__name__ == type(t).__name__ and type(e).__module__ == \
                'ember.return_types', f"{where}: {type(e)} instead of return_types.{type(t).__name__}"
        else:
            assert isinstance(e, (tuple, list)), f"{where}: {type(e).__name__} instead of a tuple"
        assert len(e) == len(t), f"{where}: {len(e)} results instead of {len(t)}"
        for i, (x, y) in enumerate(zip(e, t)):
            _same(x, y, op, f"{where}[{i}]")
        return
    if isinstance(t, float):
        assert isinstance(e, float) and (e == t or (np.isnan(e) and np.isnan(t))), \
            f"{where}: {e!r} != {t!r}"
        return
    assert type(e) is type(t) and e == t, f"{where}: {e!r} != {t!r}"


def _same_or_raise(eo, ee, to, te, op, where):
    if te is not None:
        assert ee is not None, f"{where}: ember returned, torch raised {type(te).__name__}: {te}"
        assert type(ee).__name__ == type(te).__name__, \
            f"{where}: ember raised {type(ee).__name__}: {ee}; torch {type(te).__name__}: {te}"
        return
    if ee is not None:
        raise AssertionError(f"{where}: ember raised {type(ee).__name__}: {ee}") from ee
    _same(eo, to, op, where)


def _inplace_name(op):
    if op.inplace is False:
        return None
    name = op.inplace or op.name + '_'
    return name if hasattr(torch.Tensor, name) else None


# ----- forward ------------------------------------------------------------------------------

@pytest.mark.parametrize('op', OPS, ids=_IDS)
def test_forward(op):
    iname = _inplace_name(op)
    n = 0
    for s in op.samples():
        for dt in op.dtypes:
            where = f"{op.id} {s} {np.dtype(dt).name}"
            ta, tk, _ = _args(torch, s, dt)
            ea, ek, _ = _args(ember, s, dt)
            to, te = _run(op.fn, torch, *ta, **tk)
            eo, ee = _run(op.fn, ember, *ea, **ek)
            _same_or_raise(eo, ee, to, te, op, where)
            n += 1
            if not ta or not isinstance(ta[0], torch.Tensor):
                continue
            if op.method_fn is not None:
                to, te = _run(op.method_fn, torch, *ta, **tk)
                eo, ee = _run(op.method_fn, ember, *ea, **ek)
                _same_or_raise(eo, ee, to, te, op, where + ' (method)')
            if iname is not None:
                ta, tk, _ = _args(torch, s, dt)
                ea, ek, _ = _args(ember, s, dt)
                to, te = _run(lambda x, *a, **k: getattr(x, iname)(*a, **k), *ta, **tk)
                eo, ee = _run(lambda x, *a, **k: getattr(x, iname)(*a, **k), *ea, **ek)
                _same_or_raise(eo, ee, to, te, op, where + f' ({iname})')
                if te is None:
                    assert eo is ea[0], f"{where}: {iname} must return self"
                    _same(ea[0], ta[0], op, where + f' ({iname} self)')
    assert n > 0


# ----- gradients ----------------------------------------------------------------------------

def _float_outs(out):
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r += _float_outs(o)
        return r
    if isinstance(out, (torch.Tensor, ember.Tensor)) and out.dtype.is_floating_point:
        return [out]
    return []


def _grad_samples(op):
    for s in op.samples():
        ta, tk, tl = _args(torch, s, np.float64, grad=True)
        if not tl:
            continue
        to, te = _run(op.fn, torch, *ta, **tk)
        if te is not None:
            continue
        touts = [o for o in _float_outs(to) if o.requires_grad]
        if not touts:
            continue
        yield s, ta, tk, tl, to, touts


def _weights(outs, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(o.shape)) for o in outs]


def _ember_outs(op, s):
    ea, ek, el = _args(ember, s, np.float64, grad=True)
    eo = op.fn(ember, *ea, **ek)
    return ea, ek, el, eo, [o for o in _float_outs(eo) if o.requires_grad]


def _close(a, b, what, rtol, atol):
    if b is None:
        assert a is None or not np.any(_np(a)), f"{what}: torch has no gradient, ember has {a}"
        return
    assert a is not None, f"{what}: ember has no gradient, torch has {b}"
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype), \
        f"{what}: {tuple(a.shape)} {a.dtype} vs torch {tuple(b.shape)} {b.dtype}"
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


@pytest.mark.parametrize('op', [o for o in OPS if o.grad], ids=[o.id for o in OPS if o.grad])
def test_grad(op):
    n = 0
    for s, ta, tk, tl, to, touts in _grad_samples(op):
        where = f"{op.id} {s}"
        ea, ek, el, eo, eouts = _ember_outs(op, s)
        assert len(eouts) == len(touts), f"{where}: {len(eouts)} outputs require grad, torch {len(touts)}"
        if op.grad_fn:
            for e, t in zip(eouts, touts):
                en = None if e.grad_fn is None else e.grad_fn.name()
                tn = None if t.grad_fn is None else type(t.grad_fn).__name__
                assert en == tn, f"{where}: grad_fn {en} != {tn}"
        ws = _weights(touts)
        tg, te = _run(torch.autograd.grad, touts, tl, [torch.tensor(w) for w in ws],
                      allow_unused=True)
        if te is not None:
            continue  # torch's own backward fails here (e.g. clamp of a 0-d input, broadcast)
        eg = ember.autograd.grad(eouts, el, [ember.tensor(w) for w in ws], allow_unused=True)
        for i, (a, b) in enumerate(zip(eg, tg)):
            _close(a, b, f"{where} grad[{i}]", op.grad_rtol, op.grad_atol)
        n += 1
    assert n > 0, f"{op.id}: no differentiable sample"


def _loss(op, s, arrays, ws):
    """sum_i <w_i, out_i> evaluated by ember at float64 input values `arrays` (no graph)."""
    it = iter(arrays)

    def conv(a):
        if isinstance(a, T):
            return ember.tensor(a.arr)
        if isinstance(a, np.ndarray):
            return ember.tensor(next(it))
        return a
    with ember.no_grad():
        out = op.fn(ember, *[conv(a) for a in s.args], **{k: conv(v) for k, v in s.kwargs.items()})
    return sum(float((_np(o) * w).sum()) for o, w in zip(_float_outs(out), ws))


def _numeric_grads(f, arrays, eps=1e-6):
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][j] += eps
            minus[i][j] -= eps
            g[j] = (f(plus) - f(minus)) / (2 * eps)
        grads.append(g)
    return grads


def _finite(*arrays):
    return all(np.all(np.isfinite(a)) for a in arrays)


@pytest.mark.parametrize('op', [o for o in OPS if o.gradcheck],
                         ids=[o.id for o in OPS if o.gradcheck])
def test_gradcheck(op):
    """Analytical float64 gradients equal central differences."""
    for s, ta, tk, tl, to, touts in _grad_samples(op):
        ea, ek, el, eo, eouts = _ember_outs(op, s)
        if not _finite(*[_np(o) for o in eouts]):
            continue
        ws = _weights(touts, seed=1)
        tg, te = _run(torch.autograd.grad, touts, tl, [torch.tensor(w) for w in ws],
                      allow_unused=True)
        if te is not None:
            continue
        eg = ember.autograd.grad(eouts, el, [ember.tensor(w) for w in ws], allow_unused=True)
        arrays = [_np(x).copy() for x in el]
        if hasattr(ember.autograd, 'gradcheck'):
            assert ember.autograd.gradcheck(
                lambda *xs: tuple(_float_outs(op.fn(ember, *_replace(s, xs)[0], **_replace(s, xs)[1]))),
                tuple(el), eps=1e-6, atol=1e-5, rtol=1e-3), f"{op.id} {s}: gradcheck failed"
            continue
        num = _numeric_grads(lambda xs: _loss(op, s, xs, ws), arrays)
        for i, (a, b) in enumerate(zip(eg, num)):
            got = np.zeros_like(b) if a is None else _np(a)
            np.testing.assert_allclose(got, b, rtol=1e-3, atol=1e-5,
                                       err_msg=f"{op.id} {s} gradcheck[{i}]")


def _replace(s, xs):
    """The sample's ember arguments with float arrays replaced by tensors xs (in order)."""
    it = iter(xs)

    def conv(a):
        if isinstance(a, T):
            return ember.tensor(a.arr)
        if isinstance(a, np.ndarray):
            return next(it)
        return a
    return [conv(a) for a in s.args], {k: conv(v) for k, v in s.kwargs.items()}


@pytest.mark.parametrize('op', [o for o in OPS if o.gradgrad],
                         ids=[o.id for o in OPS if o.gradgrad])
def test_gradgrad(op):
    """Second derivatives equal torch's, and central differences of the first derivatives."""
    for k, (s, ta, tk, tl, to, touts) in enumerate(_grad_samples(op)):
        where = f"{op.id} {s}"
        ws = _weights(touts)
        tg, te = _run(torch.autograd.grad, touts, tl, [torch.tensor(w) for w in ws],
                      create_graph=True, allow_unused=True)
        if te is not None:
            continue
        pairs = [i for i, g in enumerate(tg) if g is not None and g.requires_grad and g.numel()]
        if not pairs:
            continue
        ea, ek, el, eo, eouts = _ember_outs(op, s)
        eg = ember.autograd.grad(eouts, el, [ember.tensor(w) for w in ws], create_graph=True,
                                 allow_unused=True)
        vs = _weights([tg[i] for i in pairs], seed=2)
        t2 = sum((tg[i] * torch.tensor(v)).sum() for i, v in zip(pairs, vs))
        missing = [i for i in pairs if eg[i] is None or not eg[i].requires_grad]
        assert not missing, f"{where}: first-order grads {missing} are not differentiable in ember"
        e2 = sum((eg[i] * ember.tensor(v)).sum() for i, v in zip(pairs, vs))
        tgg = torch.autograd.grad(t2, tl, allow_unused=True)
        egg = ember.autograd.grad(e2, el, allow_unused=True)
        for i, (a, b) in enumerate(zip(egg, tgg)):
            _close(a, b, f"{where} gradgrad[{i}]", 1e-6, 1e-8)
        arrays = [_np(x).copy() for x in el]
        if k >= 4 or sum(a.size for a in arrays) > 30 or not _finite(*arrays):
            continue

        def first(xs):
            leaves = [ember.tensor(x).requires_grad_() for x in xs]
            args, kw = _replace(s, leaves)
            outs = [o for o in _float_outs(op.fn(ember, *args, **kw)) if o.requires_grad]
            g = ember.autograd.grad(outs, leaves, [ember.tensor(w) for w in ws], allow_unused=True)
            return sum(float((_np(g[i]) * v).sum()) for i, v in zip(pairs, vs) if g[i] is not None)
        num = _numeric_grads(first, arrays)
        for i, (a, b) in enumerate(zip(egg, num)):
            got = np.zeros_like(b) if a is None else _np(a)
            np.testing.assert_allclose(got, b, rtol=1e-3, atol=1e-5,
                                       err_msg=f"{where} gradgradcheck[{i}]")
