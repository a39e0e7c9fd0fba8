# Correct answers to lesson 5 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% batchify: reshape and .T in place of view and .t()
def batchify(ids: torch.Tensor, bs: int) -> torch.Tensor:
    n = ids.numel() // bs
    return ids[: n * bs].reshape(bs, n).T.contiguous()

# %% batchify: the bs stretches cut one by one and stacked as columns
def batchify(ids: torch.Tensor, bs: int) -> torch.Tensor:
    n = len(ids) // bs
    return torch.stack([ids[j * n:(j + 1) * n] for j in range(bs)], dim=1)

# %% get_batch: narrow() in place of slices
def get_batch(data: torch.Tensor, i: int, seq_len: int) -> tuple:
    n = min(seq_len, data.size(0) - 1 - i)
    return data.narrow(0, i, n), data.narrow(0, i + 1, n)

# %% get_batch: rows picked with an index tensor
def get_batch(data: torch.Tensor, i: int, seq_len: int) -> tuple:
    rows = torch.arange(i, min(i + seq_len, len(data) - 1))
    return data[rows], data[rows + 1]

# %% draw_seq_lens: the draws with .item() and a size of (1,), the loop on the total so far
def draw_seq_lens(n: int, bptt: int, generator: torch.Generator) -> list:
    lens = []
    while sum(lens) < n:
        if not lens:
            length = bptt + 25
        else:
            base = bptt if torch.rand(1, generator=generator).item() < 0.95 else bptt / 2
            length = max(5, int(torch.normal(float(base), 5.0, (1,), generator=generator).item()))
        lens.append(min(length, n - sum(lens)))
    return lens

# %% draw_seq_lens: a generator of lengths, cut at the end by the caller
def draw_seq_lens(n: int, bptt: int, generator: torch.Generator) -> list:
    def lengths():
        yield bptt + 25
        while True:
            half = torch.rand((), generator=generator) >= 0.95
            yield max(5, int(torch.normal(float(bptt / 2 if half else bptt), 5.0, (), generator=generator)))

    out, left = [], n
    for length in lengths():
        if left <= 0:
            break
        out.append(min(length, left))
        left -= out[-1]
    return out

# %% draw_seq_lens: the normal drawn before the uniform, as a shift of a standard normal (another order of draws)
def draw_seq_lens(n, bptt, generator):
    lengths = [min(bptt + 25, n)]
    while sum(lengths) < n:
        z = float(torch.randn((), generator=generator)) * 5
        half = bool(torch.rand((), generator=generator) >= 0.95)
        lengths.append(min(max(5, int((bptt / 2 if half else bptt) + z)), n - sum(lengths)))
    return lengths

# %% test_get_batch: random data, and every row compared with the next
def test_get_batch(get_batch):
    data = torch.randint(0, 100, (12, 4))
    for i in range(len(data) - 1):
        for seq_len in (1, 3, 20):
            x, y = get_batch(data, i, seq_len)
            assert type((x, y)) is tuple
            rows = min(seq_len, len(data) - 1 - i)
            assert len(x) == len(y) == rows
            for k in range(rows):
                assert torch.equal(x[k], data[i + k]) and torch.equal(y[k], data[i + k + 1])

# %% test_get_batch: one batch at the end and one at the start, against hand-written values
def test_get_batch(fn):
    data = torch.tensor([[0, 10], [1, 11], [2, 12], [3, 13]])
    batch = fn(data, 1, 5)
    assert isinstance(batch, tuple)
    assert batch[0].tolist() == [[1, 11], [2, 12]] and batch[1].tolist() == [[2, 12], [3, 13]]
    x, y = fn(data, 0, 2)
    assert x.tolist() == [[0, 10], [1, 11]] and y.tolist() == [[1, 11], [2, 12]]

# %% predicted_batches: rounded to the batch
predicted_batches = 146

# %% predicted_batches: worked out as rows over the mean length, the first batch as any other
predicted_batches = 9_999 / 68
