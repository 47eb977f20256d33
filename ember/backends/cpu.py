"""ember.backends.cpu."""


def get_cpu_capability():
    """The widest SIMD level NumPy was built to dispatch to, named as torch names it."""
    try:
        import numpy as np
        feats = np._core._multiarray_umath.__cpu_features__
    except Exception:
        return 'DEFAULT'
    if feats.get('AVX512F') and feats.get('AVX512BW'):
        return 'AVX512'
    if feats.get('AVX2'):
        return 'AVX2'
    return 'DEFAULT'
