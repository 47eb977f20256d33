"""All nn module classes, importable from their torch paths (ember.nn.modules.linear.Linear...)."""
from .module import Module
from .linear import Identity, Linear, Bilinear, LazyLinear
from .activation import Sigmoid, Tanh, ReLU
from .loss import MSELoss
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .activation import MultiheadAttention
