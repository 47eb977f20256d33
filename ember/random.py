"""torch.random: seeding and the state of the default generator, and fork_rng."""
import contextlib

from ._ops.random import (manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
                          default_generator)

__all__ = ['manual_seed', 'seed', 'initial_seed', 'get_rng_state', 'set_rng_state', 'fork_rng',
           'default_generator']


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type=None):
    """Run the block with the default generator's state saved and restored afterwards (and CuPy's,
    when it is in use)."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    cp_state = None
    from ._backend import cupy_module
    cp = cupy_module()
    if cp is not None:
        try:
            cp_state = cp.random.get_random_state()
            import copy
            cp_state = copy.deepcopy(cp_state)
        except Exception:  # no GPU: nothing to save
            cp_state = None
    try:
        yield
    finally:
        default_generator.set_state(state)
        if cp_state is not None:
            cp.random.set_random_state(cp_state)
