"""conv1d/2d/3d, conv_transpose1d/2d/3d, unfold and fold: argument checking in torch's words,
then the primitives of `ember/_ops/conv.py`."""
from ..._ops.conv import Geom, conv_prim, conv_transpose_prim, Im2ColBackward0, Col2ImBackward0
from ._utils import ntuple, shape_str, type_str, legacy_tensor_type

_ARG_NAMES = {1: ('width',), 2: ('height', 'width'), 3: ('depth', 'height', 'width')}


def _arg(v, nd, name):
    if isinstance(v, (list, tuple)) and len(v) not in (1, nd):
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to "
                           f"match the convolution dimensions, but got {name}={list(v)}")
    return ntuple(v, nd)


def _check_common(input, weight, bias, nd, fname, transposed=False):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but "
                           f"got input of size: {shape_str(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.dim() < 3 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
                           f"{shape_str(input.shape)}, but got {weight.dim()}-dimensional weight of "
                           f"size {shape_str(weight.shape)} instead")
    if input._data.dtype != weight._data.dtype:
        if input._data.dtype.kind != 'f' or input._data.dtype.itemsize == 8:
            from ..._ops.reduction import _type_name
            raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                               f"{_type_name(weight.dtype)}")
        raise RuntimeError(f"Input type ({legacy_tensor_type(input)}) and weight type "
                           f"({legacy_tensor_type(weight)}) should be the same or input should be a "
                           "MKLDNN tensor and weight is a dense tensor")
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(f"Input type ({type_str(input)}) and bias type ({type_str(bias)}) should be "
                           "the same")


def _batched(input, nd):
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    return input, False


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    fname = f'conv{nd}d'
    _check_common(input, weight, bias, nd, fname)
    stride = _arg(stride, nd, 'stride')
    dilation = _arg(dilation, nd, 'dilation')
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == 'valid':
            pads = [(0, 0)] * nd
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for k, d in zip(K, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _arg(padding, nd, 'padding')
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = [(v, v) for v in p]
    x, unbatched = _batched(input, nd)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    O = weight.shape[0]
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{shape_str(weight.shape)}] instead")
    C = x.shape[1]
    if C != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {shape_str(weight.shape)}, expected "
                           f"input{shape_str(x.shape)} to have {weight.shape[1] * groups} channels, but "
                           f"got {C} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given weight of size {shape_str(weight.shape)}, expected bias to be 1-dimensional "
                           f"with {O} elements, but got bias of size {shape_str(bias.shape)} instead")
    L = tuple(x.shape[2:])
    padded = [l + lo + hi for l, (lo, hi) in zip(L, pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(K, dilation)]
    if any(pl < e for pl, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater "
                           "than actual input size")
    P = tuple((pl - e) // s + 1 for pl, e, s in zip(padded, eff, stride))
    geom = Geom(K, stride, dilation, tuple(lo for lo, _ in pads), P, L)
    out = conv_prim(x, weight, bias, geom, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over (N, C, L) (or unbatched (C, L)) input; padding may be 'same'/'valid'."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over (N, C, H, W) (or unbatched (C, H, W)) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over (N, C, D, H, W) (or unbatched) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                       output_size=None):
    fname = f'conv_transpose{nd}d'
    _check_common(input, weight, bias, nd, fname, transposed=True)
    stride = _arg(stride, nd, 'stride')
    dilation = _arg(dilation, nd, 'dilation')
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    padding = _arg(padding, nd, 'padding')
    output_padding = _arg(output_padding, nd, 'output_padding')
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    names = _ARG_NAMES[nd]
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
                 + [f"stride_{n}: {v}" for n, v in zip(names, stride)]
                 + [f"dilation_{n}: {v}" for n, v in zip(names, dilation)])
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           + ' '.join(parts))
    x, unbatched = _batched(input, nd)
    Cin = x.shape[1]
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if Cin != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(weight.shape)}, expected "
                           f"input{shape_str(x.shape)} to have {weight.shape[0]} channels, but got {Cin} "
                           "channels instead")
    if Cin % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{shape_str(weight.shape)}] instead")
    Cout = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != Cout):
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(weight.shape)}, expected bias "
                           f"to be 1-dimensional with {Cout} elements, but got bias of size "
                           f"{shape_str(bias.shape)} instead")
    K = tuple(weight.shape[2:])
    P = tuple(x.shape[2:])
    L = tuple((p - 1) * s - 2 * pd + d * (k - 1) + op + 1
              for p, s, pd, d, k, op in zip(P, stride, padding, dilation, K, output_padding))
    if any(l <= 0 for l in L):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, P))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, L))}). Output size is too small")
    geom = Geom(K, stride, dilation, padding, P, L)
    out = conv_transpose_prim(x, weight, bias, geom, groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution (the gradient of conv1d w.r.t. its input)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution")."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * kh * kw, L) (im2col)."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    K, d, p, s = (ntuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    x, unbatched = _batched(input, 2)
    L = tuple(x.shape[2:])
    P = tuple((l + 2 * pp - dd * (k - 1) - 1) // ss + 1 for l, pp, dd, k, ss in zip(L, p, d, K, s))
    if any(v <= 0 for v in P):
        raise RuntimeError(f"Given input with spatial size ({', '.join(map(str, L))}), kernel_size="
                           f"({', '.join(map(str, K))}), dilation=({', '.join(map(str, d))}), padding="
                           f"({', '.join(map(str, p))}), calculated shape of the array of sliding blocks "
                           f"as ({', '.join(map(str, P))}), but its components must be at least one.")
    out = Im2ColBackward0.apply(x, geom=Geom(K, s, d, p, P, L))
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor, summing overlaps (col2im)."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                                  f"supported (got {input.dim()}D)")
    L, K, d, p, s = (ntuple(v, 2) for v in (output_size, kernel_size, dilation, padding, stride))
    x = input.unsqueeze(0) if input.dim() == 2 else input
    nk = K[0] * K[1]
    if x.shape[1] % nk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size=("
                           f"{', '.join(map(str, K))})")
    P = tuple((l + 2 * pp - dd * (k - 1) - 1) // ss + 1 for l, pp, dd, k, ss in zip(L, p, d, K, s))
    if P[0] * P[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size=({', '.join(map(str, L))}), kernel_size=("
                           f"{', '.join(map(str, K))}), dilation=({', '.join(map(str, d))}), padding=("
                           f"{', '.join(map(str, p))}), stride=({', '.join(map(str, s))}), expected "
                           f"size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {P[0]} * {P[1]} = {P[0] * P[1]}, but got input.size(2)="
                           f"{x.shape[2]}.")
    out = Col2ImBackward0.apply(x, geom=Geom(K, s, d, p, P, L), C=x.shape[1] // nk)
    return out.squeeze(0) if input.dim() == 2 else out
