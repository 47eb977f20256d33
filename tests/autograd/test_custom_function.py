"""User-defined autograd.Function: ctx API, setup_context style, once_differentiable, and the
errors torch raises for a misbehaving Function; each checked on ember and torch."""
import numpy as np
import pytest
import torch

import ember


def make(L, name, forward, backward, setup_context=None, **attrs):
    """The same Function subclass for lib L (forward/backward get L via closure)."""
    ns = {'forward': staticmethod(forward), 'backward': staticmethod(backward), **attrs}
    if setup_context is not None:
        ns['setup_context'] = staticmethod(setup_context)
    return type(name, (L.autograd.Function,), ns)


def both(fn):
    return fn(ember), fn(torch)


def close(e, t, tol=1e-12):
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy(), rtol=tol, atol=tol)


def test_public_names():
    assert ember.autograd.Function is ember.autograd.function.Function
    assert issubclass(ember.autograd.function.FunctionCtx, object)
    assert callable(ember.autograd.function.once_differentiable)


def _exp_fn(L):
    def forward(ctx, x, scale):
        y = x.exp() * scale
        ctx.save_for_backward(y)
        ctx.scale = scale
        return y

    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y, None
    return make(L, 'MyExp', forward, backward)


def test_forward_backward_grad_fn_and_next_functions():
    def run(L):
        fn = _exp_fn(L)
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        y = fn.apply(x, 3.0)
        nf = y.grad_fn.next_functions
        info = (type(y.grad_fn).__name__, y.grad_fn.name(), len(nf), nf[0][0].name(), y.requires_grad,
                y.is_leaf)
        (y * L.tensor([1.0, 2.0, 3.0], dtype=L.float64)).sum().backward()
        return info, x.grad
    (ie, ge), (it, gt) = both(run)
    assert ie == it == ('MyExpBackward', 'MyExpBackward', 1, 'torch::autograd::AccumulateGrad', True,
                        False)
    close(ge, gt)


def test_needs_input_grad_and_non_tensor_args():
    def run(L):
        seen = []

        def forward(ctx, a, b, k, c):
            seen.append(ctx.needs_input_grad)
            return a * b + c * k

        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g * 2, g * 3, None, g
        fn = make(L, 'Mix', forward, backward)
        a = L.ones(2, requires_grad=True)
        b = L.ones(2)
        c = L.ones(2, requires_grad=True)
        out = fn.apply(a, b, 4, c)
        out.sum().backward()
        nf = [None if f is None else f.name() for f, _ in out.grad_fn.next_functions]
        return seen, nf, a.grad.tolist(), b.grad, c.grad.tolist()
    e, t = both(run)
    assert e == t
    assert e[0][0] == (True, False, False, True)


def test_setup_context_style_with_kwargs_and_defaults():
    def run(L):
        def forward(x, power=2, shift=0.0):
            return x ** power + shift

        def setup_context(ctx, inputs, output):
            x, power, shift = inputs
            ctx.save_for_backward(x)
            ctx.power = power

        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * ctx.power * x ** (ctx.power - 1), None, None
        fn = make(L, 'Pow', forward, backward, setup_context)
        x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
        y = fn.apply(x, power=3)
        y.sum().backward()
        return y.tolist(), x.grad.tolist(), y.grad_fn.name()
    assert both(run)[0] == both(run)[1]


def test_save_for_backward_inputs_outputs_intermediates_and_double_backward():
    def run(L):
        def forward(ctx, x, w):
            h = x * w            # an intermediate
            y = h.tanh()
            ctx.save_for_backward(x, w, y)
            return y

        def backward(ctx, g):
            x, w, y = ctx.saved_tensors
            d = g * (1 - y * y)
            return d * w, d * x
        fn = make(L, 'TanhMul', forward, backward)
        x = L.tensor([0.3, -0.8], dtype=L.float64, requires_grad=True)
        w = L.tensor([1.5, 0.7], dtype=L.float64, requires_grad=True)
        y = fn.apply(x, w)
        gx, gw = L.autograd.grad(y.sum(), (x, w), create_graph=True)
        ggx, = L.autograd.grad((gx * gx).sum() + gw.sum(), x)
        return gx, gw, ggx
    for e, t in zip(*both(run)):
        close(e, t)


def test_gradcheck_and_gradgradcheck_on_custom_function():
    fn = _exp_fn(ember)
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: fn.apply(a, 2.0), (x,))
    assert ember.autograd.gradgradcheck(lambda a: fn.apply(a, 2.0), (x,))


def test_mark_dirty_in_place_function():
    def run(L):
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        def backward(ctx, g):
            return g * 2
        fn = make(L, 'Double', forward, backward)
        leaf = L.tensor([1.0, 2.0], requires_grad=True)
        y = leaf * 1
        v0 = y._version
        z = fn.apply(y)
        same = z is y
        z.sum().backward()
        with pytest.raises(RuntimeError) as e:
            fn.apply(L.tensor([1.0], requires_grad=True))
        return same, y.grad_fn.name(), y._version - v0, leaf.grad.tolist(), str(e.value)
    e, t = both(run)
    assert e == t
    assert e[4] == "a leaf Variable that requires grad has been used in an in-place operation."


def test_mark_dirty_tensor_must_be_returned():
    def run(L):
        def forward(ctx, x, y):
            ctx.mark_dirty(y)
            return x * 2

        fn = make(L, 'Bad', forward, lambda ctx, g: (g, None))
        with pytest.raises(RuntimeError) as e:
            fn.apply(L.ones(2, requires_grad=True), L.ones(2))
        return str(e.value)
    e, t = both(run)
    assert e == t


def test_returning_an_input_gives_a_new_view():
    def run(L):
        fn = make(L, 'Ident', lambda ctx, x: x, lambda ctx, g: g)
        x = L.ones(2, requires_grad=True)
        y = fn.apply(x)
        y.sum().backward()
        return y is x, y._base is x, y.grad_fn.name(), x.grad.tolist(), y.data_ptr() == x.data_ptr()
    e, t = both(run)
    assert e == t == (False, True, 'IdentBackward', [1.0, 1.0], True)


def test_mark_non_differentiable_and_multiple_outputs():
    def run(L):
        def forward(ctx, x):
            vals, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return vals, idx

        def backward(ctx, g_vals, g_idx):
            idx, = ctx.saved_tensors
            out = L.zeros_like(g_vals)
            out[idx] = g_vals
            return out
        fn = make(L, 'Sort', forward, backward)
        x = L.tensor([3.0, 1.0, 2.0], requires_grad=True)
        vals, idx = fn.apply(x)
        (vals * L.tensor([1.0, 10.0, 100.0])).sum().backward()
        return vals.requires_grad, idx.requires_grad, idx.grad_fn, x.grad.tolist()
    e, t = both(run)
    assert e == t


@pytest.mark.parametrize('materialize', [True, False])
def test_set_materialize_grads(materialize):
    def run(L):
        got = []

        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None, None if g2 is None else g2.tolist()))
            return g1 * 2 if g1 is not None else None
        fn = make(L, 'Two', forward, backward)
        x = L.ones(2, requires_grad=True)
        a, b = fn.apply(x)
        a.sum().backward()
        return got, x.grad.tolist()
    e, t = both(run)
    assert e == t


def test_once_differentiable():
    def run(L):
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x

        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x
        fn = make(L, 'Sq', forward, L.autograd.function.once_differentiable(backward))
        x = L.tensor([1.0, 3.0], requires_grad=True)
        plain, = L.autograd.grad(fn.apply(x).sum(), x, create_graph=True)
        assert plain.grad_fn is None  # the incoming gradient did not require grad
        go = L.ones(2, requires_grad=True)
        g, = L.autograd.grad(fn.apply(x), x, go, create_graph=True)
        name = g.grad_fn.name()
        with pytest.raises(RuntimeError) as e:
            g.sum().backward()
        g2, = L.autograd.grad(fn.apply(x).sum(), x)  # first order still fine
        return g.tolist(), name, str(e.value), g2.tolist()
    e, t = both(run)
    assert e == t
    assert "trying to differentiate twice a function that was marked with @once_differentiable" in e[2]


def test_saved_tensors_freed_after_backward():
    def run(L):
        fn = _exp_fn(L)
        x = L.ones(2, requires_grad=True)
        y = fn.apply(x, 1.0).sum()
        y.backward()
        with pytest.raises(RuntimeError) as e:
            y.backward()
        y2 = fn.apply(x, 1.0).sum()
        y2.backward(retain_graph=True)
        y2.backward()
        return str(e.value), x.grad.tolist()
    e, t = both(run)
    assert e[0] == t[0] and e[1] == pytest.approx(t[1])
    assert e[0].startswith("Trying to backward through the graph a second time")


def test_saved_output_modified_in_place_names_the_function():
    def run(L):
        fn = _exp_fn(L)
        x = L.ones(3, requires_grad=True)
        y = fn.apply(x, 1.0)
        y.add_(1)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    e, t = both(run)
    assert e == t
    assert "which is output 0 of MyExp, is at version 1; expected version 0" in e


@pytest.mark.parametrize('case', ['count', 'non_tensor', 'shape', 'type', 'save', 'legacy',
                                  'no_backward'])
def test_errors_match_torch(case):
    def run(L):
        if case == 'count':
            fn = make(L, 'F', lambda ctx, x, k: x * k, lambda ctx, g: g)
            args = (L.ones(3, requires_grad=True), 2)
        elif case == 'non_tensor':
            fn = make(L, 'F', lambda ctx, x, k: x * k, lambda ctx, g: (g, g))
            args = (L.ones(3, requires_grad=True), 2)
        elif case == 'shape':
            fn = make(L, 'F', lambda ctx, x, y: x * y, lambda ctx, g: (g, L.ones(7)))
            args = (L.ones(3), L.ones(3, requires_grad=True))
        elif case == 'type':
            fn = make(L, 'F', lambda ctx, x: x * 2, lambda ctx, g: 1.0)
            args = (L.ones(3, requires_grad=True),)
        elif case == 'save':
            def fwd(ctx, x):
                ctx.save_for_backward(x, 1)
                return x
            fn = make(L, 'F', fwd, lambda ctx, g: g)
            args = (L.ones(3, requires_grad=True),)
        elif case == 'legacy':
            fn = make(L, 'F', lambda ctx, x: x, lambda ctx, g: g)
            with pytest.warns(DeprecationWarning, match="should not be instantiated"):
                inst = fn()
            with pytest.raises(RuntimeError) as e:
                inst(L.ones(1))
            return type(e.value), str(e.value)
        else:
            fn = type('F', (L.autograd.Function,), {'forward': staticmethod(lambda ctx, x: x.sum())})
            args = (L.ones(3, requires_grad=True),)
        with pytest.raises(Exception) as e:
            fn.apply(*args).sum().backward()
        return type(e.value), str(e.value)
    (te, me), (tt, mt) = both(run)
    assert te.__name__ == tt.__name__ and me == mt


def test_non_grad_inputs_skip_graph():
    def run(L):
        fn = _exp_fn(L)
        y = fn.apply(L.ones(2), 2.0)
        with L.no_grad():
            z = fn.apply(L.ones(2, requires_grad=True), 2.0)
        return y.requires_grad, y.grad_fn, z.requires_grad, z.grad_fn
    assert both(run)[0] == both(run)[1] == (False, None, False, None)


def test_custom_function_inside_module_training_matches_torch():
    w0 = np.random.default_rng(3).standard_normal((4, 2))
    xs = np.random.default_rng(4).standard_normal((8, 4))

    def run(L):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * (x > 0).to(g.dtype)
        relu = make(L, 'MyReLU', forward, backward)
        w = L.tensor(w0, requires_grad=True)
        opt = L.optim.SGD([w], lr=0.1)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = relu.apply(L.tensor(xs) @ w).pow(2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, w
    (le, we), (lt, wt) = both(run)
    np.testing.assert_allclose(le, lt, rtol=1e-6)
    close(we, wt, 1e-6)


def test_mark_dirty_on_a_view_rewrites_the_base_history():
    def run(L):
        class Double(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = L.tensor([1., 2., 3.], requires_grad=True)
        y = x * 1
        w = y[:2]
        v = y[1:]
        r = Double.apply(v)
        names = (r is v, y.grad_fn.name(), v.grad_fn.name(), w.grad_fn.name())
        (y * L.tensor([1., 10., 100.])).sum().backward(retain_graph=True)
        g1 = x.grad.tolist()
        x.grad = None
        (w * L.tensor([1., 10.])).sum().backward()
        return names, y.tolist(), g1, x.grad.tolist()
    assert both(run)[0] == both(run)[1]


def test_inplace_on_a_view_returned_by_a_custom_function_is_forbidden():
    def run(L):
        class View(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x[0]

            @staticmethod
            def backward(ctx, g):
                r = L.zeros(3, 2)
                r[0] = g
                return r

        class Ident(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        x = L.ones(3, 2, requires_grad=True)
        y = View.apply(x)
        msgs = [y._base is x, y.grad_fn.name()]
        for t in (y, Ident.apply(x * 1)):
            with pytest.raises(RuntimeError) as e:
                t.mul_(2)
            msgs.append(str(e.value))
        (View.apply(x) * 3).sum().backward()
        return msgs, x.grad.tolist()
    assert both(run)[0] == both(run)[1]
