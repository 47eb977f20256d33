"""ember.backends.openmp."""


def is_available():
    """False: ember's CPU parallelism is the BLAS thread pool, not OpenMP."""
    return False
