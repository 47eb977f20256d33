"""ember.distributions: torch.distributions' probability distributions, constraints and KL.

Parameters are validated as torch validates them (`validate_args`), samples are drawn from
ember's generator (so not the same numbers as torch's), and every log_prob, entropy, KL and
reparameterized sample is differentiable with respect to the parameters.
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .uniform import Uniform

__all__ = ['Bernoulli', 'Beta', 'Categorical', 'Dirichlet', 'Distribution', 'Exponential',
           'ExponentialFamily', 'Gamma', 'Independent', 'Laplace', 'MultivariateNormal', 'Normal',
           'OneHotCategorical', 'OneHotCategoricalStraightThrough', 'Uniform', 'constraints',
           'kl_divergence', 'register_kl']

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.distributions')
