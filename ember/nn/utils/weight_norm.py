"""The classic weight normalisation hook (torch.nn.utils.weight_norm, deprecated in torch in favour
of parametrizations.weight_norm): weight = g * v / ||v||, recomputed before every forward."""
import warnings

from ..parameter import Parameter, UninitializedParameter

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm', 'norm_except_dim', 'weight_norm_fn']


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm of v over every dimension but `dim` (kept as size-1 dims); dim=-1: all of v."""
    if dim == -1:
        return (v.abs() ** pow).sum() ** (1.0 / pow) if pow != 2 else (v * v).sum().sqrt()
    d = dim % v.ndim
    dims = tuple(i for i in range(v.ndim) if i != d)
    if not dims:
        return v.abs() if pow != 2 else (v * v).sqrt()
    if pow == 2:
        return (v * v).sum(dims, keepdim=True).sqrt()
    return (v.abs() ** pow).sum(dims, keepdim=True) ** (1.0 / pow)


def weight_norm_fn(v, g, dim=0):
    """v * (g / ||v||), the norm taken over every dimension but `dim` (torch._weight_norm)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes `module.<name>` from `<name>_g` and `<name>_v`."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return weight_norm_fn(getattr(module, self.name + '_v'), getattr(module, self.name + '_g'),
                              self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized parameters. "
                             "Make sure to run the dummy forward before applying weight normalization")
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + '_v', Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    """Replace `module.<name>` by g * v / ||v|| with parameters `<name>_g` and `<name>_v`."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Fold the weight normalisation back into a plain parameter."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
