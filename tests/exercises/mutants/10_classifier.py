# Typical wrong answers to lesson 10, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% concat_pool: the last time step (output[-1]), padding or not
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([output[-1], max_pool, mean_pool], 1)

# %% concat_pool: padding included in the max pool
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, output.amax(0), mean_pool], 1)

# %% concat_pool: padding included in the mean pool
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    return torch.cat([last, max_pool, output.mean(0)], 1)

# %% concat_pool: the mean divided by seq_len instead of the length
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    return torch.cat([last, max_pool, (output * mask).sum(0) / seq_len], 1)

# %% concat_pool: the parts in another order (max, mean, last)
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([max_pool, mean_pool, last], 1)

# %% concat_pool: the padding filled with 0 for the max (wrong where every real state is negative)
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, (output * mask).amax(0), mean_pool], 1)

# %% concat_pool: the padding set to -inf in place, in output itself
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    max_pool = output.masked_fill_(~mask, float("-inf")).amax(0)
    return torch.cat([last, max_pool, mean_pool], 1)

# %% concat_pool: the positions made on the CPU (fails on a GPU)
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, max_pool, mean_pool], 1)

# %% concat_pool: the pooling detached from the graph (no gradient to the encoder)
def concat_pool(output, lengths):
    output = output.detach()
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, max_pool, mean_pool], 1)

# %% concat_pool: the summary made float32 whatever output's dtype
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, max_pool, mean_pool], 1).float()

# %% concat_pool: the last state one position too far (output[lengths])
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[(lengths).clamp(max=seq_len - 1), torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, max_pool, mean_pool], 1)

# %% concat_pool: the mean over the real tokens made with a cumulative sum, off by one (one token too many)
def concat_pool(output, lengths):
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len, device=output.device).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs, device=output.device)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    upto = torch.cat([output, output[-1:]]).cumsum(0)[lengths, torch.arange(bs, device=output.device)]
    return torch.cat([last, max_pool, upto / lengths.unsqueeze(1)], 1)

# %% clip_document: released as given: keeps the start only (the end, where verdicts are, cut)
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    return ids[:max_tokens]

# %% clip_document: keeps the first half, not the first quarter
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 2
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])

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

# %% clip_document: the head rounded up (a quarter of the budget, plus one)
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = -(-max_tokens // 4)
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])

# %% clip_document: the clip written into ids, in place
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    ids[head:max_tokens] = ids[len(ids) - (max_tokens - head):]
    return ids[:max_tokens]

# %% clip_document: the ids made int64 (the dtype lost)
def clip_document(ids, max_tokens=None):
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]]).astype(np.int64)

# %% test_clip_document: a test that asserts nothing
def test_clip_document(clip_document):
    clip_document(np.arange(20, dtype=np.int32), 8)

# %% test_clip_document: a test that fails on the correct clip_document (expects the first half kept)
def test_clip_document(clip_document):
    assert clip_document(np.arange(20, dtype=np.int32), 8).tolist() == [0, 1, 2, 3, 16, 17, 18, 19]

# %% test_clip_document: only the example, no edge cases, no types
def test_clip_document(clip_document):
    assert list(clip_document(np.arange(20, dtype=np.int32), 8)) == [0, 1, 14, 15, 16, 17, 18, 19]

# %% test_clip_document: lengths only
def test_clip_document(clip_document):
    ids = np.arange(20, dtype=np.int32)
    for max_tokens in (0, 1, 3, 8, 20):
        assert len(clip_document(ids, max_tokens)) == max_tokens

# %% kept_positions: the window alone (max_len)
kept_positions = 1400

# %% kept_positions: the whole review
kept_positions = 2000

# %% kept_positions: the chunks counted from the end (a whole number of chunks of 70)
kept_positions = -(-1400 // 70) * 70

# %% kept_positions: the window's start rounded up to a chunk
kept_positions = 2000 - -(-600 // 70) * 70

# %% kept_positions: the dropped positions, not the kept ones
kept_positions = 560

# %% length_batches: batches cut at random (padding not reduced)
def length_batches(lengths, bs, seed):
    order = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(seed)).tolist()
    return [order[i : i + bs] for i in range(0, len(order), bs)]

# %% length_batches: sorted and cut in order: the same batches every epoch, in order of length
def length_batches(lengths, bs, seed):
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + bs] for i in range(0, len(order), bs)]

# %% length_batches: sorted and cut, the batches shuffled: the same batches every epoch
def length_batches(lengths, bs, seed):
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    return [batches[k] for k in torch.randperm(len(batches), generator=torch.Generator().manual_seed(seed))]

# %% length_batches: the lengths sorted in place (the caller's list changed)
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    order = sorted(torch.randperm(len(lengths), generator=g).tolist(), key=lambda i: lengths[i])
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    lengths.sort()
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]

# %% length_batches: torch's global generator, not one seeded with seed
def length_batches(lengths, bs, seed):
    shuffled = torch.randperm(len(lengths)).tolist()
    batches = []
    for start in range(0, len(shuffled), 50 * bs):
        chunk = sorted(shuffled[start : start + 50 * bs], key=lambda i: lengths[i])
        batches += [chunk[i : i + bs] for i in range(0, len(chunk), bs)]
    return [batches[k] for k in torch.randperm(len(batches)).tolist()]

# %% length_batches: the last short batch dropped
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    order = sorted(torch.randperm(len(lengths), generator=g).tolist(), key=lambda i: lengths[i])
    batches = [order[i : i + bs] for i in range(0, len(order) - bs + 1, bs)]
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]

# %% length_batches: chunks of 4 batches sorted (too little sorting: too much padding)
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    shuffled = torch.randperm(len(lengths), generator=g).tolist()
    batches = []
    for start in range(0, len(shuffled), 4 * bs):
        chunk = sorted(shuffled[start : start + 4 * bs], key=lambda i: lengths[i])
        batches += [chunk[i : i + bs] for i in range(0, len(chunk), bs)]
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]

# %% length_batches: a short batch at the end of every chunk (chunks not a multiple of bs)
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    shuffled = torch.randperm(len(lengths), generator=g).tolist()
    batches = []
    for start in range(0, len(shuffled), 50 * bs + 1):
        chunk = sorted(shuffled[start : start + 50 * bs + 1], key=lambda i: lengths[i])
        batches += [chunk[i : i + bs] for i in range(0, len(chunk), bs)]
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]

# %% length_batches: batches as tensors, not lists of ints
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(lengths), generator=g)
    order = order[torch.tensor(lengths, dtype=torch.long)[order].argsort(stable=True)] if len(lengths) else order
    batches = list(order.split(bs))
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]
