"""Primitive ops, one family per file. Each file defines its Function subclasses (forward on
arrays, backward in Tensor ops), the public functions, and the Tensor methods it attaches."""
