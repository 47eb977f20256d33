"""torch.nn.functional for ember: every public function, implemented by family in
`ember/nn/_functional/` (compositions and thin wrappers) over the primitives in `ember/_ops/`."""
from ._functional.linear import linear, bilinear
from ._functional.activation import (
    relu, relu_, threshold, threshold_, hardtanh, hardtanh_, relu6, leaky_relu, leaky_relu_, elu, elu_,
    selu, selu_, celu, celu_, gelu, silu, mish, softplus, softsign, hardsigmoid, hardswish, logsigmoid,
    hardshrink, softshrink, tanhshrink, rrelu, rrelu_, prelu, glu, softmax, softmin, log_softmax,
    sigmoid, tanh)
from ._functional.dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,
                                  feature_alpha_dropout)
from ._functional.conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
                               conv_transpose3d, unfold, fold)
from ._functional.pooling import (
    max_pool1d, max_pool2d, max_pool3d, max_pool1d_with_indices, max_pool2d_with_indices,
    max_pool3d_with_indices, avg_pool1d, avg_pool2d, avg_pool3d, adaptive_avg_pool1d,
    adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d,
    adaptive_max_pool3d, adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices, lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d, max_unpool2d,
    max_unpool3d)
from ._functional.normalization import (batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
                                        local_response_norm, normalize)
from ._functional.sparse import embedding, embedding_bag, one_hot
from ._functional.vision import (pad, interpolate, upsample, upsample_nearest, upsample_bilinear,
                                 pixel_shuffle, pixel_unshuffle, channel_shuffle,
                                 native_channel_shuffle, grid_sample, affine_grid)
from ._functional.distance import pairwise_distance, cosine_similarity, pdist
from ._functional.loss import (
    mse_loss, l1_loss, smooth_l1_loss, huber_loss, cross_entropy, nll_loss, binary_cross_entropy,
    binary_cross_entropy_with_logits, kl_div, poisson_nll_loss, gaussian_nll_loss, margin_ranking_loss,
    hinge_embedding_loss, soft_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss,
    multi_margin_loss, cosine_embedding_loss, triplet_margin_loss, triplet_margin_with_distance_loss,
    ctc_loss)
from ._functional._utils import reduction_enum as _reduction_enum


def _legacy_reduction(size_average, reduce):
    """torch's legacy (size_average, reduce) -> reduction string."""
    return _reduction_enum(size_average, reduce, 'mean')


def _get_softmax_dim(name, ndim, stacklevel):
    from ._functional.activation import _softmax_dim
    return _softmax_dim(name, ndim, stacklevel)


from ._attention import scaled_dot_product_attention, multi_head_attention_forward  # noqa: E402

# F.dropout(1.5) raises torch's TypeError, not an AttributeError from inside (linear and the
# activations shared with `ember` check their own input: modules call them on every step)
from .._argcheck import guard_inputs as _guard_inputs  # noqa: E402
_guard_inputs(globals(), {'logsigmoid': 'log_sigmoid'})

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.nn.functional')
