"""ember.hub: torch.hub's local helpers. Loading from a hub repository downloads code and weights
from the network, which ember does not do: `load`/`list`/`help` raise, naming the API."""
import os

from ._missing import not_available

__all__ = ['load', 'list', 'help', 'get_dir', 'set_dir', 'load_state_dict_from_url',
           'download_url_to_file']

_hub_dir = [None]


def get_dir():
    """The directory torch.hub would cache into ($TORCH_HOME/hub, ~/.cache/torch/hub)."""
    if _hub_dir[0] is not None:
        return _hub_dir[0]
    home = os.path.expanduser(os.getenv('TORCH_HOME', os.path.join(
        os.getenv('XDG_CACHE_HOME', '~/.cache'), 'torch')))
    return os.path.join(home, 'hub')


def set_dir(d):
    _hub_dir[0] = os.path.expanduser(d)


_WHY = 'ember does not fetch code or weights over the network; load a local checkpoint with ' \
       'torch.load instead'


def load(repo_or_dir, model, *args, source='github', trust_repo=None, force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    raise not_available('torch.hub.load', _WHY)


def list(github, force_reload=False, skip_validation=False, trust_repo=None, verbose=True):
    raise not_available('torch.hub.list', _WHY)


def help(github, model, force_reload=False, skip_validation=False, trust_repo=None):
    raise not_available('torch.hub.help', _WHY)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    raise not_available('torch.hub.load_state_dict_from_url', _WHY)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    raise not_available('torch.hub.download_url_to_file', _WHY)
