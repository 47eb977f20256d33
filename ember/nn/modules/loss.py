"""Loss modules: thin wrappers over nn.functional's losses, with torch's constructor arguments."""
from .. import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction='mean'):
        super().__init__()
        if size_average is not None or reduce is not None:
            from ..functional import _legacy_reduction
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer('weight', weight)
        self.weight = weight


class MSELoss(_Loss):
    """Mean squared error: mean((input - target)^2) (or 'sum' / 'none')."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)
