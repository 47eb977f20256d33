"""The seed notebook's two training loops, ember beside torch, one thread each.

XOR: 2-3-1 sigmoid MLP, MSELoss, SGD lr 0.1, 4 points, full batch.
Regression: 40,401 points, 2-3-1 with a sigmoid hidden layer, SGD lr 0.01.
Targets (issue 2): XOR <= 0.5x torch's time per step, regression <= 1.0x.
"""
import sys

import _common  # noqa: F401  (pins threads first)


def make_step(lib, xs, ys, lr, out_sigmoid):
    nn = lib.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = nn.Linear(2, 3)
            self.l2 = nn.Linear(3, 1)

        def forward(self, x):
            h = lib.sigmoid(self.l1(x))
            o = self.l2(h)
            return lib.sigmoid(o) if out_sigmoid else o

    model = MLP()
    opt = lib.optim.SGD(model.parameters(), lr=lr)
    crit = nn.MSELoss()
    x = lib.tensor(xs)
    y = lib.tensor(ys)

    def step():
        err = crit(model(x), y)
        opt.zero_grad()
        err.backward()
        opt.step()
    return step


def main():
    import ember
    torch = _common.load_torch()
    xor_x = [[0., 0], [0., 1], [1., 0], [1., 1]]
    xor_y = [[0.], [1.], [1.], [0.]]
    pts = [[i / 10, j / 10] for i in range(-100, 101) for j in range(-100, 101)]
    reg_y = [[2 * (a * a + b * b) ** 0.5] for a, b in pts]
    n_xor = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rows = []
    for name, xs, ys, lr, sig, n in (('seed XOR step', xor_x, xor_y, 0.1, True, n_xor),
                                     ('seed regression step', pts, reg_y, 0.01, False, max(20, n_xor // 40))):
        e = _common.best_time_per_step(make_step(ember, xs, ys, lr, sig), n)
        t = _common.best_time_per_step(make_step(torch, xs, ys, lr, sig), n)
        rows.append((name, e, t))
    _common.report(rows)


if __name__ == '__main__':
    main()
