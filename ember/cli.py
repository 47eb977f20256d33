"""The `ember` command: `ember demo`, `ember env`, `ember run script.py [args...]`."""
import argparse
import os
import platform
import sys


def _cpu_info():
    info = {'model': platform.processor() or platform.machine(), 'flags': ''}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, val = line.partition(':')
                key = key.strip()
                if key == 'model name' and 'model' not in info.get('_seen', ''):
                    info['model'] = val.strip()
                    info['_seen'] = 'model'
                elif key in ('flags', 'Features') and not info['flags']:
                    info['flags'] = val.strip()
    except OSError:
        pass
    info.pop('_seen', None)
    return info


def _meminfo():
    out = {}
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                k, _, v = line.partition(':')
                if k in ('MemTotal', 'MemFree', 'MemAvailable'):
                    out[k] = v.strip()
    except OSError:
        pass
    return out


def _blas():
    import numpy as np
    try:
        cfg = np.show_config(mode='dicts')
        b = cfg.get('Build Dependencies', {}).get('blas', {})
        return f"{b.get('name', '?')} {b.get('version', '')}".strip()
    except Exception:
        return 'unknown'


def env_report():
    """The environment report of the seed's "check the environment" section, as text."""
    import numpy as np
    import ember
    from ember._backend import cupy_module, cuda_available
    cpu = _cpu_info()
    mem = _meminfo()
    lines = ['ember environment',
             f'  CPU:           {cpu["model"]}',
             f'  cores:         {os.cpu_count()}',
             f'  CPU flags:     {cpu["flags"] or "unknown"}']
    if mem:
        lines.append(f'  memory:        total {mem.get("MemTotal", "?")}, available '
                     f'{mem.get("MemAvailable", "?")}')
    lines += [f'  Python:        {sys.version.splitlines()[0]}',
              f'  ember:         {ember.__version__}',
              f'  NumPy:         {np.__version__} (BLAS: {_blas()})']
    cp = cupy_module()
    if cp is None:
        lines.append('  CUDA:          not available (CuPy is not installed)')
    elif not cuda_available():
        lines.append(f'  CUDA:          not available (CuPy {cp.__version__} finds no GPU)')
    else:
        n = cp.cuda.runtime.getDeviceCount()
        names = []
        for i in range(n):
            p = cp.cuda.runtime.getDeviceProperties(i)
            name = p['name'].decode() if isinstance(p['name'], bytes) else p['name']
            names.append(f'{i}: {name} ({p["totalGlobalMem"] / 2**30:.1f} GiB)')
        lines.append(f'  CUDA:          available, {n} device(s) via CuPy {cp.__version__}')
        lines += ['                 ' + s for s in names]
    lines.append(f'  cuda.is_available(): {ember.cuda.is_available() if hasattr(ember, "cuda") else cuda_available()}')
    return '\n'.join(lines)


def _progress(iterable, desc, total):
    try:
        from tqdm import tqdm
        return tqdm(iterable, desc=desc, total=total, mininterval=0.5, leave=True)
    except ImportError:
        return iterable


def _mlp(torch, nn, output_sigmoid):
    class MLP(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.l1 = nn.Linear(input_size, hidden_size)
            self.l2 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            h = torch.sigmoid(self.l1(x))
            o = self.l2(h)
            return torch.sigmoid(o) if output_sigmoid else o
    return MLP


def demo(xor_steps=100_000, regression_steps=2_000, seed=0):
    """Train the seed notebook's XOR and regression networks and print their predictions."""
    import ember as torch
    import ember.nn as nn
    torch.manual_seed(seed)

    print('XOR: a 2-3-1 sigmoid MLP, MSELoss, SGD(lr=0.1)')
    x = torch.tensor([[0., 0], [0., 1], [1., 0], [1., 1]])
    y = torch.tensor([[0.], [1.], [1.], [0.]])
    model = _mlp(torch, nn, True)(2, 3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0e-1)
    criterion = nn.MSELoss()
    bar = _progress(range(xor_steps), 'XOR', xor_steps)
    for i in bar:
        error = criterion(model(x), y)
        optimizer.zero_grad()
        error.backward()
        optimizer.step()
        if i % 1000 == 0 and hasattr(bar, 'set_postfix'):
            bar.set_postfix(loss=f'{error.item():.6f}')
    print(f'final loss {error.item():.6f}')
    print(model(x))

    print('\nRegression: y = 2*sqrt(x1^2 + x2^2) + noise on a 201x201 grid, 2-3-1 MLP, SGD(lr=0.01)')
    pts = [[i / 10, j / 10] for i in range(-100, 101) for j in range(-100, 101)]
    x = torch.tensor(pts)
    y = 2 * torch.sqrt((x * x).sum(1, keepdim=True)) + (torch.rand(x.size()[0], 1) - 0.5) * 0.01
    model = _mlp(torch, nn, False)(2, 3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0e-2)
    bar = _progress(range(regression_steps), 'regression', regression_steps)
    first = None
    for i in bar:
        error = criterion(model(x), y)
        if first is None:
            first = error.item()
        optimizer.zero_grad()
        error.backward()
        optimizer.step()
        if i % 100 == 0 and hasattr(bar, 'set_postfix'):
            bar.set_postfix(loss=f'{error.item():.4f}')
    print(f'loss {first:.4f} -> {error.item():.4f}')
    print('first three points and predictions:')
    print(x[0:3])
    print(model(x[0:3]))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog='ember', description='ember: PyTorch\'s API on NumPy.')
    sub = parser.add_subparsers(dest='cmd')
    d = sub.add_parser('demo', help="train the seed notebook's XOR and regression networks")
    d.add_argument('--xor-steps', type=int, default=100_000)
    d.add_argument('--regression-steps', type=int, default=2_000)
    d.add_argument('--seed', type=int, default=0)
    sub.add_parser('env', help='report CPU, memory, Python, ember, NumPy/BLAS and CUDA')
    r = sub.add_parser('run', help='run a PyTorch program with ember standing in for torch',
                       usage='ember run [--report] (script.py | -m module) [args ...]')
    r.add_argument('--report', action='store_true',
                   help='print, at exit, the torch APIs the program touched that ember lacks')
    r.add_argument('script')
    r.add_argument('args', nargs=argparse.REMAINDER)
    if argv[:1] == ['run'] and '-m' in argv[1:3]:  # ember run [--report] -m module args...
        from ._run import run_module_cli
        return run_module_cli(argv[1:])
    ns = parser.parse_args(argv)
    if ns.cmd == 'demo':
        demo(ns.xor_steps, ns.regression_steps, ns.seed)
    elif ns.cmd == 'env':
        print(env_report())
    elif ns.cmd == 'run':
        from ._run import run_script
        return run_script(ns.script, ns.args, report=ns.report)
    else:
        parser.print_help()
        return 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
