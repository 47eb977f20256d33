"""ember.utils: helpers around the core, as torch.utils."""
from . import data
