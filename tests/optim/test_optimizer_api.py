"""The Optimizer API against torch's: signatures, reprs, errors, hooks, groups, zero_grad."""
import inspect
import warnings

import pytest
import torch

import ember

NAMES = ['SGD', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop', 'Adagrad', 'Adadelta',
         'ASGD', 'Rprop', 'LBFGS', 'Adafactor', 'Muon']


def both(fn):
    """Run fn(lib) for ember and torch; return (ember_result_or_exc, torch_result_or_exc)."""
    out = []
    for lib in (ember, torch):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception is the result compared
            out.append(e)
    return out


def assert_same_error(fn):
    e, t = both(fn)
    assert isinstance(t, Exception), "torch did not raise"
    assert type(e) is type(t), f"ember raised {type(e).__name__}: {e}; torch {type(t).__name__}: {t}"
    assert str(e) == str(t)


@pytest.mark.parametrize('name', NAMES)
def test_signature_matches_torch(name):
    se = inspect.signature(getattr(ember.optim, name))
    st = inspect.signature(getattr(torch.optim, name))
    pe = [(p.name, p.kind, p.default) for p in se.parameters.values()]
    pt = [(p.name, p.kind, p.default) for p in st.parameters.values()]
    assert pe == pt


@pytest.mark.parametrize('name', NAMES)
def test_repr_matches_torch(name):
    def make(lib):
        a, b = lib.ones(2, 2, requires_grad=True), lib.ones(3, 2, requires_grad=True)
        groups = [{'params': [a]}] if name == 'LBFGS' else [{'params': [a]}, {'params': [b], 'lr': 0.5}]
        return repr(getattr(lib.optim, name)(groups))
    e, t = both(make)
    assert e == t


@pytest.mark.parametrize('name', NAMES)
def test_defaults_match_torch(name):
    def make(lib):
        return getattr(lib.optim, name)([lib.ones(2, 2, requires_grad=True)]).defaults
    e, t = both(make)
    assert e == t


@pytest.mark.parametrize('name,kw', [
    ('SGD', dict(lr=-1)), ('SGD', dict(momentum=-0.5)), ('SGD', dict(weight_decay=-1)),
    ('SGD', dict(nesterov=True)), ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ('Adam', dict(lr=-1)), ('Adam', dict(eps=-1)), ('Adam', dict(betas=(1.0, 0.9))),
    ('Adam', dict(betas=(0.9, -0.1))), ('Adam', dict(weight_decay=-0.1)),
    ('Adam', dict(betas=(0, 0.99))), ('AdamW', dict(lr=-0.5)),
    ('Adamax', dict(betas=(0.9, 1.5))), ('NAdam', dict(momentum_decay=-1)),
    ('RAdam', dict(eps=-1e-3)), ('RMSprop', dict(alpha=-1)), ('RMSprop', dict(momentum=-1)),
    ('Adagrad', dict(lr_decay=-1)), ('Adagrad', dict(initial_accumulator_value=-1)),
    ('Adadelta', dict(rho=1.5)), ('ASGD', dict(weight_decay=-1)), ('Rprop', dict(etas=(1.5, 2.0))),
    ('LBFGS', dict(lr=-1)), ('SGD', dict(lr=0.1, fused=True, foreach=True)),
    ('Adafactor', dict(beta2_decay=0.5)), ('Adafactor', dict(d=0.5)),
    ('Adafactor', dict(eps=(-1, 1e-3))), ('Muon', dict(adjust_lr_fn='bogus')),
    ('Muon', dict(momentum=-1)),
])
def test_invalid_hyperparameters_raise_like_torch(name, kw):
    assert_same_error(lambda lib: getattr(lib.optim, name)([lib.ones(2, requires_grad=True)], **kw))


def test_invalid_params_raise_like_torch():
    assert_same_error(lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1))
    assert_same_error(lambda lib: lib.optim.SGD([], lr=0.1))
    assert_same_error(lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True), 5], lr=0.1))
    assert_same_error(lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1))

    def twice(lib):
        p = lib.ones(2, requires_grad=True)
        return lib.optim.SGD([{'params': [p]}, {'params': [p]}], lr=0.1)
    assert_same_error(twice)

    def set_group(lib):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        opt.add_param_group({'params': {lib.ones(1, requires_grad=True)}})
    assert_same_error(set_group)

    def not_dict(lib):
        opt = lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1)
        opt.add_param_group([lib.ones(1, requires_grad=True)])
    assert_same_error(not_dict)

    def mixed_names(lib):
        return lib.optim.SGD([('a', lib.ones(2, requires_grad=True)),
                              lib.ones(2, requires_grad=True)], lr=0.1)
    assert_same_error(mixed_names)

    def lbfgs_groups(lib):
        return lib.optim.LBFGS([{'params': [lib.ones(1, requires_grad=True)]},
                                {'params': [lib.ones(1, requires_grad=True)]}])
    assert_same_error(lbfgs_groups)


def test_duplicate_param_warns():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def test_required_lr_in_custom_optimizer():
    from ember.optim.optimizer import required

    class MySGD(ember.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group['params']:
                    if p.grad is not None:
                        p.data = p.data - group['lr'] * p.grad
    p = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        MySGD([p])
    opt = MySGD([p], lr=0.5)
    p.grad = ember.ones(2)
    opt.step()
    assert p.detach().numpy().tolist() == [0.5, 0.5]
    assert repr(required) == "<required parameter>"


def test_add_param_group_uses_defaults():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([a], lr=0.1, momentum=0.9)
        opt.add_param_group({'params': b, 'lr': 0.01})
        g = opt.param_groups[1]
        assert g['params'] == [b] and g['lr'] == 0.01 and g['momentum'] == 0.9
        with pytest.raises(ValueError, match="more than one parameter group"):
            opt.add_param_group({'params': [a]})


def test_zero_grad():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 3).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert p.grad is not None and p.grad.detach().numpy().tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert p.grad is None


def test_step_hooks_and_removal():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        calls = []
        h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(('pre', o is opt)))
        h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(('post', o is opt)))
        p.grad = lib.ones(2)
        opt.step()
        assert calls == [('pre', True), ('post', True)]
        h1.remove()
        h2.remove()
        opt.step()
        assert len(calls) == 2


def test_pre_hook_can_replace_args():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {'closure': lambda: seen.append(1) or 7.0}))
    p.grad = ember.ones(2)
    assert opt.step() == 7.0 and seen == [1]


def test_global_step_hooks():
    from ember.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
    calls = []
    h1 = register_optimizer_step_pre_hook(lambda o, a, k: calls.append('pre'))
    h2 = register_optimizer_step_post_hook(lambda o, a, k: calls.append('post'))
    try:
        p = ember.ones(2, requires_grad=True)
        opt = ember.optim.Adam([p])
        p.grad = ember.ones(2)
        opt.step()
    finally:
        h1.remove()
        h2.remove()
    assert calls == ['pre', 'post']


def test_kernel_flags_accepted():
    p = ember.ones(2, requires_grad=True)
    for name, kw in [('Adam', dict(foreach=True)), ('Adam', dict(fused=True)),
                     ('Adam', dict(capturable=True)), ('SGD', dict(foreach=False, fused=False)),
                     ('AdamW', dict(fused=True)), ('Adagrad', dict(fused=True)),
                     ('RMSprop', dict(foreach=True, capturable=True))]:
        opt = getattr(ember.optim, name)([p], **kw)
        p.grad = ember.ones(2)
        opt.step()
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        ember.optim.SGD([p], differentiable=True)


def test_tensor_lr():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=lib.tensor(0.5))
        p.grad = lib.ones(2)
        opt.step()
        assert p.detach().numpy().tolist() == [0.5, 0.5]
    assert_same_error(lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)],
                                                lr=lib.tensor([0.1, 0.2])))


def test_module_layout():
    import ember.optim.adam
    import ember.optim.sgd
    assert ember.optim.adam.Adam is ember.optim.Adam
    assert ember.optim.sgd.SGD is ember.optim.SGD
    assert ember.optim.optimizer.Optimizer is ember.optim.Optimizer
    assert issubclass(ember.optim.AdamW, ember.optim.Optimizer)
    assert ember.optim.lr_scheduler._LRScheduler.__mro__[1] is ember.optim.lr_scheduler.LRScheduler


def test_complex_params_follow_torch():
    import numpy as np
    vals = np.array([1 + 2j, -0.5 + 0.25j], dtype=np.complex64)
    grads = np.array([0.3 - 0.1j, -0.2 + 0.4j], dtype=np.complex64)
    out = []
    for lib in (ember, torch):
        p = lib.tensor(vals.copy(), requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.1)
        for _ in range(3):
            p.grad = lib.tensor(grads.copy())
            opt.step()
        out.append(np.array(p.detach().numpy()))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)


@pytest.mark.parametrize('kind', ['float32', 'float64', 'transposed', 'complex64', 'float16'])
def test_plain_sgd_update_matches_torch(kind):
    """Plain SGD (no momentum, decay or maximize) has its own update loop: every param layout."""
    import numpy as np
    rng = np.random.default_rng(3)
    vals = rng.standard_normal((3, 4))
    grads = rng.standard_normal((3, 4))
    if kind == 'complex64':
        vals, grads = (vals + 1j * vals[::-1]).astype(np.complex64), (grads - 0.5j).astype(np.complex64)
    else:
        dt = {'float64': np.float64, 'float16': np.float16}.get(kind, np.float32)
        vals, grads = vals.astype(dt), grads.astype(dt)
    out = []
    for lib in (ember, torch):
        data = lib.tensor(vals.copy())
        p = lib.nn.Parameter(data.t() if kind == 'transposed' else data)
        g = lib.tensor(grads.copy())
        opt = lib.optim.SGD([p], lr=0.25)
        v0 = p._version
        for _ in range(3):
            p.grad = g.t() if kind == 'transposed' else g
            opt.step()
        assert p._version == v0 + 3
        out.append(np.array(p.detach().numpy()))
    assert out[0].dtype == out[1].dtype
    np.testing.assert_allclose(out[0], out[1], rtol=1e-3 if kind == 'float16' else 1e-6)


def test_no_warning_on_plain_step():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        opt.step()


def test_muon_rejects_non_matrices_like_torch():
    assert_same_error(lambda lib: lib.optim.Muon([lib.ones(3, requires_grad=True)]))


def test_sparse_adam_not_available():
    with pytest.raises(NotImplementedError, match="torch.optim.SparseAdam is not available"):
        ember.optim.SparseAdam([ember.ones(2, requires_grad=True)])
