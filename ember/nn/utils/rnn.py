"""Variable-length sequence batches: PackedSequence and the pack/pad helpers of torch.nn.utils.rnn.

A PackedSequence holds the timesteps of a batch of sequences sorted by decreasing length, step by
step: `data[offset[t]:offset[t] + batch_sizes[t]]` are the t-th elements of the sequences still
running. Packing and padding are one gather each (differentiable), computed from index arrays
built on the host.
"""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor, _wrap
from ..._backend import array_module, to_numpy

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence',
           'pad_sequence', 'unpad_sequence', 'pack_sequence', 'unpack_sequence']

_PackedSequenceBase = namedtuple('PackedSequence_',
                                 ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])


def _type_word(t):
    from ..._ops.reduction import _type_name
    return _type_name(t.dtype)


def _int64(arr):
    return _wrap(np.asarray(arr, dtype=np.int64))


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    xp = array_module(p)
    out = xp.empty_like(p)
    out[p] = xp.arange(p.shape[0], dtype=p.dtype)
    return _wrap(out)


class PackedSequence(_PackedSequenceBase):
    """A batch of variable-length sequences packed timestep by timestep.

    Build it with `pack_padded_sequence` or `pack_sequence`; recurrent modules accept and return it.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            # legacy form PackedSequence((data, batch_sizes))
            data, batch_sizes = data
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _int64(batch_sizes)
        if not batch_sizes.is_cpu:
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence "
                             "should never be created manually. They should be instantiated by "
                             "functions like pack_sequence and pack_padded_sequences in "
                             "nn.utils.rnn. https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Move/cast `data` (the indices follow its device; batch_sizes stay on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        s, u = self.sorted_indices, self.unsorted_indices
        if s is not None:
            s = s.to(device=data.device)
            u = u.to(device=data.device)
        return type(self)(data, self.batch_sizes, s, u)

    def cuda(self, *args, **kwargs):
        return self.to(*args, device='cuda', **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, device='cpu', **kwargs)

    def pin_memory(self):
        return self

    def double(self):
        from ... import float64
        return self.to(dtype=float64)

    def float(self):
        from ... import float32
        return self.to(dtype=float32)

    def half(self):
        from ... import float16
        return self.to(dtype=float16)

    def long(self):
        from ... import int64
        return self.to(dtype=int64)

    def int(self):
        from ... import int32
        return self.to(dtype=int32)

    def short(self):
        from ... import int16
        return self.to(dtype=int16)

    def char(self):
        from ... import int8
        return self.to(dtype=int8)

    def byte(self):
        from ... import uint8
        return self.to(dtype=uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


# ----- index arrays ------------------------------------------------------------------------------

def _batch_sizes_np(batch_sizes):
    return to_numpy(batch_sizes._data).astype(np.int64)


def _valid_flat_index(bs, batch):
    """Flat (t * batch + b) positions of the packed rows, in packed order."""
    return np.concatenate([t * batch + np.arange(n) for t, n in enumerate(bs)]) if len(bs) else \
        np.zeros(0, np.int64)


def packed_to_padded(data, batch_sizes, total_length=None, padding_value=0.0):
    """(T, B, *) time-major padded tensor of packed `data`, in the packed (sorted) batch order."""
    bs = _batch_sizes_np(batch_sizes)
    T = len(bs) if total_length is None else total_length
    B = int(bs[0])
    n = data.shape[0]
    gather = np.full(T * B, n, np.int64)
    gather[_valid_flat_index(bs, B)] = np.arange(n)
    from ... import cat, full
    pad = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    ext = cat([data, pad], 0)
    return ext[_index_like(gather, data)].view(T, B, *data.shape[1:])


def padded_to_packed(padded, batch_sizes):
    """Packed data of a (T, B, *) time-major padded tensor (rows past each length dropped)."""
    bs = _batch_sizes_np(batch_sizes)
    T, B = padded.shape[0], padded.shape[1]
    flat = padded.reshape(T * B, *padded.shape[2:])
    return flat[_index_like(_valid_flat_index(bs, B), padded)]


def _index_like(idx, t):
    xp = array_module(t._data)
    return _wrap(idx if xp is np else xp.asarray(idx))


# ----- public helpers ----------------------------------------------------------------------------

def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T x B x * or B x T x *) of sequences of the given lengths."""
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.ndim}D {lengths.device.type} {_type_word(lengths)} tensor")
        lens = to_numpy(lengths._data).astype(np.int64)
    else:
        lens = np.asarray(lengths, dtype=np.int64).reshape(-1)
    batch_dim = 0 if batch_first else 1
    if input.ndim < 2:
        raise RuntimeError(f"Dimension out of range (expected to be in range of [-1, 0], but got "
                           f"{batch_dim})")
    if lens.shape[0] != input.shape[batch_dim]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.shape[0]} (batch_size={input.shape[batch_dim]})")
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind='stable')
        lens = lens[order]
        sorted_indices = _index_like(order.astype(np.int64), input)
        input = input[sorted_indices] if batch_first else input[:, sorted_indices]
    else:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                               "if you do not need ONNX exportability.")
    if lens.size and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T = int(lens[0]) if lens.size else 0
    if T > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to {T} but got "
                           f"{input.shape[0]}")
    bs = (lens[None, :] > np.arange(T)[:, None]).sum(1).astype(np.int64)
    batch_sizes = _int64(bs)
    data = padded_to_packed(input[:T] if T != input.shape[0] else input, batch_sizes)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded tensor, lengths) in the original batch order."""
    bs = _batch_sizes_np(sequence.batch_sizes)
    max_len = len(bs)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_len}")
        max_len = total_length
    padded = packed_to_padded(sequence.data, sequence.batch_sizes, max_len, padding_value)
    lens = (bs[None, :] > np.arange(int(bs[0]))[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    u = sequence.unsorted_indices
    if u is not None:
        padded = padded[u] if batch_first else padded[:, u]
        lens = lens[to_numpy(u._data)]
    return padded, _int64(lens)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Stack tensors of shape (L_i, *) into one (max L, B, *) (or (B, max L, *)) padded tensor."""
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lens = [s.shape[0] for s in sequences]
    trail = tuple(sequences[0].shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trail:
            raise RuntimeError(f"The size of tensor a ({trail[0] if trail else 0}) must match the size "
                               f"of tensor b ({s.shape[1] if s.ndim > 1 else 0}) at non-singleton "
                               "dimension 1")
    T, B = max(lens), len(sequences)
    n = sum(lens)
    gather = np.full((T, B), n, np.int64)
    off = 0
    for b, L in enumerate(lens):
        start = 0 if padding_side == 'right' else T - L
        gather[start:start + L, b] = np.arange(off, off + L)
        off += L
    if batch_first:
        gather = np.ascontiguousarray(gather.T)
    from ... import cat, full
    ref = sequences[0]
    pad = full((1,) + trail, padding_value, dtype=ref.dtype, device=ref.device)
    ext = cat(sequences + [pad], 0)
    return ext[_index_like(gather.reshape(-1), ref)].view(*gather.shape, *trail)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of its unpadded sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = to_numpy(lengths._data).tolist() if isinstance(lengths, Tensor) else list(lengths)
    return [padded_sequences[i, :int(L)] for i, L in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors (longest first unless enforce_sorted=False)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences (original order) held by a PackedSequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
