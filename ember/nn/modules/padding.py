"""Padding layers: zero, constant, reflection, replication and circular, in 1/2/3 dims."""
from .. import functional as F
from .._functional._utils import ntuple
from .module import Module


class _PadNd(Module):
    _nd = 1
    _mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        self.padding = ntuple(padding, 2 * self._nd)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f'{self.padding}'


class _ConstantPadNd(Module):
    __constants__ = ['padding', 'value']
    _nd = 1

    def __init__(self, padding, value):
        super().__init__()
        self.padding = ntuple(padding, 2 * self._nd)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f'padding={self.padding}, value={self.value}'


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant."""
    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    _nd = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros."""
    _nd = 1


class ZeroPad2d(_ZeroPadNd):
    _nd = 2


class ZeroPad3d(_ZeroPadNd):
    _nd = 3


class ReflectionPad1d(_PadNd):
    """Pad by reflecting the input at its border (the border value is not repeated)."""
    _nd, _mode = 1, 'reflect'


class ReflectionPad2d(_PadNd):
    _nd, _mode = 2, 'reflect'


class ReflectionPad3d(_PadNd):
    _nd, _mode = 3, 'reflect'


class ReplicationPad1d(_PadNd):
    """Pad by repeating the border value."""
    _nd, _mode = 1, 'replicate'


class ReplicationPad2d(_PadNd):
    _nd, _mode = 2, 'replicate'


class ReplicationPad3d(_PadNd):
    _nd, _mode = 3, 'replicate'


class CircularPad1d(_PadNd):
    """Pad by wrapping the input around."""
    _nd, _mode = 1, 'circular'


class CircularPad2d(_PadNd):
    _nd, _mode = 2, 'circular'


class CircularPad3d(_PadNd):
    _nd, _mode = 3, 'circular'
