"""The Tensor: an ndarray plus autograd fields.

Only the state and the autograd-facing API live here. Math is in `ember/_ops/<family>.py`; each op
file attaches its Tensor methods and operator dunders (`Tensor.__add__` is in `_ops/arithmetic.py`)
through `tensor_method`, so an op's function, method and gradient sit side by side.
"""
import warnings

import numpy as np

from . import _dtype as D
from ._backend import device_of, to_numpy, array_module, is_array
from ._size import Size
from .autograd.grad_mode import _state
from .autograd.graph import AccumulateGrad, _view_grad_fn, _view_requires_grad
from .autograd.graph import hooks_used as _hooks_used, _anomaly


class Tensor:
    """A multi-dimensional array that records the operations on it for automatic differentiation."""

    __slots__ = ('_data', '_requires_grad', '_grad_fn', '__dict__', '__weakref__')

    # Rarely-set fields live in the instance __dict__ with these class defaults, so creating a
    # tensor only sets the three slots above.
    _grad = None
    _output_nr = 0
    _version_counter = None
    _base = None
    _grad_acc = None
    _acc_edge = None  # (_grad_acc, 0): a leaf's graph edge, kept for the ops recording it
    _retains_grad = False
    _backward_hooks = None
    _post_acc_hooks = None
    _is_param = False

    def __new__(cls, *args, **kwargs):
        # legacy constructor: Tensor(2, 3) -> uninitialised float, Tensor([1, 2]) -> float data
        t = object.__new__(cls)
        t._requires_grad = False
        t._grad_fn = None
        if args and not kwargs.get('_internal'):
            from ._ops.creation import _legacy_data
            t._data = _legacy_data(args, kwargs)
        elif not args:
            t._data = np.empty((0,), D.get_default_dtype().np)
        return t

    def __init__(self, *args, **kwargs):
        pass

    # -- state -----------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension `dim`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return D.from_numpy(self._data.dtype)

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = 'torch.strided'

    def get_device(self):
        return -1 if type(self._data) is np.ndarray else self.device.index

    @property
    def itemsize(self):
        return self._data.itemsize

    def element_size(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == 'f' or self._data.dtype == D._BF16

    def is_complex(self):
        return self._data.dtype.kind == 'c'

    def is_signed(self):
        return self.dtype.is_signed

    def stride(self, dim=None):
        its = self._data.itemsize
        st = tuple(s // its for s in self._data.strides)
        if dim is None:
            return st
        return st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while isinstance(base.base, type(self._data)):
            base = base.base
        return (_ptr(self._data) - _ptr(base)) // self._data.itemsize if base is not self._data else 0

    def data_ptr(self):
        return _ptr(self._data)

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    # -- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self):
        if not self._requires_grad and self._base is not None:
            return _view_requires_grad(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in 'fcV':
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place; returns self."""
        if requires_grad and self._data.dtype.kind not in 'fcV':
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._base is not None:  # a view whose base was written in place gets a new history
            return _view_grad_fn(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                "informations.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if device_of(value._data) != device_of(self._data):
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        c = self._version_counter
        return 0 if c is None else c[0]

    def _vc(self):
        c = self._version_counter
        if c is None:
            c = self._version_counter = [0]
        return c

    def _bump_version(self):
        c = self._version_counter
        if c is None:
            self._version_counter = [1]
        else:
            c[0] += 1

    def _accumulator(self):
        acc = self._grad_acc
        if acc is None:
            acc = self._grad_acc = AccumulateGrad(self)
        return acc

    def _accumulator_edge(self):
        """(AccumulateGrad node, 0): the graph edge to this leaf, cached."""
        acc = self._accumulator()
        e = self._acc_edge
        if e is None or e[0] is not acc:
            e = self._acc_edge = (acc, 0)
        return e

    @property
    def data(self):
        """The same values, detached from the graph (shares memory)."""
        t = _wrap(self._data)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def detach(self):
        """A tensor sharing this one's memory, cut from the graph."""
        t = _wrap(self._data)
        t._version_counter = self._vc()
        return t

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        self.__dict__.pop('_output_nr', None)
        return self

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def _retain(grad):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = grad.detach() if not _state.enabled else grad
                    t._grad = _wrap(t._grad._data.copy()) if not _state.enabled else t._grad
                else:
                    t._grad = t._grad + grad
        self._add_tensor_hook(_retain, 'retain_grad')  # the engine runs it after other hooks
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def _add_tensor_hook(self, fn, key=None):
        from .utils.hooks import RemovableHandle
        node = self.grad_fn
        _graph_module.hooks_used[0] = True
        if node._tensor_pre_hooks is None:
            node._tensor_pre_hooks = {}
        hooks = node._tensor_pre_hooks.setdefault(self._output_nr, {})
        h = RemovableHandle(hooks)
        if key is not None:
            h.id = key
        hooks[h.id] = fn
        return h

    def register_hook(self, hook):
        """`hook(grad)` runs when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._add_tensor_hook(hook)
        from .utils.hooks import RemovableHandle
        _graph_module.hooks_used[0] = True
        if self._backward_hooks is None:
            self._backward_hooks = {}
        h = RemovableHandle(self._backward_hooks)
        self._backward_hooks[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        """`hook(tensor)` runs after the gradient is accumulated into this leaf's `.grad`."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .utils.hooks import RemovableHandle
        _graph_module.hooks_used[0] = True
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        h = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[h.id] = hook
        return h

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves (accumulated into `.grad`)."""
        fn = self._grad_fn
        if (fn is not None and gradient is None and inputs is None and not create_graph
                and self._base is None and not _hooks_used[0] and not _anomaly[0]):
            # `loss.backward()`, once per training step: straight to the engine's array path
            a = self._data
            if a.size == 1 and a.dtype.kind in 'fV':
                _engine_arrays.backward_scalar(fn, self._output_nr, a, retain_graph)
                return
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- conversion to Python / NumPy ------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if self._data.dtype != D._BF16 else \
            float(self._data.reshape(()).astype(np.float32))

    def tolist(self):
        a = to_numpy(self._data)
        if a.dtype == D._BF16:
            a = a.astype(np.float32)
        return a.tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind this tensor (shared memory)."""
        if not force:
            if self._requires_grad:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if type(self._data) is not np.ndarray:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
        return to_numpy(self._data)

    def __array__(self, dtype=None, copy=None):
        a = to_numpy(self._data)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        return _wrap(np.asarray(arr))

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        self._check_scalar('float')
        return float(self.item())

    def __int__(self):
        self._check_scalar('int')
        return int(self.item())

    def __complex__(self):
        self._check_scalar('complex')
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def _check_scalar(self, kind):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars")

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if not spec else str(self).__format__(spec)

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import _str
        return _str(self)

    def __str__(self):
        return self.__repr__()

    # -- copying and pickling ----------------------------------------------------------------
    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = Tensor.__new__(type(self), _internal=True)
        new._data = self._data.copy()
        new._requires_grad = self._requires_grad
        new._grad_fn = None
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        import copy
        for k, v in self.__dict__.items():
            if k in ('_grad', '_version_counter', '_grad_acc', '_acc_edge', '_backward_hooks',
                     '_post_acc_hooks'):
                continue
            new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    def __reduce_ex__(self, proto):
        return (_rebuild, (type(self), to_numpy(self._data), self._requires_grad,
                           {k: v for k, v in self.__dict__.items() if not k.startswith('_')}))

    def __setstate__(self, state):
        self.__dict__.update(state)

    # torch.Tensor's class-level helpers that user code touches
    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        t = Tensor.__new__(cls, _internal=True)
        t._data = data._data
        t._requires_grad = bool(require_grad)
        t._grad_fn = None
        return t


def _rebuild(cls, arr, requires_grad, attrs):
    t = Tensor.__new__(cls, _internal=True)
    t._data = arr
    t._requires_grad = requires_grad
    t._grad_fn = None
    t.__dict__.update(attrs)
    return t


def _ptr(a):
    try:
        return a.__array_interface__['data'][0]
    except AttributeError:
        return a.data.ptr


_new = object.__new__
_ndarray = np.ndarray


def _wrap(arr, requires_grad=False):
    """A Tensor around `arr` with no copy (numpy scalars become 0-d arrays)."""
    if type(arr) is not _ndarray:
        if not is_array(arr):
            arr = np.asarray(arr)
    t = _new(Tensor)
    t._data = arr
    t._requires_grad = requires_grad
    t._grad_fn = None
    return t


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim, raising torch's IndexError when out of range."""
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
                         f"got {dim})")
    return dim + n if dim < 0 else dim


from .autograd import graph as _graph_module  # noqa: E402
from .autograd import engine as _engine_module  # noqa: E402
_graph_module._wrap = _wrap
_graph_module._Tensor = Tensor
_engine_module._wrap = _wrap
_engine_module._Tensor = Tensor
from .autograd import engine_arrays as _engine_arrays  # noqa: E402
_engine_arrays._wrap = _wrap
_engine_arrays._Tensor = Tensor


def tensor_method(*names):
    """Decorator: also expose the function as Tensor method(s) `names`."""
    def deco(fn):
        for n in names:
            setattr(Tensor, n, fn)
        return fn
    return deco


def _share_memory_(self):
    """Move the values into memory shared with child processes (fork); returns self."""
    import mmap
    a = self._data
    if type(a) is not np.ndarray or self.__dict__.get('_shared'):
        return self
    buf = mmap.mmap(-1, max(a.nbytes, 1))  # anonymous MAP_SHARED: children see every write
    shared = np.frombuffer(buf, dtype=a.dtype, count=a.size).reshape(a.shape)
    shared[...] = a
    self._data = shared
    self.__dict__['_shared'] = True
    return self


def _is_shared(self):
    return bool(self.__dict__.get('_shared')) or type(self._data) is not np.ndarray


Tensor.share_memory_ = _share_memory_
Tensor.is_shared = _is_shared
