"""ember._malloc: on glibc, importing ember keeps freed large buffers for reuse (no page faults
when a training loop allocates and frees the same big arrays), unless the user opts out."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_PROBE = r"""
import resource
import numpy as np
import ember


def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


a = np.ones(2 << 20)  # 16 MiB, above glibc's default 128 KiB mmap threshold
del a
f0 = faults()
for _ in range(20):
    a = np.ones(2 << 20)
    del a
print(ember._malloc.tuned, faults() - f0)
"""


def _probe(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(('MALLOC_', 'EMBER_MALLOC'))}
    full.update(env, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    r = subprocess.run([sys.executable, '-c', _PROBE], capture_output=True, text=True, env=full,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    tuned, faults = r.stdout.split()
    return tuned == 'True', int(faults)


def _glibc():
    import platform
    return sys.platform.startswith('linux') and platform.libc_ver()[0] == 'glibc'


@pytest.mark.skipif(not _glibc(), reason='the tuning is for glibc only')
def test_freed_buffers_are_reused_without_page_faults():
    tuned, faults = _probe()
    assert tuned
    # 20 rounds of 16 MiB would be ~80000 page faults if every buffer came fresh from the kernel
    assert faults < 100, faults  # untuned glibc: several hundred (it trims the heap top)


def test_opt_outs():
    assert _probe(EMBER_MALLOC_TUNING='0')[0] is False
    # the user's own malloc settings win, and then ember leaves the allocator alone
    assert _probe(MALLOC_TRIM_THRESHOLD_='0')[0] is False
    assert _probe(MALLOC_MMAP_THRESHOLD_='65536')[0] is False
