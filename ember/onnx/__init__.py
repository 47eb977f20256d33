"""ember.onnx: importable, so programs that mention it load; exporting needs a graph capture,
which ember does not have, so `export` raises NotImplementedError naming the API."""
from .._missing import not_available

__all__ = ['export', 'is_in_onnx_export', 'dynamo_export']


def export(model, args=(), f=None, *a, **kw):
    raise not_available('torch.onnx.export', 'ember records no graph to export; save the '
                        'state_dict with torch.save and export from PyTorch')


def dynamo_export(model, *args, **kwargs):
    raise not_available('torch.onnx.dynamo_export', 'ember records no graph to export')


def is_in_onnx_export():
    """False: ember never exports."""
    return False


from .._missing import module_getattr as _module_getattr  # noqa: E402
__getattr__ = _module_getattr('torch.onnx')
