"""SummaryWriter: files read back by TensorBoard's own EventAccumulator, compared with what
torch's SummaryWriter writes for the same calls."""
import os

import numpy as np
import pytest

pytest.importorskip('tensorboard')
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

import torch  # noqa: E402
import ember  # noqa: E402


def _acc(path):
    ea = EventAccumulator(str(path), size_guidance={'scalars': 0, 'histograms': 0, 'tensors': 0,
                                                    'images': 0})
    ea.Reload()
    return ea


def _write(lib, logdir):
    from importlib import import_module
    SummaryWriter = import_module(lib.__name__ + '.utils.tensorboard').SummaryWriter
    values = np.random.default_rng(0).normal(size=1000)
    with SummaryWriter(log_dir=str(logdir)) as w:
        for step in range(5):
            w.add_scalar('loss', 1.0 / (step + 1), step)
            w.add_scalar('acc', lib.tensor(0.1 * step), global_step=step)
            w.add_scalars('run', {'a': step, 'b': 2.0 * step}, step)
        w.add_histogram('weights', lib.tensor(values), 3)
        w.add_histogram('w_auto', values, 4, bins='auto')
        w.add_text('notes', 'hello *world*', 1)
        w.add_image('img', lib.ones(3, 4, 5) * 0.5, 2)
        w.add_hparams({'lr': 0.1, 'bs': 32, 'opt': 'adam', 'flag': True},
                      {'hparam/loss': 0.25}, run_name='hp')
        w.flush()
    return values


def test_event_files_read_back_like_torchs(tmp_path):
    runs = {}
    for lib in (torch, ember):
        _write(lib, tmp_path / lib.__name__)
        runs[lib.__name__] = tmp_path / lib.__name__
    t, e = _acc(runs['torch']), _acc(runs['ember'])
    assert sorted(e.Tags()['scalars']) == sorted(t.Tags()['scalars']) == ['acc', 'loss']
    for tag in ('loss', 'acc'):
        assert [(s.step, s.value) for s in e.Scalars(tag)] == \
            [(s.step, s.value) for s in t.Scalars(tag)]
    for tag in ('weights', 'w_auto'):
        eh, th = e.Histograms(tag)[0], t.Histograms(tag)[0]
        assert eh.step == th.step
        for f in ('min', 'max', 'num', 'sum', 'sum_squares', 'bucket_limit', 'bucket'):
            np.testing.assert_allclose(getattr(eh.histogram_value, f),
                                       getattr(th.histogram_value, f), rtol=1e-12)
    et, tt = e.Tensors('notes/text_summary')[0], t.Tensors('notes/text_summary')[0]
    assert et.tensor_proto.string_val == tt.tensor_proto.string_val == [b'hello *world*']
    assert e.SummaryMetadata('notes/text_summary').plugin_data.plugin_name == 'text'
    ei, ti = e.Images('img')[0], t.Images('img')[0]
    assert (ei.width, ei.height) == (ti.width, ti.height) == (5, 4)
    from PIL import Image
    import io
    px = np.asarray(Image.open(io.BytesIO(ei.encoded_image_string)))
    tpx = np.asarray(Image.open(io.BytesIO(ti.encoded_image_string)))
    np.testing.assert_array_equal(px, tpx)
    # add_scalars: one sub-run per key, named <main_tag>_<key>
    for key in ('a', 'b'):
        sub_e, sub_t = _acc(runs['ember'] / f'run_{key}'), _acc(runs['torch'] / f'run_{key}')
        assert [(s.step, s.value) for s in sub_e.Scalars('run')] == \
            [(s.step, s.value) for s in sub_t.Scalars('run')]
    # add_hparams: a sub-run with the plugin's experiment/session summaries and the metric
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    hp_e, hp_t = _acc(runs['ember'] / 'hp'), _acc(runs['torch'] / 'hp')
    ce, ct = hp_e.PluginTagToContent('hparams'), hp_t.PluginTagToContent('hparams')
    assert sorted(ce) == sorted(ct)
    for tag in ce:
        pe, pt = HParamsPluginData(), HParamsPluginData()
        pe.ParseFromString(ce[tag])
        pt.ParseFromString(ct[tag])
        assert pe == pt, tag
    assert hp_e.Scalars('hparam/loss')[0].value == 0.25


def test_writer_defaults_and_reopen(tmp_path, monkeypatch):
    from ember.utils.tensorboard import SummaryWriter
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment='_x')
    assert w.get_logdir().startswith('runs' + os.sep) and w.get_logdir().endswith('_x')
    w.add_scalar('a', 1.0, 0)
    w.close()
    w.add_scalar('a', 2.0, 1)  # writing after close opens a new event file
    w.close()
    ea = _acc(w.get_logdir())
    assert [s.value for s in ea.Scalars('a')] == [1.0, 2.0]
    with pytest.raises(AssertionError, match='Tensor should contain one element'):
        w.add_scalar('bad', ember.ones(2))
    with pytest.raises(TypeError, match='hparam_dict and metric_dict should be dictionary'):
        w.add_hparams([1], {})
    with pytest.raises(NotImplementedError, match='add_graph is not available in ember'):
        w.add_graph(ember.nn.Linear(2, 2))


def test_missing_tensorboard_is_a_clear_import_error(tmp_path):
    import subprocess
    import sys
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "try:\n    import ember.utils.tensorboard\nexcept ImportError as e:\n    print(e)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert 'needs the tensorboard package' in r.stdout and 'pip install tensorboard' in r.stdout
