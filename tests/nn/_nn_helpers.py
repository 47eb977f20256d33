"""Shared oracle helpers for the nn tests: run the same function on ember and torch, compare
values, dtypes, shapes and gradients (and second-order gradients when asked)."""
import numpy as np
import torch

import ember


def to_ember(a, requires_grad=False):
    t = ember.tensor(a)
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_torch(a, requires_grad=False):
    t = torch.tensor(a)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np(t):
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():
            return np.zeros(tuple(t.shape), dtype=torch.empty((), dtype=t.dtype).numpy().dtype)
        return t.detach().numpy()
    return t.detach().numpy()


def _outs(o):
    return list(o) if isinstance(o, (tuple, list)) else [o]


def assert_close(e, t, atol=1e-7, rtol=1e-6, check_dtype=True, msg=''):
    assert tuple(e.shape) == tuple(t.shape), f"{msg} shape {tuple(e.shape)} != {tuple(t.shape)}"
    if check_dtype:
        assert str(e.dtype) == str(t.dtype), f"{msg} dtype {e.dtype} != {t.dtype}"
    np.testing.assert_allclose(_np(e).astype(np.float64) if _np(e).dtype.kind != 'b' else _np(e),
                               _np(t).astype(np.float64) if _np(t).dtype.kind != 'b' else _np(t),
                               atol=atol, rtol=rtol, err_msg=msg)


def compare(fe, ft, arrays, grad=None, atol=1e-7, rtol=1e-6, seed=0, gradgrad=False, check_dtype=True,
            out_grad_index=None):
    """fe(*ember_tensors) vs ft(*torch_tensors): outputs and the gradients of every float input
    (or the indices in `grad`) for one random cotangent; with gradgrad, also the gradient of
    sum(first-order grads * random) w.r.t. the same inputs."""
    if grad is None:
        grad = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == 'f']
    te = [to_ember(a, i in grad) for i, a in enumerate(arrays)]
    tt = [to_torch(a, i in grad) for i, a in enumerate(arrays)]
    oe, ot = _outs(fe(*te)), _outs(ft(*tt))
    assert len(oe) == len(ot)
    for i, (a, b) in enumerate(zip(oe, ot)):
        if b is None:
            continue
        assert_close(a, b, atol, rtol, check_dtype, msg=f'output {i}')
    if not grad:
        return oe, ot
    rng = np.random.default_rng(seed + 1)
    pe = [o for o in oe if o is not None and o.requires_grad]
    pt = [o for o in ot if o is not None and o.requires_grad]
    if out_grad_index is not None:
        pe, pt = [pe[out_grad_index]], [pt[out_grad_index]]
    assert len(pe) == len(pt), f"requires_grad differs: {len(pe)} vs {len(pt)}"
    if not pt:
        return oe, ot
    cots = [rng.standard_normal(tuple(o.shape)).astype(_np(o).dtype) for o in pt]
    ie = [te[i] for i in grad]
    it = [tt[i] for i in grad]
    ge = ember.autograd.grad(pe, ie, [ember.tensor(c) for c in cots], allow_unused=True,
                             create_graph=gradgrad)
    gt = torch.autograd.grad(pt, it, [torch.tensor(c) for c in cots], allow_unused=True,
                             create_graph=gradgrad)
    for k, (a, b) in enumerate(zip(ge, gt)):
        if b is None:
            assert a is None or np.allclose(_np(a), 0), f"grad {k}: torch None, ember not"
            continue
        if a is None:
            np.testing.assert_allclose(_np(b), 0, err_msg=f"grad {k}: ember None, torch not zero")
            continue
        assert_close(a, b, atol, rtol, check_dtype, msg=f'grad of input {grad[k]}')
    if gradgrad:
        # pairs where both first-order grads are differentiable; where only torch's is, its
        # second-order contribution must be zero (checked by the pairs that remain)
        pairs = [(a, b) for a, b in zip(ge, gt) if a is not None and b is not None and
                 a.requires_grad and b.requires_grad]
        se = [a for a, _ in pairs]
        st = [b for _, b in pairs]
        if st:
            cots2 = [rng.standard_normal(tuple(o.shape)) for o in st]
            he = ember.autograd.grad(se, ie, [ember.tensor(c) for c in cots2], allow_unused=True)
            ht = torch.autograd.grad(st, it, [torch.tensor(c) for c in cots2], allow_unused=True)
            for k, (a, b) in enumerate(zip(he, ht)):
                if b is None:
                    assert a is None or np.allclose(_np(a), 0, atol=atol), f"gradgrad {k}: torch None"
                    continue
                if a is None:
                    np.testing.assert_allclose(_np(b), 0, atol=atol, err_msg=f"gradgrad {k}: ember None")
                    continue
                assert_close(a, b, atol, rtol, check_dtype, msg=f'second-order grad of input {grad[k]}')
    return oe, ot


def rand(*shape, seed=0, dtype=np.float64, low=None, high=None):
    rng = np.random.default_rng(seed)
    if low is not None:
        return rng.uniform(low, high, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def copy_weights(em, tm):
    """Load torch module `tm`'s state_dict into ember module `em`."""
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def backprop_and_compare(outs_e, outs_t, leaf_pairs, em, tm, rng, close):
    """Backprop the same random weighting of all outputs through ember and torch, then compare
    (with `close`) the gradients of every (ember, torch) leaf pair and of every parameter, whose
    names must match torch's."""
    le = lt = 0
    for a, b in zip(outs_e, outs_t, strict=True):
        w = rng.standard_normal(tuple(b.shape)).astype(_np(b).dtype)
        le = le + (a * ember.tensor(w)).sum()
        lt = lt + (b * torch.tensor(w)).sum()
    le.backward()
    lt.backward()
    for a, b in leaf_pairs:
        close(a.grad, b.grad)
    pe, pt = list(em.named_parameters()), list(tm.named_parameters())
    assert [n for n, _ in pe] == [n for n, _ in pt]
    for (_, a), (_, b) in zip(pe, pt):
        close(a.grad, b.grad)
