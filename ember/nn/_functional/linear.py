"""linear (the fused addmm primitive) and bilinear."""
from ..._ops.linalg_core import linear
from ._utils import shape_str


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] * W[o, i, j] * x2[..., j] + b[o]."""
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, but got {weight.dim()} dimensions")
    O, I1, I2 = weight.shape
    if input1.shape[-1] != I1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
                           f"but expected {I1}")
    if input2.shape[-1] != I2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
                           f"but expected {I2}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{shape_str(input1.shape[:-1])} and {shape_str(input2.shape[:-1])}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, I1)
    x2 = input2.reshape(-1, I2)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(I1, O * I2)).reshape(-1, O, I2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (O,))


__all__ = ['linear', 'bilinear']
