"""ember.utils.checkpoint: activation checkpointing.

torch recomputes a checkpointed segment during backward to save memory. ember runs the segment
once, recording its graph as usual: the gradients are exactly those of the plain program (and
those of torch's checkpoint), only the memory saving is not made. torch's user-visible rules
are kept: `use_reentrant` must be passed (a warning otherwise; the default is the reentrant
variant), and the reentrant variant with no input requiring grad produces outputs that do not
require grad, with torch's warning."""
import warnings

from .._missing import approximated

__all__ = ['checkpoint', 'checkpoint_sequential']


def _reentrant(use_reentrant, stacklevel):
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                      "use_reentrant will raise an exception. use_reentrant=False is recommended, "
                      "but if you need to preserve the current default behavior, you can pass "
                      "use_reentrant=True. Refer to docs for more details on the differences "
                      "between the two variants.", UserWarning, stacklevel=stacklevel + 1)
        return True
    return bool(use_reentrant)


def _run(function, args, kwargs, reentrant):
    from .._tensor import Tensor
    from ..autograd.grad_mode import no_grad
    approximated('torch.utils.checkpoint.checkpoint',
                 'runs the segment once and keeps its activations (no recomputation)')
    if reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ','.join(kwargs))
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=3)
            with no_grad():
                return function(*args)
    return function(*args, **kwargs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check='default',
               debug=False, preserve_rng_state=True, early_stop=True, **kwargs):
    """Run `function(*args, **kwargs)` as a checkpointed segment (gradients as torch's)."""
    return _run(function, args, kwargs, _reentrant(use_reentrant, 2))


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequence of modules/functions in `segments` checkpointed chunks."""
    reentrant = _reentrant(use_reentrant, 2)
    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    functions = list(functions)
    n = len(functions)
    size = max(n // segments, 1) if segments else n
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        chunk = functions[start:end + 1]

        def run(x, chunk=chunk):
            for f in chunk:
                x = f(x)
            return x
        input = _run(run, (input,), {}, reentrant)
    for f in functions[end + 1:]:
        input = f(input)
    return input
