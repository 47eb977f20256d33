"""torch.nn.utils: sequence packing, gradient clipping, parameter/vector conversion,
parametrizations, weight and spectral normalisation."""
from . import rnn  # noqa: F401
from . import parametrize, parametrizations  # noqa: F401
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ['clip_grad_norm', 'clip_grad_norm_', 'clip_grad_value_', 'clip_grads_with_norm_',
           'get_total_norm', 'parameters_to_vector', 'vector_to_parameters', 'parametrize',
           'parametrizations', 'remove_spectral_norm', 'remove_weight_norm', 'rnn', 'spectral_norm',
           'weight_norm']

from ..._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.nn.utils')
