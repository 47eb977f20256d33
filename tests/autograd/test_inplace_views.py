"""Views and in-place ops under autograd, against torch: shared memory and version counters,
in-place ops on non-leaves (grad_fn names and gradients), writes into views of non-leaves
(CopySlices / AsStridedBackward0, sibling views regenerated), saved-tensor version errors, and the
leaf / view errors torch raises."""
import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def tl(t):
    return np.round(np.asarray(t.detach().numpy(), dtype=np.float64), 9).tolist()


VIEWS = {
    'view': lambda x: x.view(6, 4), 'reshape': lambda x: x.reshape(4, 6),
    'slice': lambda x: x[:, 1:, ::2], 'index_int': lambda x: x[1, 2], 'ellipsis': lambda x: x[..., 1],
    'none': lambda x: x[None, :, 0], 'transpose': lambda x: x.transpose(0, 2),
    'permute': lambda x: x.permute(2, 0, 1), 'expand': lambda x: x[:, :1].expand(2, 5, 4),
    'expand_as': lambda x: x[:, :1].expand_as(x), 'narrow': lambda x: x.narrow(2, 1, 2),
    'select': lambda x: x.select(1, 2), 'unsqueeze': lambda x: x.unsqueeze(1),
    'squeeze': lambda x: x[:1].squeeze(0), 'diagonal': lambda x: x.diagonal(0, 1, 2),
    'T': lambda x: x[0].T, 't': lambda x: x[0].t(), 'mT': lambda x: x.mT,
    'unbind': lambda x: x.unbind(1)[1], 'split': lambda x: x.split(2, 2)[1],
    'chunk': lambda x: x.chunk(2, 2)[1], 'tensor_split': lambda x: x.tensor_split(2, 2)[0],
    'view_as': lambda x: x.view_as(x), 'flatten': lambda x: x.flatten(),
    'unflatten': lambda x: x.unflatten(2, (2, 2)), 'movedim': lambda x: x.movedim(0, 2),
    'swapaxes': lambda x: x.swapaxes(0, 1), 'detach': lambda x: x.detach(),
}


@pytest.mark.parametrize('name', sorted(VIEWS))
def test_views_share_memory_and_version_counter(name):
    f = VIEWS[name]

    def run(L):
        x = L.arange(24.0).reshape(2, 3, 4).clone()
        v = f(x)
        ver = v._version
        x.add_(1)                               # a write into the base ...
        seen_in_view = tl(v)                    # ... is seen by the view
        bumped = v._version - ver
        base = v._base is x
        ptr_in = x.data_ptr() <= v.data_ptr() < x.data_ptr() + x.numel() * 4
        if not name.startswith('expand'):
            v.mul_(2)                           # and a write into the view is seen by the base
        return seen_in_view, bumped, base, ptr_in, x._version, tl(x)
    assert both(run)[0] == both(run)[1]


INPLACE = {
    'add_': lambda L, x, y: y.add_(2), 'mul_': lambda L, x, y: y.mul_(y.detach() + 1),
    'sub_': lambda L, x, y: y.sub_(1, alpha=2), 'div_': lambda L, x, y: y.div_(2),
    'zero_': lambda L, x, y: y.zero_(), 'fill_': lambda L, x, y: y.fill_(3),
    'fill_tensor': lambda L, x, y: y.fill_(x[0, 0] * 4),
    'clamp_': lambda L, x, y: y.clamp_(3, 9), 'relu_': lambda L, x, y: y.sub_(8).relu_(),
    'sigmoid_': lambda L, x, y: y.sigmoid_(), 'copy_': lambda L, x, y: y.copy_(x[0] * 3),
    'masked_fill_': lambda L, x, y: y.masked_fill_(y > 6, 0.0),
    'setitem_basic': lambda L, x, y: y.__setitem__((0, slice(1, None)), x[1, :2] * 5),
    'setitem_int': lambda L, x, y: y.__setitem__(1, 7.0),
    'setitem_advanced': lambda L, x, y: y.__setitem__(([0, 1], [2, 0]), x[0, :2]),
    'setitem_mask': lambda L, x, y: y.__setitem__(y > 5, 0.0),
    'iadd': lambda L, x, y: y.__iadd__(x), 'imul': lambda L, x, y: y.__imul__(x),
    'isub': lambda L, x, y: y.__isub__(1), 'itruediv': lambda L, x, y: y.__itruediv__(x),
    'pow_': lambda L, x, y: y.pow_(2), 'exp_': lambda L, x, y: y.mul_(0.1).exp_(),
    'tanh_': lambda L, x, y: y.tanh_(), 'abs_': lambda L, x, y: y.sub_(7).abs_(),
    'neg_': lambda L, x, y: y.neg_(),
}


@pytest.mark.parametrize('name', sorted(INPLACE))
def test_inplace_on_non_leaf_grad_fn_and_gradients(name):
    f = INPLACE[name]

    def run(L):
        x = L.tensor([[1., 2, 3], [4, 5, 6]], dtype=L.float64, requires_grad=True)
        y = x * 2
        r = f(L, x, y)
        gf = y.grad_fn.name().rsplit('::', 1)[-1]
        (y * L.tensor([[1., 2, 3], [4, 5, 6]], dtype=L.float64)).sum().backward()
        return r is y if r is not None else None, gf, y._version, tl(y), tl(x.grad)
    assert both(run)[0] == both(run)[1]


def test_write_into_view_of_non_leaf_copyslices():
    def run(L):
        x = L.tensor([[1., 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], dtype=L.float64,
                     requires_grad=True)
        y = x * 2
        sibling = y[1:]                 # created before the write
        v = y[:2, 1]
        v.mul_(v.detach() + 3)
        names = (y.grad_fn.name(), type(y.grad_fn).__name__, v.grad_fn.name(),
                 sibling.grad_fn.name(), y[1:].grad_fn.name(),
                 [f.name() if f is not None else None for f, _ in y.grad_fn.next_functions][:1],
                 [f.name() for f, _ in v.grad_fn.next_functions])
        loss = (sibling * L.tensor([1., 2, 3, 4], dtype=L.float64)).sum() + (v ** 2).sum() + y.sum()
        loss.backward()
        return names, tl(y), tl(x.grad), v._version, sibling._version
    assert both(run)[0] == both(run)[1]


def test_write_through_chain_of_views():
    def run(L):
        x = L.tensor(np.arange(16.0).reshape(4, 4), requires_grad=True)
        y = x * 1
        v = y[1:3].t()[0]
        v.mul_(5)
        r = (v._base is y, v.grad_fn.name(), y.grad_fn.name())
        (y * y).sum().backward()
        return r, tl(x.grad)
    assert both(run)[0] == both(run)[1]


def test_slice_assignment_into_zeros_builds_graph():
    # the common "fill a buffer from pieces" pattern: base does not require grad
    def run(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0], requires_grad=True)
        out = L.zeros(4)
        out[:2] = a * a
        out[3] = b.sum() * 2
        r = (out.requires_grad, out.grad_fn.name(), out.is_leaf)
        (out * L.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return r, tl(out), tl(a.grad), tl(b.grad)
    assert both(run)[0] == both(run)[1]


def test_inplace_on_base_regenerates_old_views():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        v = y[:2]
        y.mul_(3)
        name = v.grad_fn.name()
        (v * L.tensor([1.0, 10.0])).sum().backward()
        return name, tl(v), tl(x.grad)
    assert both(run)[0] == both(run)[1]


def test_view_double_backward_through_copyslices():
    def run(L):
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        y = x * x
        y[1:] = x[:2].exp() * x[1:]
        g, = L.autograd.grad((y * y).sum(), x, create_graph=True)
        gg, = L.autograd.grad((g * g).sum(), x)
        return tl(g), tl(gg)
    assert both(run)[0] == both(run)[1]


def test_gradcheck_through_view_writes():
    def f(x):
        y = x * 1
        y[0, 1:] = y[1, :2].exp()
        y.t()[2].mul_(x[:, 0])
        return y
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


# ----- version counter errors ---------------------------------------------------------------

@pytest.mark.parametrize('case', ['output_saved', 'non_leaf_input', 'leaf_input', 'double',
                                  'sigmoid', 'view_saved', 'sibling_view_saved', 'detached_alias'])
def test_modified_saved_tensor_error_matches_torch(case):
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        if case == 'output_saved':
            y = x.exp()
            y.add_(1)
            out = y.sum()
        elif case == 'non_leaf_input':
            y = x * 2
            out = (y * y).sum()
            y.add_(1)
        elif case == 'leaf_input':
            w = L.tensor([1.0, 1.0, 1.0])
            out = (x * w).sum()
            w.add_(1)
        elif case == 'double':
            w = L.tensor([1.0, 1.0, 1.0], dtype=L.float64)
            out = (x * w).sum()
            w.mul_(2)
            w.mul_(2)
        elif case == 'sigmoid':
            y = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).sigmoid()
            y.mul_(2)
            out = y.sum()
        elif case == 'view_saved':
            z = x * 3
            zz = z[:2]
            out = (zz * zz).sum()
            zz.mul_(2)
        elif case == 'sibling_view_saved':
            y = x * x
            a = y[1:]
            b = a * x[:2]
            y[1:] = b
            out = y.sum()
        else:
            y = x.exp()
            y.detach().zero_()      # a detached alias shares the version counter
            out = y.sum()
        with pytest.raises(RuntimeError) as e:
            out.backward()
        return str(e.value)
    e, t = both(run)
    assert e == t
    assert 'modified by an inplace operation' in e


def test_version_error_hint_under_anomaly_mode():
    def run(L):
        with L.autograd.set_detect_anomaly(True):
            x = L.tensor([1.0, 2.0], requires_grad=True)
            y = x.exp()
            y.add_(1)
            with pytest.raises(RuntimeError) as e:
                y.sum().backward()
        return str(e.value)
    with pytest.warns(UserWarning):
        e, t = both(run)
    assert e == t and e.endswith("Good luck!")


# ----- forbidden in-place ops ------------------------------------------------------------

@pytest.mark.parametrize('case', ['leaf', 'view_of_leaf', 'setitem_leaf', 'setitem_leaf_adv',
                                  'multi_output_view', 'no_grad_view', 'no_grad_view_multi',
                                  'expanded'])
def test_forbidden_inplace_errors_match_torch(case):
    def run(L):
        x = L.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            if case == 'leaf':
                x.mul_(2)
            elif case == 'view_of_leaf':
                x[0].add_(1)
            elif case == 'setitem_leaf':
                x[0] = 1.0
            elif case == 'setitem_leaf_adv':
                x[[0]] = 1.0
            elif case == 'multi_output_view':
                (x * 1).unbind(0)[1].mul_(2)
            elif case == 'no_grad_view':
                y = L.zeros(3)
                with L.no_grad():
                    v = y[:2]
                v.copy_(x[0, :2])
            elif case == 'no_grad_view_multi':
                L.zeros(2, 2).unbind()[0].copy_(x[0, :2])
            else:
                L.zeros(1).expand(3).add_(x[0])
        return str(e.value)
    e, t = both(run)
    assert e == t


def test_inplace_on_leaf_allowed_under_no_grad():
    def run(L):
        x = L.ones(3, requires_grad=True)
        with L.no_grad():
            x.mul_(2)
            x[0] = 5.0
            x[1:].add_(1)
        (x * x).sum().backward()
        return tl(x), tl(x.grad), x._version, x.is_leaf, x.requires_grad
    assert both(run)[0] == both(run)[1]


def test_graph_stays_correct_after_optimizer_style_update():
    # a view of a parameter taken in the graph, parameter updated in no_grad: grads still right
    def run(L):
        p = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        for _ in range(3):
            head = p[:2]
            loss = (head * head).sum() + p.sum()
            loss.backward()
            with L.no_grad():
                p.sub_(0.1 * p.grad)
            p.grad = None
        return tl(p)
    e, t = both(run)
    np.testing.assert_allclose(e, t, rtol=1e-6)


def test_earlier_views_require_grad_once_the_base_does():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = L.zeros(3)
        v = y[:2]
        w = y[1:]
        before = v.requires_grad
        y[2:] = x[:1] * 3
        after = (y.requires_grad, v.requires_grad, v.grad_fn.name(), w.grad_fn.name())
        (v * 2 + w.sum()).sum().backward()
        return before, after, x.grad.tolist()
    assert both(run)[0] == both(run)[1]


def test_views_and_writes_under_no_grad_share_memory():
    def run(L):
        p = L.ones(3, requires_grad=True)
        with L.no_grad():
            u = p[:2]
            p.mul_(2)
            u.add_(1)
            return tl(u), tl(p), u._version, p._version, p.is_leaf, (u * 2).requires_grad
    assert both(run)[0] == both(run)[1]
