"""Shared benchmark plumbing: pin BLAS/OpenMP to one thread *before* NumPy or torch load, and time
ember beside torch in the same process."""
import os

for _v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS',
           'NUMEXPR_NUM_THREADS'):
    os.environ.setdefault(_v, '1')

import time  # noqa: E402


def best_time_per_step(step, n_steps, repeats=15, warmup=None):
    """Best-of-`repeats` CPU seconds per call of step().

    CPU time of this process (not wall time) and the best of many short runs: on a shared machine
    the least-disturbed run is the closest to the code's own cost.
    """
    for _ in range(warmup if warmup is not None else max(3, n_steps // 10)):
        step()
    best = float('inf')
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(n_steps):
            step()
        best = min(best, (time.process_time() - t0) / n_steps)
    return best


def load_torch():
    import torch
    torch.set_num_threads(1)
    return torch


def blas_line():
    """Which BLAS kernels NumPy runs, and whether the environment forces them.

    Some machines set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) because old OpenBLAS builds fail
    on their CPUs; a current NumPy then runs older, slower kernels (Haswell's AVX2 where the CPU
    has AVX-512) while torch's oneDNN/MKL ignore the setting. Headline figures are taken with both
    unset for that one command: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...`.
    """
    try:
        from threadpoolctl import threadpool_info
        arch = ', '.join(sorted({i.get('architecture') or '?' for i in threadpool_info()
                                 if i.get('internal_api') == 'openblas'})) or 'not OpenBLAS'
    except Exception:  # threadpoolctl missing or failing: report nothing rather than crash
        arch = 'unknown'
    forced = os.environ.get('OPENBLAS_CORETYPE')
    note = f' (forced by OPENBLAS_CORETYPE={forced})' if forced else ''
    return f'NumPy BLAS kernels: {arch}{note}'


def report(rows):
    """rows: [(name, ember_seconds, torch_seconds)] -> a table of µs/step and ember/torch ratios."""
    print(blas_line())
    print(f'{"benchmark":<28}{"ember µs/step":>15}{"torch µs/step":>15}{"ember/torch":>13}')
    for name, e, t in rows:
        print(f'{name:<28}{e * 1e6:>15.1f}{t * 1e6:>15.1f}{e / t:>13.2f}')
