"""ember.utils.checkpoint: activation checkpointing.

A checkpointed segment keeps none of the tensors its ops save for backward; backward runs the
segment again to get them back. Memory for activations is traded for a second forward.

- `use_reentrant=False` (torch's recommended variant): the segment runs once under
  saved-tensor hooks that keep only an index per saved tensor. The first time backward needs
  one, the segment runs again with grad enabled and the same random state, and each value takes
  its original's place in the graph. Parameters get their gradients through the graph as usual,
  so `autograd.grad` works through the segment too.
- `use_reentrant=True` (torch's older default): the segment is one autograd Function. Its
  forward runs under no_grad; its backward reruns the segment and backpropagates through that
  copy, so parameters inside get their `.grad` from that inner backward.

torch's user-visible rules are kept: `use_reentrant` must be passed (a warning otherwise; the
default is the reentrant variant), and the reentrant variant with no input requiring grad makes
outputs that do not require grad, with torch's warning.
"""
import warnings

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


def _rerun(function, args, kwargs, rng_state):
    """function(*args, **kwargs) again, with grad enabled and the random state it first saw."""
    from ..autograd.grad_mode import enable_grad
    from ..random import fork_rng, set_rng_state
    with fork_rng(enabled=rng_state is not None):
        if rng_state is not None:
            set_rng_state(rng_state)
        with enable_grad():
            return function(*args, **kwargs)


class _Recomputed:
    """The saved-tensor hooks of one non-reentrant segment: packing keeps an index only, and
    the first unpack reruns the segment to collect every saved value in the same order."""

    def __init__(self, function, args, kwargs, rng_state):
        self.function, self.args, self.kwargs, self.rng_state = function, args, kwargs, rng_state
        self.count = 0
        self.values = None

    def pack(self, tensor):
        i = self.count
        self.count += 1
        return i

    def unpack(self, i):
        if self.values is None or self.values[i] is None:
            self.values = self._recompute()
        value = self.values[i]
        self.values[i] = None  # each is unpacked once per backward: let it go with its node
        return value

    def _recompute(self):
        from ..autograd.graph import saved_tensors_hooks
        kept = []
        with saved_tensors_hooks(kept.append, lambda packed: None):
            _rerun(self.function, self.args, self.kwargs, self.rng_state)
        if len(kept) != self.count:
            raise RuntimeError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                f"original forward and recomputation.\nNumber of tensors saved during forward: "
                f"{self.count}\nNumber of tensors saved during recomputation: {len(kept)}")
        return kept


def _without_reentrant(function, args, kwargs, preserve_rng_state):
    from ..autograd.graph import saved_tensors_hooks
    from ..random import get_rng_state
    hooks = _Recomputed(function, args, kwargs, get_rng_state() if preserve_rng_state else None)
    with saved_tensors_hooks(hooks.pack, hooks.unpack):
        return function(*args, **kwargs)


def _checkpoint_function():
    """The reentrant variant's autograd Function (made on first use: autograd imports utils)."""
    global _CheckpointFunction
    from .._tensor import Tensor
    from ..autograd import Function, backward
    from ..autograd.grad_mode import no_grad
    from ..random import get_rng_state

    class CheckpointFunction(Function):
        @staticmethod
        def forward(ctx, run_function, preserve_rng_state, *args):
            ctx.run_function = run_function
            ctx.rng_state = get_rng_state() if preserve_rng_state else None
            ctx.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
            ctx.others = [None if isinstance(a, Tensor) else a for a in args]
            ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
            with no_grad():
                return run_function(*args)

        @staticmethod
        def backward(ctx, *grads):
            inputs = list(ctx.others)
            for i, t in zip(ctx.tensor_at, ctx.saved_tensors):
                inputs[i] = t.detach().requires_grad_(t.requires_grad)
            outs = _rerun(ctx.run_function, inputs, {}, ctx.rng_state)
            outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
            pairs = [(o, g) for o, g in zip(outs, grads)
                     if isinstance(o, Tensor) and o.requires_grad and g is not None]
            if not pairs:
                raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                                   "not necessary")
            backward([o for o, _ in pairs], [g for _, g in pairs])
            return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)

    _CheckpointFunction = CheckpointFunction
    return CheckpointFunction


_CheckpointFunction = None


def _run(function, args, kwargs, reentrant, preserve_rng_state=True):
    from .._tensor import Tensor
    from ..autograd.grad_mode import no_grad
    if not reentrant:
        return _without_reentrant(function, args, kwargs, preserve_rng_state)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ','.join(kwargs))
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      UserWarning, stacklevel=3)
        with no_grad():
            return function(*args)
    fn = _CheckpointFunction or _checkpoint_function()
    return fn.apply(function, preserve_rng_state, *args)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check='default',
               debug=False, preserve_rng_state=True, early_stop=True, **kwargs):
    """Run `function(*args, **kwargs)` keeping none of its saved activations; backward reruns it
    (with the random state it first saw, unless `preserve_rng_state=False`)."""
    return _run(function, args, kwargs, _reentrant(use_reentrant, 2), preserve_rng_state)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequence of modules/functions in `segments` checkpointed chunks (the last chunk
    runs as usual, as in torch)."""
    reentrant = _reentrant(use_reentrant, 2)
    preserve = kwargs.pop('preserve_rng_state', True)
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
        input = _run(run, (input,), {}, reentrant, preserve)
    for f in functions[end + 1:]:
        input = f(input)
    return input
