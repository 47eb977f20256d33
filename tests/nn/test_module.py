"""nn.Module, Parameter, Linear, Sequential and MSELoss against torch.nn."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn


class EMLP(nn.Module):
    def __init__(self, i, h, o):
        super().__init__()
        self.l1 = nn.Linear(i, h)
        self.l2 = nn.Linear(h, o)
        self.register_buffer('steps', ember.zeros(()))
        self.register_buffer('scratch', ember.zeros(2), persistent=False)

    def forward(self, x):
        return ember.sigmoid(self.l2(ember.sigmoid(self.l1(x))))


class TMLP(torch.nn.Module):
    def __init__(self, i, h, o):
        super().__init__()
        self.l1 = torch.nn.Linear(i, h)
        self.l2 = torch.nn.Linear(h, o)
        self.register_buffer('steps', torch.zeros(()))
        self.register_buffer('scratch', torch.zeros(2), persistent=False)

    def forward(self, x):
        return torch.sigmoid(self.l2(torch.sigmoid(self.l1(x))))


def copy_weights(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def test_registration_and_traversal_match_torch():
    em, tm = EMLP(2, 3, 1), TMLP(2, 3, 1)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in em.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in em.named_children()] == [n for n, _ in tm.named_children()]
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    assert [tuple(p.shape) for p in em.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    assert len(list(em.modules())) == 3 and len(list(em.children())) == 2
    assert isinstance(em.l1.weight, nn.Parameter) and em.l1.weight.requires_grad


def test_repr_identical_to_torch():
    assert repr(EMLP(2, 3, 1)) == repr(TMLP(2, 3, 1)).replace('TMLP', 'EMLP')
    es = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Sigmoid(), nn.Tanh(),
                       nn.Sequential(nn.Linear(3, 1)), nn.Identity())
    ts = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.ReLU(), torch.nn.Sigmoid(),
                             torch.nn.Tanh(), torch.nn.Sequential(torch.nn.Linear(3, 1)),
                             torch.nn.Identity())
    assert repr(es) == repr(ts)
    assert repr(nn.MSELoss()) == repr(torch.nn.MSELoss())
    el = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    tl = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(el) == repr(tl)
    p = nn.Parameter(ember.tensor([[1., 2.]]))
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([[1., 2.]])))


def test_forward_backward_match_torch_with_same_weights():
    em, tm = EMLP(2, 3, 2), TMLP(2, 3, 2)
    copy_weights(em, tm)
    x = [[1., 1.], [2., -4.]]
    ey, ty = em(ember.tensor(x)), tm(torch.tensor(x))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
    assert ey.grad_fn.name() == ty.grad_fn.name() == 'SigmoidBackward0'
    nn.MSELoss()(ey, ember.tensor([[0., 1.], [1., 0.]])).backward()
    torch.nn.MSELoss()(ty, torch.tensor([[0., 1.], [1., 0.]])).backward()
    for (n, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7, err_msg=n)


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = lin.weight.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(-b, b) has std b/sqrt(3)
    b = lin.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound and b.std() > 0.4 * bound
    assert lin.weight.dtype is ember.float32
    assert nn.Linear(2, 2, dtype=ember.float64).weight.dtype is ember.float64


def test_state_dict_roundtrip_and_errors():
    em = EMLP(2, 3, 1)
    sd = em.state_dict()
    assert isinstance(sd, OrderedDict) and not sd['l1.weight'].requires_grad
    assert 'scratch' not in sd
    other = EMLP(2, 3, 1)
    res = other.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert np.array_equal(other.l1.weight.detach().numpy(), em.l1.weight.detach().numpy())
    tm = TMLP(2, 3, 1)
    bad = dict(sd)
    del bad['l2.bias']
    bad['extra'] = ember.zeros(1)
    with pytest.raises(RuntimeError) as ee:
        other.load_state_dict(bad)
    tbad = {k: torch.from_numpy(v.numpy()) for k, v in bad.items()}
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict(tbad)
    assert str(ee.value).replace('EMLP', 'TMLP') == str(te.value)
    res = other.load_state_dict(bad, strict=False)
    assert res.missing_keys == ['l2.bias'] and res.unexpected_keys == ['extra']
    # wrong shapes: every mismatched key named, nothing changed
    before = other.l1.weight.detach().numpy().copy()
    wrong = dict(sd)
    wrong['l1.weight'] = ember.zeros(5, 5)
    wrong['l2.weight'] = ember.zeros(1, 5)
    with pytest.raises(RuntimeError, match='size mismatch for l1.weight') as ee:
        other.load_state_dict(wrong)
    assert 'size mismatch for l2.weight' in str(ee.value)
    assert np.array_equal(other.l1.weight.detach().numpy(), before)
    twrong = {k: torch.from_numpy(v.numpy()) for k, v in wrong.items()}
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict(twrong)
    assert str(ee.value).replace('EMLP', 'TMLP') == str(te.value)


def test_train_eval_zero_grad_to_apply():
    em = EMLP(2, 3, 1)
    assert em.training and em.l1.training
    em.eval()
    assert not em.training and not em.l1.training
    em.train()
    em(ember.ones(1, 2)).sum().backward()
    assert em.l1.weight.grad is not None
    em.zero_grad(set_to_none=False)
    assert em.l1.weight.grad.abs().sum().item() == 0
    em.zero_grad()
    assert em.l1.weight.grad is None
    em.double()
    assert em.l1.weight.dtype is ember.float64 and em.steps.dtype is ember.float64
    em.to(ember.float32)
    assert em.l1.weight.dtype is ember.float32
    seen = []
    em.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ['Linear', 'Linear', 'EMLP']


def test_register_and_errors():
    m = nn.Module()
    m.register_parameter('w', nn.Parameter(ember.ones(2)))
    m.add_module('sub', nn.Linear(1, 1))
    assert [n for n, _ in m.named_parameters()] == ['w', 'sub.weight', 'sub.bias']
    with pytest.raises(TypeError, match='cannot assign'):
        m.w = ember.ones(2)
    with pytest.raises(KeyError):
        m.register_parameter('a.b', None)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        m.nope
    del m.sub
    assert 'sub' not in dict(m.named_children())


def test_sequential_indexing_and_containers():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Linear)
    assert len(s[1:]) == 2 and isinstance(s[1:], nn.Sequential)
    s.append(nn.Sigmoid())
    s.insert(0, nn.Identity())
    assert [type(m).__name__ for m in s] == ['Identity', 'Linear', 'ReLU', 'Linear', 'Sigmoid']
    assert tuple(s(ember.ones(4, 2)).shape) == (4, 1)
    d = nn.ModuleDict({'a': nn.Linear(1, 1)})
    assert 'a' in d and len(list(d.parameters())) == 2
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    assert len(list(pl.parameters())) == 2
    assert repr(pl) == repr(torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(3)]))


def test_mse_loss_reductions_match_torch():
    a, b = np.random.default_rng(0).standard_normal((2, 3, 4))
    for red in ('mean', 'sum', 'none'):
        ea = ember.tensor(a, requires_grad=True)
        ta = torch.tensor(a, requires_grad=True)
        el = nn.MSELoss(reduction=red)(ea, ember.tensor(b))
        tl = torch.nn.MSELoss(reduction=red)(ta, torch.tensor(b))
        np.testing.assert_allclose(el.detach().numpy(), tl.detach().numpy(), rtol=1e-12)
        el.sum().backward()
        tl.sum().backward()
        np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
        assert el.grad_fn.name() == tl.grad_fn.name() or red == 'none'


def test_forward_hooks_run_and_remove():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append('pre'))
    h2 = m.register_forward_hook(lambda mod, args, out: out * 0)
    assert m(ember.ones(1, 2)).abs().sum().item() == 0 and calls == ['pre']
    h1.remove()
    h2.remove()
    assert m(ember.ones(1, 2)).abs().sum().item() != 0 and calls == ['pre']


def test_set_submodule_lazy_linear_and_parameter_dict_methods():
    em = EMLP(2, 3, 1)
    em.set_submodule('l2', nn.Linear(3, 4))
    assert tuple(em(ember.ones(1, 2)).shape) == (1, 4)
    with pytest.raises(AttributeError):
        em.set_submodule('l3', nn.Linear(1, 1), strict=True)
    el, tl = nn.LazyLinear(5), torch.nn.LazyLinear(5)
    assert el.has_uninitialized_params() and tl.has_uninitialized_params()
    assert tuple(el(ember.ones(2, 7)).shape) == tuple(tl(torch.ones(2, 7)).shape)
    assert type(el).__name__ == type(tl).__name__ == 'Linear'
    assert repr(el) == repr(tl)
    ed = nn.ParameterDict({'a': nn.Parameter(ember.ones(1)), 'b': nn.Parameter(ember.zeros(2))})
    td = torch.nn.ParameterDict({'a': torch.nn.Parameter(torch.ones(1)),
                                 'b': torch.nn.Parameter(torch.zeros(2))})
    assert ed.popitem()[0] == td.popitem()[0] == 'b'
    assert ed.setdefault('c', nn.Parameter(ember.ones(3))).shape == \
        td.setdefault('c', torch.nn.Parameter(torch.ones(3))).shape
    assert list(ed.copy().keys()) == list(td.copy().keys())
    assert list(ed.fromkeys(['x', 'y']).keys()) == list(td.fromkeys(['x', 'y']).keys())


def test_share_memory_is_seen_by_forked_children():
    import multiprocessing as mp
    t = ember.zeros(3).share_memory_()
    assert t.is_shared()

    def child(x):
        x[0] = 5.0
    p = mp.get_context('fork').Process(target=child, args=(t,))
    p.start()
    p.join()
    assert t.tolist() == [5.0, 0.0, 0.0]


@pytest.mark.parametrize('make', [lambda L: L.nn.Linear(300, 200), lambda L: L.nn.Bilinear(20, 30, 40),
                                  lambda L: L.nn.EmbeddingBag(300, 60), lambda L: L.nn.LazyLinear(50)])
def test_default_init_distributions_match_torch(make):
    """Each parameter's default draw has torch's spread and range (same names and shapes too)."""
    ember.manual_seed(0)
    torch.manual_seed(0)
    me, mt = make(ember), make(torch)
    if isinstance(mt, torch.nn.LazyLinear):
        me(ember.zeros(2, 70))
        mt(torch.zeros(2, 70))
    pe, pt = dict(me.named_parameters()), dict(mt.named_parameters())
    assert list(pe) == list(pt)
    for k, t in pt.items():
        e, t = pe[k].detach().numpy(), t.detach().numpy()
        assert e.shape == t.shape and e.dtype == t.dtype, k
        assert abs(e.std() - t.std()) < 0.1 * t.std(), (k, e.std(), t.std())
        assert abs(e.mean()) < 0.1 * t.std() + 3 * t.std() / math.sqrt(t.size), k
        assert np.abs(e).max() <= 1.25 * np.abs(t).max(), k
