"""A small CNN trained with ember on scikit-learn's bundled 8x8 digits (no download) reaches at
least 95% test accuracy: conv, batch norm, pooling, dropout, cross-entropy and Adam end to end."""
import time

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

datasets = pytest.importorskip('sklearn.datasets')


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc(self.drop(x.flatten(1)))


def test_small_cnn_learns_digits():
    digits = datasets.load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    X, y = X[perm], y[perm]
    Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]
    ember.manual_seed(0)
    model = DigitsNet()
    opt = ember.optim.Adam(model.parameters(), lr=3e-3)
    t0 = time.perf_counter()
    for epoch in range(8):
        model.train()
        order = rng.permutation(len(Xtr))
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            loss = F.cross_entropy(model(ember.tensor(Xtr[idx])), ember.tensor(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with ember.no_grad():
        pred = model(ember.tensor(Xte)).argmax(1).numpy()
    acc = (pred == yte).mean()
    elapsed = time.perf_counter() - t0
    print(f"digits test accuracy {acc:.4f} in {elapsed:.1f}s")
    assert acc >= 0.95, f"test accuracy {acc:.3f}"
    assert elapsed < 60, f"training took {elapsed:.1f}s"
