"""Time sequence prediction with stacked LSTM cells trained by L-BFGS (pytorch/examples
time_sequence_prediction style), then a curve fit by L-BFGS with a strong-Wolfe line search."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Sequence(nn.Module):
    def __init__(self, hidden=24):
        super(Sequence, self).__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=4, help='steps to run')
    opt = parser.parse_args()
    # set random seed to 0
    np.random.seed(0)
    torch.manual_seed(0)
    # load data and make training set
    if not os.path.exists('traindata.pt'):
        import generate_sine_wave  # noqa: F401  (writes traindata.pt)
    data = torch.load('traindata.pt', weights_only=False)
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    # build the model
    seq = Sequence()
    seq.double()
    criterion = nn.MSELoss()
    # use LBFGS as optimizer since we can load the whole data to train
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    # begin to train
    for i in range(opt.steps):
        print('STEP: ', i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print('loss:', loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        # begin to predict, no need to track gradient here
        with torch.no_grad():
            future = 30
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print('test loss:', loss.item())
            y = pred.detach().numpy()
    print(f'RESULT sequence_test_loss {loss.item():.6g}')

    # ---- a deterministic curve fit: y = a exp(-b t) + c, from a fixed start
    t = torch.linspace(0, 4, 50, dtype=torch.double)
    y_obs = 2.5 * torch.exp(-1.3 * t) + 0.4 + 0.01 * torch.sin(7 * t)
    params = torch.tensor([1.0, 0.5, 0.0], dtype=torch.double, requires_grad=True)
    optimizer = optim.LBFGS([params], lr=1, max_iter=50, history_size=10,
                            line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        a, b, c = params
        loss = ((a * torch.exp(-b * t) + c - y_obs) ** 2).mean()
        loss.backward()
        return loss
    for _ in range(3):
        final = optimizer.step(closure)
    a, b, c = params.tolist()
    print(f'fit: a={a:.6f} b={b:.6f} c={c:.6f} loss={final.item():.3e}')
    print(f'RESULT curve_a {a:.8f}')
    print(f'RESULT curve_b {b:.8f}')
    print(f'RESULT curve_c {c:.8f}')
    print(f'RESULT curve_loss {closure().item():.6e}')
