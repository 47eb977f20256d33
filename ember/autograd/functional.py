"""Higher-level autograd: vjp, jvp, jacobian, hessian, vhp, hvp (torch.autograd.functional).

All are built on reverse mode (`autograd.grad`); jvp uses the double-backward trick (the vjp is
linear in its vector, so differentiating it w.r.t. that vector gives J v). `vectorize` is
accepted: the rows are computed one by one either way, with the same results.
"""
from .grad_mode import enable_grad
from . import grad as _autograd_grad

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


def _as_tuple(inp, arg_name, fn_name):
    is_tuple = True
    if not isinstance(inp, tuple):
        inp = (inp,)
        is_tuple = False
    for i, el in enumerate(inp):
        if not _is_tensor(el):
            if is_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                                f"of Tensors but the value at index {i} has type {type(el)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                            f"Tensors but the given {arg_name} has type {type(el)}.")
    return is_tuple, inp


def _tuple_postprocess(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph, need_graph):
    res = []
    for inp in inputs:
        if create_graph and inp._requires_grad:
            res.append(inp.view_as(inp))  # keep the link to the caller's graph
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs, create_graph):
    if _is_tensor(inputs[0]):
        return tuple(inp if create_graph or inp is None else inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.shape} but got "
                               f"{el_v.shape}.")


def _check_requires_grad(inputs, input_type, strict):
    if not strict:
        return
    if input_type not in ("outputs", "grad_inputs", "jacobian", "hessian"):
        raise RuntimeError("Invalid input_type to _check_requires_grad")
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if not inp._requires_grad:
            if input_type == "hessian":
                raise RuntimeError(f"The hessian of the user-provided function with respect to input "
                                   f"{i} is independent of the input. This is not allowed in strict "
                                   "mode. You should ensure that your function is thrice "
                                   "differentiable and that the hessian depends on the inputs.")
            if input_type == "jacobian":
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the "
                                   f"user-provided function with respect to input {i} is independent "
                                   "of the input. This is not allowed in strict mode. You should "
                                   "ensure that your function is twice differentiable and that the "
                                   "jacobian depends on the inputs (this would be violated by a "
                                   "linear function for example).")
            if input_type == "grad_inputs":
                raise RuntimeError(f"The gradient with respect to input {i} is independent of the "
                                   "inputs of the user-provided function. This is not allowed in "
                                   "strict mode.")
            raise RuntimeError(f"Output {i} of the user-provided function does not require "
                               "gradients. The outputs must be computed in a differentiable manner "
                               "from the input when running in strict mode.")


def _autograd_grad_list(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; None where an input is unused."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    new_out, new_go = [], []
    for out, go in zip(outputs, grad_outputs):
        if out is not None and out._requires_grad:
            new_out.append(out)
            new_go.append(go)
    if not new_out:
        return (None,) * len(inputs)
    return _autograd_grad(new_out, inputs, new_go, allow_unused=True, create_graph=create_graph,
                          retain_graph=retain_graph)


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    from .._ops.creation import zeros_like
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(f"The output of the user-provided function is independent of "
                                       f"input {i}. This is not allowed in strict mode.")
                if stage == "back_trick":
                    raise RuntimeError(f"The gradient with respect to the input is independent of "
                                       f"entry {i} in the grad_outputs when using the double backward "
                                       "trick to compute forward mode gradients. This is not allowed "
                                       "in strict mode.")
                if stage == "double_back":
                    raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                                       f"input {i}. This is not allowed in strict mode.")
                raise RuntimeError(f"The hessian of the user-provided function is independent of "
                                   f"entry {i} in the grad_jacobian. This is not allowed in strict "
                                   "mode as it prevents from using the double backward trick to "
                                   "replace forward mode AD.")
            g = zeros_like(refs[i])
        res.append(g)
    return tuple(res)


def _outputs_tuple(outputs, fn_name):
    is_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn_name)
    return is_tuple, outputs


def _call_func(func, inputs, strict, fn_name):
    """func(*inputs) as (is_tuple, tuple of outputs), checked for requires_grad in strict mode."""
    is_outputs_tuple, outputs = _outputs_tuple(func(*inputs), fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_outputs_tuple, outputs


def _prepare_v(v, refs, is_refs_tuple, create_graph, fn_name):
    """The user's v as a tuple of tensors outside the graph, checked against the shapes of refs."""
    _, v = _as_tuple(v, "v", fn_name)
    v = _grad_preprocess(v, create_graph, False)
    _validate_v(v, refs, is_refs_tuple)
    return v


def _prepare_inputs_and_v(inputs, v, create_graph, fn_name):
    """Inputs made differentiable, plus v shaped like them (jvp, vhp, hvp); v may be None only
    for a single one-element input."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _grad_preprocess(inputs, create_graph, True)
    if v is not None:
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, fn_name)
    elif len(inputs) != 1 or inputs[0].nelement() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    return is_inputs_tuple, inputs, v


def _check_scalar_output(outputs, is_outputs_tuple, fn_name):
    if is_outputs_tuple or not _is_tensor(outputs[0]):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a "
                           "single element")


def _results(outputs, is_outputs_tuple, res, is_res_tuple, create_graph):
    """(outputs, res) detached unless create_graph, each unpacked as the user passed it."""
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(res, is_res_tuple)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product of `func` at `inputs`."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph, True)
        is_outputs_tuple, outputs = _call_func(func, inputs, strict, "vjp")
        if v is not None:
            v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp")
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        grad_res = _autograd_grad_list(outputs, inputs, v, create_graph=create_graph)
        vjp_ = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    return _results(outputs, is_outputs_tuple, vjp_, is_inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    from .._ops.creation import zeros_like
    with enable_grad():
        is_inputs_tuple, inputs, v = _prepare_inputs_and_v(inputs, v, create_graph, "jvp")
        is_outputs_tuple, outputs = _call_func(func, inputs, strict, "jvp")
        # the vjp is linear in grad_outputs: differentiate it w.r.t. them to get J v
        grad_outputs = tuple(zeros_like(out).requires_grad_(True) for out in outputs)
        grad_inputs = _autograd_grad_list(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
        grad_res = _autograd_grad_list(grad_inputs, grad_outputs, v, create_graph=create_graph)
        jvp_ = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    return _results(outputs, is_outputs_tuple, jvp_, is_outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: for output i and input j, a tensor of shape
    out_i.shape + in_j.shape (nested tuples follow the tuple-ness of outputs and inputs)."""
    from .._ops.creation import zeros_like, zeros
    from .._ops.selection import stack
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: '
                             'If your function has more outputs than inputs, "forward-mode" tends to '
                             'be more performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` and "
                                      "`strategy=\"forward-mode\"` are not supported together (yet). "
                                      "Please either set `create_graph=False` or `strategy=\"reverse-"
                                      "mode\"`.")
        if not vectorize:
            raise NotImplementedError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` "
                                      "requires `vectorize=True`")
        return _jacobian_forward(func, inputs, strict)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph, True)
        is_outputs_tuple, outputs = _call_func(func, inputs, strict, "jacobian")
        jacobian_ = []
        for i, out in enumerate(outputs):
            jac_i = [[] for _ in inputs]
            flat = out.reshape(-1)
            n = flat.numel()
            for j in range(n):
                if out._requires_grad:
                    vj = _autograd_grad_list((flat[j],), inputs, retain_graph=True,
                                             create_graph=create_graph)
                else:
                    vj = (None,) * len(inputs)
                for el_idx, (jac_el, vj_el, inp_el) in enumerate(zip(jac_i, vj, inputs)):
                    if vj_el is not None:
                        if strict and create_graph and not vj_el._requires_grad:
                            raise RuntimeError("The jacobian of the user-provided function is "
                                               f"independent of input {i}. This is not allowed in "
                                               "strict mode when create_graph=True.")
                        jac_el.append(vj_el)
                    else:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {el_idx}. This is not allowed in "
                                               "strict mode.")
                        jac_el.append(zeros_like(inp_el))
            jacobian_.append(tuple(
                (stack(jac_el, 0) if jac_el else zeros((0,) + tuple(inputs[j].shape),
                                                       dtype=inputs[j].dtype))
                .view(tuple(out.shape) + tuple(inputs[j].shape))
                for j, jac_el in enumerate(jac_i)))
        jacobian_ = _grad_postprocess(tuple(jacobian_), create_graph)
        return _tuple_postprocess(jacobian_, (is_outputs_tuple, is_inputs_tuple))


def _jacobian_forward(func, inputs, strict):
    """Columns of the Jacobian from one jvp per input element."""
    from .._ops.creation import zeros_like
    from .._ops.selection import stack
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        outputs = func(*[i.detach() for i in inputs])
    is_outputs_tuple, outputs = _outputs_tuple(outputs, "jacobian")
    cols = [[[] for _ in inputs] for _ in outputs]
    for j, inp in enumerate(inputs):
        for e in range(inp.numel()):
            v = [zeros_like(x) for x in inputs]
            v[j].view(-1)[e] = 1
            _, jv = jvp(func, tuple(inputs), tuple(v), strict=strict)
            jv = jv if is_outputs_tuple else (jv,)
            for i in range(len(outputs)):
                cols[i][j].append(jv[i])
    res = []
    for i, out in enumerate(outputs):
        row = []
        for j, inp in enumerate(inputs):
            c = stack(cols[i][j], -1) if cols[i][j] else zeros_like(out).unsqueeze(-1)[..., :0]
            row.append(c.reshape(tuple(out.shape) + tuple(inp.shape)))
        res.append(row)
    # lists, not tuples, as torch's forward-mode jacobian returns
    return _tuple_postprocess(res, (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of the scalar function `func` at `inputs` (a tensor, or a tuple of tuples
    [i][j] of shape in_i.shape + in_j.shape for tuple inputs)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        _check_scalar_output(t_out, is_out_tuple, "hessian")
        return out.squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    with enable_grad():
        is_inputs_tuple, inputs, v = _prepare_inputs_and_v(inputs, v, create_graph, "vhp")
        is_outputs_tuple, outputs = _call_func(func, inputs, strict, "vhp")
        _check_scalar_output(outputs, is_outputs_tuple, "vhp")
        jac = _autograd_grad_list(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        grad_res = _autograd_grad_list(jac, inputs, v, create_graph=create_graph)
        vhp_ = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    return _results(outputs, is_outputs_tuple, vhp_, is_inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function, by the double-backward trick."""
    from .._ops.creation import zeros_like
    with enable_grad():
        is_inputs_tuple, inputs, v = _prepare_inputs_and_v(inputs, v, create_graph, "hvp")
        is_outputs_tuple, outputs = _call_func(func, inputs, strict, "hvp")
        _check_scalar_output(outputs, is_outputs_tuple, "hvp")
        jac = _autograd_grad_list(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        grad_jac = tuple(zeros_like(inp).requires_grad_(True) for inp in inputs)
        double_back = _autograd_grad_list(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
        grad_res = _autograd_grad_list(double_back, grad_jac, v, create_graph=create_graph)
        hvp_ = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
    return _results(outputs, is_outputs_tuple, hvp_, is_inputs_tuple, create_graph)
