"""nn.utils.rnn (PackedSequence, pack/pad helpers) and recurrent modules on packed input, against
torch; plus the packed-LSTM sequence-classification example."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ember
from ember.nn.utils import rnn as ernn

from _nn_helpers import backprop_and_compare, copy_weights

RTOL, ATOL = 1e-4, 1e-5


def close(a, b, rtol=RTOL, atol=ATOL):
    a = a.detach().numpy()
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def same_packed(pe, pt):
    close(pe.data, pt.data)
    assert pe.batch_sizes.tolist() == pt.batch_sizes.tolist()
    assert pe.batch_sizes.dtype == ember.int64
    for a, b in ((pe.sorted_indices, pt.sorted_indices), (pe.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()


def pair(arr, requires_grad=False):
    return ember.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('lengths,enforce', [([5, 3, 3, 1], True), ([3, 5, 1, 3], False),
                                             ([2, 2, 2, 2], False), ([4, 4, 2, 1], False)])
def test_pack_pad_roundtrip(batch_first, lengths, enforce):
    rng = np.random.default_rng(0)
    shape = (4, 6, 3) if batch_first else (6, 4, 3)
    xe, xt = pair(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    pe = ernn.pack_padded_sequence(xe, lengths, batch_first=batch_first, enforce_sorted=enforce)
    pt = trnn.pack_padded_sequence(xt, lengths, batch_first=batch_first, enforce_sorted=enforce)
    same_packed(pe, pt)
    for total, pv in ((None, 0.0), (7, -1.5)):
        de, le = ernn.pad_packed_sequence(pe, batch_first=batch_first, padding_value=pv,
                                          total_length=total)
        dt, lt = trnn.pad_packed_sequence(pt, batch_first=batch_first, padding_value=pv,
                                          total_length=total)
        close(de, dt)
        assert le.tolist() == lt.tolist() and le.dtype == ember.int64
    w = rng.standard_normal(tuple(dt.shape)).astype(np.float32)
    (de * ember.tensor(w)).sum().backward()
    (dt * torch.tensor(w)).sum().backward()
    close(xe.grad, xt.grad)


def test_lengths_as_tensor_and_sorted_indices_ties():
    x = np.zeros((3, 3, 1), np.float32)
    for lengths in ([3, 3, 1], [1, 3, 3], [2, 3, 2]):
        pe = ernn.pack_padded_sequence(ember.tensor(x), ember.tensor(lengths), enforce_sorted=False)
        pt = trnn.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), enforce_sorted=False)
        same_packed(pe, pt)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('side', ['right', 'left'])
def test_pad_sequence(batch_first, side):
    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 5, 1)]
    se = [ember.tensor(a, requires_grad=True) for a in arrs]
    st = [torch.tensor(a, requires_grad=True) for a in arrs]
    pe = ernn.pad_sequence(se, batch_first=batch_first, padding_value=9.0, padding_side=side)
    pt = trnn.pad_sequence(st, batch_first=batch_first, padding_value=9.0, padding_side=side)
    close(pe, pt)
    w = rng.standard_normal(tuple(pt.shape)).astype(np.float32)
    (pe * ember.tensor(w)).sum().backward()
    (pt * torch.tensor(w)).sum().backward()
    for a, b in zip(se, st):
        close(a.grad, b.grad)


def test_pack_sequence_unpack_unpad():
    rng = np.random.default_rng(2)
    arrs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (2, 4, 3)]
    se = [ember.tensor(a) for a in arrs]
    st = [torch.tensor(a) for a in arrs]
    pe = ernn.pack_sequence(se, enforce_sorted=False)
    pt = trnn.pack_sequence(st, enforce_sorted=False)
    same_packed(pe, pt)
    for a, b in zip(ernn.unpack_sequence(pe), trnn.unpack_sequence(pt)):
        close(a, b)
    padded_e = ernn.pad_sequence(se, batch_first=True)
    padded_t = trnn.pad_sequence(st, batch_first=True)
    for a, b in zip(ernn.unpad_sequence(padded_e, ember.tensor([2, 4, 3]), batch_first=True),
                    trnn.unpad_sequence(padded_t, torch.tensor([2, 4, 3]), batch_first=True)):
        close(a, b)
    sorted_e = ernn.pack_sequence([se[1], se[2], se[0]])
    sorted_t = trnn.pack_sequence([st[1], st[2], st[0]])
    same_packed(sorted_e, sorted_t)


def test_packed_sequence_object():
    x = np.arange(12, dtype=np.float32).reshape(4, 3, 1)
    pe = ernn.pack_padded_sequence(ember.tensor(x), [4, 2, 1])
    pt = trnn.pack_padded_sequence(torch.tensor(x), [4, 2, 1])
    assert repr(pe) == repr(pt)
    assert isinstance(pe, tuple) and pe._fields == pt._fields
    data, bs, si, ui = pe
    assert data is pe.data and bs is pe.batch_sizes and si is None and ui is None
    pd = pe.to(ember.float64)
    assert pd.data.dtype == ember.float64 and pd.batch_sizes is pe.batch_sizes
    assert pe.to(ember.float32) is pe
    assert pe.double().data.dtype == ember.float64
    assert not pe.is_cuda
    pu = ernn.pack_padded_sequence(ember.tensor(x), [1, 4, 2], enforce_sorted=False)
    tu = trnn.pack_padded_sequence(torch.tensor(x), [1, 4, 2], enforce_sorted=False)
    assert repr(pu) == repr(tu)
    assert type(ember.nn.utils.rnn.PackedSequence(pu.data, pu.batch_sizes, pu.sorted_indices)
                ).__name__ == 'PackedSequence'
    assert ernn.invert_permutation(ember.tensor([2, 0, 1])).tolist() == \
        trnn.invert_permutation(torch.tensor([2, 0, 1])).tolist()


def _raises_like(fe, ft):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(type(et.value)) as ee:
        fe()
    assert str(ee.value) == str(et.value)


def test_errors_match_torch():
    x = np.zeros((5, 3, 2), np.float32)
    cases = [
        lambda m, lib: m.pack_padded_sequence(lib.tensor(x), [2, 3, 1]),
        lambda m, lib: m.pack_padded_sequence(lib.tensor(x), [3, 2, 0]),
        lambda m, lib: m.pack_padded_sequence(lib.tensor(x), [3, 2]),
        lambda m, lib: m.pack_padded_sequence(lib.tensor(x), lib.tensor([[3, 2, 1]])),
        lambda m, lib: m.pad_packed_sequence(m.pack_padded_sequence(lib.tensor(x), [3, 2, 1]),
                                             total_length=2),
        lambda m, lib: m.pad_sequence([lib.ones(2)], padding_side='x'),
        lambda m, lib: m.pad_sequence([]),
        lambda m, lib: m.pad_sequence([lib.ones(2, 3), lib.ones(2, 4)]),
    ]
    for c in cases:
        _raises_like(lambda: c(ernn, ember), lambda: c(trnn, torch))


# ----- recurrent modules on packed input ----------------------------------------------------------

@pytest.mark.parametrize('mode,kw', [
    ('LSTM', {}), ('LSTM', {'num_layers': 2, 'bidirectional': True}),
    ('LSTM', {'proj_size': 2, 'bidirectional': True}), ('GRU', {'num_layers': 2, 'bidirectional': True}),
    ('RNN', {'bidirectional': True}), ('RNN', {'nonlinearity': 'relu', 'num_layers': 2})])
@pytest.mark.parametrize('enforce', [True, False])
@pytest.mark.parametrize('with_h0', [False, True])
def test_modules_on_packed_input(mode, kw, enforce, with_h0):
    import warnings
    rng = np.random.default_rng(3)
    tm = getattr(torch.nn, mode)(3, 4, **kw)
    em = getattr(ember.nn, mode)(3, 4, **kw)
    copy_weights(em, tm)
    lengths = [5, 4, 2, 2] if enforce else [2, 5, 2, 4]
    xe, xt = pair(rng.standard_normal((5, 4, 3)).astype(np.float32), requires_grad=True)
    pe = ernn.pack_padded_sequence(xe, lengths, enforce_sorted=enforce)
    pt = trnn.pack_padded_sequence(xt, lengths, enforce_sorted=enforce)
    D = 2 if kw.get('bidirectional') else 1
    L = kw.get('num_layers', 1)
    hsz = kw.get('proj_size', 4)
    he = ht = None
    states = []
    if with_h0:
        shapes = [(L * D, 4, hsz)] + ([(L * D, 4, 4)] if mode == 'LSTM' else [])
        states = [pair(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]
        he = tuple(s[0] for s in states) if mode == 'LSTM' else states[0][0]
        ht = tuple(s[1] for s in states) if mode == 'LSTM' else states[0][1]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        oe, se = em(pe, he)
        ot, st = tm(pt, ht)
    assert isinstance(oe, ernn.PackedSequence)
    same_packed(oe, ot)
    se = list(se) if mode == 'LSTM' else [se]
    st = list(st) if mode == 'LSTM' else [st]
    assert len(se) == len(st)
    for a, b in zip(se, st):
        close(a, b)
    backprop_and_compare([oe.data] + se, [ot.data] + st, [(xe, xt)] + states, em, tm, rng, close)


# ----- example: sequence classification with an LSTM over packed sequences ------------------------

def _make_dataset(rng, n=24, vocab=6):
    """Label = whether token 1 occurs more often than token 2 in a sequence of length 3..9."""
    seqs, labels = [], []
    for _ in range(n):
        L = int(rng.integers(3, 10))
        s = rng.integers(0, vocab, L)
        seqs.append(s)
        labels.append(int((s == 1).sum() > (s == 2).sum()))
    return seqs, np.array(labels)


def _classifier(lib, vocab, hidden):
    nn = lib.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(vocab, hidden, batch_first=True)
            self.head = nn.Linear(hidden, 2)

        def forward(self, packed):
            _, (h, _) = self.lstm(packed)
            return self.head(h[-1])
    return Classifier()


def _run_training(lib, m, rnn_mod, seqs, labels, vocab, steps):
    onehots = [lib.tensor(np.eye(vocab, dtype=np.float32)[s]) for s in seqs]
    packed = rnn_mod.pack_sequence(onehots, enforce_sorted=False)
    y = lib.tensor(labels)
    opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    losses, first = [], None
    for i in range(steps):
        opt.zero_grad()
        logits = m(packed)
        # cross entropy written with primitives both frameworks share
        logp = logits - logits.exp().sum(1, keepdim=True).log()
        loss = -(logp[lib.arange(len(seqs)), y]).mean()
        loss.backward()
        if i == 0:
            first = (logits.detach().numpy().copy(),
                     {n: p.grad.numpy().copy() for n, p in m.named_parameters()})
        opt.step()
        losses.append(loss.item())
    return losses, first


def _one_blas_thread():
    """Small matmuls on a shared, loaded machine run far faster on one BLAS thread."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def test_example_packed_lstm_classifier():
    with _one_blas_thread():
        _classifier_example()


def _classifier_example():
    rng = np.random.default_rng(4)
    vocab, hidden = 6, 12
    seqs, labels = _make_dataset(rng, vocab=vocab)
    torch.manual_seed(0)
    tm = _classifier(torch, vocab, hidden)
    em = _classifier(ember, vocab, hidden)
    copy_weights(em, tm)
    le, fe = _run_training(ember, em, ernn, seqs, labels, vocab, 80)
    lt, ft = _run_training(torch, tm, trnn, seqs, labels, vocab, 80)
    # step 0: same logits and gradients
    np.testing.assert_allclose(fe[0], ft[0], rtol=1e-4, atol=1e-5)
    for n in ft[1]:
        np.testing.assert_allclose(fe[1][n], ft[1][n], rtol=1e-3, atol=1e-5)
    # the two training runs agree step by step, and the loss falls from log(2) to below 0.1
    np.testing.assert_allclose(le, lt, rtol=2e-2, atol=2e-3)
    assert le[0] > 0.65 and le[-1] < 0.1
