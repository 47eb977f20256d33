"""ember dtypes and torch's type-promotion rules.

Each ember dtype maps one-to-one onto a NumPy dtype (bfloat16 through ``ml_dtypes``), so a tensor's
dtype is read off its array. Promotion follows torch, not NumPy: python scalars are "weak" (they
never widen a tensor of the same category), zero-dim tensors only matter when they belong to a
higher category than the dimensioned operands, and an integer tensor meeting a float becomes the
default float dtype rather than float64.
"""
import numpy as np

try:
    import ml_dtypes as _ml_dtypes
    _BF16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # bfloat16 tensors then raise a clear error when created
    _ml_dtypes = None
    _BF16 = None

# category: 0 bool, 1 integer, 2 floating, 3 complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ('name', 'np', 'itemsize', 'is_floating_point', 'is_complex', 'is_signed', '_cat')

    def __init__(self, name, np_dtype, cat, signed):
        self.name = name
        self.np = np_dtype
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2
        self._cat = cat
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = signed

    def __repr__(self):
        return 'torch.' + self.name

    __str__ = __repr__

    def __reduce__(self):  # pickles as a reference to the module-level object
        return (_by_name, (self.name,))

    def to_real(self):
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)

    def to_complex(self):
        return {'float32': complex64, 'float64': complex128, 'float16': complex32}.get(self.name, self)


bool_ = dtype('bool', np.dtype(np.bool_), _BOOL, False)
uint8 = dtype('uint8', np.dtype(np.uint8), _INT, False)
int8 = dtype('int8', np.dtype(np.int8), _INT, True)
int16 = dtype('int16', np.dtype(np.int16), _INT, True)
int32 = dtype('int32', np.dtype(np.int32), _INT, True)
int64 = dtype('int64', np.dtype(np.int64), _INT, True)
uint16 = dtype('uint16', np.dtype(np.uint16), _INT, False)
uint32 = dtype('uint32', np.dtype(np.uint32), _INT, False)
uint64 = dtype('uint64', np.dtype(np.uint64), _INT, False)
float16 = dtype('float16', np.dtype(np.float16), _FLOAT, True)
bfloat16 = dtype('bfloat16', _BF16, _FLOAT, True)
float32 = dtype('float32', np.dtype(np.float32), _FLOAT, True)
float64 = dtype('float64', np.dtype(np.float64), _FLOAT, True)
complex32 = dtype('complex32', None, _COMPLEX, True)
complex64 = dtype('complex64', np.dtype(np.complex64), _COMPLEX, True)
complex128 = dtype('complex128', np.dtype(np.complex128), _COMPLEX, True)

ALL = (bool_, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16, bfloat16, float32,
       float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME['complex32'] = complex32
_FROM_NP = {d.np: d for d in ALL if d.np is not None}

# torch's aliases
ALIASES = {'float': float32, 'double': float64, 'half': float16, 'long': int64, 'int': int32,
           'short': int16, 'bool': bool_, 'cfloat': complex64, 'cdouble': complex128,
           'chalf': complex32}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy(np_dtype):
    """The ember dtype of a NumPy dtype; TypeError for ones torch has no twin for."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    raise TypeError(f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
                    "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                    "uint64, uint32, uint16, uint8, and bool.")


def to_numpy(d):
    """The NumPy dtype that stores ember dtype `d`."""
    if d.np is None:
        if d is bfloat16:
            raise RuntimeError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
        raise TypeError(f"ember does not support {d}")
    return d.np


def as_dtype(d):
    """Accept an ember dtype, a torch alias name, a NumPy dtype or a python type."""
    if isinstance(d, dtype):
        return d
    if d is None:
        return None
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith('torch.') else d
        if name in _BY_NAME:
            return _BY_NAME[name]
        if name in ALIASES:
            return ALIASES[name]
    try:
        return from_numpy(np.dtype(d))
    except TypeError:
        raise TypeError(f"Expected a torch.dtype, got {d!r}") from None


# ----- default dtype ---------------------------------------------------------------------------

_default = [float32]


def get_default_dtype():
    """The dtype of float tensors made from python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d):
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    _PROMOTE_CACHE.clear()


def default_complex():
    return complex128 if _default[0] is float64 else complex64


# ----- promotion ---------------------------------------------------------------------------------

def promote_types(a, b):
    """torch.promote_types: the smallest dtype both `a` and `b` convert to safely."""
    if a is b:
        return a
    ca, cb = a._cat, b._cat
    if ca != cb:
        if ca < cb:
            a, b, ca, cb = b, a, cb, ca
        # a is of the higher category
        if ca == _COMPLEX and cb == _FLOAT and b.itemsize > a.itemsize // 2:
            return complex128
        return a
    if ca == _FLOAT and {a.name, b.name} == {'float16', 'bfloat16'}:
        return float32
    if ca == _BOOL:
        return bool_
    return from_numpy(np.promote_types(a.np, b.np))


def _combine(higher, lower):
    # torch's combine_categories(higher, lower) from c10/core/ScalarType / TensorIterator.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        if higher._cat == _FLOAT:
            return higher.to_complex()
        return lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool_ or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


_PROMOTE_CACHE = {}


def scalar_dtype(x):
    """The dtype torch gives a python number when it stands as a "wrapped" (weak) scalar."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, complex):
        return default_complex()
    return _default[0]


def result_type2(da, kinda, db, kindb):
    """Result dtype of a binary op. kind: 2 dimensioned tensor, 1 zero-dim tensor, 0 python scalar."""
    key = (da, kinda, db, kindb)
    r = _PROMOTE_CACHE.get(key)
    if r is not None:
        return r
    groups = [None, None, None]
    for d, k in ((da, kinda), (db, kindb)):
        groups[k] = d if groups[k] is None else promote_types(groups[k], d)
    r = _combine(groups[2], _combine(groups[1], groups[0]))
    _PROMOTE_CACHE[key] = r
    return r


def result_type_many(items):
    """Result dtype of many operands, each an (ember dtype, kind) pair as in `result_type2`."""
    groups = [None, None, None]
    for d, k in items:
        groups[k] = d if groups[k] is None else promote_types(groups[k], d)
    return _combine(groups[2], _combine(groups[1], groups[0]))


def can_cast(from_, to):
    """torch.can_cast: casting that does not lower the category."""
    return from_._cat <= to._cat


def finfo_np(d):
    return np.finfo(to_numpy(d))
