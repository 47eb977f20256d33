"""Argument handling shared by the op families: tensor-argument checks and `out=` (single and
tuple results)."""
from .._tensor import Tensor

# torch's c10 spelling of a dtype, as its out= dtype errors print it
_C10 = {'float32': 'float', 'float64': 'double', 'int64': 'long int', 'int32': 'int',
        'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char', 'bool': 'bool',
        'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16'}


def c10_name(d):
    return _C10.get(d.name, d.name)


def require_tensor(name, x, argname='input', pos=1):
    """torch's TypeError when argument `argname` of `name` is not a Tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def out_result(r, out):
    """Return `r`, or write it into `out` (a Tensor, or a tuple of them for a tuple result)."""
    if out is None:
        return r
    from .inplace import copy_into_out
    if isinstance(r, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(r):
            raise TypeError(f"out must be a tuple of {len(r)} Tensors")
        for o, v in zip(out, r):
            if isinstance(o, Tensor) and o.dtype is not v.dtype:  # tuple outs are never cast into
                raise RuntimeError(f"Expected out tensor to have dtype {c10_name(v.dtype)}, but "
                                   f"got {c10_name(o.dtype)} instead")
        for o, v in zip(out, r):
            copy_into_out(o, v)
        return type(r)(tuple(out)) if type(r) is not tuple else tuple(out)
    return copy_into_out(out, r)
