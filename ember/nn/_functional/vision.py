"""pad, interpolate / upsample, pixel_shuffle / pixel_unshuffle, channel_shuffle, grid_sample and
affine_grid."""
import math
import warnings

import numpy as np

from ..._backend import array_module
from ..._ops import padding as Pd
from ..._ops import resample as R
from ..._ops.comparison import where
from ..._tensor import Tensor, _wrap
from ._utils import shape_str


def pad(input, pad, mode='constant', value=None):
    """Pad the trailing dims: pad = (left_last, right_last, left_prev, right_prev, ...)."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {input.dim()}")
    pads = tuple((pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]) for i in range(k))
    if mode == 'constant':
        from ..._ops.padding import ConstantPadNdBackward0
        for (a, b), l in zip(pads, input.shape[input.dim() - k:]):
            if l + a + b < 0:
                raise RuntimeError(f"The input size {l}, plus negative padding {a} and {b} resulted in a "
                                   f"negative output size, which is invalid. Check dimension "
                                   f"{input.dim() - k} of your input.")
        return ConstantPadNdBackward0.apply(input, pads=pads, value=0 if value is None else value)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (k in (1, 2, 3) and input.dim() in (k + 1, k + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\nSupported "
            "combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last "
            "dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D "
            "input: padding size = 6 (pads last 3 dimensions)")
    L = input.shape[input.dim() - k:]
    for i, ((a, b), l) in enumerate(zip(pads, L)):
        if a < 0 or b < 0:
            raise RuntimeError(f"negative padding is not supported for mode {mode}")
        if mode == 'reflect' and (a >= l or b >= l):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({a}, {b}) at dimension {input.dim() - k + i} "
                               f"of input {shape_str(input.shape)}")
        if mode == 'circular' and (a > l or b > l):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    return Pd.index_pad(input, pads, mode)


_INTERP_MODES = ('nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact')
_NEEDS = {'linear': 1, 'bilinear': 2, 'bicubic': 2, 'trilinear': 3}



def _per_dim(v, nd, conv, msg):
    """One value per spatial dim from a scalar or a length-nd sequence (ValueError `msg` otherwise)."""
    if isinstance(v, (list, tuple)):
        if len(v) != nd:
            raise ValueError(msg)
        return tuple(conv(e) for e in v)
    return (conv(v),) * nd


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize by nearest / (bi/tri)linear / bicubic interpolation or area averaging."""
    if mode not in _INTERP_MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
                                  f"trilinear | area | nearest-exact (got {mode})")
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias and not (mode in ('bilinear', 'bicubic') and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a "
                         "4-D tensor as input")
    if antialias:
        raise NotImplementedError("torch.nn.functional.interpolate(antialias=True) is not available in "
                                  "ember")
    nd = input.dim() - 2
    if nd < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                         f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                         f"nearest-exact (got {mode})")
    L = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = _per_dim(size, nd, int, "Input and output must have the same number of spatial dimensions, "
                       f"but got input with spatial dimensions of {list(L)} and output size of {size}. "
                       "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                       "(o1, o2, ...,oK) format.")
        scales = [None] * nd
    elif scale_factor is not None:
        sf = _per_dim(scale_factor, nd, float, "Input and scale_factor must have the same number of "
                      f"spatial dimensions, but got input with spatial dimensions of {list(L)} and "
                      f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, C, d1, "
                      "d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        out = tuple(int(math.floor(l * s)) for l, s in zip(L, sf))
        scales = [None] * nd if recompute_scale_factor else list(sf)
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode in _NEEDS and _NEEDS[mode] != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode] + 2}D input")
    if mode == 'area':
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        return {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}[nd](input, out)
    if input._data.dtype.kind not in 'fV':
        from ..._ops.reduction import _type_name
        raise RuntimeError(f'"upsample_{mode}{nd}d_out_frame" not implemented for '
                           f"'{_type_name(input.dtype)}'")
    mats = []
    for l, o, s in zip(L, out, scales):
        if mode == 'nearest':
            m = R.nearest_matrix(l, o, s)
        elif mode == 'nearest-exact':
            m = R.nearest_matrix(l, o, s, exact=True)
        elif mode == 'bicubic':
            m = R.cubic_matrix(l, o, align_corners, s)
        else:
            m = R.linear_matrix(l, o, align_corners, s)
        mats.append(m)
    names = {'nearest': 'UpsampleNearest{}DBackward0', 'nearest-exact': 'UpsampleNearestExact{}DBackward0',
             'linear': 'UpsampleLinear1DBackward0', 'bilinear': 'UpsampleBilinear2DBackward0',
             'bicubic': 'UpsampleBicubic2DBackward0', 'trilinear': 'UpsampleTrilinear3DBackward0'}
    return R.separable(input, mats, names[mode].format(nd))


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Deprecated alias of interpolate."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.", UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = input.shape[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    n = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = input.shape[-3:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    lead = tuple(input.shape[:-3])
    n = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Interleave the channels of `groups` groups: (N, g * k, ...) -> (N, k * g, ...)."""
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:"
                           f"{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{groups} groups.")
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle


# ----- grid_sample / affine_grid ----------------------------------------------------------------

def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) for the affine maps theta."""
    if align_corners is None:
        align_corners = False
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[1:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[1:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype

    def lin(n):
        if n <= 1:
            return np.zeros(max(n, 1))
        v = np.linspace(-1.0, 1.0, n)
        return v if align_corners else v * (n - 1) / n
    axes = [lin(n) for n in reversed(spatial)]  # x (W), y (H), z (D)
    grids = list(np.meshgrid(*axes[::-1], indexing='ij'))[::-1]
    base = np.stack(grids + [np.ones(spatial)], axis=-1).astype(dt)
    xp = array_module(theta._data)
    k = len(spatial)
    b = _wrap(xp.asarray(base.reshape(1, -1, k + 1)))
    out = b.matmul(theta.transpose(1, 2))
    return out.reshape((size[0],) + tuple(spatial) + (k,))


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(c, lo2, hi2):
    """Reflect coordinates into [lo2/2, hi2/2] (twice-scaled bounds as torch): piecewise linear."""
    a = c._data
    xp = array_module(a)
    if lo2 == hi2:
        return c * 0
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    d = xp.abs(a - mn)
    flips = xp.floor(d / span)
    extra = d - flips * span
    even = (flips % 2) == 0
    # value = mn + extra (even) or mn + span - extra (odd); extra = sign * (c - mn) - flips * span
    sign = xp.where(a >= mn, 1.0, -1.0).astype(a.dtype)
    sgn_out = xp.where(even, 1.0, -1.0).astype(a.dtype)
    const = xp.where(even, mn - flips * span, mn + span + flips * span).astype(a.dtype)
    # result = const + sgn_out * sign * (c - mn)
    return (c - mn) * _wrap(sgn_out * sign) + _wrap(const)


def _clip(c, lo, hi):
    a = c._data
    inside = (a >= lo) & (a <= hi)
    repl = array_module(a).clip(a, lo, hi)
    return where(_wrap(inside), c, c * 0 + _wrap(repl.astype(a.dtype)))


def _source_coord(coord, size, padding_mode, align_corners):
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == 'border':
        c = _clip(c, 0, size - 1)
    elif padding_mode == 'reflection':
        if align_corners:
            c = _reflect(c, 0, 2 * (size - 1))
        else:
            c = _reflect(c, -1, 2 * size - 1)
        c = _clip(c, 0, size - 1)
    return c


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample input at the (normalised) grid locations; differentiable in input and grid."""
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        align_corners = False
    nd = input.dim() - 2
    if nd not in (2, 3) or grid.dim() != input.dim() or grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got "
                           f"grid with sizes {shape_str(grid.shape)}")
    if mode == 'bicubic' and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    N, C = input.shape[0], input.shape[1]
    sizes = tuple(input.shape[2:])[::-1]  # x (W), y (H), z (D)
    coords = [grid[..., i] for i in range(nd)]
    xp = array_module(input._data)
    out_sp = tuple(grid.shape[1:-1])
    nidx = xp.arange(N).reshape((N,) + (1,) * len(out_sp))

    def fetch(ints):
        """input values at integer (x, y[, z]) index arrays, zero where out of bounds."""
        valid = None
        clipped = []
        for a, s in zip(ints, sizes):
            v = (a >= 0) & (a <= s - 1)
            valid = v if valid is None else valid & v
            clipped.append(xp.clip(a, 0, s - 1).astype(np.int64))
        idx = (nidx, slice(None)) + tuple(clipped[::-1])
        vals = input[idx]  # (N, *out, C)? advanced indices split by the slice -> (N, *out) first
        return vals, valid

    if mode == 'bicubic':
        ix = _unnormalize(coords[0], sizes[0], align_corners)
        iy = _unnormalize(coords[1], sizes[1], align_corners)
        fx = xp.floor(ix._data)
        fy = xp.floor(iy._data)
        tx = ix - _wrap(fx)
        ty = iy - _wrap(fy)
        wx = _cubic_w(tx)
        wy = _cubic_w(ty)
        acc = None
        for j in range(4):
            for i in range(4):
                px = fx - 1 + i
                py = fy - 1 + j
                if padding_mode != 'zeros':
                    pxt = _source_coord_int(px, sizes[0], padding_mode, align_corners)
                    pyt = _source_coord_int(py, sizes[1], padding_mode, align_corners)
                else:
                    pxt, pyt = px, py
                vals, valid = fetch([pxt, pyt])
                w = wx[i] * wy[j] * _wrap(valid.astype(input._data.dtype))
                term = vals * w.unsqueeze(-1)
                acc = term if acc is None else acc + term
        return _to_channels_first(acc, nd)
    src = [_source_coord(c, s, padding_mode, align_corners) for c, s in zip(coords, sizes)]
    if mode == 'nearest':
        ints = [xp.rint(c._data) for c in src]
        vals, valid = fetch(ints)
        out = vals * _wrap(valid.astype(input._data.dtype))[..., None]
        return _to_channels_first(out, nd)
    floors = [xp.floor(c._data) for c in src]
    fracs = [c - _wrap(f) for c, f in zip(src, floors)]
    acc = None
    import itertools
    for corner in itertools.product((0, 1), repeat=nd):
        ints = [f + k for f, k in zip(floors, corner)]
        w = None
        for fr, k in zip(fracs, corner):
            wk = fr if k else 1 - fr
            w = wk if w is None else w * wk
        vals, valid = fetch(ints)
        term = vals * (w * _wrap(valid.astype(input._data.dtype))).unsqueeze(-1)
        acc = term if acc is None else acc + term
    return _to_channels_first(acc, nd)


def _source_coord_int(p, size, padding_mode, align_corners):
    c = _wrap(p)
    if padding_mode == 'border':
        return array_module(p).clip(p, 0, size - 1)
    if align_corners:
        c = _reflect(c, 0, 2 * (size - 1))
    else:
        c = _reflect(c, -1, 2 * size - 1)
    return array_module(p).clip(c._data, 0, size - 1)


def _cubic_w(t, A=-0.75):
    def c1(x):
        return ((x * (A + 2)) - (A + 3)) * x * x + 1

    def c2(x):
        return ((x * A - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def _to_channels_first(t, nd):
    # t: (N, *out, C) -> (N, C, *out)
    n = t.dim()
    return t.permute(0, n - 1, *range(1, n - 1)).contiguous()


__all__ = ['pad', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle',
           'pixel_unshuffle', 'channel_shuffle', 'native_channel_shuffle', 'affine_grid', 'grid_sample']
