"""Argument helpers shared by the functional families (torch's _single/_pair/_triple)."""
import numbers

import numpy as np

from ..._tensor import Tensor


def ntuple(v, n, name='value'):
    """An int or a sequence of n ints -> a tuple of n ints."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (numbers.Integral, np.integer)):
        return (int(v),) * n
    v = tuple(int(e) for e in v)
    if len(v) == 1 and n != 1:
        return v * n
    return v


def shape_str(s):
    return '[' + ', '.join(str(d) for d in s) + ']'


def type_str(t):
    """torch's short dtype name: float, double, long..."""
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
            'int64': 'long', 'int32': 'int'}.get(t.dtype.name, t.dtype.name)


def legacy_tensor_type(t):
    from ..._ops.reduction import _type_name
    return f'torch.{_type_name(t.dtype)}Tensor'


def reduction_enum(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        if size_average and reduce:
            return 'mean'
        if reduce:
            return 'sum'
        return 'none'
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction
