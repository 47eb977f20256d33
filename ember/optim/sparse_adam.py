"""torch.optim.SparseAdam needs sparse gradients, which ember does not have."""

__all__ = ['SparseAdam']


class SparseAdam:
    """torch.optim.SparseAdam: not available (ember has no sparse tensors); use Adam instead."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        raise NotImplementedError("torch.optim.SparseAdam is not available in ember (ember has no "
                                  "sparse gradients); use ember.optim.Adam")
