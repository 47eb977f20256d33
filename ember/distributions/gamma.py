"""torch.distributions.Gamma."""
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _broadcast_params, _t

__all__ = ['Gamma']


class Gamma(ExponentialFamily):
    """Gamma distribution with shape `concentration` and `rate` (mean concentration / rate).

    rsample is reparameterized: gradients reach both parameters, the concentration's through
    the implicit derivative of the gamma CDF (see ember._ops.gamma_fns._standard_gamma)."""

    arg_constraints = {'concentration': constraints.positive, 'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        (self.concentration, self.rate), batch_shape = _broadcast_params(concentration, rate)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_batch_params(Gamma, batch_shape, _instance, ('concentration', 'rate'))

    def rsample(self, sample_shape=()):
        ember = _t()
        shape = tuple(self._extended_shape(sample_shape))
        value = ember._standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # a large rate can round a tiny sample to zero, where log_prob would be -inf
        return value.clamp(min=ember.finfo(value.dtype).tiny)

    def log_prob(self, value):
        ember = _t()
        value = ember.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate)
                + ember.xlogy(self.concentration - 1, value)
                - self.rate * value - ember.lgamma(self.concentration))

    def cdf(self, value):
        ember = _t()
        if self._validate_args:
            self._validate_sample(value)
        return ember.igamma(self.concentration, self.rate * value)

    def entropy(self):
        ember = _t()
        return (self.concentration - ember.log(self.rate) + ember.lgamma(self.concentration)
                + (1.0 - self.concentration) * ember.digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        ember = _t()
        return ember.lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())
