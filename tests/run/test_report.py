"""`ember run --report`: the torch APIs a program touched that ember lacks or approximates are
listed at exit, also when the program dies of a missing API; missing APIs fail with errors
naming them."""
import os
import subprocess
import sys
import textwrap

from _run_programs import ROOT


def _ember_run(tmp_path, code, *extra):
    (tmp_path / 'prog.py').write_text(textwrap.dedent(code))
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, '-m', 'ember', 'run', *extra, 'prog.py'],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_report_lists_missing_and_approximated(tmp_path):
    r = _ember_run(tmp_path, '''
        import warnings
        import torch
        import torch.nn as nn
        warnings.simplefilter('ignore')
        model = torch.compile(nn.Linear(4, 2))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            y = model(torch.randn(3, 4))
        print('dtype', y.dtype)
        print(hasattr(torch.nn.functional, 'no_such_function'))
        try:
            torch.cuda.no_such_thing
        except AttributeError as e:
            print('ERR', e)
        try:
            torch.hub.load('pytorch/vision', 'resnet18')
        except NotImplementedError as e:
            print('ERR', e)
    ''', '--report')
    assert r.returncode == 0, r.stderr
    assert 'dtype torch.float32' in r.stdout
    assert 'ERR torch.cuda.no_such_thing is not available in ember' in r.stdout
    assert 'ERR torch.hub.load is not available in ember' in r.stdout
    report = r.stderr[r.stderr.index('ember run --report'):]
    for name in ('torch.nn.functional.no_such_function', 'torch.cuda.no_such_thing',
                 'torch.hub.load'):
        assert name in report.split('only approximates')[0]
    approx = report.split('only approximates')[1]
    assert 'torch.compile' in approx and 'torch.autocast' in approx


def test_report_printed_when_the_program_fails(tmp_path):
    r = _ember_run(tmp_path, '''
        import torch
        x = torch.ones(2)
        torch.no_such_op(x)
    ''', '--report')
    assert r.returncode == 1
    assert "AttributeError: torch.no_such_op is not available in ember" in r.stderr
    assert 'torch.no_such_op' in r.stderr[r.stderr.index('ember run --report'):]


def test_without_report_nothing_is_printed(tmp_path):
    r = _ember_run(tmp_path, '''
        import torch
        print(torch.tensor([1, 2]).sum().item())
    ''')
    assert r.returncode == 0 and r.stdout.strip() == '3' and 'report' not in r.stderr


def test_run_module_with_dash_m(tmp_path):
    (tmp_path / 'pkg').mkdir()
    (tmp_path / 'pkg' / '__init__.py').write_text('')
    (tmp_path / 'pkg' / 'train.py').write_text(
        'import sys, torch\nprint(__name__, sys.argv[1:], torch.__name__)\nsys.exit(4)\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, '-m', 'ember', 'run', '--report', '-m', 'pkg.train', '--lr',
                        '1'], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 4, r.stderr
    assert "__main__ ['--lr', '1'] ember" in r.stdout and 'ember run --report' in r.stderr
    r = subprocess.run([sys.executable, '-m', 'ember', 'run', '-m', 'no_such_pkg'], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and 'No module named no_such_pkg' in r.stderr
