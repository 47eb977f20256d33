"""torch.distributions.Bernoulli."""
from . import constraints
from .exp_family import ExponentialFamily
from .utils import (_broadcast_params, _enumerate_values, _expand_probs_or_logits, _t,
                    broadcast_all, lazy_property, logits_to_probs, probs_to_logits)

__all__ = ['Bernoulli']


def _bce_with_logits(logits, target):
    """Elementwise binary cross-entropy with logits: log(1 + e^l) - target * l, computed stably
    (logaddexp(0, l) is exact for large |l|, and its gradient is sigmoid(l) everywhere)."""
    ember = _t()
    return ember.logaddexp(ember.zeros((), dtype=logits.dtype, device=logits.device), logits) \
        - target * logits


class Bernoulli(ExponentialFamily):
    """Bernoulli distribution given by `probs` or `logits` (not both)."""

    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,), batch_shape = _broadcast_params(probs)
        else:
            (self.logits,), batch_shape = _broadcast_params(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = _t().Size(batch_shape)
        _expand_probs_or_logits(self, new, batch_shape)
        return self._expanded(Bernoulli, new, batch_shape)

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return _t().where(self.probs == 0.5, float('nan'), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with _t().no_grad():
            return _t().bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        values = _t().arange(2, dtype=self._param.dtype, device=self._param.device)
        return _enumerate_values(values, self._batch_shape, expand)

    @property
    def _natural_params(self):
        return (_t().logit(self.probs),)

    def _log_normalizer(self, x):
        return _t().log1p(_t().exp(x))
