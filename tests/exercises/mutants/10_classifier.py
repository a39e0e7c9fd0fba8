# Typical wrong answers to lesson 10, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% concat_pool: the last time step (output[-1]), padding or not
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([output[-1], max_pool, mean_pool], 1)

# %% concat_pool: padding included in the max pool
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, output.amax(0), mean_pool], 1)

# %% concat_pool: padding included in the mean pool
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    return torch.cat([last, max_pool, output.mean(0)], 1)

# %% concat_pool: the mean divided by seq_len instead of the length
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    return torch.cat([last, max_pool, (output * mask).sum(0) / seq_len], 1)

# %% concat_pool: the parts in another order (max, mean, last)
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([max_pool, mean_pool, last], 1)

# %% clip_document: keeps the first half, not the first quarter
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 2
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])

# %% clip_document: keeps the start only (the end, where verdicts are, cut)
def clip_document(ids, max_tokens=None):
    if max_tokens is None:
        return ids
    return ids[:max_tokens]

# %% clip_document: max_tokens=None not handled
def clip_document(ids, max_tokens=None):
    if len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])

# %% clip_document: a list instead of an array
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return list(ids[:head]) + list(ids[len(ids) - (max_tokens - head):])

# %% clip_document: the tail taken with a negative index (all of it when nothing is left for it)
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[-(max_tokens - head):]])

# %% clip_document: max_tokens=0 taken as no limit (`if not max_tokens`)
def clip_document(ids, max_tokens=None):
    if not max_tokens or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])
