"""A non-Tensor first argument to a public op fails as in torch: TypeError naming op and type."""
import inspect

import pytest
import torch

import ember


# torch names another op or argument in these two messages; the gist (TypeError, "must be Tensor,
# not <type>") is the same: unique() reports its internal `_unique2`, and repeat_interleave has an
# overload taking `repeats` alone
_TORCH_SPELLS_IT_DIFFERENTLY = {'unique', 'repeat_interleave'}


def _guarded_names():
    return sorted(n for n, f in vars(ember).items()
                  if getattr(f, '__ember_guarded__', False) and hasattr(torch, n))


@pytest.mark.parametrize('bad', [1.5, None, 'text'], ids=['float', 'None', 'str'])
def test_every_guarded_op_rejects_a_non_tensor_input_like_torch(bad):
    names = _guarded_names()
    assert len(names) > 200  # the sweep covers the op namespace, not a handful
    mismatched = []
    for name in names:
        try:
            getattr(torch, name)(bad)
            continue  # torch accepts it (e.g. a Number overload): no claim about ember here
        except TypeError as e:
            if "must be Tensor, not" not in str(e):
                continue  # torch complains about another argument first
            want = str(e)
        except Exception:
            continue
        with pytest.raises(Exception) as got:
            getattr(ember, name)(bad)
        msg = str(got.value)
        if name in _TORCH_SPELLS_IT_DIFFERENTLY:
            same = msg.endswith(want.split('(position 1) ')[1]) and msg.startswith(f'{name}(): ')
        else:
            same = msg == want
        if got.type is not TypeError or not same:
            mismatched.append((name, got.type.__name__, msg, want))
    assert not mismatched, mismatched[:10]


def test_guard_keeps_signature_results_and_number_overloads():
    assert inspect.signature(ember.exp) == inspect.signature(ember._ops.unary.exp)
    assert ember.exp.__wrapped__ is ember._ops.unary.exp
    assert ember.add(1, 2).item() == 3
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    ember.sigmoid(x).sum().backward()
    assert x.grad is not None
    with pytest.raises(TypeError, match=r"^where\(\): argument 'condition' \(position 1\) must be "
                                         r"Tensor, not int$"):
        ember.where(1)
    with pytest.raises(TypeError, match=r"^exp\(\): argument 'input' \(position 1\) must be Tensor, "
                                         r"not NoneType$"):
        ember.exp(input=None)
    # an error with a real Tensor input is the op's own, untouched
    with pytest.raises(RuntimeError, match='mat1 and mat2 shapes cannot be multiplied'):
        ember.mm(ember.ones(4, 2), ember.ones(3, 1))


@pytest.mark.parametrize('bad', [1.5, None, 'text'], ids=['float', 'None', 'str'])
def test_nn_functional_rejects_a_non_tensor_input_like_torch(bad):
    import torch.nn.functional as FT
    import ember.nn.functional as FE
    checked, mismatched = 0, []
    for name in sorted(n for n in dir(FE) if not n.startswith('_')):
        fe, ft = getattr(FE, name), getattr(FT, name, None)
        if ft is None or inspect.isclass(fe) or not callable(fe):
            continue
        try:
            first = next(iter(inspect.signature(fe).parameters.values()), None)
        except (TypeError, ValueError):
            continue
        if first is None or first.name not in ('input', 'condition'):
            continue
        try:
            ft(bad)
            continue
        except TypeError as e:
            if "must be Tensor, not" not in str(e):
                continue  # torch fails otherwise (a missing argument, an AttributeError...)
            want = str(e)
        except Exception:
            continue
        checked += 1
        try:
            fe(bad)
            mismatched.append((name, 'no error', want))
            continue
        except Exception as e:
            got = e
        if name == 'linear' and 'missing 1 required positional argument' in str(got):
            continue  # ember sees the missing weight first; torch the bad input (both TypeError)
        if type(got) is not TypeError or str(got) != want:
            mismatched.append((name, type(got).__name__, str(got), want))
    assert checked > 30
    assert not mismatched, mismatched[:10]


def test_linear_names_its_bad_argument_like_torch():
    import torch.nn.functional as FT
    import ember.nn.functional as FE
    for args in ((1.5, 'w'), ('x', 1.5)):
        msgs = []
        for L, F in ((ember, FE), (torch, FT)):
            real = [L.ones(2, 2) if a in ('x', 'w') else a for a in args]
            with pytest.raises(TypeError) as e:
                F.linear(*real)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
