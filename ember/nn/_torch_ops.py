"""The nn operations that torch also exposes at the top level (`torch.conv2d`, `torch.softmax`,
`torch.batch_norm`...), with torch's top-level signatures, and the matching Tensor methods
(`x.softmax(dim)`, `x.log_softmax(dim)`, `x.hardshrink()`, `x.prelu(w)`)."""
from .._tensor import tensor_method
from . import functional as F

__all__ = ['softmax', 'log_softmax', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
           'conv_transpose3d', 'max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices',
           'avg_pool1d', 'adaptive_avg_pool1d', 'adaptive_max_pool1d', 'batch_norm', 'layer_norm',
           'group_norm', 'instance_norm', 'rms_norm', 'dropout', 'dropout_', 'alpha_dropout',
           'alpha_dropout_', 'feature_alpha_dropout', 'feature_alpha_dropout_', 'feature_dropout',
           'feature_dropout_', 'embedding', 'cosine_similarity', 'pairwise_distance', 'pdist',
           'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle', 'native_channel_shuffle', 'selu',
           'selu_', 'celu', 'celu_', 'prelu', 'rrelu', 'rrelu_', 'threshold', 'threshold_', 'relu_',
           'hardshrink', 'bilinear', 'constant_pad_nd']


def softmax(input, dim, dtype=None):
    """torch.softmax: softmax along dim (dim is required)."""
    return F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    """torch.log_softmax: log_softmax along dim (dim is required)."""
    return F.log_softmax(input, dim, dtype=dtype)


conv1d, conv2d, conv3d = F.conv1d, F.conv2d, F.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = F.conv_transpose1d, F.conv_transpose2d, \
    F.conv_transpose3d


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, True)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return F.avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode, count_include_pad)


adaptive_avg_pool1d = F.adaptive_avg_pool1d


def adaptive_max_pool1d(input, output_size):
    """torch.adaptive_max_pool1d returns (values, indices)."""
    return F.adaptive_max_pool1d(input, output_size, True)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    """torch.batch_norm (torch's argument order: weight and bias before the running stats)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


rms_norm = F.rms_norm


def dropout(input, p, train):
    return F.dropout(input, p, train)


def dropout_(input, p, train):
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def feature_dropout(input, p, train):
    """Channel-wise dropout for any input with a batch and a channel dimension."""
    from ._functional.dropout import _feature_dropout
    return _feature_dropout(input, p, train, False, True)


def feature_dropout_(input, p, train):
    from ._functional.dropout import _feature_dropout
    return _feature_dropout(input, p, train, True, True)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding (weight first; padding_idx=-1 means none)."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


cosine_similarity, pairwise_distance, pdist = F.cosine_similarity, F.pairwise_distance, F.pdist
pixel_shuffle, pixel_unshuffle = F.pixel_shuffle, F.pixel_unshuffle
channel_shuffle, native_channel_shuffle = F.channel_shuffle, F.native_channel_shuffle
selu, selu_, celu, celu_, prelu = F.selu, F.selu_, F.celu, F.celu_, F.prelu
threshold, threshold_, relu_, hardshrink, bilinear = F.threshold, F.threshold_, F.relu_, F.hardshrink, \
    F.bilinear


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return F.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return F.rrelu(input, lower, upper, training, inplace=True)


def constant_pad_nd(input, pad, value=0):
    return F.pad(input, pad, 'constant', value)


@tensor_method('softmax')
def _softmax_method(self, dim, dtype=None):
    return F.softmax(self, dim, dtype=dtype)


@tensor_method('log_softmax')
def _log_softmax_method(self, dim, dtype=None):
    return F.log_softmax(self, dim, dtype=dtype)


@tensor_method('hardshrink')
def _hardshrink_method(self, lambd=0.5):
    return F.hardshrink(self, lambd)


@tensor_method('prelu')
def _prelu_method(self, weight):
    return F.prelu(self, weight)
