"""Flatten parameters into one vector and back (torch.nn.utils.parameters_to_vector & co)."""
from ..._tensor import Tensor

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_param_device(param, old_device):
    dev = param.device
    key = dev.index if dev.type != 'cpu' else -1
    if old_device is None:
        return key
    if key != old_device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return old_device


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter, flattened, in order (differentiable)."""
    from ... import cat
    device = None
    flat = []
    for p in parameters:
        device = _check_param_device(p, device)
        flat.append(p.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Point each parameter's data at its slice of `vec` (the inverse of parameters_to_vector)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for p in parameters:
        device = _check_param_device(p, device)
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n


def _typename(obj):
    t = type(obj)
    mod = t.__module__
    return t.__qualname__ if mod in ('builtins', None) else f'{mod}.{t.__qualname__}'
