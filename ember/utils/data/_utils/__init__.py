"""Helpers of the DataLoader: collation, fetching and the worker-process loop."""
import atexit
import sys
import traceback

# Seconds between a worker's checks that its parent is still alive.
MP_STATUS_CHECK_INTERVAL = 5.0

# Seconds between the main process's checks that its workers are alive while it waits for data
# (a dead worker is reported within this delay rather than hanging the loop).
_WORKER_CHECK_INTERVAL = 0.1

IS_WINDOWS = sys.platform == 'win32'

# Set once the interpreter starts shutting down: iterators then leave their (daemonic) workers
# to multiprocessing's own exit handler instead of talking to half-torn-down queues.
python_exit_status = False


def _set_python_exit_flag():
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A str whose repr is itself, so a KeyError carrying a traceback prints readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, to be re-raised in another thread or process."""

    def __init__(self, exc_info=None, where='in background'):
        if exc_info is None:
            exc_info = sys.exc_info()
        # keep only the type and text: the traceback object itself would pin frames and cannot be pickled
        self.exc_type = exc_info[0]
        self.exc_name = exc_info[0].__name__
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type with the original traceback as its message."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            # a constructor that wants other arguments: say it all in a RuntimeError
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            # no exception -> traceback -> this frame -> exception cycle: the DataLoader iterator
            # up the stack is then freed (and its workers shut down) as soon as it is dropped
            del exc


from . import collate, fetch, worker  # noqa: E402
