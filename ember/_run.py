"""`ember run` and `ember.as_torch()`: ember standing in for the `torch` package.

An import hook maps `torch` and every `torch.<sub>` module onto `ember` / `ember.<sub>`, so
`import torch.nn as nn` gives `ember.nn` itself, in the script and in every module it imports. A
torch API ember lacks fails at once with a message naming it ("torch.fft is not available in
ember"), and is recorded for `ember run --report`.
"""
import atexit
import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import pkgutil
import runpy
import sys
import types

# torch APIs touched that ember lacks, and those it only approximates: name -> note
missing = {}
approximated = {}


def note_missing(name):
    missing.setdefault(name, 'missing')


def note_approximation(name, how):
    """Record that the program used `name`, which ember runs in an approximate way (`how`)."""
    approximated.setdefault(name, how)


class _TorchAliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Resolve `torch[.x.y]` to the already-importable `ember[.x.y]` module object."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != 'torch' and not fullname.startswith('torch.'):
            return None
        target_name = 'ember' + fullname[len('torch'):]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name and (e.name == target_name or target_name.startswith(e.name + '.')):
                note_missing(fullname)
                raise ModuleNotFoundError(f"{fullname} is not available in ember",
                                          name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _TorchAliasLoader(module))


_finder = _TorchAliasFinder()


def as_torch():
    """Make `import torch` (and every `torch.*` import) resolve to ember from now on."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    import ember
    for name in [m for m in list(sys.modules) if m == 'torch' or m.startswith('torch.')]:
        mod = sys.modules[name]
        if not getattr(mod, '__name__', '').startswith('ember'):
            del sys.modules[name]  # a real torch imported earlier: replace it
    sys.modules['torch'] = ember
    for name, mod in list(sys.modules.items()):
        if name.startswith('ember.') and mod is not None:
            sys.modules.setdefault('torch' + name[len('ember'):], mod)
    return ember


def _print_report():
    out = sys.stderr
    if not missing and not approximated:
        print('ember run --report: the program touched no torch API that ember lacks or '
              'approximates.', file=out)
        return
    print('ember run --report: torch APIs this program touched that ember', file=out)
    if missing:
        print('  lacks:', file=out)
        for name in sorted(missing):
            print(f'    {name}', file=out)
    if approximated:
        print('  only approximates:', file=out)
        for name, how in sorted(approximated.items()):
            print(f'    {name}: {how}', file=out)


def run_script(path, args=(), report=False):
    """Run `path` as `python path args...` would, with ember as torch. Returns the exit code."""
    if not os.path.exists(path):
        print(f"ember run: can't open file '{path}': No such file or directory", file=sys.stderr)
        return 2
    as_torch()
    if report:
        atexit.register(_print_report)
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        if pkgutil.get_importer(path) is None:  # a plain script file (runpy's own test)
            _run_file(path)
        else:  # a directory or zip file with a __main__.py: runpy does what python does
            runpy.run_path(path, run_name='__main__')
    except SystemExit as e:
        return _exit_code(e)
    return 0


def _run_file(path):
    """Execute the script at `path` as `python path` does. runpy.run_path would give the script
    ``__package__ == ''`` and no ``__loader__``, and put the previous ``__main__`` back afterwards;
    python's script module has ``__package__`` None and a SourceFileLoader, and stays
    ``sys.modules['__main__']`` (so atexit handlers can still pickle the script's classes)."""
    main = types.ModuleType('__main__')
    main.__dict__.update(__file__=path, __cached__=None, __builtins__=builtins,
                         __loader__=importlib.machinery.SourceFileLoader('__main__', path))
    with io.open_code(path) as f:
        code = compile(f.read(), path, 'exec', dont_inherit=True)
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def run_module(module, args=(), report=False):
    """Run `module` as `python -m module args...` would, with ember as torch."""
    as_torch()
    if report:
        atexit.register(_print_report)
    sys.argv = [module] + list(args)
    sys.path.insert(0, os.getcwd())
    try:
        runpy.run_module(module, run_name='__main__', alter_sys=True)
    except SystemExit as e:
        return _exit_code(e)
    except ImportError as e:
        if getattr(e, 'name', None) == module or str(e).startswith('No module named'):
            print(f"ember run: No module named {module}", file=sys.stderr)
            return 1
        raise
    return 0


def _exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_module_cli(argv):
    """`ember run [--report] -m module [args...]`."""
    report = False
    argv = list(argv)
    if argv and argv[0] == '--report':
        report, argv = True, argv[1:]
    if len(argv) < 2 or argv[0] != '-m':
        print("usage: ember run [--report] -m module [args ...]", file=sys.stderr)
        return 2
    return run_module(argv[1], argv[2:], report=report)
