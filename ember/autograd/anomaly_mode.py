"""Anomaly detection: NaN checks on every backward output, forward tracebacks for failing nodes.

While enabled, every node records the Python stack of the forward call that created it; when its
backward raises, or (with `check_nan`) returns NaN, the engine warns with that stack and raises
RuntimeError naming the node ("Function 'DivBackward0' returned nan values in its 1th output.").
"""
import warnings

from .graph import _anomaly

__all__ = ['detect_anomaly', 'set_detect_anomaly']

# _anomaly[0]: enabled; _check_nan[0]: NaN checks while enabled
_check_nan = [True]


def _set(mode, check_nan):
    _anomaly[0] = bool(mode)
    _check_nan[0] = bool(check_nan)


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (torch.set_anomaly_enabled)."""
    _set(enabled, check_nan)


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _anomaly[0]


def is_anomaly_check_nan_enabled():
    """True while anomaly detection checks backward outputs for NaN."""
    return _anomaly[0] and _check_nan[0]


class detect_anomaly:
    """Context manager that enables anomaly detection inside its block."""

    def __init__(self, check_nan=True):
        self.prev = _anomaly[0]
        self.check_nan = check_nan
        self.prev_check_nan = _check_nan[0]
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev, self.prev_check_nan = _anomaly[0], _check_nan[0]
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore the old state on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = _anomaly[0], _check_nan[0]
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)
