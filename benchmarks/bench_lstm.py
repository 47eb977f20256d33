"""LSTM training step, ember beside torch, one thread each.

LSTM(32 -> 128), sequence 50, batch 32, a Linear head on the last output, MSE loss, SGD.
Both frameworks start from the same weights and data. Target (issue 5): ember <= 1.5x torch.
Usage: python benchmarks/bench_lstm.py [steps]
"""
import sys

import _common  # noqa: F401  (pins threads first)

import numpy as np  # noqa: E402

T, B, I, H = 50, 32, 32, 128


def make_step(lib, state, x, y):
    lstm = lib.nn.LSTM(I, H)
    head = lib.nn.Linear(H, 1)
    lstm.load_state_dict({k: lib.tensor(v) for k, v in state['lstm'].items()})
    head.load_state_dict({k: lib.tensor(v) for k, v in state['head'].items()})
    opt = lib.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.01)
    xs, ys = lib.tensor(x), lib.tensor(y)
    mse = lib.nn.functional.mse_loss

    def step():
        opt.zero_grad()
        out, _ = lstm(xs)
        loss = mse(head(out[-1]), ys)
        loss.backward()
        opt.step()
        return loss
    return step


def main():
    import ember
    torch = _common.load_torch()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(0)
    ref_lstm, ref_head = torch.nn.LSTM(I, H), torch.nn.Linear(H, 1)
    state = {'lstm': {k: v.numpy() for k, v in ref_lstm.state_dict().items()},
             'head': {k: v.numpy() for k, v in ref_head.state_dict().items()}}
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    y = rng.standard_normal((B, 1)).astype(np.float32)
    e_step, t_step = make_step(ember, state, x, y), make_step(torch, state, x, y)
    # same program, same numbers: the first losses agree
    le, lt = e_step().item(), t_step().item()
    assert abs(le - lt) <= 1e-4 * max(1.0, abs(lt)), (le, lt)
    # interleave the two so a change in machine load hits both alike; keep each one's best
    e = t = float('inf')
    for _ in range(5):
        e = min(e, _common.best_time_per_step(e_step, n, repeats=1, warmup=1))
        t = min(t, _common.best_time_per_step(t_step, n, repeats=1, warmup=1))
    _common.report([('LSTM train step (T50 B32)', e, t)])


if __name__ == '__main__':
    main()
