"""Hooks: tensor hooks (register_hook, retain_grad order, post-accumulate), graph node hooks, and
Module forward / full backward hooks; every registration's handle removes it. Each scenario runs
on ember and torch and the recorded calls are compared."""
import warnings

import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def tl(t):
    return None if t is None else np.round(np.asarray(t.detach().numpy(), dtype=np.float64), 10).tolist()


def test_tensor_hook_on_leaf_replaces_gradient_and_removes():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h = x.register_hook(lambda g: (seen.append(tl(g)), g * 10)[1])
        (x * 3).sum().backward()
        first = tl(x.grad)
        h.remove()
        x.grad = None
        (x * 3).sum().backward()
        return seen, first, tl(x.grad), type(h).__name__
    assert both(run)[0] == both(run)[1]


def test_tensor_hooks_on_non_leaf_order_and_retain_grad_runs_last():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        order = []
        y.register_hook(lambda g: order.append(('h1', tl(g))))
        y.retain_grad()
        y.register_hook(lambda g: (order.append(('h2', tl(g))), g * 3)[1])
        y.register_hook(lambda g: order.append(('h3', tl(g))))
        (y * y).sum().backward()
        return order, tl(y.grad), tl(x.grad), y.retains_grad, y.is_leaf
    e, t = both(run)
    assert e == t


def test_hooks_apply_in_autograd_grad_and_multiple_uses():
    def run(L):
        x = L.tensor([1.0, -2.0], requires_grad=True)
        x.register_hook(lambda g: g + 1)
        y = x * x
        y.register_hook(lambda g: g * 2)
        g, = L.autograd.grad((y + y.exp()).sum(), x)
        return tl(g)
    e, t = both(run)
    np.testing.assert_allclose(e, t)


def test_hook_registration_errors():
    def run(L):
        msgs = []
        for f in (lambda: L.ones(2).register_hook(lambda g: g),
                  lambda: (L.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
                      lambda t: None)):
            with pytest.raises(RuntimeError) as e:
                f()
            msgs.append(str(e.value))
        return msgs
    assert both(run)[0] == both(run)[1]


def test_post_accumulate_grad_hook():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h = x.register_post_accumulate_grad_hook(lambda t: seen.append(tl(t.grad)))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        L.autograd.grad((x * 5).sum(), x)   # no accumulation, no call
        (x * 7).sum().backward(inputs=[x])
        h.remove()
        (x * 4).sum().backward()
        return seen, tl(x.grad)
    assert both(run)[0] == both(run)[1]


def test_post_accumulate_hook_can_step_the_parameter():
    # the hook-driven optimizer pattern: update inside the hook, as torch's docs show
    def run(L):
        w = L.tensor([1.0, -1.0], requires_grad=True)

        def step(p):
            with L.no_grad():
                p.sub_(0.1 * p.grad)
            p.grad = None
        w.register_post_accumulate_grad_hook(step)
        for _ in range(3):
            (w * w).sum().backward()
        return tl(w)
    e, t = both(run)
    np.testing.assert_allclose(e, t)


def test_node_hooks_prehook_and_accumulate_grad_hooks():
    def run(L):
        rec = []
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        z = x * w
        node = z.grad_fn
        h1 = node.register_prehook(lambda go: (rec.append(('pre', [tl(g) for g in go])),
                                               (go[0] * 2,))[1])
        h2 = node.register_hook(lambda gi, go: (rec.append(('post', [tl(g) for g in gi],
                                                            [tl(g) for g in go])),
                                                (gi[0], None))[1])
        acc = node.next_functions[0][0]
        h3 = acc.register_prehook(lambda go: rec.append(('acc_pre', [tl(g) for g in go])))
        h4 = acc.register_hook(lambda gi, go: rec.append(('acc_post', len(gi), [tl(g) for g in go])))
        z.sum().backward(retain_graph=True)
        grads = (tl(x.grad), w.grad)
        for h in (h1, h2, h3, h4):
            h.remove()
        x.grad = None
        z.sum().backward()
        return rec, grads, tl(x.grad), tl(w.grad), acc.name(), type(h1).__name__
    e, t = both(run)
    assert e == t


def _linear(L):
    lin = L.nn.Linear(3, 2).double()
    with L.no_grad():
        lin.weight.copy_(L.tensor([[1., 2, 3], [4, 5, 6]], dtype=L.float64))
        lin.bias.fill_(0.5)
    return lin


def test_module_forward_hooks_with_and_without_kwargs():
    def run(L):
        lin = _linear(L)
        x = L.tensor([[1., -1, 2]], dtype=L.float64)
        out = []
        h1 = lin.register_forward_pre_hook(lambda m, a: (a[0] * 2,))
        h2 = lin.register_forward_hook(lambda m, a, o: o + 1)
        out.append(tl(lin(x)))
        h3 = lin.register_forward_hook(lambda m, a, o: o * 0, prepend=True)
        out.append(tl(lin(x)))
        for h in (h1, h2, h3):
            h.remove()
        out.append(tl(lin(x)))
        seen = []
        h4 = lin.register_forward_pre_hook(lambda m, a, k: (seen.append(sorted(k)), ((a[0] * 3,), k))[1],
                                           with_kwargs=True)
        h5 = lin.register_forward_hook(lambda m, a, k, o: o * 10, with_kwargs=True)
        out.append(tl(lin(x)))
        h4.remove()
        h5.remove()
        out.append(tl(lin(x)))
        return out, seen
    assert both(run)[0] == both(run)[1]


def test_full_backward_hook_and_pre_hook_match_torch():
    def run(L):
        lin = _linear(L)
        rec = []
        h1 = lin.register_full_backward_hook(
            lambda m, gi, go: rec.append(('bw', [tl(g) for g in gi], [tl(g) for g in go])))
        h2 = lin.register_full_backward_pre_hook(
            lambda m, go: (rec.append(('pre', [tl(g) for g in go])), (go[0] * 2,))[1])
        x = L.tensor([[1., -1, 2]], dtype=L.float64, requires_grad=True)
        y = lin(x)
        name = y.grad_fn.name()
        (y * L.tensor([[1., 3.]], dtype=L.float64)).sum().backward()
        res = [name, rec[:], tl(x.grad), tl(lin.weight.grad)]
        h1.remove()
        h2.remove()
        rec.clear()
        x.grad = None
        lin(x).sum().backward()
        res += [rec, tl(x.grad)]
        return res
    assert both(run)[0] == both(run)[1]


def test_full_backward_hook_replaces_grad_input():
    def run(L):
        lin = _linear(L)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 7,))
        x = L.tensor([[1., -1, 2]], dtype=L.float64, requires_grad=True)
        lin(x).sum().backward()
        return tl(x.grad), tl(lin.weight.grad)
    assert both(run)[0] == both(run)[1]


class _Two:
    """A module with several inputs (one non-tensor) and a tuple output, for both libraries."""

    @staticmethod
    def make(L):
        class Two(L.nn.Module):
            def forward(self, a, k, b):
                return a * b * k, a + b
        return Two()


def test_full_backward_hook_multiple_inputs_and_outputs():
    def run(L):
        m = _Two.make(L)
        rec = []
        m.register_full_backward_hook(
            lambda mod, gi, go: rec.append(([tl(g) for g in gi], [tl(g) for g in go])))
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, -1.0])   # does not require grad: its grad_input is None
        p, q = m(a, 2.0, b)
        (p * 2 + q).sum().backward()
        return rec, tl(a.grad)
    assert both(run)[0] == both(run)[1]


def test_full_backward_hook_when_no_input_requires_grad():
    def run(L):
        lin = _linear(L)
        rec = []
        lin.register_full_backward_hook(lambda m, gi, go: rec.append((gi, [tl(g) for g in go])))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            lin(L.ones(1, 3, dtype=L.float64)).sum().backward()
        return rec, [str(x.message)[:60] for x in w if issubclass(x.category, UserWarning)]
    assert both(run)[0] == both(run)[1]


def test_backward_hooks_on_submodules_of_a_network():
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((2, 4)),
          rng.standard_normal(2)]
    xs = rng.standard_normal((5, 3))

    def run(L):
        net = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 2)).double()
        with L.no_grad():
            for p, w in zip(net.parameters(), ws):
                p.copy_(L.tensor(w))
        rec = []
        for i, m in enumerate(net):
            m.register_full_backward_hook(
                lambda mod, gi, go, i=i: rec.append((i, [tl(g) for g in gi], [tl(g) for g in go])))
        x = L.tensor(xs, requires_grad=True)
        net(x).pow(2).sum().backward()
        return rec
    e, t = both(run)
    assert [r[0] for r in e] == [r[0] for r in t]
    for (_, gie, goe), (_, git, got) in zip(e, t):
        for a, b in zip(gie + goe, git + got):
            np.testing.assert_allclose(a, b, rtol=1e-10)


def test_global_module_backward_hook_and_removal():
    def run(L):
        lin = _linear(L)
        rec = []
        h = L.nn.modules.module.register_module_full_backward_hook(
            lambda m, gi, go: rec.append(type(m).__name__))
        x = L.ones(1, 3, dtype=L.float64, requires_grad=True)
        lin(x).sum().backward()
        h.remove()
        lin(x).sum().backward()
        return rec
    assert both(run)[0] == both(run)[1] == ['Linear']


def _tensor_hook_size(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2

    def myhook(g):
        return g[:2]
    y.register_hook(myhook)
    y.sum().backward()


def _tensor_hook_float(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: 3.0)
    y.sum().backward()


def _leaf_hook_dtype(L):
    x = L.ones(3, requires_grad=True)
    x.register_hook(lambda g: g.double())
    (x * 2).sum().backward()


def _tensor_hook_shape(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g.reshape(3, 1))
    y.sum().backward()


def _post_hook_count(L):
    x = L.ones(3, requires_grad=True)
    y = (x * 2).sigmoid()
    y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
    y.sum().backward()


def _post_hook_fills_none(L):
    x = L.ones(3, requires_grad=True)
    y = x * L.ones(3)
    y.grad_fn.register_hook(lambda gi, go: (gi[0], L.ones(3)))
    y.sum().backward()


def _post_hook_dtype(L):
    x = L.ones(3, requires_grad=True)
    y = (x * 2).sigmoid()
    y.grad_fn.register_hook(lambda gi, go: (gi[0].double(),))
    y.sum().backward()


def _pre_hook_list(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda go: [go[0]])
    y.sum().backward()


def _pre_hook_tensor(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda go: go[0])
    y.sum().backward()


def _pre_hook_size(L):
    x = L.ones(3, requires_grad=True)
    y = (x * 2).sigmoid()
    y.grad_fn.register_prehook(lambda go: (go[0][:1],))
    y.sum().backward()


def _accumulator_pre_hook_dtype(L):
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.grad_fn.next_functions[0][0].register_prehook(lambda go: (go[0].double(),))
    y.sum().backward()


@pytest.mark.parametrize('case', [_tensor_hook_size, _tensor_hook_float, _leaf_hook_dtype,
                                  _tensor_hook_shape, _post_hook_count, _post_hook_fills_none,
                                  _post_hook_dtype, _pre_hook_list, _pre_hook_tensor, _pre_hook_size,
                                  _accumulator_pre_hook_dtype])
def test_hook_results_are_checked_like_torch(case):
    # a hook may replace a gradient only with a Tensor of the same dtype and shape (else the
    # gradient silently changes shape: x.grad of shape (2,) for an x of shape (3,))
    got = []
    for L in (ember, torch):
        with pytest.raises(Exception) as e:
            case(L)
        got.append((type(e.value), str(e.value)))
    assert got[0] == got[1]


def test_hooks_returning_none_or_an_equal_tensor_still_work():
    def run(L):
        x = L.ones(3, requires_grad=True)
        y = (x * 2).sigmoid()
        y.register_hook(lambda g: None)
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: (None,))  # drops the gradient, as torch allows
        z = x * 3
        z.register_hook(lambda g: g + 1)
        (y.sum() + z.sum()).backward()
        return tl(x.grad)
    assert both(run)[0] == both(run)[1]


@pytest.mark.parametrize('seed_dtype', ['float64', 'float16'])
def test_root_gradient_is_cast_to_the_output_dtype(seed_dtype):
    def run(L):
        x = L.ones(3, requires_grad=True)
        y = (x * 2).sigmoid()
        y.backward(L.ones(3, dtype=getattr(L, seed_dtype)))
        g, = L.autograd.grad((x * 2).sigmoid(), x, L.ones(3, dtype=getattr(L, seed_dtype)))
        return str(x.grad.dtype), str(g.dtype), tl(x.grad)
    assert both(run)[0] == both(run)[1]


def test_complex_root_gradient_dtype_mismatch_raises_like_torch():
    got = []
    for L in (ember, torch):
        x = L.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            (x * 2).backward(L.ones(3, dtype=L.complex64))
        got.append(str(e.value))
    assert got[0] == got[1]
