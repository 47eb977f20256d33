"""Module state: state_dict, load_state_dict and extra state (a mixin of nn.Module).

load_state_dict checks every key and shape first and changes nothing unless all of them fit, so a
checkpoint with a wrong shape or key never leaves a model half-loaded.
"""
import itertools
from collections import OrderedDict, namedtuple

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter

_IncompatibleKeys = namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])


class _StateDictMixin:
    """state_dict / load_state_dict for Module (which provides the registries it reads)."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        extra = getattr(type(self), 'get_extra_state', None)
        if extra is not None and extra is not _StateDictMixin.get_extra_state:
            destination[prefix + '_extra_state'] = self.get_extra_state()

    def get_extra_state(self):
        raise RuntimeError("Reached a code path in _StateDictMixin.get_extra_state() that should never be "
                           "called.")

    def set_extra_state(self, state):
        raise RuntimeError("Reached a code path in _StateDictMixin.set_extra_state() that should never be "
                           "called.")

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """An OrderedDict of every parameter and persistent buffer, keyed by dotted name."""
        if args:
            destination = args[0] if len(args) > 0 else destination
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        meta = getattr(destination, '_metadata', None)
        if meta is not None:
            meta[prefix[:-1]] = {'version': self._version}
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            r = hook(self, destination, prefix, {'version': self._version})
            if r is not None:
                destination = r
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent_buffers = {k: v for k, v in self._buffers.items()
                              if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(),
                                                       persistent_buffers.items()) if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f'Tensor-like object from checkpoint but received {type(input_param)}')
                continue
            from ..parameter import is_lazy
            if not is_lazy(param) and input_param.shape != param.shape:
                error_msgs.append(f'size mismatch for {key}: copying a param with shape '
                                  f'{input_param.shape} from checkpoint, the shape in current model is '
                                  f'{param.shape}.')
                continue
            self.__dict__.setdefault('_pending_loads', []).append((name, param, input_param, assign))
        extra_key = prefix + '_extra_state'
        if getattr(type(self), 'set_extra_state', None) is not _StateDictMixin.set_extra_state:
            if extra_key in state_dict:
                self.__dict__.setdefault('_pending_extra', []).append(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        if strict:
            for key in state_dict.keys():
                if key.startswith(prefix) and key != extra_key:
                    input_name = key[len(prefix):].split('.', 1)
                    if input_name[0] not in self._modules and input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def _commit_loads(self):
        from ..parameter import is_lazy
        for name, param, input_param, assign in self.__dict__.pop('_pending_loads', ()):
            with no_grad():
                if assign:
                    if name in self._parameters:
                        new = input_param if isinstance(input_param, Parameter) else \
                            Parameter(input_param, requires_grad=param.requires_grad)
                        self._parameters[name] = new
                    else:
                        self._buffers[name] = input_param
                elif is_lazy(param):
                    param.materialize(input_param.shape, dtype=input_param.dtype)
                    param.copy_(input_param)
                else:
                    param.copy_(input_param)
        for st in self.__dict__.pop('_pending_extra', ()):
            self.set_extra_state(st)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from state_dict; with strict, keys must match exactly.

        Nothing is changed when any key is missing, unexpected or of the wrong shape.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        mods = list(self.named_modules(remove_duplicate=False))
        for prefix, m in mods:
            local_metadata = {} if metadata is None else metadata.get(prefix, {})
            m._load_from_state_dict(state_dict, prefix + '.' if prefix else '', local_metadata, True,
                                    missing_keys, unexpected_keys, error_msgs, assign)
        # keys of submodules are checked by those submodules; keep only truly unexpected ones
        all_keys = set()
        for prefix, m in mods:
            p = prefix + '.' if prefix else ''
            for k, v in itertools.chain(m._parameters.items(), m._buffers.items()):
                if v is not None and k not in m._non_persistent_buffers_set:
                    all_keys.add(p + k)
            if getattr(type(m), 'set_extra_state', None) is not _StateDictMixin.set_extra_state:
                all_keys.add(p + '_extra_state')
        unexpected_keys = [k for k in state_dict if k not in all_keys]
        missing_keys = list(dict.fromkeys(missing_keys))
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            for _, m in mods:
                m.__dict__.pop('_pending_loads', None)
                m.__dict__.pop('_pending_extra', None)
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                type(self).__name__, '\n\t'.join(error_msgs)))
        for _, m in mods:
            m._commit_loads()
        result = _IncompatibleKeys(missing_keys, unexpected_keys)
        for _, m in mods:
            for hook in m._load_state_dict_post_hooks.values():
                hook(m, result)
        return result
