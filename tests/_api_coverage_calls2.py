"""Rows of the keyword-call table (see _api_coverage_calls.py): shape and selection, indexing,
linear algebra, random, creation and conversion, and the nn.functional builtins."""
import numpy as np


def add_rows(C, d):
    X, Y, P, POS, V, W, I, J, M = (d[k] for k in 'X Y P POS V W I J M'.split())
    SQ, SPD, B3, B4, IDX, GI, SRC, SRC4 = (d[k] for k in 'SQ SPD B3 B4 IDX GI SRC SRC4'.split())
    r = np.random.default_rng(1)

    g = 'shape and selection'
    C(g, 'reshape(shape=)', lambda L, x: L.reshape(x, shape=(4, 3)), X)
    C(g, 'Tensor.reshape(*shape) / (shape)', lambda L, x: (x.reshape(4, 3), x.reshape((2, -1))), X)
    C(g, 'Tensor.view(*shape) / (dtype)', lambda L, x: (x.view(4, 3), x.view(-1), x.view(L.int32)), X)
    C(g, 'Tensor.view_as(other=)', lambda L, x, v: v.view_as(other=x[0]), X, V)
    C(g, 'flatten(start_dim=, end_dim=)', lambda L, b: L.flatten(b, start_dim=1, end_dim=-1), B3)
    C(g, 'unflatten(dim=, sizes=)', lambda L, x: L.unflatten(x, dim=1, sizes=(2, 2)), X)
    C(g, 'Tensor.unflatten(dim, sizes)', lambda L, x: x.unflatten(1, (2, -1)), X)
    C(g, 'squeeze(dim=)', lambda L, x: L.squeeze(x[None, :, None], dim=2), X)
    C(g, 'squeeze(dim=tuple)', lambda L, x: L.squeeze(x[None, :, None], dim=(0, 2)), X)
    C(g, 'unsqueeze(dim=)', lambda L, x: L.unsqueeze(x, dim=-1), X)
    C(g, 'Tensor.squeeze_/unsqueeze_', lambda L, x: x.clone().unsqueeze_(0).squeeze_(), X)
    C(g, 'permute(dims=)', lambda L, b: L.permute(b, dims=(2, 0, 1)), B3)
    C(g, 'Tensor.permute(*dims)', lambda L, b: b.permute(2, 0, 1), B3)
    C(g, 'transpose(dim0=, dim1=)', lambda L, b: L.transpose(b, dim0=0, dim1=2), B3)
    C(g, 'swapaxes(axis0=, axis1=)', lambda L, b: L.swapaxes(b, axis0=0, axis1=1), B3)
    C(g, 'swapdims(dim0=, dim1=)', lambda L, b: L.swapdims(b, dim0=0, dim1=1), B3)
    C(g, 'Tensor.transpose_/swapaxes_/t_',
      lambda L, x: (x.clone().transpose_(0, 1), x.clone().swapaxes_(0, 1), x.clone().t_()), X)
    C(g, 'movedim(source=, destination=)', lambda L, b: L.movedim(b, source=0, destination=-1), B3)
    C(g, 'moveaxis(source=, destination=)', lambda L, b: L.moveaxis(b, source=(0, 1), destination=(1, 0)), B3)
    C(g, 't(input=)', lambda L, x: L.t(input=x), X)
    C(g, 'Tensor.expand(*sizes) / (size=)', lambda L, x: (x.expand(2, 3, 4), x.expand(size=(2, -1, 4))), X)
    C(g, 'Tensor.expand_as(other=)', lambda L, v, b: v.expand_as(other=b), V, B3)
    C(g, 'broadcast_to(size=)', lambda L, v: L.broadcast_to(v, size=(3, 4)), V)
    C(g, 'broadcast_tensors(*tensors)', lambda L, v, x: L.broadcast_tensors(v, x), V, X)
    C(g, 'Tensor.repeat(*sizes) / (sizes)', lambda L, x: (x.repeat(2, 1), x.repeat((1, 2, 1))), X)
    C(g, 'repeat_interleave(repeats=, dim=)', lambda L, x: L.repeat_interleave(x, repeats=2, dim=0), X)
    C(g, 'repeat_interleave(tensor repeats, output_size=)',
      lambda L, x: L.repeat_interleave(x, repeats=L.tensor([1, 0, 2]), dim=0, output_size=3), X)
    C(g, 'repeat_interleave(int tensor)', lambda L: L.repeat_interleave(L.tensor([2, 1])))
    C(g, 'tile(dims=)', lambda L, x: L.tile(x, dims=(2, 1)), X)
    C(g, 'cat(tensors=, dim=)', lambda L, x, y: L.cat(tensors=[x, y], dim=1), X, Y)
    C(g, 'cat(out=)', lambda L, x, y: L.cat((x, y), 0, out=L.empty(6, 4)), X, Y)
    C(g, 'concat(dim=)', lambda L, x, y: L.concat([x, y], dim=-1), X, Y)
    C(g, 'concatenate(axis=)', lambda L, x, y: L.concatenate([x, y], axis=0), X, Y)
    C(g, 'stack(tensors=, dim=)', lambda L, x, y: L.stack(tensors=(x, y), dim=1), X, Y)
    for name in ('hstack', 'vstack', 'dstack', 'row_stack', 'column_stack'):
        C(g, f'{name}(tensors=)', lambda L, x, y, n=name: getattr(L, n)(tensors=[x, y]), X, Y)
    C(g, 'split(split_size_or_sections=, dim=)',
      lambda L, x: L.split(x, split_size_or_sections=3, dim=1), X)
    C(g, 'split(list)', lambda L, x: L.split(x, [1, 3], dim=1), X)
    C(g, 'Tensor.split(split_size=, dim=)', lambda L, x: x.split(split_size=2, dim=0), X)
    C(g, 'chunk(chunks=, dim=)', lambda L, x: L.chunk(x, chunks=2, dim=1), X)
    C(g, 'tensor_split(sections=)', lambda L, x: L.tensor_split(x, sections=3, dim=1), X)
    C(g, 'tensor_split(indices=)', lambda L, x: L.tensor_split(x, indices=[1, 3], dim=1), X)
    C(g, 'tensor_split(tensor_indices_or_sections=)',
      lambda L, x: L.tensor_split(x, tensor_indices_or_sections=L.tensor([1, 2]), dim=0), X)
    C(g, 'unbind(dim=)', lambda L, x: L.unbind(x, dim=1), X)
    C(g, 'narrow(dim=, start=, length=)', lambda L, x: L.narrow(x, dim=1, start=1, length=2), X)
    C(g, 'select(dim=, index=)', lambda L, x: L.select(x, dim=1, index=2), X)
    C(g, 'flip(dims=)', lambda L, x: L.flip(x, dims=(0, 1)), X)
    C(g, 'Tensor.flip(*dims)', lambda L, x: x.flip(0, 1), X)
    C(g, 'fliplr/flipud(input=)', lambda L, x: (L.fliplr(input=x), L.flipud(input=x)), X)
    C(g, 'roll(shifts=, dims=)', lambda L, x: L.roll(x, shifts=(1, 2), dims=(0, 1)), X)
    C(g, 'roll(no dims)', lambda L, x: L.roll(x, shifts=1), X)
    C(g, 'rot90(k=, dims=)', lambda L, x: L.rot90(x, k=3, dims=(0, 1)), X)
    C(g, 'tril(diagonal=)', lambda L, x: L.tril(x, diagonal=-1), X)
    C(g, 'triu(diagonal=, out=)', lambda L, x: L.triu(x, diagonal=1, out=L.empty(3, 4)), X)
    C(g, 'Tensor.tril_/triu_', lambda L, x: (x.clone().tril_(1), x.clone().triu_(-1)), X)
    C(g, 'diag(diagonal=)', lambda L, x, v: (L.diag(x, diagonal=1), L.diag(v, diagonal=-1)), X, V)
    C(g, 'diagonal(offset=, dim1=, dim2=)', lambda L, b: L.diagonal(b, offset=1, dim1=2, dim2=1), B3)
    C(g, 'diag_embed(offset=, dim1=, dim2=)', lambda L, x: L.diag_embed(x, offset=1, dim1=0, dim2=2), X)
    C(g, 'diagflat(offset=)', lambda L, v: L.diagflat(v, offset=-1), V)
    C(g, 'trace(input=)', lambda L, x: L.trace(input=x), X)
    C(g, 'Tensor.contiguous(memory_format=)',
      lambda L, x: x.t().contiguous(memory_format=L.contiguous_format).stride(), X)
    C(g, 'clone(memory_format=)', lambda L, x: L.clone(x.t(), memory_format=L.preserve_format).stride(), X)
    C(g, 'masked_fill(mask=, value=)', lambda L, x, m: L.masked_fill(x, mask=m, value=0.5), X, M)
    C(g, 'Tensor.masked_fill_(0-d value)', lambda L, x, m: x.clone().masked_fill_(m, L.tensor(2.0)), X, M)
    C(g, 'masked_select(mask=)', lambda L, x, m: L.masked_select(x, mask=m), X, M)
    C(g, 'masked_scatter(mask=, source=)', lambda L, x, m, y: L.masked_scatter(x, mask=m, source=y), X, M, Y)
    C(g, 'index_select(dim=, index=)', lambda L, x, i: L.index_select(x, dim=1, index=i), X, IDX)
    C(g, 'index_add(dim=, index=, source=, alpha=)',
      lambda L, x, i, s: L.index_add(x, dim=0, index=i, source=s, alpha=2), X, IDX, SRC4)
    C(g, 'Tensor.index_add_(alpha=)', lambda L, x, i, s: x.clone().index_add_(0, i, s, alpha=-1), X, IDX, SRC4)
    C(g, 'index_copy(dim=, index=, source=)',
      lambda L, x, i, s: L.index_copy(x, dim=0, index=i, source=s), X, IDX, SRC4)
    C(g, 'index_fill(dim=, index=, value=)', lambda L, x, i: L.index_fill(x, dim=1, index=i, value=-1.0), X, IDX)
    C(g, 'index_put(indices=, values=, accumulate=)',
      lambda L, x, i, s: L.index_put(x, indices=(i,), values=s, accumulate=True), X, IDX, SRC4)
    C(g, 'Tensor.index_put_', lambda L, x, i: x.clone().index_put_((i, i), L.tensor(7.0)), X, IDX)
    C(g, 'gather(dim=, index=, sparse_grad=)',
      lambda L, x, i: L.gather(x, dim=1, index=i, sparse_grad=False), X, GI)
    C(g, 'scatter(dim=, index=, src=)', lambda L, x, i, s: L.scatter(x, dim=1, index=i, src=s), X, GI, SRC)
    C(g, 'scatter(value=)', lambda L, x, i: L.scatter(x, 1, i, value=2.0), X, GI)
    C(g, "scatter(reduce='add')", lambda L, x, i, s: L.scatter(x, 1, i, s, reduce='add'), X, GI, SRC)
    C(g, 'scatter_add(dim=, index=, src=)', lambda L, x, i, s: L.scatter_add(x, dim=1, index=i, src=s), X, GI, SRC)
    C(g, 'scatter_reduce(reduce=, include_self=)',
      lambda L, x, i, s: L.scatter_reduce(x, dim=1, index=i, src=s, reduce='amax', include_self=False),
      X, GI, SRC)
    C(g, 'Tensor.scatter_reduce_', lambda L, x, i, s: x.clone().scatter_reduce_(1, i, s, 'mean'), X, GI, SRC)
    C(g, 'take(index=)', lambda L, x, i: L.take(x, index=i), X, IDX)
    C(g, 'take_along_dim(indices=, dim=)', lambda L, x, i: L.take_along_dim(x, indices=i, dim=1), X, GI)
    C(g, 'take_along_dim(no dim)', lambda L, x, i: L.take_along_dim(x, i), X, IDX)
    C(g, 'nonzero(as_tuple=)', lambda L, m: L.nonzero(m, as_tuple=True), M)
    C(g, 'nonzero(input=)', lambda L, m: L.nonzero(input=m), M)
    C(g, 'Tensor.nonzero(as_tuple=)', lambda L, m: m.nonzero(as_tuple=False), M)
    C(g, 'argwhere(input=)', lambda L, m: L.argwhere(input=m), M)
    C(g, 'meshgrid(indexing=)', lambda L, v, w: L.meshgrid(v, w[:2], indexing='ij'), V, W)
    C(g, 'meshgrid(list, indexing=xy)', lambda L, v, w: L.meshgrid([v, w[:2]], indexing='xy'), V, W)
    C(g, 'cartesian_prod', lambda L, v, w: L.cartesian_prod(v, w[:2]), V, W)
    C(g, 'combinations(r=, with_replacement=)',
      lambda L, v: L.combinations(v, r=2, with_replacement=True), V)
    C(g, 'block_diag', lambda L, x, v: L.block_diag(x, v[None]), X, V)
    C(g, 'atleast_1d/2d/3d', lambda L, v, x: (L.atleast_1d(v[0]), L.atleast_2d(v), L.atleast_3d(x)), V, X)
    C(g, 'atleast_2d(list)', lambda L, v, x: L.atleast_2d([v, x]), V, X)
    C(g, 'tril_indices(row=, col=, offset=, dtype=)',
      lambda L: L.tril_indices(row=3, col=4, offset=1, dtype=L.int32))
    C(g, 'triu_indices(offset=)', lambda L: L.triu_indices(3, 3, offset=-1))

    g = 'indexing'
    C(g, 'getitem: ints, slices with steps, None, Ellipsis',
      lambda L, b: (b[1, ::2], b[None, ..., 1:3], b[-1, 1::2, ::-1 if False else 1]), B3)
    C(g, 'getitem: mask and index lists', lambda L, x, m: (x[m], x[[0, 2], 1:], x[:, [1, 3]][[2, 0]]), X, M)
    C(g, 'getitem: advanced dims apart', lambda L, b, i: b[i, :, i], B3, np.array([1, 0]))
    C(g, 'getitem: 0-d tensor index', lambda L, x: x[L.tensor(1)], X)
    C(g, 'setitem: index list with repeats, mask, slice',
      lambda L, x, i, m: (_set(x, (i, slice(None)), 3.0), _set(x, m, 0.0), _set(x, (slice(None), 1), x[:, 2])),
      X, np.array([0, 0, 2]), M)

    g = 'linear algebra'
    A = r.standard_normal((3, 4)).astype(np.float32)
    Bm = r.standard_normal((4, 5)).astype(np.float32)
    Cm = r.standard_normal((3, 5)).astype(np.float32)
    C(g, 'matmul(input=, other=, out=)', lambda L, a, b: L.matmul(input=a, other=b, out=L.empty(3, 5)), A, Bm)
    C(g, 'matmul broadcasting', lambda L, b3, v, b4: (L.matmul(b3, v), L.matmul(v, b4), b3 @ b4), B3, V, B4)
    C(g, 'mm(mat2=)', lambda L, a, b: L.mm(a, mat2=b), A, Bm)
    C(g, 'bmm(mat2=)', lambda L, a, b: L.bmm(a, mat2=b), B3, B4)
    C(g, 'mv(vec=)', lambda L, a, v: L.mv(a, vec=v), A, V)
    C(g, 'dot(tensor=)', lambda L, v, w: L.dot(v, tensor=w), V, W)
    C(g, 'vdot(other=)', lambda L, v, w: L.vdot(v, other=w), V, W)
    C(g, 'inner(other=)', lambda L, a, b: L.inner(a, other=b), A, A)
    C(g, 'outer(vec2=)', lambda L, v, w: L.outer(v, vec2=w), V, W)
    C(g, 'ger(vec2=)', lambda L, v, w: L.ger(v, vec2=w), V, W)
    C(g, 'addmm(mat1=, mat2=, beta=, alpha=)',
      lambda L, c, a, b: L.addmm(c, mat1=a, mat2=b, beta=0.5, alpha=2), Cm, A, Bm)
    C(g, 'Tensor.addmm_(beta=, alpha=)', lambda L, c, a, b: c.clone().addmm_(a, b, beta=2, alpha=0.5), Cm, A, Bm)
    C(g, 'addmv(mat=, vec=, beta=, alpha=)',
      lambda L, c, a, v: L.addmv(c[:, 0], mat=a, vec=v, beta=0.5, alpha=2), Cm, A, V)
    C(g, 'addbmm(batch1=, batch2=, beta=, alpha=)',
      lambda L, c, a, b: L.addbmm(c[:, :5], batch1=a, batch2=b, beta=0.5, alpha=2), Cm, B3, B4)
    C(g, 'baddbmm(batch1=, batch2=, beta=, alpha=)',
      lambda L, a, b: L.baddbmm(L.ones(2, 3, 5), batch1=a, batch2=b, beta=0.5, alpha=2), B3, B4)
    C(g, 'einsum(equation, *operands)', lambda L, a, b: L.einsum('ij,jk->ik', a, b), A, Bm)
    C(g, 'einsum(equation, [operands])', lambda L, a, b: L.einsum('ij,jk', [a, b]), A, Bm)
    C(g, 'tensordot(dims=)', lambda L, a, b: (L.tensordot(a, b, dims=1), L.tensordot(a, b, dims=([1], [0]))), A, Bm)
    C(g, 'kron(other=)', lambda L, a, b: L.kron(a[:2, :2], other=b[:2, :3]), A, Bm)
    C(g, 'cross(other=, dim=)', lambda L, a, b: L.cross(a, other=b, dim=1), A[:, :3], Cm[:, :3])
    C(g, 'cdist(x1=, x2=, p=)', lambda L, a, b: L.cdist(x1=a, x2=b, p=1.0), A, Cm[:2, :4])
    S = SPD
    C(g, 'linalg.inv(A=)', lambda L, a: L.linalg.inv(A=a), S)
    C(g, 'linalg.det/slogdet', lambda L, a: (L.linalg.det(a), L.linalg.slogdet(A=a)), SQ)
    C(g, 'linalg.solve(left=)', lambda L, a, b: (L.linalg.solve(a, b, left=True), L.linalg.solve(a, b.T, left=False)), S, SQ)
    C(g, 'linalg.cholesky(upper=)', lambda L, a: L.linalg.cholesky(a, upper=True), S)
    for mode in ('reduced', 'complete', 'r'):
        C(g, f'linalg.qr(mode={mode!r})', lambda L, a, m=mode: tuple(t.abs() for t in L.linalg.qr(a, mode=m)), A.T.astype(np.float64))
    C(g, 'linalg.svd(full_matrices=)',
      lambda L, a: (lambda u, s, vh: (u.shape, s, vh.shape, (u * s) @ vh))(*L.linalg.svd(a, full_matrices=False)), A)
    C(g, 'linalg.svdvals(A=)', lambda L, a: L.linalg.svdvals(A=a), A)
    C(g, 'linalg.eigh(UPLO=)', lambda L, a: L.linalg.eigh(a, UPLO='U').eigenvalues, S)
    C(g, 'linalg.eigvalsh(UPLO=)', lambda L, a: L.linalg.eigvalsh(a, UPLO='L'), S)
    C(g, 'linalg.norm(ord=, dim=, keepdim=)',
      lambda L, a, v: (L.linalg.norm(a, ord='nuc'), L.linalg.norm(v, ord=3), L.linalg.norm(a, ord=1, dim=(0, 1), keepdim=True)), SQ, V)
    C(g, 'linalg.vector_norm(ord=, dim=, keepdim=, dtype=)',
      lambda L, a: L.linalg.vector_norm(a, ord=1, dim=1, keepdim=True, dtype=L.float64), A)
    C(g, 'linalg.matrix_norm(ord=, dim=)',
      lambda L, a: (L.linalg.matrix_norm(a, ord=2), L.linalg.matrix_norm(a, ord='fro', dim=(-2, -1))), SQ)
    C(g, 'linalg.pinv(hermitian=, atol=, rtol=)',
      lambda L, a, s: (L.linalg.pinv(a, hermitian=False), L.linalg.pinv(s, atol=0.1, rtol=None, hermitian=True)), A, S)
    C(g, 'linalg.lstsq(rcond=, driver=)',
      lambda L, a, b: L.linalg.lstsq(a, b, rcond=None, driver='gelsd').solution, A.T.astype(np.float64), Cm[:, :4].T.astype(np.float64))
    C(g, 'linalg.matrix_power(n=)', lambda L, a: (L.linalg.matrix_power(a, n=3), L.matrix_power(a, -1)), SQ)
    C(g, 'linalg.matrix_exp / matrix_exp', lambda L, a: (L.linalg.matrix_exp(a), L.matrix_exp(a)), SQ)
    C(g, 'linalg.multi_dot(tensors=)', lambda L, a, b, c: L.linalg.multi_dot(tensors=[a, b, c.T]), A, Bm, Cm)
    C(g, 'linalg.cross(other=, dim=)', lambda L, a, b: L.linalg.cross(a, other=b, dim=-1), A[:, :3], Cm[:, :3])

    g = 'random'

    def gen(L, s=0):
        return L.Generator().manual_seed(s)
    R = dict(values=False)
    C(g, 'rand(*size, generator=, dtype=)', lambda L: L.rand(2, 3, generator=gen(L), dtype=L.float64), **R)
    C(g, 'rand(size=)', lambda L: L.rand(size=(2, 3)), **R)
    C(g, 'randn(*size, generator=)', lambda L: L.randn(2, 3, generator=gen(L)), **R)
    C(g, 'randint(low=, high=, size=, generator=, dtype=)',
      lambda L: L.randint(low=1, high=4, size=(3,), generator=gen(L), dtype=L.int32), **R)
    C(g, 'randint(high, size=)', lambda L: L.randint(5, size=(2, 2)), **R)
    C(g, 'randperm(n=, generator=, dtype=)', lambda L: L.randperm(n=5, generator=gen(L), dtype=L.int32), **R)
    C(g, 'rand_like/randn_like/randint_like(dtype=)',
      lambda L, x: (L.rand_like(x, dtype=L.float64), L.randn_like(x), L.randint_like(x, low=0, high=3)), X, **R)
    C(g, 'normal(mean=tensor, std=tensor, generator=)', lambda L, m, s: L.normal(mean=m, std=s, generator=gen(L)), X, POS, **R)
    C(g, 'normal(float mean, tensor std)', lambda L, s: L.normal(mean=0.0, std=s), POS, **R)
    C(g, 'normal(tensor mean, float std)', lambda L, m: L.normal(m, std=2.0), X, **R)
    C(g, 'normal(mean, std, size=, generator=)', lambda L: L.normal(0.0, 1.0, size=(2, 3), generator=gen(L)), **R)
    C(g, 'normal(out=)', lambda L, m: L.normal(m, 1.0, out=L.empty(3, 4)), X, **R)
    C(g, 'bernoulli(generator=)', lambda L, p: L.bernoulli(p, generator=gen(L)), P, **R)
    C(g, 'bernoulli(p=)', lambda L, x: L.bernoulli(x, p=0.3), X, **R)
    C(g, 'multinomial(num_samples=, replacement=, generator=)',
      lambda L, p: L.multinomial(p, num_samples=6, replacement=True, generator=gen(L)), P, **R)
    C(g, 'multinomial(without replacement)', lambda L, p: L.multinomial(p, 3), P, **R)
    C(g, 'poisson(generator=)', lambda L, p: L.poisson(p * 3, generator=gen(L)), P, **R)
    C(g, "Tensor.uniform_(from=, to=, generator=)",
      lambda L, x: x.uniform_(**{'from': -1.0, 'to': 1.0}, generator=gen(L)), X, **R)
    C(g, 'Tensor.uniform_(a, b)', lambda L, x: x.uniform_(-2, 2), X, **R)
    C(g, 'Tensor.normal_(mean=, std=, generator=)', lambda L, x: x.normal_(mean=1, std=2, generator=gen(L)), X, **R)
    C(g, 'Tensor.bernoulli_(p=, generator=)',
      lambda L, x, p: (x.clone().bernoulli_(p=0.3, generator=gen(L)), x.clone().bernoulli_(p)), X, P, **R)
    C(g, 'Tensor.exponential_(lambd=, generator=)', lambda L, x: x.exponential_(lambd=2.0, generator=gen(L)), X, **R)
    C(g, 'Tensor.geometric_(p=, generator=)', lambda L, x: x.geometric_(p=0.3, generator=gen(L)), X, **R)
    C(g, 'Tensor.random_(from, to, generator=)',
      lambda L, x, a: (x.random_(0, 10, generator=gen(L)), a.random_(to=10), a.random_(), x.random_(**{'from': 1, 'to': 4})),
      X, I, **R)
    C(g, 'Tensor.cauchy_(median=, sigma=, generator=)', lambda L, x: x.cauchy_(median=0.0, sigma=2.0, generator=gen(L)), X, **R)
    C(g, 'Tensor.log_normal_(mean=, std=, generator=)', lambda L, x: x.log_normal_(mean=0.0, std=0.5, generator=gen(L)), X, **R)
    C(g, 'random draws in range',
      lambda L, x: (bool((x.clone().uniform_(2, 3) >= 2).all()), bool((x.clone().random_(3, 5) < 5).all()),
                    bool((L.randint(2, 4, (50,)) >= 2).all()), bool((x.clone().exponential_() >= 0).all())), X)
    C(g, 'Generator methods',
      lambda L: (isinstance(L.Generator().manual_seed(3), L.Generator), gen(L, 7).initial_seed(),
                 type(L.Generator().seed()), gen(L).get_state().dtype, L.Generator().device.type))
    C(g, 'Generator get_state/set_state reproduce',
      lambda L: (lambda gg: (lambda s: bool((L.rand(5, generator=gg) == (gg.set_state(s), L.rand(5, generator=gg))[1]).all()))(gg.get_state()))(gen(L)))
    C(g, 'random.fork_rng restores the stream', _forked)
    C(g, 'get_rng_state/set_rng_state',
      lambda L: (lambda s: bool((L.rand(4) == (L.set_rng_state(s), L.rand(4))[1]).all()))(L.get_rng_state()))
    C(g, 'random.get_rng_state/set_rng_state',
      lambda L: (lambda s: bool((L.rand(4) == (L.random.set_rng_state(s), L.rand(4))[1]).all()))(L.random.get_rng_state()))

    g = 'creation and conversion'
    C(g, 'arange(start=, end=, step=, dtype=)', lambda L: L.arange(start=0, end=5, step=0.5, dtype=L.float64))
    C(g, 'arange(end) / (start, end)', lambda L: (L.arange(5), L.arange(1, 4), L.arange(0, 1, 0.25)))
    C(g, 'linspace(start=, end=, steps=, dtype=)', lambda L: L.linspace(start=0, end=1, steps=5, dtype=L.float64))
    C(g, 'logspace(start=, end=, steps=, base=)', lambda L: L.logspace(start=0, end=2, steps=3, base=2.0))
    C(g, 'full(size=, fill_value=, dtype=)', lambda L: (L.full(size=(2, 3), fill_value=1.5, dtype=L.float64), L.full((2,), 7), L.full((1,), True)))
    C(g, 'zeros/ones(*size, dtype=) / (size=)',
      lambda L: (L.zeros(2, 3, dtype=L.int32), L.zeros(size=(2, 3)), L.ones((2, 3)), L.ones(2, dtype=L.bool)))
    C(g, 'empty(*size, dtype=)', lambda L: (L.empty(2, 3, dtype=L.float64).shape, L.empty(size=(1,)).dtype))
    C(g, 'zeros_like/ones_like/full_like/empty_like', lambda L, x: (L.zeros_like(x, dtype=L.int64), L.ones_like(input=x),
                                                                    L.full_like(x, fill_value=2), L.empty_like(x).shape), X)
    C(g, 'eye(n=, m=, dtype=)', lambda L: (L.eye(n=3, m=4, dtype=L.int64), L.eye(2)))
    C(g, 'Tensor.new_zeros/new_ones(size=, dtype=)',
      lambda L, x: (x.new_zeros(size=(2,), dtype=L.int32), x.new_zeros(2, 3), x.new_ones((1, 2))), X)
    C(g, 'Tensor.new_full(size=, fill_value=)', lambda L, x: x.new_full(size=(2,), fill_value=3), X)
    C(g, 'Tensor.new_empty(size)', lambda L, x: (x.new_empty((2,)).shape, x.new_empty(2, 3).dtype), X)
    C(g, 'Tensor.new_tensor(data=)', lambda L, x: (x.new_tensor(data=[1, 2]), x.new_tensor([1.5], dtype=L.float64)), X)
    C(g, 'Tensor.to(other) / (tensor=) / (dtype=) / (dtype)', lambda L, x, a: (x.to(a), x.to(tensor=a), x.to(dtype=L.float64), x.to(L.int32),
                                                                    x.to('cpu'), x.to(device='cpu', dtype=L.float16)), X, I)
    C(g, 'Tensor.type_as(other=)', lambda L, x, a: x.type_as(other=a), X, I)
    C(g, 'Tensor.copy_(src, non_blocking=) / (other=)', lambda L, x, y: (x.clone().copy_(y[0], non_blocking=False), x.clone().copy_(other=y)), X, Y)
    C(g, 'Tensor.is_floating_point/is_contiguous(memory_format=)',
      lambda L, x, a: (x.is_floating_point(), a.is_floating_point(), x.t().is_contiguous(),
                       x.is_contiguous(memory_format=L.contiguous_format)), X, I)
    C(g, 'Tensor.element_size/nbytes/itemsize', lambda L, x, a: (x.element_size(), a.nbytes, x.itemsize, x[:2].nbytes), X, I)
    C(g, 'Tensor.stride()/stride(dim=)', lambda L, b: (b.stride(), b.stride(dim=1), b.transpose(0, 2).stride(), b[:, ::2].stride(-2)), B3)
    C(g, 'Tensor.storage_offset()', lambda L, b: (b.storage_offset(), b[1, 2:].storage_offset(), b[:, :, 3].storage_offset()), B3)
    C(g, 'Tensor.data_ptr() of views', lambda L, b: (b[1, 1:].data_ptr() - b.data_ptr(), b.t().data_ptr() == b.data_ptr() if b.ndim == 2 else True), B3)


    g = 'Tensor method keywords'
    ROWS = [
        ('reshape(shape=)', lambda L, x: x.reshape(shape=(4, 3))),
        ('view(size=)', lambda L, x: x.view(size=(4, 3))),
        ('permute(dims=) / (list)', lambda L, x: (x.permute(dims=(1, 0)), x.permute([1, 0]))),
        ('repeat(repeats=)', lambda L, x: x.repeat(repeats=(1, 2))),
        ('flip(dims=)', lambda L, x: x.flip(dims=(0,))),
        ('tile(dims=)', lambda L, x: x.tile(dims=(1, 2))),
        ('sum_to_size(size=)', lambda L, x: x.sum_to_size(size=(1, 4))),
        ('reshape_as/expand_as/view_as(other=)',
         lambda L, x: (x.reshape_as(other=x.t()), x[0].expand_as(other=x), x.view_as(other=x))),
        ('unflatten(dim=, sizes=)', lambda L, x: x.unflatten(dim=1, sizes=(2, 2))),
        ('transpose(dim0=, dim1=)', lambda L, x: x.transpose(dim0=0, dim1=1)),
        ('chunk(chunks=)', lambda L, x: x.chunk(chunks=2)),
        ('size(dim=) / dim()', lambda L, x: (x.size(dim=0), x.size(), x.dim(), x.ndimension(), x.nelement())),
        ('movedim(source=, destination=)', lambda L, x: x.movedim(source=0, destination=1)),
        ('narrow(dim=, start=, length=)', lambda L, x: x.narrow(dim=0, start=1, length=1)),
        ('diagonal(offset=)', lambda L, x: x.diagonal(offset=1)),
        ('masked_fill(mask=, value=)', lambda L, x: x.masked_fill(mask=x > 0, value=1.0)),
        ('index_select(dim=, index=)', lambda L, x: x.index_select(dim=0, index=L.tensor([2, 0]))),
        ('numpy(force=) / tolist() / item()', lambda L, x: (x.numpy(force=True).shape, x.tolist(), x[0, 0].item())),
        ('requires_grad_(requires_grad=)', lambda L, x: x.clone().requires_grad_(requires_grad=False).requires_grad),
        ('fill_(value=) / zero_()', lambda L, x: (x.clone().fill_(value=1.0), x.clone().zero_())),
        ('float(memory_format=) / double() / long() / half() / bool()',
         lambda L, x: (x.float(memory_format=L.preserve_format), x.double(), x.long(), x.half(), x.bool())),
        ('type(dtype=) / type()', lambda L, x: (x.type(dtype=L.float64), x.type())),
        ('to(dtype=, copy=, non_blocking=)', lambda L, x: x.to(dtype=L.float64, copy=True, non_blocking=False)),
        ('softmax/log_softmax(dim=)', lambda L, x: (x.softmax(dim=0), x.log_softmax(dim=1))),
        ('detach() / detach_()', lambda L, x: (x.detach(), x.clone().detach_())),
        ('is_leaf/requires_grad/grad/grad_fn', lambda L, x: (x.is_leaf, x.requires_grad, x.grad, x.grad_fn)),
        ('dtype/shape/ndim/device.type/layout', lambda L, x: (x.dtype, tuple(x.shape), x.ndim, x.device.type, str(x.layout))),
        ('is_floating_point/is_complex/is_signed', lambda L, x: (x.is_floating_point(), x.is_complex(), x.is_signed())),
        ('apply along: cumsum(dim=) / argmax(dim=, keepdim=)',
         lambda L, x: (x.cumsum(dim=0), x.argmax(dim=0, keepdim=True))),
    ]
    for name, fn in ROWS:
        C(g, name, fn, X)

    g = 'nn.functional builtins'
    F = lambda L: L.nn.functional  # noqa: E731
    x1 = r.standard_normal((2, 4, 9)).astype(np.float32)
    x2 = r.standard_normal((2, 4, 6, 6)).astype(np.float32)
    x3 = r.standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
    w1 = r.standard_normal((6, 2, 3)).astype(np.float32)
    w2 = r.standard_normal((6, 2, 3, 3)).astype(np.float32)
    w3 = r.standard_normal((3, 2, 2, 2, 2)).astype(np.float32)
    wt1 = r.standard_normal((4, 3, 3)).astype(np.float32)
    wt2 = r.standard_normal((4, 3, 3, 3)).astype(np.float32)
    lw, lb = r.standard_normal((5, 4)).astype(np.float32), r.standard_normal(5).astype(np.float32)
    bw = r.standard_normal((5, 4, 3)).astype(np.float32)
    q, k, v = (r.standard_normal((2, 3, 5, 4)).astype(np.float32) for _ in range(3))
    C(g, 'linear(input=, weight=, bias=)', lambda L, x, w, b: F(L).linear(input=x, weight=w, bias=b), X, lw, lb)
    C(g, 'bilinear(input1=, input2=, weight=, bias=)',
      lambda L, x, y, w, b: F(L).bilinear(input1=x, input2=y[:, :3], weight=w, bias=b), X, Y, bw, lb)
    C(g, "gelu(approximate='tanh')", lambda L, x: F(L).gelu(x, approximate='tanh'), X)
    C(g, 'softplus(beta=, threshold=)', lambda L, x: F(L).softplus(x, beta=2, threshold=1), X)
    C(g, 'logsigmoid(input)', lambda L, x: F(L).logsigmoid(x), X)
    C(g, 'prelu(weight=)', lambda L, x: F(L).prelu(x, weight=L.tensor([0.25])), X)
    C(g, 'conv1d(stride=, padding=same, dilation=, groups=)',
      lambda L, x, w: F(L).conv1d(x, w, bias=None, stride=1, padding='same', dilation=2, groups=2), x1, w1)
    C(g, 'conv2d(stride=, padding=valid, groups=)',
      lambda L, x, w: F(L).conv2d(input=x, weight=w, stride=(2, 1), padding='valid', groups=2), x2, w2)
    C(g, 'conv3d(padding=, dilation=)', lambda L, x, w: F(L).conv3d(x, w, padding=1, dilation=(1, 2, 1)), x3, w3, tol=1e-4)
    C(g, 'conv_transpose1d(stride=, padding=, output_padding=, groups=, dilation=)',
      lambda L, x, w: F(L).conv_transpose1d(x, w, bias=None, stride=2, padding=1, output_padding=1, groups=1, dilation=1), x1, wt1)
    C(g, 'conv_transpose2d(stride=, output_padding=)',
      lambda L, x, w: F(L).conv_transpose2d(x, w, stride=2, output_padding=1), x2, wt2, tol=1e-4)
    C(g, 'max_pool1d(kernel_size=, ceil_mode=, return_indices=)',
      lambda L, x: F(L).max_pool1d(x, kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=True, return_indices=True), x1)
    C(g, 'max_pool2d(dilation=, padding=)', lambda L, x: F(L).max_pool2d(x, kernel_size=2, stride=1, padding=1, dilation=2), x2)
    C(g, 'avg_pool1d(count_include_pad=, ceil_mode=)',
      lambda L, x: F(L).avg_pool1d(x, kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), x1)
    C(g, 'avg_pool2d(divisor_override=)', lambda L, x: F(L).avg_pool2d(x, kernel_size=2, divisor_override=3), x2)
    C(g, 'adaptive_avg_pool1d(output_size=)', lambda L, x: F(L).adaptive_avg_pool1d(x, output_size=4), x1)
    C(g, 'adaptive_max_pool1d/2d(return_indices=)',
      lambda L, x, y: (F(L).adaptive_max_pool1d(x, output_size=4, return_indices=True),
                       F(L).adaptive_max_pool2d(y, output_size=(3, 2), return_indices=True)), x1, x2)
    C(g, 'one_hot(num_classes=)', lambda L, j: F(L).one_hot(j, num_classes=5), J)
    C(g, 'pixel_shuffle(upscale_factor=)/pixel_unshuffle(downscale_factor=)',
      lambda L, x: (F(L).pixel_shuffle(x, upscale_factor=2), F(L).pixel_unshuffle(x, downscale_factor=2)), x2)
    C(g, 'scaled_dot_product_attention(attn_mask=, dropout_p=, is_causal=, scale=)',
      lambda L, q, k, v: (F(L).scaled_dot_product_attention(query=q, key=k, value=v, attn_mask=None, dropout_p=0.0, is_causal=True, scale=0.5),
                          F(L).scaled_dot_product_attention(q, k, v, attn_mask=L.ones(5, 5, dtype=L.bool).tril())), q, k, v)
    C(g, 'cosine_similarity(x1=, x2=, dim=, eps=)', lambda L, x, y: F(L).cosine_similarity(x1=x, x2=y, dim=0, eps=1e-6), X, Y)
    C(g, 'pairwise_distance(p=, eps=, keepdim=)',
      lambda L, x, y: F(L).pairwise_distance(x1=x, x2=y, p=1.0, eps=1e-6, keepdim=True), X, Y)
    C(g, 'pdist(p=)', lambda L, x: F(L).pdist(input=x, p=3), X)
    C(g, 'max_pool1d/2d as torch.* and adaptive_avg_pool1d', lambda L, x: (L.max_pool1d(x, 2), L.adaptive_avg_pool1d(x, 3)), x1)

def _forked(L):
    """A draw inside fork_rng leaves the default stream as it was: the next draw repeats it."""
    L.manual_seed(5)
    with L.random.fork_rng():
        a = L.rand(3)
    return bool((a == L.rand(3)).all())


def _set(x, key, value):
    y = x.clone()
    y[key] = value
    return y
