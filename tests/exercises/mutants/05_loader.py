# Typical wrong answers to lesson 5, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% batchify: view(-1, bs): consecutive tokens side by side in a row
def batchify(ids, bs):
    n_rows = len(ids) // bs
    return ids[: n_rows * bs].view(-1, bs)

# %% batchify: no transpose: one row per stretch ([bs, n_rows])
def batchify(ids, bs):
    n_rows = len(ids) // bs
    return ids[: n_rows * bs].view(bs, n_rows)

# %% batchify: the remainder kept at the start, the first tokens dropped
def batchify(ids, bs):
    n_rows = len(ids) // bs
    return ids[len(ids) - n_rows * bs :].view(bs, n_rows).t().contiguous()

# %% batchify: floats instead of ids
def batchify(ids, bs):
    n_rows = len(ids) // bs
    return ids[: n_rows * bs].view(bs, n_rows).t().float()

# %% get_batch: targets not shifted by one (y is x)
def get_batch(data, i, seq_len):
    seq_len = min(seq_len, len(data) - 1 - i)
    return data[i : i + seq_len], data[i : i + seq_len]

# %% get_batch: seq_len not cut at the end (y shorter than x there)
def get_batch(data, i, seq_len):
    return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]

# %% get_batch: cut one row too late (min with len(data) - i)
def get_batch(data, i, seq_len):
    seq_len = min(seq_len, len(data) - i)
    return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]

# %% get_batch: a list instead of a tuple
def get_batch(data, i, seq_len):
    seq_len = min(seq_len, len(data) - 1 - i)
    return [data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]]

# %% draw_seq_lens: bptt / 2 95% of the time (the comparison reversed)
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) >= 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% draw_seq_lens: the last batch not cut (the lengths add up to more than n)
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(seq_len)
        i += seq_lens[-1]
    return seq_lens

# %% draw_seq_lens: the first batch drawn like the others, not bptt + 25
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
        seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% draw_seq_lens: no floor of 5
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            seq_len = max(1, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% draw_seq_lens: the first batch drawn too (no bptt + 25), the normal before the uniform
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        z = float(torch.normal(0.0, 5.0, (), generator=generator))
        b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
        seq_len = max(5, int(b + z))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% test_get_batch: a test that asserts nothing
def test_get_batch(get_batch):
    get_batch(torch.arange(30).view(3, 10).t(), 0, 4)

# %% test_get_batch: a test that fails on the correct get_batch (expects padding at the end)
def test_get_batch(get_batch):
    x, y = get_batch(torch.arange(30).view(3, 10).t(), 8, 5)
    assert x.shape == (5, 3)

# %% test_get_batch: a test of the start of the data only
def test_get_batch(get_batch):
    data = torch.arange(30).view(3, 10).t()
    x, y = get_batch(data, 0, 4)
    assert torch.equal(y - x, torch.ones_like(x))

# %% draw_seq_lens: torch's global generator instead of the one given
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand(()) < 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 5.0, ())))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% draw_seq_lens: a standard deviation of 2 instead of 5
def draw_seq_lens(n, bptt, generator):
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 2.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens

# %% predicted_batches: the rows forgotten (n / bptt)
predicted_batches = 100_000 / 70

# %% predicted_batches: fastai 0.7's estimate, n // bptt rows
predicted_batches = 10_000 // 70

# %% predicted_batches: one batch per row
predicted_batches = 9_999
