"""Suite-wide fixtures.

The engine runs plain backward() on raw arrays until some backward hook is registered in the
process (`ember.autograd.graph.hooks_used`). Resetting that flag before every test makes each test
exercise the fast path unless it registers hooks itself, so the whole suite checks both paths.
"""
import pytest

from ember.autograd import graph as _graph


@pytest.fixture(autouse=True)
def _array_fast_path_enabled():
    _graph.hooks_used[0] = False
    yield
