"""Tests for ulmfit_ref.loaders: the language model loader, the samplers and the padding."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from ulmfit_ref.loaders import LanguageModelLoader, SortishSampler, SortSampler, pad_collate, restore_order


def _epoch(loader):
    batches = list(loader)
    return torch.cat([x for x, _ in batches]), torch.cat([y for _, y in batches]), batches


def test_batchify_cuts_the_stream_into_bs_columns_dropping_the_remainder():
    loader = LanguageModelLoader(np.arange(103), bs=4, bptt=5, seed=0)
    assert loader.data.shape == (25, 4) and loader.data.dtype == torch.long
    for j in range(4):
        assert torch.equal(loader.data[:, j], torch.arange(25 * j, 25 * (j + 1)))


def test_an_epoch_covers_every_token_once_with_targets_shifted_by_one():
    loader = LanguageModelLoader(np.arange(1000), bs=5, bptt=12, seed=1)
    x, y, batches = _epoch(loader)
    assert torch.equal(x, loader.data[:-1]) and torch.equal(y, loader.data[1:])
    for bx, by in batches:
        assert bx.dtype == by.dtype == torch.long and bx.shape == by.shape and bx.shape[1] == 5
        assert torch.equal(by, bx + 1), "y is x shifted by one token"
    for (x1, _), (x2, _) in zip(batches, batches[1:]):
        assert torch.equal(x2[0], x1[-1] + 1), "each column goes on where it stopped"


@settings(max_examples=30, deadline=None)
@given(n=st.integers(10, 400), bs=st.integers(1, 5), bptt=st.integers(1, 30), seed=st.integers(0, 2**31))
def test_len_is_exact_and_every_target_is_read_once(n, bs, bptt, seed):
    if n // bs < 2:
        return
    loader = LanguageModelLoader(torch.arange(n), bs, bptt, seed=seed)
    for _ in range(2):
        expected = len(loader)
        x, y, batches = _epoch(loader)
        assert len(batches) == expected
        assert torch.equal(y, loader.data[1:])


def test_sequence_lengths_follow_the_seed_rule():
    loader = LanguageModelLoader(np.arange(200_000), bs=2, bptt=70, seed=0)
    lens = torch.tensor([x.shape[0] for x, _ in loader])
    body = lens[:-1].float()
    assert lens.min() >= 1 and body.min() >= 5
    half = (body < 52).float().mean().item()
    assert 0.03 < half < 0.07, "about 5% of the batches use bptt/2"
    assert abs(body[body > 52].mean().item() - 70) < 0.5
    assert 4 < body[body > 52].std().item() < 6


def test_the_seed_makes_epochs_reproducible():
    a = [x.shape[0] for x, _ in LanguageModelLoader(np.arange(5000), bs=3, bptt=20, seed=7)]
    generator = torch.Generator().manual_seed(7)
    b = [x.shape[0] for x, _ in LanguageModelLoader(np.arange(5000), bs=3, bptt=20, seed=generator)]
    c = [x.shape[0] for x, _ in LanguageModelLoader(np.arange(5000), bs=3, bptt=20, seed=8)]
    assert a == b and a != c
    torch.manual_seed(3)
    d = [x.shape[0] for x, _ in LanguageModelLoader(np.arange(5000), bs=3, bptt=20)]
    torch.manual_seed(3)
    assert d == [x.shape[0] for x, _ in LanguageModelLoader(np.arange(5000), bs=3, bptt=20)]


def test_state_dict_resumes_the_same_epochs():
    loader = LanguageModelLoader(np.arange(3000), bs=3, bptt=20, seed=5)
    list(loader)
    state = loader.state_dict()
    expected = [[x.shape[0] for x, _ in loader] for _ in range(2)]
    resumed = LanguageModelLoader(np.arange(3000), bs=3, bptt=20, seed=99)
    resumed.load_state_dict(state)
    assert [[x.shape[0] for x, _ in resumed] for _ in range(2)] == expected
    with pytest.raises(ValueError, match="another corpus"):
        LanguageModelLoader(np.arange(3000), bs=4, bptt=20).load_state_dict(state)


def test_documents_are_concatenated_in_order():
    docs = [np.array([5, 6, 7]), np.array([8, 9]), np.array([10, 11, 12, 13])]
    flat = torch.arange(5, 14)
    for ids in (docs, [torch.as_tensor(d) for d in docs], np.array(docs, dtype=object), [d.tolist() for d in docs]):
        loader = LanguageModelLoader(ids, bs=1, bptt=5, seed=0)
        assert torch.equal(loader.data[:, 0], flat)


@pytest.mark.parametrize("ids, bs, bptt, match", [
    (np.arange(10.0), 2, 5, "integer"),
    (np.arange(12).reshape(3, 4), 2, 5, "1-D"),
    (np.arange(3), 2, 5, "two rows"),
    (np.arange(30), 0, 5, "bs"),
    (np.arange(30), 2, 0, "bptt"),
    ([], 2, 5, "no document"),
    ("abc", 2, 5, "ids must be"),
    (np.array([3, -1, 4, 5]), 1, 5, "negative"),
])
def test_bad_loader_input_is_refused(ids, bs, bptt, match):
    with pytest.raises(ValueError, match=match):
        LanguageModelLoader(ids, bs, bptt)


def test_sort_sampler_is_descending_length_ties_in_input_order():
    assert list(SortSampler([3, 9, 1, 9, 4])) == [1, 3, 4, 0, 2]
    with pytest.raises(ValueError, match="lengths"):
        SortSampler([3, 0])


def test_sortish_sampler_gives_random_batches_of_similar_length_longest_first():
    lengths = torch.randint(1, 1000, (1030,), generator=torch.Generator().manual_seed(0))
    sampler = SortishSampler(lengths, bs=10, seed=0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 103
    assert sorted(i for b in batches for i in b) == list(range(1030))
    assert all(len(b) == 10 for b in batches)
    assert lengths[batches[0]].max() == lengths.max()
    spread = np.mean([(lengths[b].max() - lengths[b].min()).item() for b in batches])
    assert spread < 100, "batches hold documents of similar length"
    assert batches != list(sampler), "a new order every epoch"
    assert list(SortishSampler(lengths, 10, seed=1)) == list(SortishSampler(lengths, 10, seed=1))


def test_sortish_sampler_state_gives_the_same_next_epochs():
    lengths = torch.randint(1, 300, (500,), generator=torch.Generator().manual_seed(2))
    sampler = SortishSampler(lengths, 10, seed=4)
    list(sampler)
    state = sampler.state_dict()
    expected = [list(sampler), list(sampler)]
    restored = SortishSampler(lengths, 10, seed=77)
    restored.load_state_dict(state)
    assert [list(restored), list(restored)] == expected


def test_sortish_sampler_keeps_batches_whole_with_a_short_batch():
    sampler = SortishSampler([5, 1, 7, 3, 2, 8, 4], bs=3, seed=0)
    for _ in range(5):
        sizes = sorted(len(b) for b in sampler)
        assert sizes == [1, 3, 3]


def test_pad_collate_pads_at_the_end_with_pad_idx():
    x, lengths, y = pad_collate([(np.array([4, 5, 6]), 1), ([7], 0), (torch.tensor([8, 9]), 1)])
    assert x.dtype == lengths.dtype == y.dtype == torch.long
    assert x.t().tolist() == [[4, 5, 6], [7, 1, 1], [8, 9, 1]]
    assert lengths.tolist() == [3, 1, 2] and y.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="empty document"):
        pad_collate([([4], 0), ([], 1)])
    with pytest.raises(ValueError, match="no sample"):
        pad_collate([])


def test_predictions_come_back_in_input_order():
    docs = [torch.tensor([2] * n) for n in (3, 9, 1, 6, 4, 8, 2)]
    samples = [(d, i) for i, d in enumerate(docs)]
    sampler = SortSampler([len(d) for d in docs])
    loader = DataLoader(samples, batch_size=3, sampler=sampler, collate_fn=pad_collate)
    preds = torch.cat([lengths.float() for _, lengths, _ in loader])
    assert preds.tolist() != [len(d) for d in docs], "the sampler reorders the predictions"
    assert restore_order(preds, list(sampler)).tolist() == [len(d) for d in docs]
    with pytest.raises(ValueError, match="permutation"):
        restore_order(preds, [0, 0, 1, 2, 3, 4, 5])


def test_a_shard_holds_its_columns_of_every_batch_one_process_reads():
    ids = np.arange(10_003)
    alone = LanguageModelLoader(ids, bs=8, bptt=20, seed=3)
    shards = [LanguageModelLoader(ids, bs=8, bptt=20, seed=3, shard=(rank, 4)) for rank in range(4)]
    assert all(len(s) == len(alone) and s.data.shape == (alone.data.size(0), 2) for s in shards)
    for (x, y), *parts in zip(alone, *shards):
        assert torch.equal(torch.cat([px for px, _ in parts], 1), x)
        assert torch.equal(torch.cat([py for _, py in parts], 1), y)
    assert shards[1].data[0, 0] == 2 * (10_003 // 8)  # rank 1 starts at column 2: one stretch of the stream
    with pytest.raises(ValueError, match="split evenly"):
        LanguageModelLoader(ids, bs=6, bptt=20, shard=(0, 4))
