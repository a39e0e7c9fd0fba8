"""Batches of token ids: LanguageModelLoader for the language model, samplers and padding for the classifier.

Every batch is sequence-first: x is a LongTensor [seq_len, bs], as in fastai 0.7.
"""

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Sampler


def _as_generator(seed: int | torch.Generator | None) -> torch.Generator:
    """`seed` itself if it is a Generator, else a new one seeded by `seed` (or by torch's global RNG if None)."""
    if isinstance(seed, torch.Generator):
        return seed
    if seed is None:
        seed = int(torch.randint(2**62, ()))
    return torch.Generator().manual_seed(seed)


def _as_ids(doc, what: str) -> Tensor:
    """One document (array, tensor or list of ints) as a 1-D LongTensor; ValueError if it is not one."""
    t = torch.as_tensor(np.asarray(doc)) if not isinstance(doc, Tensor) else doc
    if t.dim() != 1:
        raise ValueError(f"{what} must be 1-D token ids, got shape {tuple(t.shape)}")
    if t.numel() and (t.is_floating_point() or t.is_complex() or t.dtype == torch.bool):
        raise ValueError(f"{what} must hold integer token ids, got {t.dtype}")
    t = t.long()
    if t.numel() and t.min() < 0:
        raise ValueError(f"{what} holds a negative value {int(t.min())}")
    return t


def concat_ids(ids) -> Tensor:
    """One flat LongTensor from one flat array of ids or a sequence of 1-D arrays (one per document)."""
    if isinstance(ids, (np.ndarray, Tensor)) and ids.dtype != object:
        return _as_ids(ids, "ids")
    if isinstance(ids, (str, bytes)) or not isinstance(ids, (Sequence, np.ndarray)):
        raise ValueError(f"ids must be a 1-D array of token ids or a sequence of them, got {type(ids).__name__}")
    if len(ids) == 0:
        raise ValueError("ids holds no document")
    return torch.cat([_as_ids(doc, f"document {i}") for i, doc in enumerate(ids)])


def batchify(ids: Tensor, bs: int) -> Tensor:
    """The stream `ids` cut into `bs` columns, each one consecutive stretch read downwards: [len(ids) // bs, bs].

    Taught in lesson 5; fastai 0.7: `LanguageModelLoader.batchify`."""
    n_rows = len(ids) // bs  # the last len(ids) % bs tokens are dropped
    return ids[: n_rows * bs].view(bs, n_rows).t().contiguous()  # (bs, n_rows) -> (n_rows, bs)


def get_batch(data: Tensor, i: int, seq_len: int) -> tuple[Tensor, Tensor]:
    """(x, y): `seq_len` rows of `data` from row i, and the same rows one token on; cut where the targets end.

    Taught in lesson 5; fastai 0.7: `LanguageModelLoader.get_batch`."""
    seq_len = min(seq_len, len(data) - 1 - i)
    return data[i:i + seq_len], data[i + 1:i + 1 + seq_len]  # (seq_len, bs) each


def draw_seq_lens(n: int, bptt: int, generator: torch.Generator) -> list[int]:
    """The lengths of the batches of one epoch over `n` rows with a target: bptt + 25, then drawn; they add up to n.

    Taught in lesson 5; fastai 0.7: the `bptt` draw of `LanguageModelLoader.__iter__`."""
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens


class LanguageModelLoader:
    """Stateful (x, y) batches of a token stream cut into `bs` columns; y is x shifted by one token.

    Column j of batch k+1 goes on where column j of batch k ended, so the model's hidden state carries over.
    As in fastai 0.7, an epoch's first batch is `bptt + 25` long (the largest memory use comes at once); then
    seq_len is `bptt` 95% of the time, else `bptt/2`, then drawn from N(that, 5), at least 5 and at most
    what is left. An epoch covers every token once. The lengths of an epoch are drawn before it starts,
    so len() is exact (fastai 0.7 estimated it as n // bptt and stopped there).

    `shard=(rank, world_size)` keeps this process's bs / world_size columns of the bs, under torchrun: a column is
    a stretch of the stream, so a process holds one contiguous part of it, and its batches are its columns of the
    batches one process would read (Learner then takes them as they are).

    Taught in lesson 5; fastai 0.7: `LanguageModelLoader`."""

    def __init__(self, ids, bs: int, bptt: int, seed: int | torch.Generator | None = None,
                 shard: tuple[int, int] = (0, 1)):
        if bs < 1 or bptt < 1:
            raise ValueError(f"bs and bptt must be at least 1, got bs={bs}, bptt={bptt}")
        rank, world_size = shard
        if bs % world_size or not 0 <= rank < world_size:
            raise ValueError(f"shard {shard}: the bs={bs} columns must split evenly over the processes")
        data = concat_ids(ids)
        n_rows = len(data) // bs
        if n_rows < 2:
            raise ValueError(f"{len(data)} tokens cannot fill two rows of bs={bs} columns")
        self.bs, self.bptt, self.shard = bs, bptt, shard
        part = bs // world_size  # columns per process, each n_rows long
        self.data = batchify(data[rank * part * n_rows:(rank + 1) * part * n_rows], part)  # [n_rows, part]
        self.generator = _as_generator(seed)
        self.seq_lens = self._draw_seq_lens()

    def _draw_seq_lens(self) -> list[int]:
        """The sequence lengths of one epoch, adding up to the number of rows that have a target."""
        return draw_seq_lens(self.data.size(0) - 1, self.bptt, self.generator)

    def __len__(self) -> int:
        return len(self.seq_lens)

    def state_dict(self) -> dict:
        """The random state and the next epoch's lengths, for a checkpoint to resume from."""
        return {"generator": self.generator.get_state(), "seq_lens": list(self.seq_lens)}

    def load_state_dict(self, state: dict) -> None:
        """Resume from `state_dict()`: the same next epoch and the same draws after it."""
        if sum(state["seq_lens"]) != self.data.size(0) - 1:
            raise ValueError(f"the saved lengths cover {sum(state['seq_lens'])} rows, this loader has "
                             f"{self.data.size(0) - 1}: the state is from another corpus or bs")
        self.generator.set_state(state["generator"])
        self.seq_lens = list(state["seq_lens"])

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        i = 0
        for seq_len in self.seq_lens:
            yield get_batch(self.data, i, seq_len)
            i += seq_len
        self.seq_lens = self._draw_seq_lens()


def _as_lengths(lengths) -> Tensor:
    """`lengths` as a 1-D LongTensor of positive values; ValueError otherwise."""
    t = _as_ids(lengths, "lengths")
    if t.numel() == 0 or t.min() < 1:
        raise ValueError("lengths must be a non-empty list of positive document lengths")
    return t


class SortSampler(Sampler[int]):
    """Indices by descending length (ties in input order), for validation and prediction.

    fastai 0.7: `SortSampler`."""

    def __init__(self, lengths):
        self.lengths = _as_lengths(lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self) -> Iterator[int]:
        return iter(torch.argsort(self.lengths, descending=True, stable=True).tolist())


class SortishSampler(Sampler[list[int]]):
    """Random batches of indices of similar length, for training: give it to DataLoader as `batch_sampler`.

    Shuffle, sort each chunk of bs*50 by descending length, cut into batches, shuffle the batches
    and put the one with the longest document first (a memory peak at once, not late in the epoch).
    It yields whole batches: fastai 0.7's index sampler could shuffle its short batch into the middle
    and shift every later batch.

    fastai 0.7: `SortishSampler`."""

    def __init__(self, lengths, bs: int, seed: int | torch.Generator | None = None):
        if bs < 1:
            raise ValueError(f"bs must be at least 1, got {bs}")
        self.lengths, self.bs = _as_lengths(lengths), bs
        self.generator = _as_generator(seed)

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.bs)

    def state_dict(self) -> dict:
        """The random state, for a checkpoint: a resumed run draws the same next epochs."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Resume from `state_dict()`."""
        self.generator.set_state(state["generator"])

    def __iter__(self) -> Iterator[list[int]]:
        idx = torch.randperm(len(self.lengths), generator=self.generator)
        chunks = idx.split(self.bs * 50)
        idx = torch.cat([c[torch.argsort(self.lengths[c], descending=True, stable=True)] for c in chunks])
        batches = list(idx.split(self.bs))
        batches = [batches[i] for i in torch.randperm(len(batches), generator=self.generator).tolist()]
        longest = max(range(len(batches)), key=lambda i: int(self.lengths[batches[i]].max()))
        batches[0], batches[longest] = batches[longest], batches[0]
        return iter([b.tolist() for b in batches])


def pad_collate(samples: Sequence[tuple[Sequence[int], int]], pad_idx: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    """(ids, label) pairs -> x [max_len, bs] padded with `pad_idx` at the end, lengths [bs], y [bs], all LongTensors.

    Padding goes last, so a document's outputs never depend on its batch mates; the pooling masks the padding.

    Taught in lesson 10; fastai 1: `pad_collate`."""
    if len(samples) == 0:
        raise ValueError("pad_collate got no sample")
    docs = [_as_ids(ids, f"sample {i}") for i, (ids, _) in enumerate(samples)]
    lengths = torch.tensor([len(d) for d in docs])
    if lengths.min() < 1:
        raise ValueError(f"sample {int(lengths.argmin())} is an empty document")
    x = torch.full((int(lengths.max()), len(docs)), pad_idx, dtype=torch.long)
    for j, d in enumerate(docs):
        x[: len(d), j] = d
    y = torch.as_tensor([int(label) for _, label in samples])
    return x, lengths, y


def restore_order(preds: Tensor, order: Sequence[int]) -> Tensor:
    """Rows of `preds` made in sampler `order` (e.g. `list(SortSampler(lengths))`) put back in input order."""
    order = torch.as_tensor(list(order), dtype=torch.long)
    if len(order) != len(preds) or not torch.equal(order.sort().values, torch.arange(len(preds))):
        raise ValueError(f"order must be a permutation of range({len(preds)}), got {len(order)} indices")
    out = torch.empty_like(preds)
    out[order] = preds
    return out
