"""Shared helpers for the optim tests: one small problem run identically on ember and torch."""
import numpy as np
import torch

import ember


def problem(seed=0, n=16, d=5, k=3):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d)).astype(np.float32)
    Y = rng.standard_normal((n, k)).astype(np.float32)
    W0 = (rng.standard_normal((d, k)) * 0.5).astype(np.float32)
    b0 = (rng.standard_normal(k) * 0.1).astype(np.float32)
    return A, Y, W0, b0


def loss_of(A, Y, W, b, sign=1.0):
    """Least squares plus a quartic term (a non-constant Hessian), in the framework of its inputs."""
    r = A @ W + b - Y
    return sign * ((r ** 2).mean() + 0.01 * (W ** 4).sum())


def to_np(t):
    return np.array(t.detach().numpy())


class Run:
    """Parameters, data and an optimizer built the same way in `lib` (ember or torch)."""

    def __init__(self, lib, seed=0, dtype='float32'):
        A, Y, W0, b0 = problem(seed)
        dt = getattr(lib, dtype)
        self.lib = lib
        self.A = lib.tensor(A, dtype=dt)
        self.Y = lib.tensor(Y, dtype=dt)
        self.W = lib.tensor(W0, dtype=dt, requires_grad=True)
        self.b = lib.tensor(b0, dtype=dt, requires_grad=True)
        self.sign = 1.0

    def params(self, groups=None):
        if groups is None:
            return [self.W, self.b]
        return [dict(g, params=[self.W] if i == 0 else [self.b]) for i, g in enumerate(groups)]

    def closure(self, opt):
        def fn():
            opt.zero_grad()
            loss = loss_of(self.A, self.Y, self.W, self.b, self.sign)
            loss.backward()
            return loss
        return fn

    def snapshot(self):
        return [to_np(self.W), to_np(self.b)]


def trajectory(lib, name, kwargs, steps=100, groups=None, use_closure=False, maximize_loss=False,
               scheduler=None, seed=0):
    run = Run(lib, seed)
    if maximize_loss:
        run.sign = -1.0
    opt = getattr(lib.optim, name)(run.params(groups), **kwargs)
    sched = scheduler(lib, opt) if scheduler else None
    traj, losses = [], []
    for _ in range(steps):
        fn = run.closure(opt)
        if use_closure:
            loss = opt.step(fn)
        else:
            loss = fn()
            opt.step()
        if sched is not None:
            sched.step()
        losses.append(float(loss.detach()))
        traj.append(run.snapshot())
    return traj, losses, opt


def assert_close_traj(te, tt, rtol=1e-5):
    """Every parameter at every step within `rtol` of torch's, relative to the tensor's norm."""
    assert len(te) == len(tt)
    for step, (pe, pt) in enumerate(zip(te, tt)):
        for a, b in zip(pe, pt):
            assert a.dtype == b.dtype and a.shape == b.shape
            err = np.linalg.norm((a - b).ravel().astype(np.float64))
            scale = max(np.linalg.norm(b.ravel().astype(np.float64)), 1e-3)
            assert err <= rtol * scale, f"step {step}: relative error {err / scale:.3g}"


def sd_to_torch(obj):
    """An ember state dict with every ember Tensor replaced by an equal torch tensor."""
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(np.array(obj._data))
    if isinstance(obj, dict):
        return {k: sd_to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(sd_to_torch(v) for v in obj)
    return obj


def sd_to_ember(obj):
    """A torch state dict with every torch tensor replaced by an equal ember Tensor."""
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: sd_to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(sd_to_ember(v) for v in obj)
    return obj


def assert_same_structure(se, st, path='sd'):
    """Same keys, nesting, types (Tensor vs Tensor), dtypes, shapes and values."""
    if isinstance(st, torch.Tensor):
        assert isinstance(se, ember.Tensor), f"{path}: {type(se)} is not a Tensor"
        assert str(se.dtype) == str(st.dtype), f"{path}: {se.dtype} != {st.dtype}"
        assert tuple(se.shape) == tuple(st.shape), path
        np.testing.assert_allclose(np.array(se._data, dtype=np.float64),
                                   st.detach().numpy().astype(np.float64), rtol=1e-5, atol=1e-7,
                                   err_msg=path)
    elif isinstance(st, dict):
        assert isinstance(se, dict), path
        assert list(se.keys()) == list(st.keys()) or set(se) == set(st), \
            f"{path}: keys {sorted(map(str, se))} != {sorted(map(str, st))}"
        for k in st:
            assert_same_structure(se[k], st[k], f"{path}[{k!r}]")
    elif isinstance(st, (list, tuple)):
        assert type(se) is type(st) and len(se) == len(st), path
        for i, (a, b) in enumerate(zip(se, st)):
            assert_same_structure(a, b, f"{path}[{i}]")
    elif isinstance(st, float):
        assert isinstance(se, (int, float)) and not isinstance(se, bool), path
        assert abs(se - st) <= 1e-5 * max(1.0, abs(st)), f"{path}: {se} != {st}"
    else:
        assert type(se) is type(st) and se == st, f"{path}: {se!r} != {st!r}"
