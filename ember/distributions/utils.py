"""torch.distributions.utils: parameter broadcasting, probs <-> logits, lazy properties."""
import numbers
from functools import update_wrapper

__all__ = ['broadcast_all', 'logits_to_probs', 'probs_to_logits', 'clamp_probs', 'lazy_property',
           'tril_matrix_to_vec', 'vec_to_tril_matrix', 'euler_constant']

euler_constant = 0.57721566490153286060


def _t():
    # ember imported on first use: this package is loaded while ember itself is still importing
    import ember
    return ember


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers take the first tensor's dtype/device
    (the default dtype when there is no tensor)."""
    ember = _t()
    if not all(isinstance(v, (ember.Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor "
                         "or objects implementing __torch_function__.")
    if not all(isinstance(v, ember.Tensor) for v in values):
        options = {'dtype': ember.get_default_dtype()}
        for v in values:
            if isinstance(v, ember.Tensor):
                options = {'dtype': v.dtype, 'device': v.device}
                break
        values = [v if isinstance(v, ember.Tensor) else ember.tensor(v, **options) for v in values]
    return ember.broadcast_tensors(*values)


def _broadcast_params(*values):
    """`broadcast_all(*values)` and the batch shape they give a distribution: () when every value
    is a Python number, else the broadcast shape."""
    tensors = broadcast_all(*values)
    if all(isinstance(v, numbers.Number) for v in values):
        return tensors, ()
    return tensors, tensors[0].size()


def _expand_probs_or_logits(src, new, shape):
    """Give `new` whichever of `src`'s `probs` and `logits` exist (lazily computed ones too),
    expanded to `shape`; `new._param` is the last one set, as in torch."""
    if 'probs' in src.__dict__:
        new.probs = src.probs.expand(shape)
        new._param = new.probs
    if 'logits' in src.__dict__:
        new.logits = src.logits.expand(shape)
        new._param = new.logits


def _enumerate_values(values, batch_shape, expand):
    """The 1-D support `values` as `enumerate_support` returns them: shaped (n, 1, ..., 1) to
    broadcast against `batch_shape`, or expanded to (n, *batch_shape)."""
    values = values.view((-1,) + (1,) * len(batch_shape))
    if expand:
        values = values.expand((-1,) + tuple(batch_shape))
    return values


def _standard_normal(shape, dtype, device):
    return _t().randn(tuple(shape), dtype=dtype, device=device)


def _sum_rightmost(value, dim):
    """Sum out the `dim` rightmost dimensions of `value`."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid for binary, softmax over the last dim otherwise."""
    import ember.nn.functional as F
    if is_binary:
        return _t().sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp probabilities into the open interval (0, 1) by the dtype's eps."""
    eps = _t().finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (log-odds for binary, log-probabilities otherwise)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """A property computed on first access (with grad enabled) and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with _t().enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a lazy_property looks like on the class: also a property (for introspection)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (from diagonal `diag`) of the last two dims, as a vector."""
    ember = _t()
    n = mat.shape[-1]
    if not (-n <= diag < n):
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    idx = ember.arange(n, device=mat.device)
    tril_mask = idx < idx.view(-1, 1) + (diag + 1)
    return mat[..., tril_mask]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of tril_matrix_to_vec."""
    import math
    ember = _t()
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1))
         ** 0.5) / 2
    eps = ember.finfo(vec.dtype).eps
    if not math.isclose(n, round(n), rel_tol=eps):
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed "
                         "as the lower triangular part of a square D x D matrix.")
    n = round(n.item()) if isinstance(n, ember.Tensor) else round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    arange = ember.arange(n, device=vec.device)
    tril_mask = arange < arange.view(-1, 1) + (diag + 1)
    mat[..., tril_mask] = vec
    return mat
