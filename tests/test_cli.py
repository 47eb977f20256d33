"""The `ember` command: demo, env and run (each in a subprocess, as a user would type it)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ember_cmd(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    return subprocess.run([sys.executable, '-m', 'ember', *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_demo_trains_and_prints_predictions():
    r = ember_cmd('demo', '--xor-steps', '30000', '--regression-steps', '50')
    assert r.returncode == 0, r.stderr
    assert 'XOR' in r.stdout and 'grad_fn=<SigmoidBackward0>' in r.stdout
    assert 'Regression' in r.stdout and 'loss' in r.stdout


def test_env_reports_the_machine():
    r = ember_cmd('env')
    assert r.returncode == 0, r.stderr
    for field in ('CPU:', 'cores:', 'CPU flags:', 'memory:', 'Python:', 'ember:', 'NumPy:', 'BLAS',
                  'CUDA:'):
        assert field in r.stdout
    assert str(os.cpu_count()) in r.stdout


def test_run_resolves_torch_everywhere(tmp_path):
    (tmp_path / 'pkg').mkdir()
    (tmp_path / 'pkg' / '__init__.py').write_text('')
    (tmp_path / 'pkg' / 'helper.py').write_text('import torch\n\ndef double(x):\n    return torch.mul(x, 2)\n')
    (tmp_path / 'main.py').write_text(textwrap.dedent('''
        import sys
        import torch
        import torch.nn as nn
        from torch.nn import functional as F
        from torch.nn.modules.linear import Linear
        from pkg.helper import double
        import ember
        assert torch is ember and nn.Linear is Linear
        print(__name__, sys.argv[1:], __file__.endswith('main.py'))
        print(double(torch.ones(2)))
        try:
            import torch.fft
        except ImportError as e:
            print('ERR', e)
        sys.exit(3)
    '''))
    r = ember_cmd('run', '--report', 'main.py', 'a', '--flag', cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "__main__ ['a', '--flag'] True" in r.stdout
    assert 'tensor([2., 2.])' in r.stdout
    assert 'ERR torch.fft is not available in ember' in r.stdout
    assert 'torch.fft' in r.stderr and '--report' in r.stderr


def test_missing_attribute_names_the_torch_api():
    import pytest
    import ember
    with pytest.raises(AttributeError, match='torch.no_such_api is not available in ember'):
        ember.no_such_api
    assert not hasattr(ember.nn, 'NoSuchLayer')
