"""nn.Parameter: a Tensor that a Module registers as a learnable parameter."""
from .._tensor import Tensor
from .. import _dtype as D


class Parameter(Tensor):
    """A tensor that is a module parameter (requires grad by default)."""

    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        import numpy as np
        t = Tensor.__new__(cls, _internal=True)
        if data is None:
            t._data = np.empty((0,), D.get_default_dtype().np)
        else:
            if not isinstance(data, Tensor):
                raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
            t._data = data._data
            if data._version_counter is not None:
                t._version_counter = data._vc()
        t._requires_grad = False
        t._grad_fn = None
        if requires_grad:
            if t._data.dtype.kind not in 'fcV':
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            t._requires_grad = True
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __reduce_ex__(self, proto):
        from .._tensor import _rebuild
        from .._backend import to_numpy
        return (_rebuild, (type(self), to_numpy(self._data), self._requires_grad,
                           {k: v for k, v in self.__dict__.items() if not k.startswith('_')}))


class Buffer(Tensor):
    """nn.Buffer: marks a tensor to be registered as a module buffer when assigned."""

    def __new__(cls, data=None, *, persistent=True):
        import numpy as np
        t = Tensor.__new__(cls, _internal=True)
        t._data = np.empty((0,), D.get_default_dtype().np) if data is None else data._data
        t._requires_grad = False if data is None else data._requires_grad
        t._grad_fn = None
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


class UninitializedParameter(Parameter):
    """A parameter whose shape is set at the first forward (lazy modules)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        t = Parameter.__new__(cls, None, requires_grad=False)
        t._requires_grad = bool(requires_grad)
        t.__dict__['_lazy_dtype'] = dtype
        return t

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        """Give the parameter its shape (uninitialised values) and make it a plain Parameter."""
        import numpy as np
        if dtype is None:
            dtype = self.__dict__.pop('_lazy_dtype', None)
        dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
        self._data = np.empty(tuple(shape), dt.np)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return '<UninitializedParameter>'


class UninitializedBuffer(Buffer):
    def materialize(self, shape, device=None, dtype=None):
        import numpy as np
        dt = D.as_dtype(dtype) if dtype is not None else D.get_default_dtype()
        self._data = np.empty(tuple(shape), dt.np)
        self.__class__ = Tensor


def is_lazy(param):
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
