"""torch.autograd.forward_ad: forward-mode AD needs a forward derivative for every op, which
ember's ops do not define. Every entry point raises NotImplementedError naming the torch API;
Jacobian-vector products are available through `ember.autograd.functional.jvp` (computed with the
reverse-mode double-backward trick)."""
from collections import namedtuple

__all__ = ['UnpackedDualTensor', 'enter_dual_level', 'exit_dual_level', 'make_dual', 'unpack_dual',
           'dual_level']

UnpackedDualTensor = namedtuple('UnpackedDualTensor', ['primal', 'tangent'])


def _unavailable(name):
    raise NotImplementedError(f"torch.autograd.forward_ad.{name} is not available in ember "
                              "(forward-mode AD); use ember.autograd.functional.jvp instead")


def enter_dual_level():
    _unavailable('enter_dual_level')


def exit_dual_level(*, level=None):
    _unavailable('exit_dual_level')


def make_dual(tensor, tangent, *, level=None):
    _unavailable('make_dual')


def unpack_dual(tensor, *, level=None):
    _unavailable('unpack_dual')


class dual_level:
    """Context manager of forward-mode AD levels (not available in ember)."""

    def __enter__(self):
        _unavailable('dual_level')

    def __exit__(self, *exc):
        return False
