"""torch.finfo and torch.iinfo: the numerical limits of ember's floating and integer dtypes."""
import math

import numpy as np

__all__ = ['finfo', 'iinfo']

_COMPLEX_PART = {'complex32': 'float16', 'complex64': 'float32', 'complex128': 'float64'}


def _as_dtype(fn, obj):
    from ._dtype import dtype
    if not isinstance(obj, dtype):
        raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{obj.__class__.__name__}")
    return obj


class finfo:
    """Limits of a floating dtype: bits, eps, max, min, tiny, smallest_normal, resolution, dtype."""

    def __init__(self, type=None):
        import ember
        from ._dtype import get_default_dtype
        d = get_default_dtype() if type is None else _as_dtype('finfo', type)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to "
                            "handle 'torch.finfo'")
        name = _COMPLEX_PART.get(d.name, d.name)
        real = getattr(ember, name)
        if name in ('float16', 'float32', 'float64'):
            info = np.finfo(real.np)
        else:  # bfloat16 and the float8 types come from ml_dtypes
            import ml_dtypes
            info = ml_dtypes.finfo(real.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        # 10**-precision, computed in Python: the dtype's own rounding of it (0.0010004 for
        # float16) is not what torch reports
        self.resolution = 10.0 ** -int(math.floor(-math.log10(self.eps)))
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype: bits, max, min, dtype."""

    def __init__(self, type):
        d = _as_dtype('iinfo', type)
        if d.name == 'bool':
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point or d.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    __str__ = __repr__
