"""Transformer layers against torch.nn with the same weights (outputs, input and parameter
gradients, masks, train/eval, reprs), and a small decoder-only language model trained on text."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as EF

RTOL, ATOL = 1e-4, 2e-5


def close(a, b, rtol=RTOL, atol=ATOL):
    a = a.detach().numpy() if hasattr(a, 'detach') else np.asarray(a)
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def copy_state(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def build(name, *args, **kw):
    """The same module in both frameworks, ember's holding torch's weights."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tm = getattr(torch.nn, name)(*args, **kw)
        em = _ember_ctor(name)(*args, **_to_ember(kw))
    copy_state(em, tm)
    return em, tm


def _ember_ctor(name):
    return getattr(ember.nn.modules.transformer, name)


def _to_ember(kw):
    out = dict(kw)
    act = kw.get('activation')
    if act is torch.nn.functional.gelu:
        out['activation'] = EF.gelu
    for k in ('encoder_layer', 'decoder_layer'):
        if k in kw:
            raise AssertionError('build layers separately')
    return out


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def run_pair(em, tm, inputs, kwargs_np=None, kwargs_plain=None, grad=True, seed=0):
    """Call both modules on the same inputs; compare outputs, input and parameter gradients."""
    ins_e = [ember.tensor(a, requires_grad=grad) for a in inputs]
    ins_t = [torch.tensor(a, requires_grad=grad) for a in inputs]
    ke = {k: ember.tensor(v) for k, v in (kwargs_np or {}).items()}
    kt = {k: torch.tensor(v) for k, v in (kwargs_np or {}).items()}
    ke.update(kwargs_plain or {})
    kt.update(kwargs_plain or {})
    oe, ot = em(*ins_e, **ke), tm(*ins_t, **kt)
    close(oe, ot)
    if grad:
        w = np.random.default_rng(seed).standard_normal(tuple(ot.shape)).astype(np.float32)
        (oe * ember.tensor(w)).sum().backward()
        (ot * torch.tensor(w)).sum().backward()
        for a, b in zip(ins_e, ins_t):
            close(a.grad, b.grad)
        pe, pt = dict(em.named_parameters()), dict(tm.named_parameters())
        assert list(pe) == list(pt)
        for n in pt:
            if pt[n].grad is None:
                assert pe[n].grad is None
            else:
                close(pe[n].grad, pt[n].grad)
    return oe, ot


def causal_mask(n):
    return torch.nn.Transformer.generate_square_subsequent_mask(n).numpy()


ENC_CFGS = [
    dict(),
    dict(norm_first=True),
    dict(batch_first=True, activation='gelu'),
    dict(activation=torch.nn.functional.gelu, bias=False),
    dict(norm_first=True, batch_first=True, layer_norm_eps=1e-3),
]


@pytest.mark.parametrize('cfg', ENC_CFGS, ids=lambda c: '-'.join(c) or 'plain')
@pytest.mark.parametrize('masks', ['none', 'causal', 'kpm', 'bool_mask_kpm'])
def test_encoder_layer(cfg, masks):
    em, tm = build('TransformerEncoderLayer', 8, 2, dim_feedforward=16, dropout=0.0, **cfg)
    L, N = 5, 3
    x = rnd(N, L, 8, seed=1) if cfg.get('batch_first') else rnd(L, N, 8, seed=1)
    kpm = np.zeros((N, L), bool)
    kpm[0, 3:] = True
    kw, plain = {}, {}
    if masks == 'causal':
        kw['src_mask'] = causal_mask(L)
        plain['is_causal'] = True
    elif masks == 'kpm':
        kw['src_key_padding_mask'] = kpm
    elif masks == 'bool_mask_kpm':
        kw['src_mask'] = np.triu(np.ones((L, L), bool), 1)
        kw['src_key_padding_mask'] = kpm
    run_pair(em, tm, [x], kw, plain)


@pytest.mark.parametrize('cfg', [dict(), dict(norm_first=True, batch_first=True),
                                 dict(activation='gelu')])
def test_decoder_layer(cfg):
    em, tm = build('TransformerDecoderLayer', 8, 4, dim_feedforward=16, dropout=0.0, **cfg)
    T, S, N = 4, 6, 2
    bf = cfg.get('batch_first')
    tgt = rnd(N, T, 8, seed=2) if bf else rnd(T, N, 8, seed=2)
    mem = rnd(N, S, 8, seed=3) if bf else rnd(S, N, 8, seed=3)
    mkpm = np.zeros((N, S), bool)
    mkpm[1, 4:] = True
    run_pair(em, tm, [tgt, mem], {'tgt_mask': causal_mask(T), 'memory_key_padding_mask': mkpm},
             {'tgt_is_causal': True})
    run_pair(em, tm, [tgt, mem], {'memory_mask': rnd(T, S, seed=4)}, seed=1)


def _encoder_pair(num_layers=2, norm=True, **layer_kw):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **layer_kw)
        tm = torch.nn.TransformerEncoder(tl, num_layers, torch.nn.LayerNorm(8) if norm else None)
        el = ember.nn.modules.transformer.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **layer_kw)
        from ember.nn.modules.normalization import LayerNorm
        em = ember.nn.modules.transformer.TransformerEncoder(el, num_layers, LayerNorm(8) if norm else None)
    copy_state(em, tm)
    return em, tm


def test_encoder_stack_train_and_eval():
    em, tm = _encoder_pair()
    x = rnd(5, 2, 8, seed=5)
    run_pair(em, tm, [x], {'mask': causal_mask(5)})
    em.eval()
    tm.eval()
    run_pair(em, tm, [x], {'src_key_padding_mask': np.array([[0, 0, 0, 1, 1], [0] * 5], bool)})


def test_encoder_nested_fast_path_zeros_padding():
    em, tm = _encoder_pair(batch_first=True)
    em.eval()
    tm.eval()
    x = rnd(2, 5, 8, seed=6)
    kpm = np.array([[0, 0, 0, 1, 1], [0] * 5], bool)
    with torch.no_grad():
        ot = tm(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
    with ember.no_grad():
        oe = em(ember.tensor(x), src_key_padding_mask=ember.tensor(kpm))
    close(oe, ot)
    # with gradients recorded torch takes the ordinary path: padded positions are not zeroed
    run_pair(em, tm, [x], {'src_key_padding_mask': kpm})


def test_nested_tensor_warning_matches_torch():
    for kw in [dict(), dict(batch_first=True, nhead=3, d_model=9), dict(batch_first=True, norm_first=True)]:
        d, h = kw.pop('d_model', 8), kw.pop('nhead', 2)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter('always')
            torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(d, h, 16, **kw), 1)
        with warnings.catch_warnings(record=True) as we:
            warnings.simplefilter('always')
            ember.nn.modules.transformer.TransformerEncoder(
                ember.nn.modules.transformer.TransformerEncoderLayer(d, h, 16, **kw), 1)
        assert [str(w.message) for w in we] == [str(w.message) for w in wt]


def test_decoder_stack():
    torch.manual_seed(0)
    tl = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
    tm = torch.nn.TransformerDecoder(tl, 2, torch.nn.LayerNorm(8))
    from ember.nn.modules.normalization import LayerNorm
    em = ember.nn.modules.transformer.TransformerDecoder(
        ember.nn.modules.transformer.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2, LayerNorm(8))
    copy_state(em, tm)
    run_pair(em, tm, [rnd(4, 2, 8, seed=7), rnd(6, 2, 8, seed=8)], {'tgt_mask': causal_mask(4)})


@pytest.mark.parametrize('batch_first', [False, True])
def test_full_transformer(batch_first):
    em, tm = build('Transformer', d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                   dim_feedforward=16, dropout=0.0, batch_first=batch_first)
    S, T, N = 6, 4, 2
    src = rnd(N, S, 8, seed=9) if batch_first else rnd(S, N, 8, seed=9)
    tgt = rnd(N, T, 8, seed=10) if batch_first else rnd(T, N, 8, seed=10)
    run_pair(em, tm, [src, tgt], {'tgt_mask': causal_mask(T)})
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())


@pytest.mark.filterwarnings('ignore:enable_nested_tensor is True')
def test_transformer_init_and_errors():
    em = ember.nn.modules.transformer.Transformer(d_model=16, nhead=2, num_encoder_layers=1,
                                                  num_decoder_layers=1, dim_feedforward=32)
    w = em.encoder.layers[0].linear1.weight.detach().numpy()
    bound = math.sqrt(6 / (16 + 32))                  # xavier_uniform_ on every matrix
    assert w.max() <= bound and w.min() >= -bound and w.max() > 0.9 * bound
    assert float(em.encoder.layers[0].norm1.weight.min()) == 1.0
    with pytest.raises(RuntimeError, match='the batch number of src and tgt must be equal'):
        em(ember.zeros(3, 2, 16), ember.zeros(3, 4, 16))
    with pytest.raises(RuntimeError, match='the feature number of src and tgt must be equal to d_model'):
        em(ember.zeros(3, 2, 16), ember.zeros(3, 2, 8))
    with pytest.raises(RuntimeError, match='activation should be relu/gelu, not tanh'):
        ember.nn.modules.transformer.TransformerEncoderLayer(4, 2, activation='tanh')


def test_generate_square_subsequent_mask():
    gen = ember.nn.modules.transformer.Transformer.generate_square_subsequent_mask
    close(gen(5), torch.nn.Transformer.generate_square_subsequent_mask(5))
    m = gen(3, dtype=ember.float64)
    assert m.dtype == ember.float64


def test_reprs():
    for name, args, kw in [('TransformerEncoderLayer', (8, 2), dict(dim_feedforward=16)),
                           ('TransformerDecoderLayer', (8, 2), dict(norm_first=True, bias=False)),
                           ('Transformer', (), dict(d_model=8, nhead=2, num_encoder_layers=1,
                                                    num_decoder_layers=1, dim_feedforward=8))]:
        em, tm = build(name, *args, **kw)
        assert repr(em) == repr(tm)


def test_eval_mode_with_dropout():
    em, tm = build('TransformerEncoderLayer', 8, 2, dim_feedforward=16, dropout=0.5)
    em.eval()
    tm.eval()
    run_pair(em, tm, [rnd(4, 2, 8, seed=11)])
    em.train()
    ember.manual_seed(0)
    x = ember.tensor(rnd(4, 2, 8, seed=11))
    a = em(x).detach().numpy()
    em.eval()
    assert not np.allclose(a, em(x).detach().numpy())


# ----- example: a small decoder-only transformer language model ----------------------------------

def _make_text(n_chars=6000, seed=0):
    rng = np.random.default_rng(seed)
    subjects = ['the cat', 'a dog', 'my friend', 'the old man', 'a small bird', 'the teacher']
    verbs = ['sees', 'likes', 'finds', 'follows', 'watches', 'helps']
    objects = ['the ball', 'a red apple', 'the garden', 'a quiet river', 'the city', 'his book']
    ends = ['.', ' today.', ' again.', ' at night.']
    parts = []
    while sum(len(p) for p in parts) < n_chars:
        parts.append(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
                     f"{rng.choice(ends)} ")
    return ''.join(parts)[:n_chars]


def _lm(nn, F, vocab, ctx, d=32, heads=4, layers=2):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.ln2 = nn.LayerNorm(d)
            self.fc = nn.Linear(d, 4 * d)
            self.out = nn.Linear(4 * d, d)

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(a.transpose(1, 2).reshape(B, T, C))
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(ctx, d)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)
            self.head.weight = self.tok.weight          # weight tying

        def forward(self, idx, pos):
            x = self.tok(idx) + self.pos(pos)
            for b in self.blocks:
                x = b(x)
            return self.head(self.ln(x))
    return LM()


def _ember_nn():
    nn = ember.nn
    if all(hasattr(nn, n) for n in ('Embedding', 'LayerNorm')):
        return nn
    pytest.skip('nn.Embedding / nn.LayerNorm not available yet')


def _one_blas_thread():
    """Small matmuls on a shared, loaded machine run far faster on one BLAS thread."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def test_example_decoder_only_transformer_learns_text():
    with _one_blas_thread():
        _train_lm()


def _train_lm():
    text = _make_text()
    chars = sorted(set(text))
    vocab, ctx, B = len(chars), 32, 16
    data = np.array([chars.index(c) for c in text], dtype=np.int64)
    rng = np.random.default_rng(1)
    nn = _ember_nn()
    torch.manual_seed(0)
    tm = _lm(torch.nn, torch.nn.functional, vocab, ctx)
    em = _lm(nn, EF, vocab, ctx)
    copy_state(em, tm)
    assert em.head.weight is em.tok.weight
    assert len(list(em.parameters())) == len(list(tm.parameters()))
    pos = np.arange(ctx)
    # step 0 agrees with torch: loss and the tied weight's gradient
    starts = rng.integers(0, len(data) - ctx - 1, B)
    xb = np.stack([data[s:s + ctx] for s in starts])
    yb = np.stack([data[s + 1:s + ctx + 1] for s in starts])
    le = EF.cross_entropy(em(ember.tensor(xb), ember.tensor(pos)).view(-1, vocab), ember.tensor(yb).view(-1))
    lt = torch.nn.functional.cross_entropy(tm(torch.tensor(xb), torch.tensor(pos)).view(-1, vocab),
                                           torch.tensor(yb).view(-1))
    le.backward()
    lt.backward()
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
    close(em.tok.weight.grad, tm.tok.weight.grad, rtol=1e-3, atol=1e-5)
    # training
    opt = ember.optim.AdamW(em.parameters(), lr=3e-3, weight_decay=0.01)
    losses = []
    for step in range(250):
        starts = rng.integers(0, len(data) - ctx - 1, B)
        xb = ember.tensor(np.stack([data[s:s + ctx] for s in starts]))
        yb = ember.tensor(np.stack([data[s + 1:s + ctx + 1] for s in starts]))
        logits = em(xb, ember.tensor(pos))
        loss = EF.cross_entropy(logits.view(-1, vocab), yb.view(-1))
        opt.zero_grad()
        loss.backward()
        ember.nn.utils.clip_grad_norm_(em.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    assert losses[0] > 3.0                          # about log(vocab) at the start
    assert np.mean(losses[-20:]) < 1.4, np.mean(losses[-20:])
