"""gradcheck / gradgradcheck: accept correct gradients, reject wrong ones with torch's errors, and
honour eps, atol, rtol, raise_exception, nondet_tol, fast_mode, check_undefined_grad."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck


def both(fn):
    return fn(ember), fn(torch)


def _fn(L, name, forward, backward, **attrs):
    return type(name, (L.autograd.Function,), {'forward': staticmethod(forward),
                                               'backward': staticmethod(backward), **attrs})


def _x(L, vals=(0.5, -1.25, 2.0)):
    return L.tensor(list(vals), dtype=L.float64, requires_grad=True)


def test_public_api():
    assert ember.autograd.gradcheck is gradcheck and ember.autograd.gradgradcheck is gradgradcheck
    assert issubclass(GradcheckError, RuntimeError)
    import importlib
    mod = importlib.import_module('ember.autograd.gradcheck')   # the module of the same name
    assert mod.GradcheckError is GradcheckError and mod.gradcheck is gradcheck


@pytest.mark.parametrize('case', ['unary', 'binary', 'multi_output', 'non_tensor_args',
                                  'reduction', 'matmul', 'broadcast', 'int_output'])
def test_correct_gradients_pass(case):
    def run(L):
        a = L.tensor([[0.3, -0.7, 1.1], [0.2, 0.9, -1.4]], dtype=L.float64, requires_grad=True)
        b = L.tensor([[1.5, 0.4, -0.6], [0.8, -0.3, 0.7]], dtype=L.float64, requires_grad=True)
        f, args = {
            'unary': (lambda x: x.sin() * x.exp(), (a,)),
            'binary': (lambda x, y: x * y / (y * y + 1), (a, b)),
            'multi_output': (lambda x, y: (x * y, (x - y).tanh()), (a, b)),
            'non_tensor_args': (lambda x, k, y: x * k + y, (a, 3.0, b)),
            'reduction': (lambda x: (x * x).sum(1), (a,)),
            'matmul': (lambda x, y: x @ y.t(), (a, b)),
            'broadcast': (lambda x, y: x * y[0], (a, b)),
            'int_output': (lambda x: (x * 2, (x > 0).long()), (a,)),
        }[case]
        return L.autograd.gradcheck(f, args), L.autograd.gradgradcheck(f, args)
    assert both(run)[0] == both(run)[1] == (True, True)


def _wrong(L):
    return _fn(L, 'Bad', lambda ctx, x: x * 2, lambda ctx, g: g * 3)


def test_wrong_gradient_raises_with_torch_message():
    def run(L):
        with pytest.raises(L.autograd.gradcheck.__module__ and Exception) as e:
            L.autograd.gradcheck(_wrong(L).apply, (_x(L),))
        return type(e.value).__name__, isinstance(e.value, RuntimeError), str(e.value)
    e, t = both(run)
    assert e == t
    assert e[2].startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")


def test_raise_exception_false_returns_false():
    def run(L):
        return (L.autograd.gradcheck(_wrong(L).apply, (_x(L),), raise_exception=False),
                L.autograd.gradcheck(lambda x: x * 2, (_x(L),), raise_exception=False))
    assert both(run)[0] == both(run)[1] == (False, True)


def test_fast_mode_detects_wrong_gradient():
    def run(L):
        ok = L.autograd.gradcheck(lambda x: x.exp() * x, (_x(L),), fast_mode=True)
        with pytest.raises(Exception) as e:
            L.autograd.gradcheck(_wrong(L).apply, (_x(L),), fast_mode=True)
        return ok, type(e.value).__name__, str(e.value).split('\n')[0]
    assert both(run)[0] == both(run)[1]


def test_tolerances_and_eps():
    # a backward 0.2% off: rejected at the default rtol, accepted with a looser one
    def run(L):
        fn = _fn(L, 'Off', lambda ctx, x: x * 2, lambda ctx, g: g * 2.004)
        x = _x(L)
        return (L.autograd.gradcheck(fn.apply, (x,), raise_exception=False),
                L.autograd.gradcheck(fn.apply, (x,), atol=0, rtol=3e-3),
                L.autograd.gradcheck(fn.apply, (x,), atol=0.01, rtol=0, eps=1e-3))
    assert both(run)[0] == both(run)[1] == (False, True, True)


def test_nondeterministic_backward_and_nondet_tol():
    def run(L):
        state = {'n': 0}

        def backward(ctx, g):
            state['n'] += 1
            return g * 2 * (1 + 1e-9 * (state['n'] % 2))
        fn = _fn(L, 'Noisy', lambda ctx, x: x * 2, backward)
        with pytest.raises(Exception) as e:
            L.autograd.gradcheck(fn.apply, (_x(L),))
        return (str(e.value).split(',')[0],
                L.autograd.gradcheck(fn.apply, (_x(L),), nondet_tol=1e-7))
    assert both(run)[0] == both(run)[1]


def test_backward_not_multiplied_by_grad_output():
    def run(L):
        fn = _fn(L, 'F', lambda ctx, x: x * 2, lambda ctx, g: g * 2 + 1.0 * (g == 0).all())
        x = L.tensor([1.0], dtype=L.float64, requires_grad=True)
        with pytest.raises(Exception) as e:
            L.autograd.gradcheck(fn.apply, (x,))
        return type(e.value).__name__, str(e.value)
    assert both(run)[0] == both(run)[1]


def test_check_undefined_grad_on_non_materialized_custom_function():
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    def run(L):
        def backward(ctx, g1, g2):
            if g1 is None and g2 is None:
                return L.ones(3, dtype=L.float64)     # wrong: nothing in, something out
            return (0 if g1 is None else g1 * 2) + (0 if g2 is None else g2 * 3)

        def backward_raises(ctx, g1, g2):
            if g1 is None and g2 is None:
                raise TypeError("cannot handle None")
            return backward(ctx, g1, g2)
        res = []
        for bw in (backward, backward_raises):
            fn = _fn(L, 'Two', forward, bw)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                with pytest.raises(Exception) as e:
                    L.autograd.gradcheck(fn.apply, (_x(L),))
            res.append((type(e.value).__name__, str(e.value),
                        any('Backwards compatibility' in str(m.message) for m in w)))
            res.append(L.autograd.gradcheck(fn.apply, (_x(L),), check_undefined_grad=False))
        return res
    e, t = both(run)
    assert e == t


def test_input_validation_and_dtype_warning():
    def run(L):
        with pytest.raises(ValueError) as e:
            L.autograd.gradcheck(lambda x: x * 2, (L.ones(2, dtype=L.float64),))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            ok = L.autograd.gradcheck(lambda x: x * 2, (L.ones(2, requires_grad=True),), atol=1,
                                      rtol=1, eps=1e-2)
        return str(e.value), ok, [str(m.message) for m in w if 'double precision' in str(m.message)]
    assert both(run)[0] == both(run)[1]


def test_output_independent_of_input():
    def run(L):
        with pytest.raises(Exception) as e:
            L.autograd.gradcheck(lambda x: x.detach() * 2, (_x(L),))
        return type(e.value).__name__, str(e.value)
    assert both(run)[0] == both(run)[1]


@pytest.mark.parametrize('case', ['square', 'abs', 'real_of_product', 'mixed'])
def test_complex_inputs(case):
    def run(L):
        z = L.tensor([1 + 2j, -0.5 + 0.3j], dtype=L.complex128, requires_grad=True)
        r = L.tensor([0.7, -1.1], dtype=L.float64, requires_grad=True)
        f, args = {'square': (lambda z: z * z, (z,)), 'abs': (lambda z: z.abs(), (z,)),
                   'real_of_product': (lambda z: (z * z.conj()).real, (z,)),
                   'mixed': (lambda z, r: z * r, (z, r))}[case]
        return L.autograd.gradcheck(f, args)
    assert both(run)[0] == both(run)[1] is True


def test_complex_wrong_conjugation_is_caught():
    def run(L):
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        def backward(ctx, g):
            z, = ctx.saved_tensors
            return g * 2 * z        # should be g * 2 * z.conj()
        fn = _fn(L, 'Sq', forward, backward)
        z = L.tensor([1 + 2j, -0.5 + 0.3j], dtype=L.complex128, requires_grad=True)
        return L.autograd.gradcheck(fn.apply, (z,), raise_exception=False)
    assert both(run)[0] == both(run)[1] is False


def test_gradgradcheck_catches_wrong_second_derivative():
    def run(L):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x.detach() ** 2     # right first derivative, detached: wrong second
        fn = _fn(L, 'Cube', forward, backward)
        x = _x(L)
        return (L.autograd.gradcheck(fn.apply, (x,)),
                L.autograd.gradgradcheck(fn.apply, (x,), raise_exception=False))
    assert both(run)[0] == both(run)[1] == (True, False)


def test_gradgradcheck_with_given_and_non_contiguous_grad_outputs():
    def run(L):
        x = _x(L)
        go = L.tensor([1.0, -2.0, 0.5], dtype=L.float64, requires_grad=True)
        return (L.autograd.gradgradcheck(lambda a: a.sin() * a, (x,), (go,)),
                L.autograd.gradgradcheck(lambda a: a.sin() * a, (x,),
                                         gen_non_contig_grad_outputs=True))
    assert both(run)[0] == both(run)[1] == (True, True)


def test_gradcheck_on_a_module():
    rng = np.random.default_rng(1)
    lin = ember.nn.Linear(3, 2).double()
    x = ember.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda a, w, b: ember.nn.functional.linear(a, w, b).tanh(),
                     (x, lin.weight, lin.bias))
    assert gradgradcheck(lambda a, w, b: ember.nn.functional.linear(a, w, b).tanh(),
                         (x, lin.weight, lin.bias))
