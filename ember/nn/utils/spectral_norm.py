"""The classic spectral normalisation hook (torch.nn.utils.spectral_norm): weight = W / sigma(W),
sigma estimated by power iteration on buffers `<name>_u`, `<name>_v` (updated in training mode)."""
from ..._backend import array_module
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, UninitializedParameter

__all__ = ['SpectralNorm', 'spectral_norm', 'remove_spectral_norm']


def normalize_into(out, vec, eps):
    """out[...] = vec / max(||vec||, eps), in place on out's array (a buffer keeps its identity)."""
    xp = array_module(vec)
    n = xp.sqrt((vec * vec).sum())
    out._data[...] = vec / max(float(n), eps)
    out._bump_version()
    return out


def random_unit(n, like, eps, generator=None):
    """A normalised N(0, 1) vector of length n, dtype and device of `like`."""
    from ... import empty
    t = empty(n, dtype=like.dtype, device=like.device)
    t.normal_(0, 1, generator=generator)
    return normalize_into(t, t._data.copy(), eps)


def matrix_view(weight, dim):
    """The weight as a matrix with dimension `dim` first and all others flattened."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.shape[0], -1)


class SpectralNorm:
    """The forward pre-hook that sets `module.<name>` = `<name>_orig` / sigma."""

    _version = 1

    def __init__(self, name='weight', n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        return matrix_view(weight, self.dim)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + '_orig')
        u = getattr(module, self.name + '_u')
        v = getattr(module, self.name + '_v')
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            m = mat._data
            for _ in range(self.n_power_iterations):
                normalize_into(v, m.T @ u._data, self.eps)
                normalize_into(u, m @ v._data, self.eps)
            u, v = u.clone(), v.clone()
        from ... import dot, mv
        sigma = dot(u, mv(mat, v))
        return weight / sigma

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + '_u')
        delattr(module, self.name + '_v')
        delattr(module, self.name + '_orig')
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter "
                                   f"{name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `SpectralNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying spectral "
                             "normalization")
        with no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).shape
            u = random_unit(h, weight, fn.eps)
            v = random_unit(w, weight, fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + '_orig', weight)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + '_u', u)
        module.register_buffer(fn.name + '_v', v)
        module.register_forward_pre_hook(fn)
        return fn


def _default_dim(module):
    from .. import modules
    transposed = tuple(getattr(modules, n) for n in ('ConvTranspose1d', 'ConvTranspose2d',
                                                     'ConvTranspose3d') if hasattr(modules, n))
    return 1 if transposed and isinstance(module, transposed) else 0


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Divide `module.<name>` by its spectral norm, estimated by power iteration."""
    if dim is None:
        dim = _default_dim(module)
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name='weight'):
    """Fold the spectral normalisation back into a plain parameter."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    return module
