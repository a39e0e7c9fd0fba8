# Correct answers to lesson 10 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% concat_pool: a loop over the documents of the batch, each cut to its real tokens
def concat_pool(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    rows = []
    for b in range(output.size(1)):
        real = output[: int(lengths[b]), b]
        rows.append(torch.cat([real[-1], real.max(0).values, real.mean(0)]))
    return torch.stack(rows)

# %% concat_pool: torch.where for the padding, gather for the last state
def concat_pool(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    seq_len, bs, n = output.shape
    real = (torch.arange(seq_len, device=output.device)[:, None] < lengths[None, :])[..., None]
    last = output.gather(0, (lengths - 1).view(1, bs, 1).expand(1, bs, n))[0]
    biggest = torch.where(real, output, torch.full_like(output, float("-inf"))).max(dim=0).values
    mean = torch.where(real, output, torch.zeros_like(output)).sum(0) / lengths[:, None].to(output.dtype)
    return torch.cat((last, biggest, mean), dim=1)

# %% concat_pool: the mask as a float weight, the last state by a one-hot sum
def concat_pool(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    pos = torch.arange(output.shape[0], device=output.device).view(-1, 1, 1)
    weight = (pos < lengths.view(1, -1, 1)).to(output.dtype)
    at_last = (pos == (lengths - 1).view(1, -1, 1)).to(output.dtype)
    last = (output * at_last).sum(0)
    most = output.masked_fill(weight == 0, float("-inf")).max(0)[0]
    mean = (output * weight).sum(0) / weight.sum(0)
    return torch.cat([last, most, mean], -1)

# %% clip_document: the kept positions as one index array, np.r_
def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    if max_tokens is None or ids.shape[0] <= max_tokens:
        return ids
    head = max_tokens // 4
    return ids[np.r_[0:head, ids.shape[0] - (max_tokens - head):ids.shape[0]]]

# %% clip_document: a negative index for the tail, guarded for an empty tail
def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    if max_tokens is not None and len(ids) > max_tokens:
        head, tail = max_tokens // 4, max_tokens - max_tokens // 4
        return np.concatenate((ids[:head], ids[-tail:] if tail else ids[:0]))
    return ids

# %% clip_document: np.delete of the middle
def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.delete(ids, np.arange(head, len(ids) - (max_tokens - head)))

# %% test_clip_document: random reviews, the kept ids compared with the review's start and end
def test_clip_document(clip_document):
    rng = np.random.default_rng(0)
    for n in (0, 1, 5, 17, 40):
        ids = rng.integers(0, 1000, n).astype(np.int32)
        for max_tokens in (None, 0, 1, 2, 3, 4, 7, 8, 16, 17, 50):
            copy = ids.copy()
            out = clip_document(ids, max_tokens)
            assert type(out) is np.ndarray and out.dtype == np.int32
            assert np.array_equal(ids, copy)
            if max_tokens is None or n <= max_tokens:
                assert np.array_equal(out, ids)
                continue
            head = max_tokens // 4
            assert len(out) == max_tokens
            assert np.array_equal(out[:head], ids[:head])
            assert np.array_equal(out[head:], ids[n - (max_tokens - head):])

# %% test_clip_document: hand-written cases of a 12-id review
def test_clip_document(clip_document):
    ids = np.array([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], dtype=np.int32)
    cases = [(None, ids.tolist()), (12, ids.tolist()), (13, ids.tolist()), (0, []), (1, [16]), (2, [15, 16]),
             (4, [5, 14, 15, 16]), (6, [5, 12, 13, 14, 15, 16]), (9, [5, 6, 10, 11, 12, 13, 14, 15, 16])]
    for max_tokens, expected in cases:
        out = clip_document(ids, max_tokens)
        assert isinstance(out, np.ndarray), type(out)
        assert out.dtype == np.int32
        assert out.tolist() == expected, (max_tokens, out.tolist())
    assert ids.tolist() == list(range(5, 17))

# %% kept_positions: the number itself
kept_positions = 1440

# %% kept_positions: the window and the 40 positions before it in its chunk
kept_positions = 1400 + 600 % 70

# %% kept_positions: as a float
kept_positions = 1440.0

# %% length_batches: all sorted with a random tie-break after a shuffle, cut, batches shuffled (sort and noise)
def length_batches(lengths, bs, seed):
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand(len(lengths), generator=g).tolist()
    order = sorted(range(len(lengths)), key=lambda i: lengths[i] * (1 + 0.5 * noise[i]))
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    return [batches[k] for k in torch.randperm(len(batches), generator=g).tolist()]

# %% length_batches: NumPy's generator, buckets of 20 batches, descending, the longest batch first
def length_batches(lengths, bs, seed):
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(len(lengths)).tolist()
    batches = []
    for start in range(0, len(shuffled), 20 * bs):
        chunk = sorted(shuffled[start : start + 20 * bs], key=lambda i: -lengths[i])
        batches += [chunk[i : i + bs] for i in range(0, len(chunk), bs)]
    batches = [batches[k] for k in rng.permutation(len(batches))]
    if batches:
        longest = max(range(len(batches)), key=lambda k: max(lengths[i] for i in batches[k]))
        batches[0], batches[longest] = batches[longest], batches[0]
    return batches

# %% length_batches: Python's random.Random, a sorted cut with the lengths jittered by up to 10 tokens
def length_batches(lengths, bs, seed):
    import random

    rng = random.Random(seed)
    order = sorted(range(len(lengths)), key=lambda i: lengths[i] + rng.uniform(0, 10))
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    rng.shuffle(batches)
    return batches
