"""Summary protocol buffers for SummaryWriter: scalars, histograms, text, images, hparams.

The message layouts are TensorBoard's own (the protos come from the tensorboard package)."""
import struct
import zlib

import numpy as np

from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto


def make_np(x):
    """A NumPy array (or scalar) from a tensor, array, number or list."""
    from ..._tensor import Tensor
    from ..._backend import to_numpy
    if isinstance(x, Tensor):
        return np.asarray(to_numpy(x.detach()._data))
    if isinstance(x, (int, float, np.number, bool)):
        return np.array([x])
    return np.asarray(x)


def scalar(name, value, new_style=False, double_precision=False):
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{arr.size} and {arr.ndim} dimensions.")
    v = float(arr)
    if new_style:
        tp = TensorProto(double_val=[v], dtype='DT_DOUBLE') if double_precision else \
            TensorProto(float_val=[v], dtype='DT_FLOAT')
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name='scalars'))
        return Summary(value=[Summary.Value(tag=name, tensor=tp, metadata=smd)])
    return Summary(value=[Summary.Value(tag=name, simple_value=v)])


def make_histogram(values, bins, max_bins=None):
    """A HistogramProto of `values`: TensorBoard keeps right bin edges, so the histogram is
    trimmed to the occupied bins plus one empty bin on the left."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        sub = len(counts) // max_bins
        rem = len(counts) % sub
        if rem:
            counts = np.pad(counts, (0, sub - rem))
        counts = counts.reshape(-1, sub).sum(-1)
        limits = np.concatenate([limits[:-1:sub], limits[-1:]])
    nonzero = np.flatnonzero(counts)
    start, end = int(nonzero[0]), int(nonzero[-1]) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return HistogramProto(min=float(values.min()), max=float(values.max()), num=len(values),
                          sum=float(values.sum()), sum_squares=float(values.dot(values)),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())


def histogram(name, values, bins, max_bins=None):
    hist = make_histogram(make_np(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def text(tag, text_string):
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name='text', content=TextPluginData(version=0).SerializeToString()))
    tensor = TensorProto(dtype='DT_STRING', string_val=[text_string.encode('utf_8')],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + '/text_summary', metadata=smd, tensor=tensor)])


def _png(img):
    """Encode an HxWxC uint8 array (C = 1, 3 or 4) as PNG bytes (no filtering, zlib level 6)."""
    h, w, c = img.shape
    color = {1: 0, 3: 2, 4: 6}[c]
    raw = b''.join(b'\x00' + img[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + \
            struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def _to_hwc(arr, dataformats):
    dataformats = dataformats.upper()
    if len(dataformats) != arr.ndim:
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{arr.shape}, input_format: {dataformats}")
    if dataformats == 'HW':
        return arr[:, :, None]
    if dataformats == 'CHW':
        return arr.transpose(1, 2, 0)
    if dataformats == 'HWC':
        return arr
    raise ValueError(f"unsupported dataformats {dataformats!r}")


def image(tag, tensor, dataformats='CHW'):
    arr = _to_hwc(make_np(tensor), dataformats)
    if arr.dtype != np.uint8:
        scale = 1 if arr.size and float(np.max(arr)) > 1.0 else 255
        arr = np.clip(arr.astype(np.float32) * scale, 0, 255).astype(np.uint8)  # truncates, as torch
    h, w, c = arr.shape
    img = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=_png(
        np.ascontiguousarray(arr)))
    return Summary(value=[Summary.Value(tag=tag, image=img)])


def make_grid(arr, ncols=8):
    """Tile NCHW images into one CHW image."""
    n, c, h, w = arr.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(n / ncols))
    canvas = np.zeros((c, h * nrows, w * ncols), dtype=arr.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = arr[i]
    return canvas


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The Experiment, SessionStartInfo and SessionEndInfo summaries of the hparams plugin."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams.api_pb2 import (DataType, Experiment, HParamInfo,
                                                      MetricInfo, MetricName, Status)
    from tensorboard.plugins.hparams.metadata import (EXPERIMENT_TAG, PLUGIN_DATA_VERSION,
                                                      PLUGIN_NAME, SESSION_END_INFO_TAG,
                                                      SESSION_START_INFO_TAG)
    from tensorboard.plugins.hparams.plugin_data_pb2 import (HParamsPluginData, SessionEndInfo,
                                                              SessionStartInfo)
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    discrete = hparam_domain_discrete or {}
    if not isinstance(discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or \
                not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type "
                            f"as hparam_dict[{k}].")
    from ..._tensor import Tensor
    hps = []
    ssi = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, Tensor):
            v = make_np(v).reshape(-1)[0].item()
        if isinstance(v, (int, float)):  # bools too, as torch logs them
            ssi.hparams[k].number_value = v
            kind, field = DataType.Value('DATA_TYPE_FLOAT64'), 'number_value'
        elif isinstance(v, str):
            ssi.hparams[k].string_value = v
            kind, field = DataType.Value('DATA_TYPE_STRING'), 'string_value'
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        domain = None
        if k in discrete:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                                  for d in discrete[k]])
        hps.append(HParamInfo(name=k, type=kind, domain_discrete=domain))
    content = HParamsPluginData(session_start_info=ssi, version=PLUGIN_DATA_VERSION)
    ssi_summary = Summary(value=[Summary.Value(tag=SESSION_START_INFO_TAG, metadata=SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME,
                                               content=content.SerializeToString())))])
    mts = [MetricInfo(name=MetricName(tag=k)) for k in metric_dict]
    exp = Experiment(hparam_infos=hps, metric_infos=mts)
    content = HParamsPluginData(experiment=exp, version=PLUGIN_DATA_VERSION)
    exp_summary = Summary(value=[Summary.Value(tag=EXPERIMENT_TAG, metadata=SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME,
                                               content=content.SerializeToString())))])
    sei = SessionEndInfo(status=Status.Value('STATUS_SUCCESS'))
    content = HParamsPluginData(session_end_info=sei, version=PLUGIN_DATA_VERSION)
    sei_summary = Summary(value=[Summary.Value(tag=SESSION_END_INFO_TAG, metadata=SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME,
                                               content=content.SerializeToString())))])
    return exp_summary, ssi_summary, sei_summary
