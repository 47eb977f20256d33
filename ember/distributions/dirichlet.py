"""torch.distributions.Dirichlet."""
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _t

__all__ = ['Dirichlet']


class Dirichlet(ExponentialFamily):
    """Dirichlet distribution over the simplex, parameterized by `concentration` (last dim = K).

    rsample normalizes independent reparameterized gamma samples, so gradients reach the
    concentration (an unbiased pathwise gradient; torch's per-sample values differ because its
    samples do)."""

    arg_constraints = {'concentration': constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = _t().Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        return self._expanded(Dirichlet, new, batch_shape, self.event_shape)

    def rsample(self, sample_shape=()):
        ember = _t()
        shape = tuple(self._extended_shape(sample_shape))
        gammas = ember._standard_gamma(self.concentration.expand(shape))
        x = gammas / gammas.sum(-1, keepdim=True)
        finfo = ember.finfo(x.dtype)
        return x.clamp(min=finfo.tiny, max=1 - finfo.eps)

    def log_prob(self, value):
        ember = _t()
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration - 1.0, value).sum(-1)
                + ember.lgamma(self.concentration.sum(-1))
                - ember.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        ember = _t()
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, keepdim=True)
        mask = (self.concentration < 1).all(dim=-1)
        if bool(mask.any()):
            k = self.concentration.shape[-1]
            eye = ember.eye(k, dtype=mode.dtype, device=mode.device)
            onehot = eye[mode.argmax(dim=-1)]
            mode = ember.where(mask.unsqueeze(-1), onehot, mode)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        ember = _t()
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (ember.lgamma(self.concentration).sum(-1) - ember.lgamma(a0)
                - (k - a0) * ember.digamma(a0)
                - ((self.concentration - 1.0) * ember.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        ember = _t()
        return x.lgamma().sum(-1) - ember.lgamma(x.sum(-1))
