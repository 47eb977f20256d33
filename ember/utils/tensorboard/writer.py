"""SummaryWriter: log scalars, histograms, text, images and hyperparameters for TensorBoard."""
import os
import time

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from ..._missing import not_available
from . import _summary as S

__all__ = ['FileWriter', 'SummaryWriter']


class FileWriter:
    """Writes Event protocol buffers to one event file in `log_dir`."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=''):
        log_dir = str(log_dir)
        self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()

    def reopen(self):
        self.event_writer.reopen()


def _step(global_step):
    if global_step is None:
        return None
    from ..._tensor import Tensor
    return int(global_step.item()) if isinstance(global_step, Tensor) else int(global_step)


class SummaryWriter:
    """Writes TensorBoard event files under `log_dir` (default runs/<time>_<host><comment>)."""

    def __init__(self, log_dir=None, comment='', purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=''):
        if not log_dir:
            import socket
            from datetime import datetime
            current_time = datetime.now().strftime('%b%d_%H-%M-%S')
            log_dir = os.path.join('runs', current_time + '_' + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        # TensorBoard's default histogram bins: +-1e-12 growing by 10% to 1e20
        v, buckets = 1e-12, []
        while v < 1e20:
            buckets.append(v)
            v *= 1.1
        self.default_bins = [-b for b in buckets[::-1]] + [0] + buckets

    def _get_file_writer(self):
        """The default FileWriter (recreated after close())."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version='brain.Event:2'))
                self.file_writer.add_event(Event(step=step, session_log=SessionLog(
                    status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one scalar (a number or one-element tensor) under `tag` at `global_step`."""
        summary = S.scalar(tag, scalar_value, new_style=new_style,
                           double_precision=double_precision)
        self._get_file_writer().add_summary(summary, _step(global_step), walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several scalars on one chart: each goes to the run `<log_dir>/<main_tag>_<tag>`."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            fw_tag = fw_logdir + '/' + main_tag.replace('/', '_') + '_' + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(S.scalar(main_tag, value), _step(global_step), walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        from tensorboard.compat.proto.summary_pb2 import Summary
        from tensorboard.util import tensor_util
        arr = S.make_np(tensor)
        summary = Summary(value=[Summary.Value(tag=tag, tensor=tensor_util.make_tensor_proto(
            arr))])
        self._get_file_writer().add_summary(summary, _step(global_step), walltime)

    def add_histogram(self, tag, values, global_step=None, bins='tensorflow', walltime=None,
                      max_bins=None):
        """Log a histogram of `values` (bins: 'tensorflow' for TensorBoard's default edges, or
        anything numpy.histogram accepts)."""
        if isinstance(bins, str) and bins == 'tensorflow':
            bins = self.default_bins
        self._get_file_writer().add_summary(S.histogram(tag, values, bins, max_bins),
                                            _step(global_step), walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                              bucket_limit=list(bucket_limits), bucket=list(bucket_counts))
        self._get_file_writer().add_summary(Summary(value=[Summary.Value(tag=tag, histo=hist)]),
                                            _step(global_step), walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a (markdown) text under `tag`."""
        self._get_file_writer().add_summary(S.text(tag, text_string), _step(global_step),
                                            walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats='CHW'):
        """Log an image (float in [0, 1] or uint8), CHW by default."""
        self._get_file_writer().add_summary(S.image(tag, img_tensor, dataformats),
                                            _step(global_step), walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats='NCHW'):
        """Log a batch of images as one grid image."""
        arr = S.make_np(img_tensor)
        fmt = dataformats.upper()
        if fmt == 'NHWC':
            arr = arr.transpose(0, 3, 1, 2)
        elif fmt == 'NHW':
            arr = arr[:, None]
        elif fmt != 'NCHW':
            raise ValueError(f"unsupported dataformats {dataformats!r}")
        self.add_image(tag, S.make_grid(arr), global_step, walltime, dataformats='CHW')

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log hyperparameters and their metrics for TensorBoard's HParams view (in a sub-run)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            w_hp.file_writer.add_summary(exp, _step(global_step))
            w_hp.file_writer.add_summary(ssi, _step(global_step))
            w_hp.file_writer.add_summary(sei, _step(global_step))
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_custom_scalars(self, layout):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_custom_scalars')

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_graph',
                            'ember records no traced graph to draw')

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag='default',
                      metadata_header=None):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_embedding')

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure as an image."""
        import numpy as np
        figures = figure if isinstance(figure, list) else [figure]
        imgs = []
        for fig in figures:
            fig.canvas.draw()
            imgs.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].transpose(2, 0, 1))
            if close:
                import matplotlib.pyplot as plt
                plt.close(fig)
        if isinstance(figure, list):
            self.add_images(tag, np.stack(imgs), global_step, walltime)
        else:
            self.add_image(tag, imgs[0], global_step, walltime)

    def add_pr_curve(self, *args, **kwargs):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_pr_curve')

    def add_audio(self, *args, **kwargs):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_audio')

    def add_video(self, *args, **kwargs):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_video')

    def add_mesh(self, *args, **kwargs):
        raise not_available('torch.utils.tensorboard.SummaryWriter.add_mesh')

    def flush(self):
        """Write pending events to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close every event file (a later add_* reopens a new one)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
