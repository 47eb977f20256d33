"""LeNet-5 SGD training step (batch 64, 1x28x28 input, cross-entropy), ember beside torch.

One thread each (`_common` pins OMP/OpenBLAS/MKL before NumPy loads; torch.set_num_threads(1)).
Rows: the whole step (forward, loss, zero_grad, backward, SGD) and the forward pass alone.
Target (nn issue): full step <= 1.5x torch's time.
Usage: python benchmarks/bench_lenet.py [n_steps]
"""
import sys

import _common  # noqa: F401  (pins threads first)

import numpy as np  # noqa: E402


def make_model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def make_steps(lib, weights, x_np, y_np):
    model = make_model(lib)
    for p, w in zip(model.parameters(), weights):
        p.data = lib.tensor(w.copy())
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    crit = lib.nn.CrossEntropyLoss()
    x, y = lib.tensor(x_np), lib.tensor(y_np)

    def train_step():
        loss = crit(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def forward():
        with lib.no_grad():
            return model(x)

    return train_step, forward


def main():
    import ember
    torch = _common.load_torch()
    rng = np.random.default_rng(0)
    ref = make_model(torch)
    weights = [p.detach().numpy().copy() for p in ref.parameters()]
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 64).astype(np.int64)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    e_train, e_fwd = make_steps(ember, weights, x, y)
    t_train, t_fwd = make_steps(torch, weights, x, y)
    # same weights, same batch: the first losses agree
    le, lt = e_train().item(), t_train().item()
    assert abs(le - lt) < 1e-4 * max(1.0, abs(lt)), (le, lt)
    e = t = ef = tf = float('inf')
    # interleave the two frameworks so machine noise hits both alike
    for _ in range(3):
        e = min(e, _common.best_time_per_step(e_train, n, repeats=2))
        t = min(t, _common.best_time_per_step(t_train, n, repeats=2))
        ef = min(ef, _common.best_time_per_step(e_fwd, n, repeats=2))
        tf = min(tf, _common.best_time_per_step(t_fwd, n, repeats=2))
    _common.report([('LeNet-5 SGD train step', e, t), ('LeNet-5 forward only', ef, tf)])


if __name__ == '__main__':
    main()
