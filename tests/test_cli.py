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


def test_run_sees_the_script_as_python_does(tmp_path):
    # issue 8: sys.argv, __name__, __file__, sys.path[0], relative imports inside the script's
    # packages, and `if __name__ == "__main__"` behave under `ember run` exactly as under
    # `python script.py` with real torch (the oracle: the same program, printed the same way)
    (tmp_path / 'pkg').mkdir()
    (tmp_path / 'pkg' / '__init__.py').write_text('from .model import make\n')
    (tmp_path / 'pkg' / 'consts.py').write_text('WIDTH = 3\n')
    (tmp_path / 'pkg' / 'model.py').write_text(textwrap.dedent('''
        import torch.nn as nn
        from . import consts
        from .consts import WIDTH

        def make():
            return nn.Linear(consts.WIDTH, WIDTH), __name__, __package__
    '''))
    (tmp_path / 'main.py').write_text(textwrap.dedent('''
        import os
        import sys
        import torch
        from pkg import make


        def main():
            layer, modname, package = make()
            print('argv', sys.argv)
            print('name', __name__, 'package', __package__, 'spec', __spec__)
            print('file', os.path.abspath(__file__) == os.path.abspath(sys.argv[0]))
            print('path0', os.path.realpath(sys.path[0]) == os.path.realpath(os.getcwd()))
            print('pkg', modname, package, tuple(layer.weight.shape))
            print('linear', type(layer).__name__, type(layer).__module__.split('.', 1)[1])


        if __name__ == "__main__":
            main()
    '''))
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    plain = subprocess.run([sys.executable, 'main.py', 'x', '--n=2'], capture_output=True, text=True,
                           cwd=tmp_path, env=env, timeout=300)
    assert plain.returncode == 0, plain.stderr
    r = ember_cmd('run', 'main.py', 'x', '--n=2', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == plain.stdout
    assert "argv ['main.py', 'x', '--n=2']" in r.stdout and 'pkg pkg.model pkg (3, 3)' in r.stdout
