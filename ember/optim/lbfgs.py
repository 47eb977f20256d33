"""torch.optim.LBFGS: limited-memory BFGS with an optional strong-Wolfe line search.

The algorithm runs on one flat vector of all parameters. Scalars that torch keeps as 0-d tensors
(curvatures, step sizes) are kept as NumPy scalars of the parameter dtype, so they round the same
way torch's float32 tensors do.
"""
import numpy as np

from .._backend import array_module
from .._tensor import Tensor, _wrap
from ._kernels import _real
from ._validation import _check_tensor_lr
from .optimizer import Optimizer

__all__ = ['LBFGS']


def _sc(a):
    """A host scalar of `a`'s dtype from a 0-d array or scalar (e.g. the result of a dot product)."""
    return a.dtype.type(a.item())


def _sqrt(x):
    return np.sqrt(x) if isinstance(x, np.generic) else x ** 0.5


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = _sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Line search along `d` for a step `t` meeting the strong Wolfe conditions.

    Brackets an acceptable step (growing it by cubic extrapolation), then zooms in with safeguarded
    cubic interpolation. Returns (loss, flat grad, t, number of function evaluations).
    """
    xp = array_module(d)
    d_norm = _sc(xp.abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = _sc(xp.dot(g_new, d))

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: the minimum lies further along d
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _sc(xp.dot(g_new, d))
        ls_iter += 1

    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until the strong Wolfe conditions hold
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # a point too close to the bracket's ends makes no progress: move it inside
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _sc(xp.dot(g_new, d))
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def _to_state(v, xp):
    """Array/scalar -> what torch keeps in LBFGS state (Tensors for tensors, numbers as is)."""
    if isinstance(v, np.generic):
        return _wrap(xp.asarray(v))
    if isinstance(v, list):
        return [_to_state(e, xp) for e in v]
    if v is not None and not isinstance(v, (int, float)):
        return _wrap(v)
    return v


def _from_state(v):
    if isinstance(v, Tensor):
        a = v._data
        return _sc(a) if a.ndim == 0 else a
    if isinstance(v, list):
        return [_from_state(e) for e in v]
    return v


class LBFGS(Optimizer):
    """Implements L-BFGS (torch.optim.LBFGS), after minFunc.

    ``step(closure)`` runs up to ``max_iter`` quasi-Newton iterations; ``closure`` clears the
    gradients, computes the loss, calls ``backward`` and returns the loss. All parameters form
    one group; ``line_search_fn='strong_wolfe'`` enables the line search.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]['params']
        self._numel_cache = None

    def _numel(self):
        if self._numel_cache is None:
            self._numel_cache = sum(_real(p._data).size for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self):
        views = []
        for p in self._params:
            g = p.grad
            if g is None:
                a = _real(p._data)
                views.append(array_module(a).zeros(a.size, dtype=a.dtype))
            else:
                views.append(_real(g._data).reshape(-1))
        return array_module(views[0]).concatenate(views)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            pa = _real(p._data)
            n = pa.size
            pa += update[offset:offset + n].reshape(pa.shape) * step_size
            p._bump_version()
            offset += n
        if offset != self._numel():
            raise AssertionError(f"Expected offset {offset} to equal {self._numel()}")

    def _clone_param(self):
        return [p._data.copy() for p in self._params]

    def _set_param(self, params_data):
        for p, data in zip(self._params, params_data):
            p._data[...] = data
            p._bump_version()

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; `closure` re-evaluates the model and returns the loss."""
        if len(self.param_groups) != 1:
            raise AssertionError(f"Expected exactly one param_group, but got "
                                 f"{len(self.param_groups)}")
        call = self._eval_closure
        group = self.param_groups[0]
        lr = group['lr']
        if isinstance(lr, Tensor):
            lr = float(lr)
        max_iter = group['max_iter']
        max_eval = group['max_eval']
        tolerance_grad = group['tolerance_grad']
        tolerance_change = group['tolerance_change']
        line_search_fn = group['line_search_fn']
        history_size = group['history_size']

        state = self.state[self._params[0]]
        state.setdefault('func_evals', 0)
        state.setdefault('n_iter', 0)

        orig_loss = call(closure)
        loss = float(orig_loss)
        current_evals = 1
        state['func_evals'] += 1

        flat_grad = self._gather_flat_grad()
        xp = array_module(flat_grad)
        if _sc(xp.abs(flat_grad).max()) <= tolerance_grad:
            return orig_loss

        d = _from_state(state.get('d'))
        t = _from_state(state.get('t'))
        old_dirs = _from_state(state.get('old_dirs'))
        old_stps = _from_state(state.get('old_stps'))
        ro = _from_state(state.get('ro'))
        H_diag = _from_state(state.get('H_diag'))
        prev_flat_grad = _from_state(state.get('prev_flat_grad'))
        prev_loss = state.get('prev_loss')
        al = _from_state(state.get('al'))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state['n_iter'] += 1

            # compute the search direction
            if state['n_iter'] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = _sc(xp.dot(y, s))
                if ys > 1e-10:
                    # keep the curvature pair only when it keeps the Hessian estimate positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / _sc(xp.dot(y, y))
                num_old = len(old_dirs)
                if al is None:
                    al = [None] * history_size
                # two-loop recursion: d = -H g
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = _sc(xp.dot(old_stps[i], q)) * ro[i]
                    q += old_dirs[i] * -al[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = _sc(xp.dot(old_dirs[i], r)) * ro[i]
                    r += old_stps[i] * (al[i] - be_i)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # step length: scaled on the first iteration, lr afterwards
            if state['n_iter'] == 1:
                inv = 1.0 / _sc(xp.abs(flat_grad).sum())
                t = min(1.0, inv) * lr
            else:
                t = lr

            gtd = _sc(xp.dot(flat_grad, d))
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != 'strong_wolfe':
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(lambda: call(closure), x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = _sc(xp.abs(flat_grad).max()) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # re-evaluate only when another iteration follows (no line search)
                    loss = float(call(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = _sc(xp.abs(flat_grad).max()) <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state['func_evals'] += ls_func_evals

            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if _sc(xp.abs(d * t).max()) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state['d'] = _to_state(d, xp)
        state['t'] = _to_state(t, xp)
        state['old_dirs'] = _to_state(old_dirs, xp)
        state['old_stps'] = _to_state(old_stps, xp)
        state['ro'] = _to_state(ro, xp)
        state['H_diag'] = _to_state(H_diag, xp)
        state['prev_flat_grad'] = _to_state(prev_flat_grad, xp)
        state['prev_loss'] = prev_loss
        if al is not None:
            state['al'] = _to_state(al, xp)
        return orig_loss
