"""ember.optim: torch.optim's optimizers, learning-rate schedulers and SWA utilities."""
from . import lr_scheduler
from ._adafactor import Adafactor
from ._muon import Muon
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

Adafactor.__module__ = __name__
Muon.__module__ = __name__

__all__ = ['Adafactor', 'Adadelta', 'Adagrad', 'Adam', 'Adamax', 'AdamW', 'ASGD', 'LBFGS', 'lr_scheduler',
           'Muon', 'NAdam', 'Optimizer', 'RAdam', 'RMSprop', 'Rprop', 'SGD', 'SparseAdam', 'swa_utils']


def __getattr__(name):
    # swa_utils needs ember.nn, which may itself be importing; load it on first use
    if name == 'swa_utils':
        import importlib
        return importlib.import_module('.swa_utils', __name__)
    from .._missing import module_getattr
    return module_getattr('torch.optim')(name)
