"""ember: a define-by-run deep learning framework with PyTorch's API, on NumPy (and CuPy).

`import ember as torch` is enough for PyTorch code; `ember run script.py` runs an unmodified
PyTorch program with ember standing in for the torch package.
"""
__version__ = '0.1.0'

from . import _malloc  # noqa: F401  (heap reuse for large buffers; see the module)
from ._dtype import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64,
                     float16, bfloat16, float32, float64, complex32, complex64, complex128,
                     get_default_dtype, set_default_dtype, promote_types, can_cast)
from ._dtype import float32 as float, float64 as double, float16 as half, int64 as long, \
    int32 as int, int16 as short, complex64 as cfloat, complex128 as cdouble, complex32 as chalf
from ._backend import device
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import set_printoptions, get_printoptions, printoptions
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                 is_grad_enabled, is_inference_mode_enabled)
from . import autograd
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled  # noqa: E501

# ops: importing each family attaches its Tensor methods
from ._ops.creation import (tensor, as_tensor, asarray, from_numpy, scalar_tensor, zeros, ones, empty,
                            full, zeros_like, ones_like, empty_like, full_like, eye, arange,
                            linspace, logspace, FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor,
                            LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor)
from ._ops.creation import range_ as range
from ._ops.random import (Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state,
                          set_rng_state, rand, randn, randint, randperm, rand_like, randn_like,
                          randint_like, multinomial)
from ._ops.arithmetic import (add, sub, subtract, mul, multiply, div, divide, true_divide,
                              floor_divide, remainder, neg, negative, pow)
from ._ops.unary import exp, log, sqrt, abs, absolute, sigmoid, tanh, relu, conj, sgn
from ._ops.comparison import (eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal,
                              not_equal, where, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
                              logical_and, logical_or, logical_xor, logical_not)
from ._ops.reduction import sum, mean
from ._ops.shape import (reshape, transpose, swapaxes, swapdims, t, permute, squeeze, unsqueeze,
                         flatten, clone)
from ._ops.linalg_core import matmul, mm, bmm, mv, dot, addmm, inverse, diag
from ._ops import conversion as _conversion, indexing as _indexing, inplace as _inplace  # noqa: F401
from ._ops.pointwise import (rsqrt, reciprocal, exp2, expm1, log2, log10, log1p, square, sin, cos, tan, asin, arcsin, acos, arccos, atan, arctan, sinh, cosh, asinh, arcsinh, acosh, arccosh, atanh, arctanh, deg2rad, rad2deg, erf, erfc, erfinv, logit, floor, ceil, trunc, fix, frac, round, sign, positive, nan_to_num, isnan, isinf, isfinite, isposinf, isneginf, isreal, signbit, real, imag, angle)  # noqa: E501
from ._ops.pointwise_binary import (atan2, arctan2, fmod, maximum, minimum, fmax, fmin, hypot, logaddexp, logaddexp2, xlogy, copysign, float_power, lerp, addcmul, addcdiv, clamp, clip, clamp_min, clamp_max)  # noqa: E501
from ._ops.pointwise_logic import isclose, allclose, equal, bitwise_left_shift, bitwise_right_shift  # noqa: E501
from ._ops.reductions import (nansum, nanmean, prod, max, min, amax, amin, aminmax, argmax, argmin, var, std, var_mean, std_mean, norm, logsumexp, all, any, cumsum, cumprod, cummax, cummin, logcumsumexp)  # noqa: E501
from ._ops.sorting import (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, quantile, nanquantile, unique, unique_consecutive, searchsorted, bucketize, histc, bincount)  # noqa: E501
from . import return_types  # noqa: E402
from ._ops.shape_more import (flip, fliplr, flipud, roll, rot90, tril, triu, diagonal, diag_embed, diag,  # noqa: E501
                              diagflat, trace, tile, repeat_interleave, movedim, moveaxis, unflatten, broadcast_shapes, broadcast_to, broadcast_tensors)  # noqa: E501
from ._ops.shape_combine import (meshgrid, atleast_1d, atleast_2d, atleast_3d, block_diag, cartesian_prod, combinations, tril_indices, triu_indices)  # noqa: E501
from ._ops.conversion import memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d  # noqa: E501
from ._ops.linalg import (vdot, inner, outer, ger, addmv, addr, addbmm, baddbmm, einsum, tensordot, kron, cross, cdist)  # noqa: E501
from ._ops.linalg_decomp import (det, logdet, slogdet, cholesky_legacy as cholesky, qr_legacy as qr, svd_legacy as svd)  # noqa: E501
from ._ops.linalg_functions import pinverse, matrix_power, matrix_exp
from ._ops.random_ops import normal, bernoulli, poisson  # noqa: E501
from ._ops.selection import (cat, concat, concatenate, stack, hstack, vstack, row_stack, dstack, column_stack, split, chunk, tensor_split, hsplit, vsplit, dsplit, unbind, narrow, select)  # noqa: E501
from ._ops.scatter import (gather, scatter, scatter_add, scatter_reduce, index_select, index_add, index_copy, index_fill, index_put)  # noqa: E501
from ._ops.masking import (masked_fill, masked_select, masked_scatter, take, take_along_dim, nonzero, argwhere, count_nonzero)  # noqa: E501


def is_tensor(obj):
    """True if obj is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


from . import cuda  # noqa: E402
from . import linalg  # noqa: E402
from . import random  # noqa: E402
from . import nn  # noqa: E402
from .nn._torch_ops import *  # noqa: E402,F401,F403  (torch.conv2d, torch.softmax, ...)
from . import optim  # noqa: E402
from .serialization import save, load  # noqa: E402
from .utils.dlpack import from_dlpack  # noqa: E402
from ._run import as_torch  # noqa: E402
from ._runtime import (set_num_threads, get_num_threads, set_num_interop_threads, get_num_interop_threads, set_default_device, get_default_device, use_deterministic_algorithms, are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode, get_deterministic_debug_mode, set_float32_matmul_precision, get_float32_matmul_precision, compile, is_compiling, set_warn_always, is_warn_always_enabled)  # noqa: E402,E501
from ._typeinfo import finfo, iinfo  # noqa: E402
from ._ops.gamma_fns import lgamma, digamma, polygamma, mvlgamma, igamma, igammac, _standard_gamma, _standard_gamma_grad, _sample_dirichlet  # noqa: E402,E501
from .amp.autocast_mode import autocast, is_autocast_enabled, get_autocast_dtype, set_autocast_enabled, set_autocast_dtype, is_autocast_available  # noqa: E402,E501
from ._missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr('torch')

from ._argcheck import guard_inputs as _guard_inputs  # noqa: E402
_guard_inputs(globals())  # ember.exp(1) raises torch's TypeError, not an AttributeError
