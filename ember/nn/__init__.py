"""ember.nn: modules, parameters, functional, init."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module
from . import functional, init, modules  # noqa: F401
from . import utils  # noqa: F401
