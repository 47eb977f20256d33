"""ember.backends.mkl: whether NumPy's BLAS is Intel MKL."""


def is_available():
    import numpy as np
    try:
        cfg = np.show_config(mode='dicts')
        return 'mkl' in str(cfg.get('Build Dependencies', {}).get('blas', {}).get('name', ''))
    except Exception:
        return False
