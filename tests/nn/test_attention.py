"""scaled_dot_product_attention, multi_head_attention_forward and nn.MultiheadAttention against torch
with the same weights: outputs, attention weights, input and parameter gradients, masks, reprs."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF


def close(a, b, rtol=1e-4, atol=1e-5):
    a = a.detach().numpy() if hasattr(a, 'detach') else np.asarray(a)
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def pairs(*arrays):
    return ([ember.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def backprop_both(oe, ot, seed=0):
    w = np.random.default_rng(seed).standard_normal(tuple(ot.shape)).astype(ot.detach().numpy().dtype)
    (oe * ember.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()


def rnd(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----- scaled_dot_product_attention --------------------------------------------------------------

SDPA_CASES = [
    dict(),
    dict(is_causal=True),
    dict(scale=0.3),
    dict(mask='bool'),
    dict(mask='float'),
    dict(mask='bool_bcast'),
    dict(mask='dead_rows'),
]


@pytest.mark.parametrize('case', SDPA_CASES, ids=lambda c: '-'.join(f'{k}={v}' for k, v in c.items()) or 'plain')
@pytest.mark.parametrize('L,S', [(5, 5), (3, 6)])
def test_sdpa_matches_torch(case, L, S):
    B, H, E, Ev = 2, 3, 4, 5
    q, k, v = rnd(B, H, L, E, seed=1), rnd(B, H, S, E, seed=2), rnd(B, H, S, Ev, seed=3)
    (qe, ke, ve), (qt, kt, vt) = pairs(q, k, v)
    kw = {key: val for key, val in case.items() if key != 'mask'}
    me = mt = None
    mask = case.get('mask')
    rng = np.random.default_rng(4)
    if mask == 'bool':
        m = rng.random((L, S)) > 0.3
        m[:, 0] = True
    elif mask == 'bool_bcast':
        m = rng.random((B, 1, L, S)) > 0.3
        m[..., 0] = True
    elif mask == 'float':
        m = rng.standard_normal((B, H, L, S)).astype(np.float32)
    elif mask == 'dead_rows':
        m = rng.random((L, S)) > 0.3
        m[1] = False          # a query that may attend to nothing: torch gives 0 (no NaN)
    if mask is not None:
        me, mt = ember.tensor(m), torch.tensor(m)
    oe = EF.scaled_dot_product_attention(qe, ke, ve, attn_mask=me, **kw)
    ot = TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt, **kw)
    close(oe, ot)
    backprop_both(oe, ot)
    for a, b in ((qe, qt), (ke, kt), (ve, vt)):
        close(a.grad, b.grad)
        assert np.isfinite(a.grad.numpy()).all()


def test_sdpa_float_mask_gradient_and_float64():
    q, k, v = rnd(2, 4, 3, seed=5, dtype=np.float64), rnd(2, 6, 3, seed=6, dtype=np.float64), \
        rnd(2, 6, 3, seed=7, dtype=np.float64)
    m = rnd(4, 6, seed=8, dtype=np.float64)
    (qe, ke, ve, me), (qt, kt, vt, mt) = pairs(q, k, v, m)
    oe = EF.scaled_dot_product_attention(qe, ke, ve, attn_mask=me)
    ot = TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt)
    close(oe, ot, rtol=1e-10, atol=1e-12)
    backprop_both(oe, ot)
    for a, b in ((qe, qt), (ke, kt), (ve, vt), (me, mt)):
        close(a.grad, b.grad, rtol=1e-9, atol=1e-11)


def test_sdpa_unbatched_and_gqa():
    (qe, ke, ve), (qt, kt, vt) = pairs(rnd(4, 3, seed=9), rnd(5, 3, seed=10), rnd(5, 2, seed=11))
    close(EF.scaled_dot_product_attention(qe, ke, ve), TF.scaled_dot_product_attention(qt, kt, vt))
    q, k, v = rnd(1, 4, 3, 8, seed=12), rnd(1, 2, 5, 8, seed=13), rnd(1, 2, 5, 8, seed=14)
    (qe, ke, ve), (qt, kt, vt) = pairs(q, k, v)
    oe = EF.scaled_dot_product_attention(qe, ke, ve, enable_gqa=True, is_causal=True)
    ot = TF.scaled_dot_product_attention(qt, kt, vt, enable_gqa=True, is_causal=True)
    close(oe, ot)
    backprop_both(oe, ot)
    close(ke.grad, kt.grad)
    close(ve.grad, vt.grad)


def test_sdpa_dropout():
    q, k, v = rnd(2, 2, 8, 4, seed=15), rnd(2, 2, 8, 4, seed=16), rnd(2, 2, 8, 4, seed=17)
    qe, ke, ve = ember.tensor(q), ember.tensor(k), ember.tensor(v)
    ember.manual_seed(0)
    a = EF.scaled_dot_product_attention(qe, ke, ve, dropout_p=0.5).numpy()
    ember.manual_seed(0)
    b = EF.scaled_dot_product_attention(qe, ke, ve, dropout_p=0.5).numpy()
    plain = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v)).numpy()
    np.testing.assert_array_equal(a, b)              # reproducible under a seed
    assert not np.allclose(a, plain, atol=1e-3)      # and actually dropping
    close(EF.scaled_dot_product_attention(qe, ke, ve, dropout_p=0.0),
          torch.tensor(plain))


def test_sdpa_errors():
    q = ember.zeros(1, 2, 3, 4)
    with pytest.raises(RuntimeError) as et:
        TF.scaled_dot_product_attention(torch.zeros(1, 2, 3, 4), torch.zeros(1, 2, 3, 4,
                                        dtype=torch.float64), torch.zeros(1, 2, 3, 4))
    with pytest.raises(RuntimeError) as ee:
        EF.scaled_dot_product_attention(q, ember.zeros(1, 2, 3, 4, dtype=ember.float64), q)
    assert str(ee.value) == str(et.value)
    with pytest.raises(RuntimeError, match='Explicit attn_mask should not be set when is_causal=True'):
        EF.scaled_dot_product_attention(q, q, q, attn_mask=ember.ones(3, 3, dtype=ember.bool),
                                        is_causal=True)
    with pytest.raises(RuntimeError, match='Number of heads in key and value must divide'):
        EF.scaled_dot_product_attention(ember.zeros(1, 3, 3, 4), q, q, enable_gqa=True)


# ----- MultiheadAttention ------------------------------------------------------------------------

def copy_state(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def make_mha(*args, **kw):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(*args, **kw)
    em = ember.nn.MultiheadAttention(*args, **kw)
    copy_state(em, tm)
    return em, tm


MHA_CONFIGS = [
    dict(),
    dict(batch_first=True),
    dict(add_bias_kv=True, add_zero_attn=True),
    dict(kdim=3, vdim=5),
    dict(bias=False, batch_first=True),
]
MASKS = ['none', 'kpm_bool', 'kpm_float', 'attn_float', 'attn_bool_and_kpm', 'attn_3d']


def _masks(kind, L, S, N, H):
    rng = np.random.default_rng(20)
    kpm = np.zeros((N, S), bool)
    kpm[0, S - 2:] = True
    attn_bool = rng.random((L, S)) > 0.7
    attn_bool[:, 0] = False
    return {
        'none': {},
        'kpm_bool': {'key_padding_mask': kpm},
        'kpm_float': {'key_padding_mask': np.where(kpm, -1e9, 0).astype(np.float32)},
        'attn_float': {'attn_mask': rng.standard_normal((L, S)).astype(np.float32)},
        'attn_bool_and_kpm': {'attn_mask': attn_bool, 'key_padding_mask': kpm},
        'attn_3d': {'attn_mask': rng.standard_normal((N * H, L, S)).astype(np.float32)},
    }[kind]


@pytest.mark.parametrize('cfg', MHA_CONFIGS, ids=lambda c: '-'.join(c) or 'plain')
@pytest.mark.parametrize('mask', MASKS)
@pytest.mark.parametrize('need_weights', [True, False])
def test_mha_matches_torch(cfg, mask, need_weights):
    E, H, L, S, N = 8, 2, 4, 6, 3
    em, tm = make_mha(E, H, **cfg)
    q = rnd(L, N, E, seed=21)
    k = rnd(S, N, cfg.get('kdim', E), seed=22)
    v = rnd(S, N, cfg.get('vdim', E), seed=23)
    if cfg.get('batch_first'):
        q, k, v = (a.transpose(1, 0, 2).copy() for a in (q, k, v))
    (qe, ke, ve), (qt, kt, vt) = pairs(q, k, v)
    masks = _masks(mask, L, S, N, H)
    me = {n: ember.tensor(m) for n, m in masks.items()}
    mt = {n: torch.tensor(m) for n, m in masks.items()}
    oe, we = em(qe, ke, ve, need_weights=need_weights, **me)
    ot, wt = tm(qt, kt, vt, need_weights=need_weights, **mt)
    close(oe, ot)
    assert (we is None) == (wt is None)
    if wt is not None:
        close(we, wt)
    backprop_both(oe, ot)
    for a, b in ((qe, qt), (ke, kt), (ve, vt)):
        close(a.grad, b.grad)
    for (n, a), (_, b) in zip(em.named_parameters(), tm.named_parameters()):
        close(a.grad, b.grad)


def test_mha_self_attention_unbatched_and_per_head_weights():
    em, tm = make_mha(6, 3)
    x = rnd(5, 6, seed=24)
    (xe,), (xt,) = pairs(x)
    oe, we = em(xe, xe, xe, average_attn_weights=False)
    ot, wt = tm(xt, xt, xt, average_attn_weights=False)
    close(oe, ot)
    close(we, wt)
    backprop_both(oe, ot)
    close(xe.grad, xt.grad)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5)
    oe, _ = em(xe, xe, xe, attn_mask=ember.tensor(causal.numpy()), is_causal=True, need_weights=False)
    ot, _ = tm(xt, xt, xt, attn_mask=causal, is_causal=True, need_weights=False)
    close(oe, ot)


def test_mha_eval_with_dropout_and_inference():
    em, tm = make_mha(8, 2, dropout=0.3, batch_first=True)
    em.eval()
    tm.eval()
    x = rnd(2, 5, 8, seed=25)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    with torch.no_grad():      # torch's fast path
        ot, wt = tm(torch.tensor(x), torch.tensor(x), torch.tensor(x),
                    key_padding_mask=torch.tensor(kpm))
    with ember.no_grad():
        xe = ember.tensor(x)
        oe, we = em(xe, xe, xe, key_padding_mask=ember.tensor(kpm))
    close(oe, ot)
    close(we, wt)
    em.train()
    ember.manual_seed(0)
    o1, _ = em(xe, xe, xe)
    assert not np.allclose(o1.detach().numpy(), oe.detach().numpy())


def test_mha_layout_repr_init():
    for kw in [dict(), dict(kdim=3, vdim=5, add_bias_kv=True), dict(bias=False)]:
        tm = torch.nn.MultiheadAttention(8, 4, **kw)
        em = ember.nn.MultiheadAttention(8, 4, **kw)
        assert repr(em) == repr(tm)
        assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
        assert list(em.state_dict()) == list(tm.state_dict())
        assert em._qkv_same_embed_dim == tm._qkv_same_embed_dim
        assert (em.in_proj_weight is None) == (tm.in_proj_weight is None)
    em = ember.nn.MultiheadAttention(64, 4)
    assert float(em.in_proj_bias.abs().max()) == 0 and float(em.out_proj.bias.abs().max()) == 0
    bound = math.sqrt(6 / (64 + 3 * 64))   # xavier_uniform on (3E, E)
    w = em.in_proj_weight.detach().numpy()
    assert w.max() <= bound and w.min() >= -bound and w.max() > 0.95 * bound
    assert type(em.out_proj).__name__ == 'NonDynamicallyQuantizableLinear'


def _raises_like(fe, ft):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(type(et.value)) as ee:
        fe()
    assert str(ee.value) == str(et.value)


def test_mha_errors_match_torch():
    def cases(lib):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.zeros(3, 2, 4)
        return [
            lambda: lib.nn.MultiheadAttention(5, 2),
            lambda: lib.nn.MultiheadAttention(0, 2),
            lambda: m(x, x, x, is_causal=True),
            lambda: m(x, x, x, attn_mask=lib.zeros(2, 3)),
            lambda: m(x, x, x, attn_mask=lib.zeros(5, 3, 3)),
            lambda: m(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.int64)),
            lambda: m(x, x, x, key_padding_mask=lib.zeros(3, 3, dtype=lib.bool)),
            lambda: m(x, lib.zeros(3, 4), x),
            lambda: m(lib.zeros(3, 2, 3, 4), x, x),
        ]
    for fe, ft in zip(cases(ember), cases(torch)):
        _raises_like(fe, ft)


def test_mha_mismatched_mask_types_warn():
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.zeros(3, 2, 4)
    with pytest.warns(UserWarning, match='Support for mismatched key_padding_mask and attn_mask'):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.bool), attn_mask=ember.zeros(3, 3))


def test_multi_head_attention_forward_functional():
    em, tm = make_mha(6, 2)
    q, k = rnd(4, 2, 6, seed=30), rnd(5, 2, 6, seed=31)
    args_e = (ember.tensor(q), ember.tensor(k), ember.tensor(k), 6, 2, em.in_proj_weight,
              em.in_proj_bias, None, None, False, 0.0, em.out_proj.weight, em.out_proj.bias)
    args_t = (torch.tensor(q), torch.tensor(k), torch.tensor(k), 6, 2, tm.in_proj_weight,
              tm.in_proj_bias, None, None, False, 0.0, tm.out_proj.weight, tm.out_proj.bias)
    oe, we = EF.multi_head_attention_forward(*args_e, training=False)
    ot, wt = TF.multi_head_attention_forward(*args_t, training=False)
    close(oe, ot)
    close(we, wt)
