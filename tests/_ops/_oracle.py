"""Run the same program on ember and on torch (the oracle) and compare results and gradients.

`check(fn, *arrays)` calls `fn(lib, *tensors)` once with `lib=torch` and once with `lib=ember`; float
arrays become tensors that require grad. Outputs (a tensor or a tuple/list of them) are compared
for values, dtype, shape and grad_fn name; then gradients of sum(out * w) for a fixed random w, and,
with `double=True`, second-order gradients through `create_graph=True`.
"""
import numpy as np
import torch

import ember


def to_lib(lib, a, requires_grad):
    if isinstance(a, np.ndarray):
        t = lib.tensor(a) if a.ndim else lib.tensor(a.item(), dtype=getattr(lib, str(a.dtype)))
        if a.dtype.kind in 'f' and a.ndim and t.dtype != getattr(lib, str(a.dtype)):
            t = t.to(getattr(lib, str(a.dtype)))
        if requires_grad and a.dtype.kind == 'f':
            t.requires_grad_(True)
        return t
    return a


def _flat(out):
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r += _flat(o)
        return r
    return [out]


def _np(t):
    if isinstance(t, torch.Tensor):
        try:
            return t.detach().numpy()
        except RuntimeError:  # torch's ZeroTensor (a known-zero gradient)
            return np.zeros(tuple(t.shape), dtype=str(t.dtype).replace('torch.', ''))
    return np.asarray(t.detach()._data if isinstance(t, ember.Tensor) else t)


def assert_same(e, t, atol=1e-6, rtol=1e-5, grad_fn=True, what='output'):
    eo, to = _flat(e), _flat(t)
    assert len(eo) == len(to), f"{what}: {len(eo)} outputs vs torch's {len(to)}"
    for i, (a, b) in enumerate(zip(eo, to)):
        if not isinstance(b, torch.Tensor):
            assert a == b, f"{what}[{i}]: {a!r} != {b!r}"
            continue
        assert isinstance(a, ember.Tensor), f"{what}[{i}] is {type(a)}"
        assert tuple(a.shape) == tuple(b.shape), f"{what}[{i}] shape {tuple(a.shape)} != {tuple(b.shape)}"
        assert str(a.dtype) == str(b.dtype), f"{what}[{i}] dtype {a.dtype} != {b.dtype}"
        if grad_fn:
            ta = type(a.grad_fn).__name__ if a.grad_fn is not None else None
            tb = type(b.grad_fn).__name__ if b.grad_fn is not None else None
            assert ta == tb, f"{what}[{i}] grad_fn {ta} != {tb}"
        np.testing.assert_allclose(_np(a).astype(np.float64) if _np(a).dtype.kind != 'c' else _np(a),
                                   _np(b).astype(np.float64) if _np(b).dtype.kind != 'c' else _np(b),
                                   atol=atol, rtol=rtol, err_msg=f"{what}[{i}]")


def check(fn, *arrays, grad=True, double=False, atol=1e-6, rtol=1e-5, grad_fn=True, seed=0):
    """Compare fn on both libraries; returns (ember_out, torch_out)."""
    tt = [to_lib(torch, a, grad) for a in arrays]
    et = [to_lib(ember, a, grad) for a in arrays]
    to = fn(torch, *tt)
    eo = fn(ember, *et)
    assert_same(eo, to, atol, rtol, grad_fn)
    if not grad:
        return eo, to
    t_in = [t for t in tt if isinstance(t, torch.Tensor) and t.requires_grad]
    e_in = [t for t in et if isinstance(t, ember.Tensor) and t.requires_grad]
    t_out = [o for o in _flat(to) if isinstance(o, torch.Tensor) and o.requires_grad]
    e_out = [o for o in _flat(eo) if isinstance(o, ember.Tensor) and o.requires_grad]
    assert len(t_out) == len(e_out), "different outputs require grad"
    if not t_out or not t_in:
        return eo, to
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(o.shape) for o in t_out]
    t_loss = sum((o * torch.tensor(w, dtype=o.dtype)).sum() for o, w in zip(t_out, ws))
    e_loss = sum((o * ember.tensor(w, dtype=o.dtype)).sum() for o, w in zip(e_out, ws))
    tg = torch.autograd.grad(t_loss, t_in, create_graph=double, allow_unused=True)
    eg = ember.autograd.grad(e_loss, e_in, create_graph=double, allow_unused=True)
    for i, (a, b) in enumerate(zip(eg, tg)):
        if b is None:
            assert a is None or not np.any(_np(a)), f"grad[{i}] should be None/zero"
            continue
        assert a is not None, f"grad[{i}] is None, torch's is not"
        assert_same(a, b, atol, rtol, grad_fn=False, what=f'grad[{i}]')
    if double:
        vs = [rng.standard_normal(g.shape) if g is not None else None for g in tg]
        pairs = [(a, b, v) for a, b, v in zip(eg, tg, vs) if b is not None and b.requires_grad]
        if not pairs:
            return eo, to
        t2 = sum((b * torch.tensor(v, dtype=b.dtype)).sum() for a, b, v in pairs)
        e2 = sum((a * ember.tensor(v, dtype=a.dtype)).sum() for a, b, v in pairs)
        tgg = torch.autograd.grad(t2, t_in, allow_unused=True)
        egg = ember.autograd.grad(e2, e_in, allow_unused=True)
        for i, (a, b) in enumerate(zip(egg, tgg)):
            if b is None:
                assert a is None or not np.any(_np(a)), f"grad2[{i}] should be None/zero"
                continue
            assert a is not None, f"grad2[{i}] is None, torch's is not"
            assert_same(a, b, atol, rtol, grad_fn=False, what=f'grad2[{i}]')
    return eo, to


def check_error(fn, *arrays, match=None):
    """fn raises the same exception type on both; the messages share `match` (or are equal)."""
    tt = [to_lib(torch, a, False) for a in arrays]
    et = [to_lib(ember, a, False) for a in arrays]
    terr = eerr = None
    try:
        fn(torch, *tt)
    except Exception as ex:  # noqa: BLE001
        terr = ex
    try:
        fn(ember, *et)
    except Exception as ex:  # noqa: BLE001
        eerr = ex
    assert terr is not None, "torch did not raise"
    assert eerr is not None, f"ember did not raise (torch: {type(terr).__name__}: {terr})"
    assert type(eerr).__name__ == type(terr).__name__, \
        f"ember raised {type(eerr).__name__}: {eerr}; torch {type(terr).__name__}: {terr}"
    tm, em = str(terr).split('\n')[0], str(eerr).split('\n')[0]
    if match is None:
        assert em == tm, f"message {em!r} != torch's {tm!r}"
    else:
        assert match in em and match in tm, f"{match!r} not in ember {em!r} / torch {tm!r}"


def rnd(*shape, dtype=np.float64, seed=0, low=-2, high=2):
    rng = np.random.default_rng(seed + sum(shape))
    if np.dtype(dtype).kind == 'f':
        return rng.uniform(low, high, shape).astype(dtype)
    if np.dtype(dtype).kind == 'b':
        return rng.random(shape) > 0.5
    return rng.integers(low, high, shape).astype(dtype)
