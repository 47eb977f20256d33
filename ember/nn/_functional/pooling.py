"""Pooling: max/avg/adaptive/lp pooling and max_unpool (1-D forms run as 2-D with a unit height,
as torch does, so their grad_fn is SqueezeBackward1)."""
from ..._ops import pool as P
from ..._ops.resample import separable, adaptive_avg_matrix
from ._utils import ntuple, shape_str
from .activation import relu


def _out_len(L, k, s, p, d, ceil):
    out = (L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= L + p:
        out -= 1
    return out


def _geom(x, nd, kernel_size, stride, padding, dilation, ceil_mode, what='max'):
    K = ntuple(kernel_size, nd)
    s = K if (stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)) \
        else ntuple(stride, nd)
    p = ntuple(padding, nd)
    d = ntuple(dilation, nd)
    if any(v <= 0 for v in K):
        raise RuntimeError(f"kernel_size must be greater than zero, but got kernel_size="
                           f"{list(K)}" if nd > 1 else "kernel_size must be greater than zero")
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(d)}")
    for pp, k, dd in zip(p, K, d):
        if pp > ((k - 1) * dd + 1) // 2:
            if what == 'max':
                raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad="
                                   f"{pp}, kernel_size={k} and dilation={dd}")
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={k} and dilation={dd}")
    L = tuple(x.shape[2:])
    O = tuple(_out_len(l, k, ss, pp, dd, ceil_mode) for l, k, ss, pp, dd in zip(L, K, s, p, d))
    if any(o <= 0 for o in O):
        c = x.shape[1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + L))}). Calculated output "
                           f"size: ({'x'.join(map(str, (c,) + O))}). Output size is too small")
    return P.Geom(K, s, d, p, O, L)


def _batched(input, nd, fname):
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    if input.dim() == nd + 2:
        return input, False
    raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")


def _check_nonempty(x, nd):
    if any(s == 0 for s in x.shape[2:]) or x.shape[1] == 0:
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{shape_str(x.shape)}")


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unb = _batched(input, nd, f'max_pool{nd}d')
    _check_nonempty(x, nd)
    g = _geom(x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    r = P.max_pool_prim(x, g, return_indices)
    if return_indices:
        out, idx = r
        return (out.squeeze(0), idx.squeeze(0)) if unb else (out, idx)
    return r.squeeze(0) if unb else r


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over (N, C, L) or (C, L)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{shape_str(input.shape)}")
    k = ntuple(kernel_size, 1)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else ntuple(stride, 1)
    r = _max_pool(input.unsqueeze(-2), 2, (1,) + k, (1,) + s, (0,) + ntuple(padding, 1),
                  (1,) + ntuple(dilation, 1), ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling (optionally returning the flat indices of the maxima)."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, unb = _batched(input, nd, f'avg_pool{nd}d')
    _check_nonempty(x, nd)
    g = _geom(x, nd, kernel_size, stride, padding, 1, ceil_mode, what='avg')
    out = P.avg_pool_prim(x, g, count_include_pad, divisor_override)
    return out.squeeze(0) if unb else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for avg_pool1d)")
    k = ntuple(kernel_size, 1)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else ntuple(stride, 1)
    return _avg_pool(input.unsqueeze(-2), 2, (1,) + k, (1,) + s, (0,) + ntuple(padding, 1), ceil_mode,
                     count_include_pad, None).squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def _adaptive_size(output_size, L, nd):
    if isinstance(output_size, (list, tuple)):
        os = tuple(output_size)
        if len(os) == 1 and nd > 1:
            os = os * nd
    else:
        os = (output_size,) * nd
    return tuple(l if o is None else int(o) for o, l in zip(os, L))


def _adaptive_in(input, nd, fname):
    if input.dim() not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for {fname})")
        raise RuntimeError(f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{shape_str(input.shape)}")
    return _batched(input, nd, fname)


def _adaptive_avg(input, output_size, nd):
    x, unb = _adaptive_in(input, nd, f'adaptive_avg_pool{nd}d')
    L = tuple(x.shape[2:])
    O = _adaptive_size(output_size, L, nd)
    if all(o == 1 for o in O):
        out = x.mean(tuple(range(2, 2 + nd)), keepdim=True)
    elif any(o == 0 for o in O) or x.numel() == 0:
        from ..._ops.creation import zeros
        out = zeros(x.shape[:2] + O, dtype=x.dtype) + x.sum() * 0
    else:
        if x._data.dtype.kind not in 'fV':
            from ..._ops.reduction import _type_name
            raise RuntimeError(f'"adaptive_avg_pool{nd}d" not implemented for \'{_type_name(x.dtype)}\'')
        mats = [None if o == l else adaptive_avg_matrix(l, o) for l, o in zip(L, O)]
        out = separable(x, mats, f'AdaptiveAvgPool{max(nd, 2)}DBackward0')
    return out.squeeze(0) if unb else out


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for adaptive_avg_pool1d)")
    return _adaptive_avg(input.unsqueeze(-2), (1,) + ntuple(output_size, 1), 2).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (None keeps that dimension)."""
    return _adaptive_avg(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, output_size, 3)


def _adaptive_max(input, output_size, nd, return_indices):
    x, unb = _adaptive_in(input, nd, f'adaptive_max_pool{nd}d')
    L = tuple(x.shape[2:])
    O = _adaptive_size(output_size, L, nd)
    if any(o <= 0 for o in O):
        raise RuntimeError(f"adaptive_max_pool{nd}d(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {shape_str(x.shape)} with dimension 2 being "
                           "empty")
    out, idx = P.adaptive_max_prim(x, O)
    if unb:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got: "
                           f"{shape_str(input.shape)}")
    r = _adaptive_max(input.unsqueeze(-2), (1,) + ntuple(output_size, 1), 2, True)
    out, idx = r[0].squeeze(-2), r[1].squeeze(-2)
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size."""
    return _adaptive_max(input, output_size, 2, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 3, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, True)


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd):
    K = ntuple(kernel_size, nd)
    n = 1
    for k in K:
        n *= k
    avg = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[nd]
    if stride is not None:
        out = avg(input.pow(norm_type), K if nd > 1 else K[0], stride, 0, ceil_mode)
    else:
        out = avg(input.pow(norm_type), K if nd > 1 else K[0], padding=0, ceil_mode=ceil_mode)
    return (out.sgn() * relu(out.abs())).mul(n).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum x^p)^(1/p) over each window."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


def _unpool_size(x, nd, kernel_size, stride, padding, output_size):
    K = ntuple(kernel_size, nd)
    s = K if stride is None else ntuple(stride, nd)
    p = ntuple(padding, nd)
    L = tuple(x.shape[-nd:])
    default = tuple((l - 1) * ss - 2 * pp + k for l, ss, pp, k in zip(L, s, p, K))
    if output_size is None:
        return default
    os = tuple(int(v) for v in output_size)
    if len(os) == nd + 2 or len(os) == nd + 1:
        os = os[-nd:]
    if len(os) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
                         f"has a length of '{len(os)}'")
    for o, dflt, ss in zip(os, default, s):
        if not (dflt - ss < o < dflt + ss):
            raise ValueError(f'invalid output_size "{list(os)}" (dim {os.index(o)} must be between '
                             f'{dflt - ss} and {dflt + ss})')
    return os


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    out_sp = _unpool_size(input, nd, kernel_size, stride, padding, output_size)
    unb = input.dim() == nd + 1
    x = input.unsqueeze(0) if unb else input
    idx = indices.unsqueeze(0) if unb else indices
    S = 1
    for v in out_sp:
        S *= v
    ia = idx._data
    if ia.size and (int(ia.min()) < 0 or int(ia.max()) >= S):
        bad = int(ia.max()) if int(ia.max()) >= S else int(ia.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out_sp))})")
    out = P.max_unpool_prim(x, ia, out_sp)
    return out.squeeze(0) if unb else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: maxima put back at their indices, zeros elsewhere."""
    if output_size is not None:
        output_size = tuple(output_size)[-1:]
    r = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), ntuple(kernel_size, 1) + (1,),
                    (ntuple(stride, 1) if stride is not None else ntuple(kernel_size, 1)) + (1,),
                    ntuple(padding, 1) + (0,), None if output_size is None else output_size + (1,), 2)
    return r.squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)
