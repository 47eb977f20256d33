"""Run a program from tests/run/programs twice, as a user would: `python prog.py args` with real
torch, and `python -m ember run prog.py args` with ember standing in for torch; both at once,
each in its own copy of the programs directory, single-threaded BLAS."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / 'programs'


def _env():
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONHASHSEED='0', PYTHONWARNINGS='ignore')
    env['PYTHONPATH'] = str(ROOT) + os.pathsep + env.get('PYTHONPATH', '')
    return env


def run_both(tmp_path, script, *argsets, timeout=240):
    """Run `script` (a path under programs/; its directory is the working directory) under
    torch and ember; each element of `argsets` is one invocation (a list of arguments, whose
    first item may name another script of that directory, ending in .py), run in order.
    Returns {'torch': [...], 'ember': [...]} of (returncode, stdout, stderr) per invocation."""
    argsets = argsets or ([],)
    sub, script = os.path.split(script)
    dirs = {}
    for lib in ('torch', 'ember'):
        d = tmp_path / lib
        shutil.copytree(PROGRAMS, d)
        dirs[lib] = d
    results = {'torch': [], 'ember': []}
    for args in argsets:
        procs = {}
        prog, rest = (args[0], list(args[1:])) if args and str(args[0]).endswith('.py') \
            and not str(args[0]).startswith('config') else (script, list(args))
        for lib, d in dirs.items():
            cmd = [sys.executable] + (['-m', 'ember', 'run', '--report'] if lib == 'ember' else [])
            procs[lib] = subprocess.Popen(cmd + [prog] + rest, cwd=d / sub, env=_env(),
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for lib, p in procs.items():
            try:
                out, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            results[lib].append((p.returncode, out, err))
    for lib, runs in results.items():
        for rc, out, err in runs:
            assert rc == 0, f'{lib} run of {script} failed (rc={rc}):\n{out[-3000:]}\n{err[-5000:]}'
    return results


def results(stdout):
    """The `RESULT name value` lines a program prints, as {name: float}."""
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^RESULT (\S+) (\S+)$', stdout, re.M)}
