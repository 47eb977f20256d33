"""torch.nn.utils: sequence packing, gradient clipping, parameter/vector conversion,
parametrizations, weight and spectral normalisation."""
from . import rnn  # noqa: F401
