"""Constructor checks the optimizers share, raising torch's exceptions with torch's messages.

Each optimizer calls them in the order torch checks its arguments, so the first bad argument is
the one reported, as in torch.
"""
from .._tensor import Tensor


def _check_tensor_lr(lr):
    if isinstance(lr, Tensor) and lr._data.size != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check_kernel_flags(opt, differentiable, fused=None, foreach=None):
    """torch's checks on the kernel-selection keywords (all kernels are one in ember)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        # An update that autograd can see through needs Tensor ops, not in-place array kernels.
        raise NotImplementedError("torch.optim optimizers with differentiable=True are not "
                                  "available in ember")


def _check_lr(lr):
    """A learning rate: a one-element Tensor or a number, not negative."""
    _check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_eps(eps):
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")


def _check_betas(betas):
    """Both Adam-style betas in [0, 1)."""
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_non_negative(name, value):
    """``Invalid <name> value: <value>`` unless ``0 <= value`` (NaN fails too, as in torch)."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")
