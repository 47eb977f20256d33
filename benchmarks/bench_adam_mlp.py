"""Adam training step of a 784-512-512-10 ReLU MLP (batch 128, cross-entropy), ember beside torch.

One thread each (`_common` pins OMP/OpenBLAS/MKL before NumPy loads; torch.set_num_threads(1)).
Rows: the whole step (forward, loss, zero_grad, backward, Adam) and the Adam update alone.
Target (optim issue): full step <= 1.1x torch's time.
Usage: python benchmarks/bench_adam_mlp.py [n_steps]
"""
import sys

import _common  # noqa: F401  (pins threads first)

import numpy as np  # noqa: E402


def make_model(lib, weights):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    for p, w in zip(model.parameters(), weights):
        p.data = lib.tensor(w.copy())
    return model


def make_steps(lib, weights, x_np, y_np):
    model = make_model(lib, weights)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    crit = lib.nn.CrossEntropyLoss()
    x, y = lib.tensor(x_np), lib.tensor(y_np)

    def train_step():
        loss = crit(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def adam_step():
        opt.step()

    return train_step, adam_step


def main():
    import ember
    torch = _common.load_torch()
    rng = np.random.default_rng(0)
    shapes = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
    weights = [(rng.standard_normal(s) * (1 / np.sqrt(s[-1]))).astype(np.float32) for s in shapes]
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128).astype(np.int64)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    e_train, e_adam = make_steps(ember, weights, x, y)
    t_train, t_adam = make_steps(torch, weights, x, y)
    rows = []
    # interleave the two frameworks so machine noise hits both alike
    e = t = ea = ta = float('inf')
    for _ in range(3):
        e = min(e, _common.best_time_per_step(e_train, n, repeats=2))
        t = min(t, _common.best_time_per_step(t_train, n, repeats=2))
        ea = min(ea, _common.best_time_per_step(e_adam, n, repeats=2))
        ta = min(ta, _common.best_time_per_step(t_adam, n, repeats=2))
    rows.append(('Adam MLP train step', e, t))
    rows.append(('Adam update only', ea, ta))
    _common.report(rows)


if __name__ == '__main__':
    main()
