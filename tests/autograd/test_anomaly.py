"""Anomaly mode: NaN in backward raises naming the node, the forward traceback is shown, the
switches behave as torch's."""
import warnings

import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def _nan_backward(L):
    x = L.zeros(2, requires_grad=True)
    y = x / x                                  # FORWARD-LINE-MARKER
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    return str(e.value)


def test_nan_in_backward_raises_naming_the_function():
    def run(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            with L.autograd.detect_anomaly():
                msg = _nan_backward(L)
        texts = [str(x.message) for x in w]
        return msg, texts
    (me, we), (mt, wt) = both(run)
    assert me == mt == "Function 'DivBackward0' returned nan values in its 1th output."
    for texts in (we, wt):
        assert any(t.startswith("Anomaly Detection has been enabled.") for t in texts)
        trace = [t for t in texts if t.startswith("Error detected in DivBackward0. Traceback of "
                                                  "forward call that caused the error:")]
        assert trace, texts
        assert 'test_anomaly.py' in trace[0] and 'FORWARD-LINE-MARKER' in trace[0]


def test_without_anomaly_mode_nan_passes_silently():
    def run(L):
        x = L.zeros(2, requires_grad=True)
        (x / x).sum().backward()
        return [v != v for v in x.grad.tolist()]
    assert both(run)[0] == both(run)[1] == [True, True]


def test_check_nan_false_only_records_traces():
    def run(L):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with L.autograd.detect_anomaly(check_nan=False):
                x = L.zeros(2, requires_grad=True)
                (x / x).sum().backward()
                return L.is_anomaly_enabled(), L.is_anomaly_check_nan_enabled()
    assert both(run)[0] == both(run)[1] == (True, False)


def test_set_detect_anomaly_function_and_context_manager():
    def run(L):
        states = [L.is_anomaly_enabled()]
        L.autograd.set_detect_anomaly(True)
        states.append(L.is_anomaly_enabled())
        L.autograd.set_detect_anomaly(False)
        states.append(L.is_anomaly_enabled())
        with L.autograd.set_detect_anomaly(True):
            states.append(L.is_anomaly_enabled())
            states.append(L.is_anomaly_check_nan_enabled())
        states.append(L.is_anomaly_enabled())
        with L.autograd.set_detect_anomaly(True, check_nan=False):
            states.append(L.is_anomaly_check_nan_enabled())
        return states
    assert both(run)[0] == both(run)[1]


def test_detect_anomaly_is_not_a_decorator():
    def run(L):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with pytest.raises(TypeError):
                L.autograd.detect_anomaly()(lambda: None)
        return L.is_anomaly_enabled()
    assert both(run)[0] == both(run)[1] is False


def test_error_inside_custom_backward_shows_its_forward_trace():
    def run(L):
        class Boom(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                raise ValueError("boom in backward")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            with L.autograd.detect_anomaly():
                x = L.ones(2, requires_grad=True)
                y = Boom.apply(x)                  # BOOM-MARKER
                with pytest.raises(ValueError, match="boom in backward"):
                    y.sum().backward()
        return [str(m.message) for m in w if str(m.message).startswith("Error detected in")]
    e, t = both(run)
    assert len(e) == len(t) == 1
    assert e[0].startswith("Error detected in BoomBackward. Traceback of forward call")
    assert 'BOOM-MARKER' in e[0] and 'BOOM-MARKER' in t[0]


def test_nan_from_custom_function_output_index():
    def run(L):
        class Half(L.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, g):
                return g, g * float('nan')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with L.autograd.detect_anomaly():
                a = L.ones(2, requires_grad=True)
                b = L.ones(2, requires_grad=True)
                with pytest.raises(RuntimeError) as e:
                    Half.apply(a, b).sum().backward()
        return str(e.value)
    e, t = both(run)
    assert e == t == "Function 'HalfBackward' returned nan values in its 1th output."
