"""Graph semantics as torch's: is_leaf, retain_grad, the non-leaf .grad warning, next_functions,
grad_fn.name(), calling a node, freeing the graph after backward (and which ops can backward
twice without retain_graph), backward(inputs=...)."""
import warnings

import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def test_is_leaf_and_requires_grad():
    def run(L):
        x = L.ones(2, requires_grad=True)
        a = L.ones(2)
        with L.no_grad():
            b = x * 2
        return (x.is_leaf, (x * 2).is_leaf, x.detach().is_leaf, x.detach().requires_grad, a.is_leaf,
                (a * 2).is_leaf, (a * 2).grad_fn, b.is_leaf, b.requires_grad, x[0].is_leaf)
    assert both(run)[0] == both(run)[1]


def test_non_leaf_grad_warning_and_retain_grad():
    def run(L):
        x = L.ones(2, requires_grad=True)
        y = x * 2
        z = y * 3
        z.retain_grad()
        (z * z).sum().backward()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            g_y = y.grad
            g_z = z.grad
            g_x = x.grad
        msgs = [str(m.message)[:80] for m in w]
        return g_y, g_z.tolist(), g_x.tolist(), msgs, z.retains_grad, y.retains_grad
    e, t = both(run)
    assert e == t
    assert len(e[3]) == 1 and e[3][0].startswith("The .grad attribute of a Tensor that is not a leaf")


def test_retain_grad_errors_and_leaf_noop():
    def run(L):
        with pytest.raises(RuntimeError) as e:
            L.ones(2).retain_grad()
        x = L.ones(2, requires_grad=True)
        x.retain_grad()
        return str(e.value), x.retains_grad
    assert both(run)[0] == both(run)[1]


def _names(fn):
    return None if fn is None else fn.name()


@pytest.mark.parametrize('expr', [
    lambda L, x, w: x * w, lambda L, x, w: x * 2, lambda L, x, w: 2 + x,
    lambda L, x, w: (x * w).sum(), lambda L, x, w: L.cat([x, w.detach()]),
    lambda L, x, w: x.exp() / w, lambda L, x, w: x @ w, lambda L, x, w: x[1:] - w[:1],
    lambda L, x, w: L.stack([x, x, w]), lambda L, x, w: L.where(x > 0, x, w),
    lambda L, x, w: L.where(x > 1, x, 0.0), lambda L, x, w: 2 * x + 1,
])
def test_next_functions_match_torch(expr):
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        y = expr(L, x, w)
        out = []
        stack = [(y.grad_fn, 0)]
        while stack:                     # the whole graph, depth first
            fn, depth = stack.pop()
            if depth > 6:
                continue
            nf = fn.next_functions
            out.append((depth, fn.name(), [(_names(f), nr) for f, nr in nf]))
            stack.extend((f, depth + 1) for f, _ in reversed(nf) if f is not None)
        return out
    assert both(run)[0] == both(run)[1]


def test_accumulate_grad_node_variable():
    def run(L):
        x = L.ones(2, requires_grad=True)
        acc = (x * 2).grad_fn.next_functions[0][0]
        return acc.name(), acc.variable is x, acc.next_functions, type(acc).__name__
    assert both(run)[0] == both(run)[1]


def test_calling_a_grad_fn_runs_its_backward():
    def run(L):
        x = L.ones(2, requires_grad=True)
        w = L.tensor([2.0, 3.0], requires_grad=True)
        gx, gw = (x * w).grad_fn(L.tensor([1.0, 10.0]))
        return gx.tolist(), gw.tolist(), (x * 2).grad_fn(L.ones(2))[1]
    assert both(run)[0] == both(run)[1]


OPS = {
    'add': lambda L, x, w: (x + w).sum(), 'sum': lambda L, x, w: x.sum(),
    'neg': lambda L, x, w: (-x).sum(), 'view': lambda L, x, w: x.view(2, 1).sum(),
    'sub': lambda L, x, w: (x - w).sum(), 'mean': lambda L, x, w: x.mean(),
    't': lambda L, x, w: x.view(1, 2).t().sum(), 'slice': lambda L, x, w: x[1:].sum(),
    'clone': lambda L, x, w: x.clone().sum(), 'cat': lambda L, x, w: L.cat([x, w]).sum(),
    'expand': lambda L, x, w: x.expand(3, 2).sum(),
    'mul_scalar': lambda L, x, w: (x * 2).sum(), 'exp': lambda L, x, w: x.exp().sum(),
    'mul': lambda L, x, w: (x * w).sum(), 'sigmoid': lambda L, x, w: x.sigmoid().sum(),
    'mm': lambda L, x, w: (x.view(1, 2) @ w.view(2, 1)).sum(),
    'div_scalar': lambda L, x, w: (x / 2).sum(), 'pow': lambda L, x, w: (x ** 2).sum(),
    'relu': lambda L, x, w: x.relu().sum(), 'tanh': lambda L, x, w: x.tanh().sum(),
}


@pytest.mark.parametrize('name', sorted(OPS))
def test_second_backward_without_retain_graph(name):
    """Ops that saved tensors raise torch's error on a second backward; ops that saved nothing
    can run again, exactly as in torch."""
    def run(L):
        x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        w = L.tensor([3.0, 4.0], dtype=L.float64, requires_grad=True)
        s = OPS[name](L, x, w)
        s.backward()
        try:
            s.backward()
            err = None
        except RuntimeError as e:
            err = str(e)
        s2 = OPS[name](L, x, w)
        s2.backward(retain_graph=True)
        s2.backward()
        return err, x.grad.tolist()
    e, t = both(run)
    assert e == t
    if e[0] is not None:
        assert e[0].startswith("Trying to backward through the graph a second time")


def test_saved_tensors_inaccessible_after_release():
    def run(L):
        x = L.ones(2, requires_grad=True)
        y = x.exp()
        node = y.grad_fn
        y.sum().backward()
        with pytest.raises(RuntimeError) as e:
            node._saved_result if L is torch else node.saved_tensors
        return str(e.value)[:60]
    assert both(run)[0] == both(run)[1]


def test_backward_inputs_argument():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        y = x * w
        (y * y).sum().backward(inputs=[w, y])
        with pytest.raises(RuntimeError) as e:
            (x * 2).sum().backward(inputs=[])
        return x.grad, w.grad.tolist(), y.grad.tolist(), str(e.value)
    assert both(run)[0] == both(run)[1]


def test_backward_on_non_scalar_and_errors():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        msgs = []
        for f in (lambda: (x * 2).backward(), lambda: L.ones(2).sum().backward(),
                  lambda: (x * 2).backward(L.ones(3)),
                  lambda: L.autograd.backward([(x * 2).sum(), (x * 3).sum()], [L.tensor(1.0)])):
            with pytest.raises(RuntimeError) as e:
                f()
            msgs.append(str(e.value))
        (x * 2).backward(L.tensor([1.0, 0.5]))
        return msgs, x.grad.tolist()
    assert both(run)[0] == both(run)[1]


def test_requires_grad_setter_on_non_leaf():
    def run(L):
        y = L.ones(2, requires_grad=True) * 2
        with pytest.raises(RuntimeError) as e:
            y.requires_grad = False
        with pytest.raises(RuntimeError) as e2:
            L.ones(2, dtype=L.int64).requires_grad_()
        return str(e.value), str(e2.value)
    assert both(run)[0] == both(run)[1]


def test_saved_tensors_hooks_pack_unpack():
    def run(L):
        rec = []

        def pack(t):
            rec.append((tuple(t.shape), t.requires_grad, t.grad_fn is not None))
            return t.detach().clone()

        def unpack(t):
            rec.append('unpack')
            return t
        x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        with L.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x.exp()
            z = (y * x).sum()
        y.add_(1)        # packed copies: no version error
        z.backward()
        return sorted(map(str, rec)), x.grad.tolist()
    assert both(run)[0] == both(run)[1]


def test_saved_tensors_hooks_double_backward_and_custom_function():
    def run(L):
        class Sq(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        n = []
        x = L.tensor([0.5, -1.5], dtype=L.float64, requires_grad=True)
        with L.autograd.graph.saved_tensors_hooks(lambda t: (n.append(1), t * 1)[1], lambda t: t):
            y = (Sq.apply(x) * x.sin()).sum()
        g, = L.autograd.grad(y, x, create_graph=True)
        gg, = L.autograd.grad(g.sum(), x)
        return len(n) > 0, g.tolist(), gg.tolist()
    e, t = both(run)
    assert e[0] and t[0]
    for a, b in zip(e[1:], t[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_save_on_cpu_and_disable_hooks():
    def run(L):
        x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        with L.autograd.graph.save_on_cpu():
            y = (x.exp() * x).sum()
        y.backward()
        with L.autograd.graph.disable_saved_tensors_hooks("hooks are off here"):
            with pytest.raises(RuntimeError) as e:
                with L.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
        return x.grad.tolist(), str(e.value)
    assert both(run)[0] == both(run)[1]


def test_increment_version_and_variable():
    def run(L):
        x = L.ones(2, requires_grad=True)
        y = x.exp()
        L.autograd.graph.increment_version(y)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        v = L.autograd.Variable(L.ones(2), requires_grad=True)
        return (y._version, 'modified by an inplace operation' in str(e.value),
                isinstance(x, L.autograd.Variable), type(v) is L.Tensor, v.requires_grad,
                isinstance(y.grad_fn, L.autograd.graph.Node),
                isinstance(y.grad_fn.next_functions[0][0], L.autograd.graph.Node))
    assert both(run)[0] == both(run)[1]


def test_leaf_edge_is_cached_and_copies_get_their_own():
    import copy
    w = ember.nn.Parameter(ember.ones(2))
    a, b = w * 2, w * 3
    # every op on a leaf points at the same AccumulateGrad, through one cached edge
    assert a.grad_fn.next_functions[0] is b.grad_fn.next_functions[0]
    assert a.grad_fn.next_functions[0][0] is w._grad_acc
    (a + b).sum().backward()
    w2 = copy.deepcopy(w)  # the copy's gradients must reach the copy only
    (w2 * 7).sum().backward()
    assert w2.grad_fn is None and (w2 * 1).grad_fn.next_functions[0][0] is not w._grad_acc
    assert w.grad.tolist() == [5.0, 5.0]
    assert w2.grad.tolist() == [12.0, 12.0]


@pytest.mark.parametrize('mode', ['plain', 'create_graph'])
def test_data_reassigned_after_saving_backward_uses_saved_values(mode):
    # torch keeps the values a tensor had when an op saved it; `w.data = ...` later changes w only
    def run(L):
        x = L.ones(2, 3, requires_grad=True)
        w = L.full((4, 3), 2.0, requires_grad=True)
        y = L.nn.functional.linear(x, w) * x.sum()
        w.data = L.full((4, 3), 5.0)
        if mode == 'plain':
            y.sum().backward()
            return x.grad.tolist(), w.grad.tolist()
        gx, = L.autograd.grad(y.sum(), x, create_graph=True)
        gw, = L.autograd.grad(gx.sum(), w)  # double backward reaches the leaf w
        return gx.tolist(), gw.tolist()
    assert both(run)[0] == both(run)[1]
