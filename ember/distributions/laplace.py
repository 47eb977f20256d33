"""torch.distributions.Laplace."""
from . import constraints
from .distribution import Distribution
from .utils import _broadcast_params, _t

__all__ = ['Laplace']


class Laplace(Distribution):
    """Laplace distribution with location `loc` and scale `scale`."""

    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), batch_shape = _broadcast_params(loc, scale)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_batch_params(Laplace, batch_shape, _instance, ('loc', 'scale'))

    def rsample(self, sample_shape=()):
        ember = _t()
        shape = self._extended_shape(sample_shape)
        eps = ember.finfo(self.loc.dtype).eps
        # u in (-1, 1): -1 itself would put log1p(-|u|) at -inf
        u = ember.empty(tuple(shape), dtype=self.loc.dtype, device=self.loc.device).uniform_(
            eps - 1, 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -_t().log(2 * self.scale) - _t().abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * _t().expm1(
            -(value - self.loc).abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * _t().log1p(-2 * term.abs())

    def entropy(self):
        return 1 + _t().log(2 * self.scale)
