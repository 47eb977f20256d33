"""ember.version: torch.version's fields. `__version__` is ember's own; `cuda`/`hip` are None
(ember reaches GPUs through CuPy, not a CUDA build of its own)."""
from . import __version__  # noqa: F401

cuda = None
hip = None
xpu = None
git_version = 'unknown'
debug = False
