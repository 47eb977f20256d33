"""ember.nn: modules, parameters, functional, init."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module
from . import functional, init, modules  # noqa: F401
from . import utils  # noqa: F401

from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.nn')
