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
