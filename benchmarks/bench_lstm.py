"""LSTM training step, ember beside torch, one thread each.

LSTM(32 -> 128), sequence 50, batch 32, a Linear head on the last output, MSE loss, SGD.
Both frameworks start from the same weights and data. Target (issue 5): ember <= 1.5x torch.
Usage: python benchmarks/bench_lstm.py [steps]
"""
import sys

import _common  # noqa: F401  (pins threads first)

import time  # noqa: E402

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
    # interleave the two so a change in machine load hits both alike; keep each one's best, in
    # wall time (the table) and in CPU time of this process (steadier on a shared machine)
    best = {'e': [float('inf')] * 2, 't': [float('inf')] * 2}
    for _ in range(5):
        for key, step in (('e', e_step), ('t', t_step)):
            step()
            w0, c0 = time.perf_counter(), time.process_time()
            for _ in range(n):
                step()
            w, c = (time.perf_counter() - w0) / n, (time.process_time() - c0) / n
            best[key] = [min(best[key][0], w), min(best[key][1], c)]
    (ew, ec), (tw, tc) = best['e'], best['t']
    _common.report([('LSTM train step (T50 B32)', ew, tw)])
    print(f'{"  (CPU time)":<28}{ec * 1e6:>15.1f}{tc * 1e6:>15.1f}{ec / tc:>13.2f}')

if __name__ == '__main__':
    main()
