"""nn.RNN / LSTM / GRU and the cells against torch.nn with the same weights: outputs, final states,
input and parameter gradients, reprs, parameter layout, default init and error messages."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember

from _nn_helpers import backprop_and_compare, copy_weights

RTOL, ATOL = 1e-4, 1e-5


def make(name, *args, **kw):
    tm = getattr(torch.nn, name)(*args, **kw)
    em = getattr(ember.nn, name)(*args, **kw)
    copy_weights(em, tm)
    return em, tm


def close(a, b, rtol=RTOL, atol=ATOL):
    a = a.detach().numpy() if hasattr(a, 'detach') else np.asarray(a)
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def pair(arr, requires_grad=True):
    return (ember.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


def flat_states(h):
    return list(h) if isinstance(h, tuple) else [h]


def check_module(em, tm, x, hx=None, seed=0):
    """Forward both, backprop the same random weighting of all outputs, compare everything."""
    rng = np.random.default_rng(seed)
    xe, xt = pair(x)
    he = ht = None
    hx_pairs = []
    if hx is not None:
        hx_pairs = [pair(h) for h in hx]
        he = tuple(p[0] for p in hx_pairs)
        ht = tuple(p[1] for p in hx_pairs)
        if len(hx) == 1:
            he, ht = he[0], ht[0]
    oe, se = em(xe, he)
    ot, st = tm(xt, ht)
    close(oe, ot)
    se, st = flat_states(se), flat_states(st)
    assert len(se) == len(st)
    for a, b in zip(se, st):
        close(a, b)
    backprop_and_compare([oe] + se, [ot] + st, [(xe, xt)] + hx_pairs, em, tm, rng, close)


CONFIGS = [
    {},
    {'num_layers': 2},
    {'bidirectional': True},
    {'num_layers': 2, 'bidirectional': True, 'batch_first': True},
    {'bias': False, 'num_layers': 2},
]

MODES = [('RNN', {}), ('RNN', {'nonlinearity': 'relu'}), ('LSTM', {}), ('GRU', {})]


@pytest.mark.parametrize('mode,extra', MODES, ids=['rnn_tanh', 'rnn_relu', 'lstm', 'gru'])
@pytest.mark.parametrize('cfg', CONFIGS, ids=['plain', 'layers2', 'bidir', 'l2_bidir_bf', 'nobias'])
def test_module_matches_torch(mode, extra, cfg):
    em, tm = make(mode, 5, 7, **extra, **cfg)
    rng = np.random.default_rng(1)
    shape = (3, 6, 5) if cfg.get('batch_first') else (6, 3, 5)
    check_module(em, tm, rng.standard_normal(shape).astype(np.float32))


@pytest.mark.parametrize('mode', ['RNN', 'LSTM', 'GRU'])
def test_initial_states(mode):
    em, tm = make(mode, 4, 6, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3, 4)).astype(np.float32)
    hx = [rng.standard_normal((4, 3, 6)).astype(np.float32)]
    if mode == 'LSTM':
        hx.append(rng.standard_normal((4, 3, 6)).astype(np.float32))
    check_module(em, tm, x, hx)


@pytest.mark.parametrize('cfg', [{}, {'num_layers': 2, 'bidirectional': True},
                                 {'num_layers': 3, 'batch_first': True}])
def test_lstm_proj_size(cfg):
    em, tm = make('LSTM', 5, 8, proj_size=3, **cfg)
    rng = np.random.default_rng(3)
    D = 2 if cfg.get('bidirectional') else 1
    L = cfg.get('num_layers', 1)
    x = rng.standard_normal((2, 4, 5) if cfg.get('batch_first') else (4, 2, 5)).astype(np.float32)
    hx = [rng.standard_normal((L * D, 2, 3)).astype(np.float32),
          rng.standard_normal((L * D, 2, 8)).astype(np.float32)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # torch: "LSTM with projections is not supported with oneDNN"
        check_module(em, tm, x, hx)
        check_module(em, tm, x)


@pytest.mark.parametrize('mode', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('batch_first', [False, True])
def test_unbatched_input(mode, batch_first):
    em, tm = make(mode, 3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    check_module(em, tm, x)
    hx = [rng.standard_normal((4, 4)).astype(np.float32)]
    if mode == 'LSTM':
        hx.append(rng.standard_normal((4, 4)).astype(np.float32))
    check_module(em, tm, x, hx)


def test_float64_and_eval_mode():
    tm = torch.nn.GRU(3, 4, num_layers=2).double()
    em = ember.nn.GRU(3, 4, num_layers=2).double()
    copy_weights(em, tm)
    em.eval()
    tm.eval()
    x = np.random.default_rng(5).standard_normal((4, 2, 3))
    check_module(em, tm, x)
    assert em.weight_ih_l0.dtype == ember.float64


def test_dropout_between_layers_eval_matches_and_train_differs():
    em, tm = make('LSTM', 3, 5, num_layers=3, dropout=0.5)
    em.eval()
    tm.eval()
    x = np.random.default_rng(6).standard_normal((4, 2, 3)).astype(np.float32)
    check_module(em, tm, x)
    em.train()
    ember.manual_seed(0)
    out_train = em(ember.tensor(x))[0]
    em.eval()
    out_eval = em(ember.tensor(x))[0]
    assert not np.allclose(out_train.detach().numpy(), out_eval.detach().numpy())


def test_dropout_one_layer_warns():
    with pytest.warns(UserWarning, match='non-zero dropout expects num_layers greater than 1'):
        ember.nn.LSTM(3, 4, dropout=0.2)


def test_parameter_layout_matches_torch():
    for kw in [{}, {'num_layers': 2, 'bidirectional': True}, {'proj_size': 2, 'num_layers': 2},
               {'bias': False, 'bidirectional': True, 'proj_size': 3}]:
        tm = torch.nn.LSTM(5, 6, **kw)
        em = ember.nn.LSTM(5, 6, **kw)
        assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
        assert em._flat_weights_names == tm._flat_weights_names
        assert em._all_weights == tm._all_weights
        assert list(em.state_dict()) == list(tm.state_dict())
    for name in ['GRU', 'RNN']:
        tm = getattr(torch.nn, name)(5, 6, num_layers=2, bidirectional=True)
        em = getattr(ember.nn, name)(5, 6, num_layers=2, bidirectional=True)
        assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in tm.named_parameters()]


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell'])
def test_default_init_bounds(name):
    ember.manual_seed(0)
    m = getattr(ember.nn, name)(20, 64)
    bound = 1 / math.sqrt(64)
    a = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    t = np.concatenate([p.detach().numpy().ravel() for p in getattr(torch.nn, name)(20, 64).parameters()])
    assert a.shape == t.shape
    assert a.min() >= -bound and a.max() <= bound
    # uniform over the whole range, as torch's: std bound/sqrt(3), extremes near the bounds
    assert abs(a.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert a.max() > 0.98 * bound and a.min() < -0.98 * bound


REPRS = [
    ('RNN', (10, 20), {}),
    ('RNN', (10, 20, 2), {'nonlinearity': 'relu', 'batch_first': True}),
    ('LSTM', (10, 20), {'num_layers': 2, 'dropout': 0.5, 'bidirectional': True}),
    ('LSTM', (10, 20), {'proj_size': 5, 'bias': False}),
    ('GRU', (3, 4), {'batch_first': True}),
    ('RNNCell', (3, 4), {}),
    ('RNNCell', (3, 4), {'nonlinearity': 'relu', 'bias': False}),
    ('LSTMCell', (3, 4), {}),
    ('GRUCell', (3, 4), {'bias': False}),
]


@pytest.mark.parametrize('name,args,kw', REPRS)
def test_repr(name, args, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert repr(getattr(ember.nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


def test_repr_in_container():
    em = ember.nn.Sequential(ember.nn.LSTM(3, 4), ember.nn.Linear(4, 1))
    tm = torch.nn.Sequential(torch.nn.LSTM(3, 4), torch.nn.Linear(4, 1))
    assert repr(em) == repr(tm)


def test_flatten_parameters_and_to():
    m = ember.nn.LSTM(3, 4)
    assert m.flatten_parameters() is None
    m.double()
    assert all(w.dtype == ember.float64 for w in m._flat_weights)
    out, _ = m(ember.zeros(2, 1, 3, dtype=ember.float64))
    assert out.dtype == ember.float64


def test_weight_reassignment_is_used():
    em, tm = make('GRU', 3, 4)
    rng = np.random.default_rng(7)
    new = rng.standard_normal((12, 3)).astype(np.float32)
    em.weight_ih_l0 = ember.nn.Parameter(ember.tensor(new))
    tm.weight_ih_l0 = torch.nn.Parameter(torch.tensor(new))
    check_module(em, tm, rng.standard_normal((3, 2, 3)).astype(np.float32))


# ----- cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize('name,kw', [('RNNCell', {}), ('RNNCell', {'nonlinearity': 'relu'}),
                                     ('LSTMCell', {}), ('GRUCell', {}), ('GRUCell', {'bias': False}),
                                     ('LSTMCell', {'bias': False})])
@pytest.mark.parametrize('batched', [True, False])
@pytest.mark.parametrize('with_state', [True, False])
def test_cells_match_torch(name, kw, batched, with_state):
    em, tm = make(name, 5, 6, **kw)
    rng = np.random.default_rng(8)
    lead = (3,) if batched else ()
    x = rng.standard_normal(lead + (5,)).astype(np.float32)
    xe, xt = pair(x)
    states = []
    he = ht = None
    if with_state:
        n = 2 if name == 'LSTMCell' else 1
        states = [pair(rng.standard_normal(lead + (6,)).astype(np.float32)) for _ in range(n)]
        he = tuple(s[0] for s in states) if n == 2 else states[0][0]
        ht = tuple(s[1] for s in states) if n == 2 else states[0][1]
    re, rt = em(xe, he), tm(xt, ht)
    re, rt = flat_states(re), flat_states(rt)
    assert len(re) == len(rt)
    for a, b in zip(re, rt):
        close(a, b)
    backprop_and_compare(re, rt, [(xe, xt)] + states, em, tm, rng, close)


@pytest.mark.parametrize('name', ['LSTMCell', 'GRUCell'])
def test_cell_double_backward(name):
    tm = getattr(torch.nn, name)(3, 4).double()
    em = getattr(ember.nn, name)(3, 4).double()
    copy_weights(em, tm)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3))
    h = rng.standard_normal((2, 4))
    c = rng.standard_normal((2, 4))
    results = []
    for lib, m in ((ember, em), (torch, tm)):
        xx = lib.tensor(x, requires_grad=True)
        hh = lib.tensor(h, requires_grad=True)
        cc = lib.tensor(c, requires_grad=True)
        out = m(xx, (hh, cc)) if name == 'LSTMCell' else m(xx, hh)
        out = out if isinstance(out, tuple) else (out,)
        loss = sum((o * o).sum() for o in out)
        gx, = lib.autograd.grad(loss, [xx], create_graph=True)
        (gx * gx).sum().backward()
        results.append([xx.grad, hh.grad] + ([cc.grad] if name == 'LSTMCell' else []) +
                       [p.grad for p in m.parameters()])
    for a, b in zip(*results):
        close(a, b, rtol=1e-8, atol=1e-10)


def test_fused_cell_grad_fn_names():
    lstm = ember.nn.LSTMCell(2, 3)
    h, c = lstm(ember.randn(1, 2))
    assert h.grad_fn.name() == 'ThnnFusedLstmCellBackward0'
    gru = ember.nn.GRUCell(2, 3)
    assert gru(ember.randn(1, 2)).grad_fn.name() == 'ThnnFusedGruCellBackward0'


# ----- errors (torch's types and messages) ------------------------------------------------------

def _raises_like(fe, ft):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(type(et.value)) as ee:
        fe()
    assert str(ee.value) == str(et.value), (str(ee.value), str(et.value))


@pytest.mark.parametrize('case', range(9))
def test_errors_match_torch(case):
    def build(lib):
        nn = lib.nn
        return [
            lambda: nn.LSTM(3, 4)(lib.zeros(2, 3, 4, 3)),
            lambda: nn.RNN(3, 4)(lib.zeros(2, 3, 4, 3)),
            lambda: nn.GRU(3, 4)(lib.zeros(2, 3, 5)),
            lambda: nn.LSTM(3, 4)(lib.zeros(2, 3, 3), (lib.zeros(1, 2, 4), lib.zeros(1, 3, 4))),
            lambda: nn.GRU(3, 4)(lib.zeros(2, 3, 3), lib.zeros(2, 3, 4)),
            lambda: nn.GRU(3, 4, proj_size=2),
            lambda: nn.LSTM(3, 4, proj_size=4),
            lambda: nn.RNN(3, 4, nonlinearity='sigmoid'),
            lambda: nn.LSTM(3, 4)(lib.zeros(2, 3, 3, dtype=lib.float64)),
        ]
    _raises_like(build(ember)[case], build(torch)[case])


def test_cell_errors_match_torch():
    for build in (lambda lib: lib.nn.LSTMCell(3, 4)(lib.zeros(2, 2, 3)),
                  lambda lib: lib.nn.GRUCell(3, 4)(lib.zeros(2, 3), lib.zeros(2, 2, 4)),
                  lambda lib: lib.nn.RNNCell(3, 4)(lib.zeros(2, 5)),
                  lambda lib: lib.nn.GRUCell(3, 4)(lib.zeros(2, 3), lib.zeros(2, 5))):
        _raises_like(lambda: build(ember), lambda: build(torch))


@pytest.mark.parametrize('mode,kw', [('LSTM', {'bidirectional': True}), ('LSTM', {'num_layers': 2}),
                                     ('GRU', {'bidirectional': True}), ('RNN', {})])
def test_module_double_backward(mode, kw):
    """grad of grad through the whole recurrence (the fused layer's differentiable backward)."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, mode)(3, 4, **kw).double()
    em = getattr(ember.nn, mode)(3, 4, **kw).double()
    copy_weights(em, tm)
    x = np.random.default_rng(10).standard_normal((5, 2, 3))
    results = []
    for lib, m in ((ember, em), (torch, tm)):
        xx = lib.tensor(x, requires_grad=True)
        out, h = m(xx)
        h = h[0] * h[1] if isinstance(h, tuple) else h
        loss = (out * out).sum() + h.sum()
        gx, = lib.autograd.grad(loss, [xx], create_graph=True)
        (gx * gx).sum().backward()
        results.append([xx.grad] + [p.grad for p in m.parameters()])
    for a, b in zip(*results):
        close(a, b, rtol=1e-8, atol=1e-10)


def test_grad_fn_names_match_torch():
    x = np.zeros((3, 2, 4), np.float32)
    for mode, kw in [('LSTM', {}), ('LSTM', {'bidirectional': True}), ('GRU', {}),
                     ('RNN', {'num_layers': 2})]:
        em, tm = make(mode, 4, 5, **kw)
        oe, he = em(ember.tensor(x, requires_grad=True))
        ot, ht = tm(torch.tensor(x, requires_grad=True))
        assert oe.grad_fn.name() == ot.grad_fn.name()
        he, ht = (he[0], ht[0]) if mode == 'LSTM' else (he, ht)
        assert he.grad_fn.name() == ht.grad_fn.name()
