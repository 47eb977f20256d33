"""Higher-order gradients: backward(create_graph=True), autograd.grad with all its options,
gradient penalties, Hessian-vector products and meta-learning, checked against torch; and double
backward through the ops (second derivatives equal torch's and pass gradgradcheck)."""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.filterwarnings('ignore:Using backward')
RNG = np.random.default_rng(0)


def pair(arr, requires_grad=True):
    """The same float64 values as an ember and a torch leaf."""
    arr = np.asarray(arr, dtype=np.float64)
    return (ember.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


def close(e, t, tol=1e-10):
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy(), rtol=tol,
                               atol=tol)


def test_backward_create_graph_makes_grad_differentiable():
    res = []
    for L in (ember, torch):
        x = L.tensor([1.0, 2.0, -3.0], dtype=L.float64, requires_grad=True)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        g = x.grad
        assert g.requires_grad and g.grad_fn is not None
        res.append(g.detach().clone())
        x.grad = None
        g.sum().backward()
        res.append(x.grad.clone())
    ge, he, gt, ht = res
    close(ge, gt)
    close(he, ht)


def test_backward_create_graph_warns_about_the_reference_cycle():
    # torch warns once per process (C++ TORCH_WARN_ONCE), so only ember's is checked here
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True"):
        (x * x).sum().backward(create_graph=True)
    x.grad = None


def test_backward_without_create_graph_gives_plain_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_grad_create_graph_second_and_third_derivative():
    xe, xt = pair([0.5, -1.2, 2.0])
    outs = []
    for L, x in ((ember, xe), (torch, xt)):
        y = (L.sin(x) * x ** 2).sum()
        g1, = L.autograd.grad(y, x, create_graph=True)
        g2, = L.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = L.autograd.grad(g2.sum(), x)
        outs.append((g1, g2, g3))
    for e, t in zip(*outs):
        close(e, t)


def test_grad_options_retain_allow_unused_materialize():
    for L in (ember, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        z = L.tensor([3.0], requires_grad=True)
        y = (x * 2).sum()
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            L.autograd.grad(y, [x, z], retain_graph=True)
        gx, gz = L.autograd.grad(y, [x, z], retain_graph=True, allow_unused=True)
        assert gz is None and gx.tolist() == [2.0, 2.0]
        gx, gz = L.autograd.grad(y, [x, z], retain_graph=True, materialize_grads=True)
        assert gz.tolist() == [0.0]
        with pytest.raises(ValueError, match="Expected allow_unused to be True"):
            L.autograd.grad(y, [x, z], allow_unused=False, materialize_grads=True)
        # grad_outputs for a non-scalar output, nothing accumulated into .grad
        w = x * x
        g, = L.autograd.grad(w, x, grad_outputs=L.tensor([1.0, 10.0]))
        assert g.tolist() == [2.0, 40.0] and x.grad is None
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            L.autograd.grad(x * x, x)
        with pytest.raises(RuntimeError, match="Mismatch in shape"):
            L.autograd.grad(x * x, x, grad_outputs=L.ones(3))
        with pytest.raises(RuntimeError, match="does not require grad"):
            L.autograd.grad((x * 2).sum(), L.ones(2))


def test_grad_without_retain_graph_frees_graph():
    for L in (ember, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp()).sum()
        L.autograd.grad(y, x)
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            L.autograd.grad(y, x)


def test_grad_only_runs_needed_part_of_graph():
    # hooks on a branch that does not lead to the requested input do not run (as torch)
    for L in (ember, torch):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, 4.0], requires_grad=True)
        ran = []
        b.register_hook(lambda g: ran.append('b'))
        (a * b).sum().backward(inputs=[a])
        assert b.grad is None and a.grad.tolist() == [3.0, 4.0]
        L.autograd.grad((a * b).sum(), a)
        assert ran == []


def test_grads_batched():
    xe, xt = pair([1.0, 2.0, 3.0])
    ge, = ember.autograd.grad(xe * xe, xe, ember.eye(3, dtype=ember.float64), is_grads_batched=True)
    gt, = torch.autograd.grad(xt * xt, xt, torch.eye(3, dtype=torch.float64), is_grads_batched=True)
    close(ge, gt)


def _mlp(L, ws):
    net = L.nn.Sequential(L.nn.Linear(3, 8), L.nn.Tanh(), L.nn.Linear(8, 1)).double()
    with L.no_grad():
        for p, w in zip(net.parameters(), ws):
            p.copy_(L.tensor(w))
    return net


def test_gradient_penalty_matches_torch():
    ws = [RNG.standard_normal((8, 3)), RNG.standard_normal(8), RNG.standard_normal((1, 8)),
          RNG.standard_normal(1)]
    data = RNG.standard_normal((5, 3))
    res = []
    for L in (ember, torch):
        D = _mlp(L, ws)
        x = L.tensor(data, requires_grad=True)
        out = D(x)
        grads, = L.autograd.grad(out.sum(), x, create_graph=True)
        penalty = ((grads.norm(2, dim=1) - 1) ** 2).mean()
        loss = out.mean() + 10 * penalty
        loss.backward()
        res.append([p.grad for p in D.parameters()] + [x.grad, penalty])
    for e, t in zip(*res):
        close(e, t, 1e-9)


def test_hessian_vector_product_matches_torch():
    xe, xt = pair(RNG.standard_normal(4))
    v = RNG.standard_normal(4)
    res = []
    for L, x in ((ember, xe), (torch, xt)):
        f = (x.exp() * x.roll(1)).sum() + (x ** 4).sum()
        g, = L.autograd.grad(f, x, create_graph=True)
        hv, = L.autograd.grad(g, x, grad_outputs=L.tensor(v))
        res.append(hv)
    close(*res)


def test_maml_inner_step_meta_gradient_matches_torch():
    w0 = RNG.standard_normal((3, 2))
    xa, ya = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))
    xb, yb = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    res = []
    for L in (ember, torch):
        w = L.tensor(w0, requires_grad=True)
        inner = ((L.tensor(xa) @ w - L.tensor(ya)) ** 2).mean()
        gw, = L.autograd.grad(inner, w, create_graph=True)
        fast = w - 0.1 * gw
        for _ in range(2):  # two inner steps: third-order terms flow through
            inner = ((L.tanh(L.tensor(xa) @ fast) - L.tensor(ya)) ** 2).mean()
            gf, = L.autograd.grad(inner, fast, create_graph=True)
            fast = fast - 0.1 * gf
        outer = ((L.tensor(xb) @ fast - L.tensor(yb)) ** 2).mean()
        outer.backward()
        res.append(w.grad)
    close(*res, tol=1e-9)


# ----- double backward through the ops ------------------------------------------------------

def _F(L):
    return L.nn.functional


OPS = {
    'add': (lambda L, a, b: a + b, 2), 'sub': (lambda L, a, b: a - b * 2, 2),
    'mul': (lambda L, a, b: a * b, 2), 'div': (lambda L, a, b: a / (b.abs() + 1), 2),
    'pow': (lambda L, a, b: (a.abs() + 0.5) ** b, 2), 'pow_scalar': (lambda L, a: a ** 3, 1),
    'rpow': (lambda L, a: 2 ** a, 1), 'neg': (lambda L, a: -a, 1),
    'exp': (lambda L, a: a.exp(), 1), 'log': (lambda L, a: (a.abs() + 0.1).log(), 1),
    'sqrt': (lambda L, a: (a.abs() + 0.1).sqrt(), 1), 'sigmoid': (lambda L, a: a.sigmoid(), 1),
    'tanh': (lambda L, a: a.tanh(), 1), 'relu': (lambda L, a: a.relu() * a, 1),
    'abs': (lambda L, a: a.abs() * a, 1), 'sin': (lambda L, a: L.sin(a), 1),
    'cos': (lambda L, a: L.cos(a), 1), 'rsqrt': (lambda L, a: L.rsqrt(a.abs() + 0.5), 1),
    'reciprocal': (lambda L, a: L.reciprocal(a.abs() + 0.5), 1),
    'log1p': (lambda L, a: L.log1p(a.abs()), 1), 'erf': (lambda L, a: L.erf(a), 1),
    'atan2': (lambda L, a, b: L.atan2(a, b.abs() + 0.5), 2),
    'maximum': (lambda L, a, b: L.maximum(a, b) * a, 2),
    'clamp': (lambda L, a: L.clamp(a, -0.5, 0.5) * a, 1),
    'where': (lambda L, a, b: L.where(a > 0, a * a, b * a), 2),
    'sum': (lambda L, a: (a * a).sum(0), 1), 'mean': (lambda L, a: (a * a).mean(1), 1),
    'prod': (lambda L, a: a.prod(1), 1), 'amax': (lambda L, a: (a * a).amax(1), 1),
    'max_dim': (lambda L, a: (a * a).max(1)[0], 1), 'logsumexp': (lambda L, a: L.logsumexp(a, 1), 1),
    'cumsum': (lambda L, a: (a * a).cumsum(1), 1), 'var': (lambda L, a: a.var(1), 1),
    'std': (lambda L, a: a.std(0), 1), 'norm': (lambda L, a: a.norm(dim=1), 1),
    'reshape': (lambda L, a: (a * a).reshape(-1), 1), 'view': (lambda L, a: (a * a).view(2, 6), 1),
    'transpose': (lambda L, a: (a * a).t(), 1), 'permute': (lambda L, a: (a * a).permute(1, 0), 1),
    'expand': (lambda L, a: (a[:1] * a[:1]).expand(3, 4), 1),
    'unsqueeze_squeeze': (lambda L, a: (a * a).unsqueeze(0).squeeze(0), 1),
    'slice': (lambda L, a: (a * a)[1:, ::2], 1), 'select': (lambda L, a: (a * a)[1], 1),
    'index': (lambda L, a: (a * a)[[0, 2, 0]], 1),
    'gather': (lambda L, a: (a * a).gather(1, L.tensor([[0, 1], [2, 2], [3, 0]])), 1),
    'cat': (lambda L, a, b: L.cat([a * a, b * a], 0), 2),
    'stack': (lambda L, a, b: L.stack([a * b, b], 1), 2),
    'split': (lambda L, a: (a * a).split(2, 1)[1], 1), 'chunk': (lambda L, a: (a * a).chunk(2, 0)[0], 1),
    'unbind': (lambda L, a: (a * a).unbind(1)[2], 1),
    'narrow': (lambda L, a: (a * a).narrow(1, 1, 2), 1), 'diagonal': (lambda L, a: (a * a).diagonal(), 1),
    'flip': (lambda L, a: (a * a).flip(0), 1), 'roll': (lambda L, a: (a * a).roll(1, 1), 1),
    'tril': (lambda L, a: (a * a).tril(), 1), 'masked_fill': (
        lambda L, a: (a * a).masked_fill(a > 0.5, 0.0), 1),
    'matmul': (lambda L, a, b: (a * a) @ b.t(), 2), 'mm_chain': (lambda L, a, b: a.t() @ (b * b), 2),
    'linear': (lambda L, a, b: _F(L).linear(a * a, b, b[0, :3]), 2),
    'softmax': (lambda L, a: _F(L).softmax(a * 2, dim=1), 1),
    'log_softmax': (lambda L, a: _F(L).log_softmax(a * 2, dim=1), 1),
    'cross_entropy': (lambda L, a: _F(L).cross_entropy(a * a, L.tensor([0, 3, 1])), 1),
    'mse_loss': (lambda L, a, b: _F(L).mse_loss(a * a, b), 2),
    'gelu': (lambda L, a: _F(L).gelu(a), 1), 'silu': (lambda L, a: _F(L).silu(a), 1),
    'softplus': (lambda L, a: _F(L).softplus(a), 1), 'elu': (lambda L, a: _F(L).elu(a) * a, 1),
    'layer_norm': (lambda L, a: _F(L).layer_norm(a, (4,)), 1),
    'bce_logits': (lambda L, a, b: _F(L).binary_cross_entropy_with_logits(a, b.sigmoid()), 2),
    'normalize': (lambda L, a: _F(L).normalize(a, dim=1), 1),
    'conv1d': (lambda L, a, b: _F(L).conv1d(a.unsqueeze(0), b.reshape(2, 3, 2), padding=1), 2),
    'clone_to': (lambda L, a: (a * a).clone().to(L.float64).contiguous(), 1),
}


def _inputs(n):
    # values away from the kinks of relu/abs/clamp/max so finite differences are smooth
    base = np.array([[0.3, -0.7, 1.2, -1.6], [0.9, -0.2, 0.4, 1.9], [-1.1, 0.65, -0.45, 1.4]])
    return [base, base[::-1] * 0.8 + 0.1][:n]


@pytest.mark.parametrize('name', sorted(OPS))
def test_double_backward_matches_torch_and_gradgradcheck(name):
    fn, n = OPS[name]
    arrs = _inputs(n)
    res = []
    for L in (ember, torch):
        xs = [L.tensor(a.copy(), dtype=L.float64, requires_grad=True) for a in arrs]
        out = fn(L, *xs)
        w = L.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        gs = L.autograd.grad((out * w).sum(), xs, create_graph=True)
        live = [g for g in gs if g.requires_grad]  # a linear op's gradient is a constant
        ggs = L.autograd.grad(sum((g * g).sum() for g in live), xs, allow_unused=True) if live \
            else [None] * len(xs)
        res.append((gs, ggs))
    for e, t in zip(res[0][0], res[1][0]):
        close(e, t, 1e-9)
    for e, t in zip(res[0][1], res[1][1]):
        assert (e is None) == (t is None)
        if e is not None:
            close(e, t, 1e-9)
    xs = tuple(ember.tensor(a.copy(), dtype=ember.float64, requires_grad=True) for a in arrs)
    assert ember.autograd.gradgradcheck(lambda *a: fn(ember, *a), xs, atol=1e-5, rtol=1e-4)
