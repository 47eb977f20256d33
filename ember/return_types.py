"""Named result tuples, as `torch.return_types`: `x.max(dim)` returns `max(values, indices)`.

Each class is a tuple subclass (unpacking and indexing work) with named read-only fields, printed
as torch prints its structseq types.
"""

__all__ = []


class _StructSeq(tuple):
    """Base of the result types; subclasses set `_fields`."""

    __slots__ = ()
    _fields = ()
    n_unnamed_fields = 0

    def __new__(cls, sequence=(), dict=None):
        seq = tuple(sequence)
        if len(seq) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ',\n'.join(f'{k}={v!r}' for k, v in zip(self._fields, self))
        return f'torch.return_types.{type(self).__name__}(\n{body})'

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self), {}))


def _field(i):
    return property(lambda self: tuple.__getitem__(self, i))


def _make(name, fields):
    """Create and register result type `name` with the given field names."""
    body = {'__slots__': (), '_fields': tuple(fields), 'n_fields': len(fields),
            'n_sequence_fields': len(fields), '__module__': __name__,
            '__doc__': f"torch.return_types.{name}({', '.join(fields)})"}
    for i, f in enumerate(fields):
        body[f] = _field(i)
    cls = type(name, (_StructSeq,), body)
    globals()[name] = cls
    __all__.append(name)
    return cls


for _name, _fields in (
        ('max', ('values', 'indices')), ('min', ('values', 'indices')),
        ('sort', ('values', 'indices')), ('topk', ('values', 'indices')),
        ('kthvalue', ('values', 'indices')), ('median', ('values', 'indices')),
        ('nanmedian', ('values', 'indices')), ('mode', ('values', 'indices')),
        ('cummax', ('values', 'indices')), ('cummin', ('values', 'indices')),
        ('aminmax', ('min', 'max')), ('frexp', ('mantissa', 'exponent')),
        ('histogram', ('hist', 'bin_edges')), ('histogramdd', ('hist', 'bin_edges')),
        ('slogdet', ('sign', 'logabsdet')), ('linalg_slogdet', ('sign', 'logabsdet')),
        ('qr', ('Q', 'R')), ('linalg_qr', ('Q', 'R')), ('geqrf', ('a', 'tau')),
        ('svd', ('U', 'S', 'V')), ('linalg_svd', ('U', 'S', 'Vh')),
        ('linalg_eig', ('eigenvalues', 'eigenvectors')),
        ('linalg_eigh', ('eigenvalues', 'eigenvectors')),
        ('linalg_cholesky_ex', ('L', 'info')), ('linalg_inv_ex', ('inverse', 'info')),
        ('linalg_solve_ex', ('result', 'info')), ('linalg_lu', ('P', 'L', 'U')),
        ('linalg_lu_factor', ('LU', 'pivots')), ('linalg_lu_factor_ex', ('LU', 'pivots', 'info')),
        ('linalg_ldl_factor', ('LD', 'pivots')),
        ('linalg_ldl_factor_ex', ('LD', 'pivots', 'info')),
        ('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values')),
        ('lu_unpack', ('P', 'L', 'U')), ('triangular_solve', ('solution', 'cloned_coefficient'))):
    _make(_name, _fields)
