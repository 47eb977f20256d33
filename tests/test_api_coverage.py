"""API coverage audit: every name that issues 4 (ops), 5 (nn) and 6 (optim, data) list, checked
against torch itself.

For each name the oracle is torch, asked with `hasattr`/`inspect.signature`:
- `ember.<op>` exists exactly where `torch.<op>` does, `ember.Tensor.<op>` exactly where
  `torch.Tensor.<op>` does, and the in-place `Tensor.<op>_` exactly where torch has one;
- classes and functions live at torch's module paths (`ember.nn.modules.rnn.LSTM` for
  `torch.nn.modules.rnn.LSTM`), with torch's public methods;
- where torch's object has an inspectable Python signature, ember's has the same parameter names,
  kinds and defaults (ember may add trailing keyword-only parameters only where `EXTRA_KWONLY`
  justifies them);
- torch builtins without signatures are called with keywords on small inputs, results compared
  with torch (the table is in `_api_coverage_calls.py`).
Each test gathers its whole gap list and fails once with all of it, so one run shows every gap.
"""
import importlib
import inspect
import warnings

import pytest

torch = pytest.importorskip('torch')
import torch.optim.lr_scheduler  # noqa: E402
import torch.optim.swa_utils  # noqa: E402
import torch.utils.data  # noqa: E402
import ember  # noqa: E402
from _api_coverage_calls import CALLS, run_call  # noqa: E402

pytestmark = pytest.mark.filterwarnings('ignore')


def _words(s):
    return s.split()


# ----- issue 4: operators -------------------------------------------------------------------

OPS = {
    'pointwise': _words("""
        add sub mul div true_divide floor_divide remainder fmod pow neg abs sign sgn sqrt rsqrt
        square reciprocal exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 sinh
        cosh tanh asinh acosh atanh sigmoid logit erf erfc erfinv floor ceil round trunc frac clamp
        clip maximum minimum fmax fmin where lerp addcmul addcdiv hypot logaddexp nan_to_num xlogy
        isnan isinf isfinite isclose allclose equal eq ne lt le gt ge logical_and logical_or
        logical_xor logical_not bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift
        bitwise_right_shift"""),
    'reductions': _words("""
        sum nansum mean nanmean prod max min amax amin aminmax argmax argmin var std var_mean
        std_mean norm logsumexp cumsum cumprod cummax cummin logcumsumexp all any count_nonzero
        median nanmedian mode quantile nanquantile sort argsort msort topk kthvalue unique
        unique_consecutive bincount histc searchsorted bucketize"""),
    'shape and selection': _words("""
        reshape view view_as flatten unflatten squeeze unsqueeze permute transpose swapaxes movedim
        t expand expand_as broadcast_to broadcast_tensors repeat repeat_interleave tile cat concat
        stack hstack vstack dstack split chunk tensor_split unbind narrow select flip fliplr flipud
        roll rot90 tril triu diag diagonal diag_embed diagflat trace contiguous clone masked_fill
        masked_select masked_scatter index_select index_add index_copy index_fill index_put gather
        scatter scatter_add scatter_reduce take take_along_dim nonzero argwhere meshgrid
        cartesian_prod combinations block_diag atleast_1d atleast_2d atleast_3d tril_indices
        triu_indices"""),
    'linear algebra': _words("""
        matmul mm bmm mv dot vdot inner outer addmm addmv addbmm baddbmm einsum tensordot kron
        cross cdist"""),
    'random': _words("""
        rand randn randint randperm normal bernoulli multinomial poisson rand_like randn_like
        randint_like uniform_ normal_ bernoulli_ exponential_ geometric_ random_ cauchy_
        log_normal_ manual_seed seed initial_seed get_rng_state set_rng_state Generator"""),
    'creation and conversion': _words("""
        arange linspace logspace full zeros ones empty zeros_like ones_like empty_like full_like
        eye new_zeros new_ones new_full new_empty new_tensor to type_as copy_ is_floating_point
        is_contiguous element_size nbytes itemsize stride storage_offset data_ptr"""),
    # torch's other spellings of the ops above; programs use them as often as the originals
    'aliases': _words("""
        subtract multiply divide negative absolute arcsin arccos arctan arctan2 arcsinh arccosh
        arctanh greater greater_equal less less_equal not_equal concatenate swapdims moveaxis fix
        row_stack column_stack clamp_min clamp_max ger"""),
}
# Python operators on tensors (pow "tensor or scalar on either side", shifts, indexing)
DUNDERS = _words("""
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
    __rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__
    __pow__ __rpow__ __ipow__ __matmul__ __rmatmul__ __neg__ __pos__ __abs__ __invert__ __and__
    __rand__ __iand__ __or__ __ror__ __ior__ __xor__ __rxor__ __ixor__ __lshift__ __rlshift__
    __ilshift__ __rshift__ __rrshift__ __irshift__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__
    __getitem__ __setitem__ __len__ __iter__ __bool__ __float__ __int__ __index__ __contains__
    __array__ __reversed__ __deepcopy__ __reduce_ex__ __hash__ __dlpack__""")
LINALG = _words("""
    inv det slogdet solve cholesky qr svd svdvals eigh eigvalsh norm vector_norm matrix_norm pinv
    lstsq matrix_power matrix_exp multi_dot cross""")
GENERATOR = _words("manual_seed seed initial_seed get_state set_state device")
RANDOM_MODULE = _words("fork_rng get_rng_state set_rng_state manual_seed seed initial_seed")

# ----- issue 5: nn --------------------------------------------------------------------------

FUNCTIONAL = _words("""
    linear bilinear relu relu6 leaky_relu elu selu celu gelu silu mish softplus softsign hardtanh
    hardsigmoid hardswish sigmoid tanh logsigmoid softmax log_softmax softmin glu threshold prelu
    relu_ elu_ leaky_relu_ hardtanh_ threshold_ dropout dropout1d dropout2d dropout3d
    alpha_dropout feature_alpha_dropout conv1d conv2d conv3d conv_transpose1d conv_transpose2d
    conv_transpose3d unfold fold max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d
    adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d adaptive_max_pool1d
    adaptive_max_pool2d adaptive_max_pool3d lp_pool1d lp_pool2d max_unpool1d max_unpool2d
    batch_norm layer_norm group_norm instance_norm rms_norm local_response_norm normalize
    embedding embedding_bag one_hot pad interpolate upsample upsample_nearest upsample_bilinear
    pixel_shuffle pixel_unshuffle channel_shuffle grid_sample affine_grid
    scaled_dot_product_attention multi_head_attention_forward cosine_similarity pairwise_distance
    pdist mse_loss l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
    binary_cross_entropy_with_logits kl_div poisson_nll_loss gaussian_nll_loss
    margin_ranking_loss hinge_embedding_loss soft_margin_loss multilabel_margin_loss
    multilabel_soft_margin_loss multi_margin_loss cosine_embedding_loss triplet_margin_loss
    triplet_margin_with_distance_loss ctc_loss""")
MODULES = _words("""
    Module Identity Flatten Unflatten Linear Bilinear LazyLinear
    ReLU ReLU6 LeakyReLU ELU SELU CELU GELU SiLU Mish Softplus Softsign Hardtanh Hardsigmoid
    Hardswish Sigmoid Tanh LogSigmoid Softmax LogSoftmax Softmin Softmax2d GLU Threshold PReLU
    Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout
    Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d Unfold Fold
    MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d AdaptiveAvgPool1d
    AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d
    LPPool1d LPPool2d MaxUnpool1d MaxUnpool2d
    BatchNorm1d BatchNorm2d BatchNorm3d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d
    InstanceNorm3d RMSNorm LocalResponseNorm
    Embedding EmbeddingBag
    RNNBase RNN LSTM GRU RNNCellBase RNNCell LSTMCell GRUCell MultiheadAttention
    TransformerEncoderLayer TransformerDecoderLayer TransformerEncoder TransformerDecoder
    Transformer
    Sequential ModuleList ModuleDict ParameterList ParameterDict
    Upsample UpsamplingNearest2d UpsamplingBilinear2d PixelShuffle PixelUnshuffle ChannelShuffle
    ZeroPad1d ZeroPad2d ZeroPad3d ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d
    ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d
    CircularPad1d CircularPad2d CircularPad3d CosineSimilarity PairwiseDistance
    MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss
    KLDivLoss PoissonNLLLoss GaussianNLLLoss MarginRankingLoss HingeEmbeddingLoss SoftMarginLoss
    MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss CosineEmbeddingLoss
    TripletMarginLoss TripletMarginWithDistanceLoss CTCLoss""")
NN_OTHER = _words("Parameter Buffer UninitializedParameter")
INIT = _words("""
    calculate_gain uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_
    xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ orthogonal_ sparse_""")
NN_UTILS = {
    'nn.utils': _words("""clip_grad_norm_ clip_grad_value_ get_total_norm clip_grads_with_norm_
                         parameters_to_vector vector_to_parameters weight_norm remove_weight_norm
                         spectral_norm remove_spectral_norm"""),
    'nn.utils.rnn': _words("""pad_sequence pack_padded_sequence pad_packed_sequence pack_sequence
                             unpack_sequence unpad_sequence PackedSequence"""),
    'nn.utils.parametrize': _words("""register_parametrization remove_parametrizations
                                     is_parametrized cached"""),
    'nn.utils.parametrizations': _words("weight_norm spectral_norm orthogonal"),
}

# ----- issue 6: optim, schedulers, data -----------------------------------------------------

OPTIM = {
    'optim': _words("""Optimizer SGD Adam AdamW Adamax NAdam RAdam RMSprop Adagrad Adadelta ASGD
                      Rprop LBFGS"""),
    'optim.lr_scheduler': _words("""LRScheduler LambdaLR MultiplicativeLR StepLR MultiStepLR
                                   ConstantLR LinearLR ExponentialLR PolynomialLR CosineAnnealingLR
                                   CosineAnnealingWarmRestarts CyclicLR OneCycleLR SequentialLR
                                   ChainedScheduler ReduceLROnPlateau"""),
    'optim.swa_utils': _words("AveragedModel SWALR update_bn"),
    'utils.data': _words("""Dataset IterableDataset TensorDataset ConcatDataset ChainDataset Subset
                           StackDataset random_split Sampler SequentialSampler RandomSampler
                           SubsetRandomSampler WeightedRandomSampler BatchSampler
                           DistributedSampler DataLoader default_collate default_convert
                           get_worker_info"""),
}

# Extra trailing keyword-only parameters ember's signature may add beyond torch's, with the reason.
EXTRA_KWONLY = {
}


# ----- helpers ------------------------------------------------------------------------------

def _has(obj, name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return hasattr(obj, name)
        except Exception:  # a lazily loaded submodule that fails to import counts as missing
            return False


def _get(obj, name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return getattr(obj, name)


def _module(path):
    try:
        return importlib.import_module(path)
    except Exception:
        return None


def _presence(names, tobj, eobj, label):
    """'label.name' for every name torch has and ember lacks, or ember has and torch lacks."""
    gaps = []
    for n in names:
        t, e = _has(tobj, n), _has(eobj, n)
        if t and not e:
            gaps.append(f'{label}.{n}')
        elif e and not t:
            gaps.append(f'{label}.{n} (torch has none)')
    return gaps


def _signature(obj):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _opaque(sig):
    """True for signatures that say nothing: (*args, **kwargs) wrappers, or a bare (*args) whose
    forms the docs describe (einsum)."""
    ps = list(sig.parameters.values())
    kinds = [p.kind for p in ps]
    return (kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]
            or (kinds == [inspect.Parameter.VAR_POSITIONAL] and ps[0].name == 'args'))


def _norm_default(v):
    if v is inspect.Parameter.empty:
        return 'REQUIRED'
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v) if v == v else 'nan'
    if isinstance(v, (tuple, list)):
        return tuple(_norm_default(x) for x in v)
    if v is torch.default_generator or v is ember.default_generator:
        return 'default_generator'
    if isinstance(v, (torch.dtype, ember.dtype)) or type(v).__name__ in ('memory_format', 'layout'):
        return repr(v)
    if callable(v) and hasattr(v, '__name__'):
        return ('callable', v.__name__)
    return repr(v)


_KIND = {inspect.Parameter.POSITIONAL_ONLY: 'positional-only',
         inspect.Parameter.POSITIONAL_OR_KEYWORD: 'positional',
         inspect.Parameter.VAR_POSITIONAL: '*args',
         inspect.Parameter.KEYWORD_ONLY: 'keyword-only',
         inspect.Parameter.VAR_KEYWORD: '**kwargs'}


def _sig_gaps(label, tobj, eobj, skip_self=False):
    """Differences between torch's and ember's signatures of one object ([] when torch's is not
    inspectable)."""
    ts = _signature(tobj)
    if ts is None or _opaque(ts):
        return []
    es = _signature(eobj)
    if es is None:
        return [f'{label}: no inspectable signature (torch: {ts})']
    tp, ep = list(ts.parameters.values()), list(es.parameters.values())
    if skip_self:
        tp, ep = tp[1:], ep[1:]
    allowed = EXTRA_KWONLY.get(label, {})
    if len(ep) > len(tp):
        extra = ep[len(tp):]
        if all(p.kind == p.KEYWORD_ONLY and p.name in allowed for p in extra):
            ep = ep[:len(tp)]
    problems = []
    for i in range(max(len(tp), len(ep))):
        t = tp[i] if i < len(tp) else None
        e = ep[i] if i < len(ep) else None
        if t is None:
            problems.append(f'extra parameter {e.name!r}')
        elif e is None:
            problems.append(f'missing parameter {t.name!r}')
        elif t.name != e.name:
            problems.append(f'parameter {i} is {e.name!r}, torch {t.name!r}')
        else:
            if t.kind != e.kind:
                problems.append(f'{t.name!r} is {_KIND[e.kind]}, torch {_KIND[t.kind]}')
            dt, de = _norm_default(t.default), _norm_default(e.default)
            if dt != de:
                problems.append(f'{t.name}={e.default!r}, torch {t.name}={t.default!r}')
    if problems:
        return [f'{label}{es}: ' + '; '.join(problems) + f' (torch: {ts})']
    return []


def _public_methods(cls, base=None):
    """Public attributes defined by torch class `cls` itself and its bases below `base`."""
    names = set()
    for k in cls.__mro__:
        if k is object or (base is not None and k in base.__mro__):
            continue
        # typing helpers (Module.T_destination) are annotations, not API
        names.update(n for n, v in vars(k).items()
                     if not n.startswith('_')
                     and type(v).__module__ not in ('typing', 'collections.abc', 'types'))
    return sorted(names)


def _class_gaps(label, tcls, ecls, base_t=None):
    """Path-independent class checks: public methods and their signatures, and __init__."""
    gaps = _sig_gaps(label, tcls, ecls)
    for m in _public_methods(tcls, base_t):
        if not _has(ecls, m):
            gaps.append(f'{label}.{m}')
            continue
        tm, em = inspect.getattr_static(tcls, m), inspect.getattr_static(ecls, m)
        if isinstance(tm, (staticmethod, classmethod)) or callable(tm):
            gaps += _sig_gaps(f'{label}.{m}', _get(tcls, m), _get(ecls, m),
                              skip_self=not isinstance(tm, (staticmethod, classmethod)))
        del em
    return gaps


def _module_path_gaps(tobj, label):
    """The object at torch's defining module path must exist at ember's twin path."""
    mod = getattr(tobj, '__module__', None) or ''
    if not mod.startswith('torch.') or any(p.startswith('_') for p in mod.split('.')):
        return []
    epath = 'ember' + mod[len('torch'):]
    emod = _module(epath)
    if emod is None or not _has(emod, tobj.__name__):
        return [f'{epath}.{tobj.__name__} (for {label})']
    return []


def _fail(gaps, what):
    assert not gaps, f'{len(gaps)} {what} gaps:\n  ' + '\n  '.join(gaps)


# ----- the tests ----------------------------------------------------------------------------

@pytest.mark.parametrize('family', list(OPS))
def test_ops_exist_where_torch_has_them(family):
    """ember.<op>, Tensor.<op> and Tensor.<op>_ exist exactly where torch's do; their Python
    signatures (where torch's are inspectable) match."""
    names = OPS[family]
    inplace = [n + '_' for n in names if not n.endswith('_')]
    gaps = (_presence(names, torch, ember, 'ember')
            + _presence(names, torch.Tensor, ember.Tensor, 'Tensor')
            + _presence(inplace, torch.Tensor, ember.Tensor, 'Tensor'))
    for n in names:
        for label, t, e, bound in (('ember', torch, ember, False),
                                   ('Tensor', torch.Tensor, ember.Tensor, True)):
            if _has(t, n) and _has(e, n):
                tv, ev = _get(t, n), _get(e, n)
                if callable(tv) and not isinstance(tv, type):
                    gaps += _sig_gaps(f'{label}.{n}', tv, ev, skip_self=bound)
    _fail(gaps, family)


def test_tensor_operators():
    _fail(_presence(DUNDERS, torch.Tensor, ember.Tensor, 'Tensor'), 'Tensor operator')


def test_linalg_and_random_namespaces():
    gaps = _presence(LINALG, torch.linalg, ember.linalg, 'ember.linalg')
    gaps += _presence(RANDOM_MODULE, torch.random, _module('ember.random'), 'ember.random')
    gaps += _presence(GENERATOR, torch.Generator(), ember.Generator(), 'Generator')
    for n in RANDOM_MODULE:
        if _has(torch.random, n) and _has(ember.random, n):
            gaps += _sig_gaps(f'ember.random.{n}', _get(torch.random, n), _get(ember.random, n))
    _fail(gaps, 'linalg/random')


def test_nn_functional():
    import torch.nn.functional as TF
    EF = _module('ember.nn.functional')
    gaps = _presence(FUNCTIONAL, TF, EF, 'ember.nn.functional')
    for n in FUNCTIONAL:
        if _has(TF, n) and _has(EF, n):
            gaps += _sig_gaps(f'nn.functional.{n}', _get(TF, n), _get(EF, n))
    _fail(gaps, 'nn.functional')


def test_nn_modules():
    """Each module class at ember.nn and at torch's module path, with torch's __init__ and
    public methods (forward included)."""
    gaps = _presence(MODULES + NN_OTHER, torch.nn, ember.nn, 'ember.nn')
    for n in MODULES + NN_OTHER:
        if not _has(torch.nn, n):
            continue
        tcls = _get(torch.nn, n)
        gaps += _module_path_gaps(tcls, f'torch.nn.{n}')
        if _has(ember.nn, n):
            # methods of a base (Module, Tensor) are checked once, with the base
            base = (torch.Tensor if issubclass(tcls, torch.Tensor)
                    else None if n == 'Module' else torch.nn.Module)
            gaps += _class_gaps(f'nn.{n}', tcls, _get(ember.nn, n), base)
    _fail(gaps, 'nn module')


def test_nn_init_and_utils():
    gaps = _presence(INIT, torch.nn.init, _module('ember.nn.init'), 'ember.nn.init')
    for n in INIT:
        if _has(torch.nn.init, n) and _has(ember.nn.init, n):
            gaps += _sig_gaps(f'nn.init.{n}', _get(torch.nn.init, n), _get(ember.nn.init, n))
    for path, names in NN_UTILS.items():
        tmod, emod = importlib.import_module('torch.' + path), _module('ember.' + path)
        if emod is None:
            gaps.append(f'ember.{path} (module)')
            continue
        gaps += _presence(names, tmod, emod, 'ember.' + path)
        for n in names:
            if _has(tmod, n) and _has(emod, n):
                tv, ev = _get(tmod, n), _get(emod, n)
                if isinstance(tv, type):
                    gaps += _class_gaps(f'{path}.{n}', tv, ev, tuple)
                else:
                    gaps += _sig_gaps(f'{path}.{n}', tv, ev)
    _fail(gaps, 'nn.init/nn.utils')


_BASES = (torch.nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler,
          torch.utils.data.Dataset, torch.utils.data.Sampler)


@pytest.mark.parametrize('path', list(OPTIM))
def test_optim_and_data(path):
    """optim, lr_scheduler, swa_utils and utils.data names, at torch's module paths, with torch's
    signatures and public methods."""
    tmod, emod = importlib.import_module('torch.' + path), _module('ember.' + path)
    assert emod is not None, f'ember.{path} does not import'
    names = OPTIM[path]
    gaps = _presence(names, tmod, emod, 'ember.' + path)
    for n in names:
        if not (_has(tmod, n) and _has(emod, n)):
            continue
        tv, ev = _get(tmod, n), _get(emod, n)
        gaps += _module_path_gaps(tv, f'torch.{path}.{n}')
        if isinstance(tv, type):
            # methods a base class defines are checked once, with the base
            base = next((b for b in _BASES if issubclass(tv, b) and tv is not b), None)
            gaps += _class_gaps(f'{path}.{n}', tv, ev, base)
        else:
            gaps += _sig_gaps(f'{path}.{n}', tv, ev)
    _fail(gaps, path)


@pytest.mark.parametrize('group', sorted({c.group for c in CALLS}))
def test_keyword_calls_match_torch(group):
    """torch builtins (no inspectable signature) called with the keywords the issues name, on
    small inputs; results compared with torch's (values, dtypes, shapes, named fields)."""
    gaps = []
    for c in CALLS:
        if c.group == group:
            problem = run_call(c)
            if problem:
                gaps.append(f'{c.name}: {problem}')
    _fail(gaps, f'{group} keyword-call')
