"""Containers against torch: index errors, deletion renumbering, parameter wrapping, reprs."""
import pytest
import torch

import ember


def both(fn):
    out = []
    for lib in (ember, torch):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception is the result compared
            out.append(f'{type(e).__name__}: {e}')
    return out


def _modules_after_delete(lib, kind, idx):
    nn = lib.nn
    mods = [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()]
    c = nn.ModuleList(mods) if kind == 'ModuleList' else nn.Sequential(*mods)
    del c[idx]
    return [(k, type(m).__name__) for k, m in c._modules.items()]


@pytest.mark.parametrize('kind', ['ModuleList', 'Sequential'])
@pytest.mark.parametrize('idx', [0, -1, 1, slice(1, 3), slice(None, None, 2)])
def test_delete_renumbers_like_torch(kind, idx):
    e, t = both(lambda lib: _modules_after_delete(lib, kind, idx))
    assert e == t


@pytest.mark.parametrize('idx', [3, -4, 10])
def test_list_index_errors_like_torch(idx):
    def ml(lib):
        return lib.nn.ModuleList([lib.nn.ReLU()] * 3)[idx]

    def pl(lib):
        return lib.nn.ParameterList([lib.ones(1)] * 3)[idx]
    for fn in (ml, pl):
        e, t = both(fn)
        assert e == t and e.startswith('IndexError')


def test_parameter_containers_wrap_tensors_and_repr_like_torch():
    def make(lib):
        nn = lib.nn
        pl = nn.ParameterList([lib.ones(2), nn.Parameter(lib.zeros(3, dtype=lib.float64)), 'x'])
        pd = nn.ParameterDict({'a': lib.ones(2, 2), 'b': 3,
                               'c': nn.Parameter(lib.zeros(1, dtype=lib.float64))})
        pl[-1] = lib.ones(1)
        return (repr(pl), repr(pd), [type(p).__name__ for p in pl],
                [type(v).__name__ for v in pd.values()])
    e, t = both(make)
    assert e == t


def _seq_ops(lib):
    nn = lib.nn
    s = nn.Sequential(nn.ReLU(), nn.Tanh())
    s.append(nn.Sigmoid())
    s.insert(1, nn.Identity())
    s.insert(-1, nn.ELU())
    s.extend(nn.Sequential(nn.GELU(), nn.SiLU()))
    popped = type(s.pop(0)).__name__
    sl = s[1:4]
    both_ = s + nn.Sequential(nn.Softsign())
    twice = nn.Sequential(nn.ReLU(), nn.Tanh()) * 2
    ml = nn.ModuleList([nn.ReLU()])
    ml.extend([nn.Tanh(), nn.Sigmoid()])
    ml.insert(1, nn.Identity())
    ml.append(nn.ELU())
    return (popped, repr(s), type(sl).__name__, repr(sl), type(s[-1]).__name__, repr(both_),
            repr(twice), repr(ml), [type(m).__name__ for m in ml])


def test_sequential_and_modulelist_editing_like_torch():
    e, t = both(_seq_ops)
    assert e == t
    assert not isinstance(e, str)


def test_sequential_insert_index_error_like_torch():
    e, t = both(lambda lib: lib.nn.Sequential(lib.nn.ReLU()).insert(5, lib.nn.Tanh()))
    assert e.split(':')[0] == t.split(':')[0] == 'IndexError'
