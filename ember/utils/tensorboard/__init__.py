"""ember.utils.tensorboard: SummaryWriter writing TensorBoard event files.

It needs the `tensorboard` package (an optional dependency: `pip install tensorboard`, or
`pip install ember[tensorboard]`), which supplies the event-file writer and protocol buffers;
the files it writes are read by TensorBoard itself."""
try:
    import tensorboard  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("torch.utils.tensorboard needs the tensorboard package, which is not "
                      "installed: pip install tensorboard (or pip install ember[tensorboard])"
                      ) from e

from .writer import FileWriter, SummaryWriter  # noqa: E402,F401

__all__ = ['FileWriter', 'SummaryWriter']
