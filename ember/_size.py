"""ember.Size: the tuple subclass `tensor.shape` returns, printed as torch prints it."""


class Size(tuple):
    """torch.Size: a tuple of ints; `torch.Size([2, 3])`."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, tuple(s if type(s) is int else _as_int(s) for s in sizes))

    def __repr__(self):
        return f'torch.Size([{", ".join(str(s) for s in self)}])'

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _as_int(s):
    try:
        return int(s.__index__())
    except AttributeError:
        raise TypeError(f"torch.Size() takes an iterable of 'int' (item 0 is '{type(s).__name__}')") from None
