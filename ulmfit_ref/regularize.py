"""The AWD-LSTM regularizers: embedding, locked and weight dropout, and AR/TAR (Merity et al. 2017)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _check_p(p: float, name: str) -> float:
    """Return `p` if it is a dropout probability in [0, 1), else raise ValueError."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {p}")
    return float(p)


def dropout_mask(x: Tensor, size: tuple[int, ...], p: float) -> Tensor:
    """A mask like `x` of shape `size`: 0 with probability `p`, else 1/(1-p), so the expected value is kept.

    Taught in lesson 6; fastai 0.7: `dropout_mask`."""
    return x.new_empty(size).bernoulli_(1 - p).div_(1 - p)


def drop_connect(weight: Tensor, p: float, training: bool) -> Tensor:
    """`weight` with entries dropped (probability `p`, the rest scaled by 1/(1-p)) when training; gradients reach it.

    Taught in lesson 6; fastai 0.7: `WeightDrop._setweights`."""
    return F.dropout(weight, p, training)


class LockedDropout(nn.Module):
    """Dropout with one mask per sequence, shared over all time steps of a [seq, bs, features] input.

    Taught in lesson 6; fastai 0.7: `LockedDropout` (`dropouti`, `dropouth`, `dropout`)."""

    def __init__(self, p: float):
        super().__init__()
        self.p = _check_p(p, "p")

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        return x * dropout_mask(x, (1, *x.shape[1:]), self.p)

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class EmbeddingDropout(nn.Module):
    """Look up `embed` for word ids, dropping whole words (rows of the matrix) with probability `embed_p`.

    Masking the looked-up rows with the word's row of a vocabulary-sized mask is the same as
    masking the matrix, without a full copy of it.

    Taught in lesson 6; fastai 0.7: `EmbeddingDropout` (`dropoute`)."""

    def __init__(self, embed: nn.Embedding, embed_p: float):
        super().__init__()
        self.embed = embed
        self.embed_p = _check_p(embed_p, "embed_p")

    def forward(self, words: Tensor) -> Tensor:
        if words.is_floating_point():
            raise ValueError(f"word ids must be integers, got {words.dtype}")
        emb = self.embed(words)
        if not self.training or self.embed_p == 0.0:
            return emb
        mask = dropout_mask(self.embed.weight, (self.embed.num_embeddings, 1), self.embed_p)
        return emb * F.embedding(words, mask)

    def extra_repr(self) -> str:
        return f"embed_p={self.embed_p:g}"


class WeightDrop(nn.Module):
    """DropConnect on the hidden-to-hidden weights of a one-layer `nn.LSTM` (`weight_hh_l0`).

    The trainable weight is `weight_hh_l0_raw`; each forward drops a fresh mask from it (nothing in
    eval mode) and calls torch's functional LSTM, so no weight of the wrapped module is replaced.
    The wrapped `module` only holds the other weights (`weight_ih_l0`, `bias_ih_l0`, `bias_hh_l0`).

    Taught in lesson 6; fastai 0.7: `WeightDrop` (`wdrop`)."""

    def __init__(self, module: nn.LSTM, weight_p: float):
        super().__init__()
        if not isinstance(module, nn.LSTM):
            raise ValueError(f"WeightDrop wraps an nn.LSTM, got {type(module).__name__}")
        if module.num_layers != 1 or module.bidirectional or not module.bias or module.batch_first:
            raise ValueError("WeightDrop needs a one-layer, one-direction, sequence-first nn.LSTM with biases")
        if module.proj_size:
            raise ValueError("WeightDrop does not support nn.LSTM with proj_size")
        self.weight_p = _check_p(weight_p, "weight_p")
        raw = module.weight_hh_l0
        del module.weight_hh_l0
        self.module = module
        self.weight_hh_l0_raw = raw

    def flat_weights(self) -> list[Tensor]:
        """The four LSTM weights, hidden-to-hidden dropped; on CUDA views of one buffer, which cuDNN uses as it is."""
        w_hh = drop_connect(self.weight_hh_l0_raw, self.weight_p, self.training)
        weights = [self.module.weight_ih_l0, w_hh, self.module.bias_ih_l0, self.module.bias_hh_l0]
        if not w_hh.is_cuda:  # the CPU kernel reads separate tensors: a copy into one buffer would only cost time
            return weights
        flat = torch.cat([w.reshape(-1) for w in weights])
        return [chunk.view_as(w) for chunk, w in zip(flat.split([w.numel() for w in weights]), weights)]

    def forward(self, input: Tensor, hidden: tuple[Tensor, Tensor]) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, h, c = torch.lstm(input, hidden, self.flat_weights(), has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

    def extra_repr(self) -> str:
        return f"weight_p={self.weight_p:g}"


def _masked_mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """Mean of [seq, bs, n] `x` in float32 over the [seq, bs] positions where `mask` is True (all if None)."""
    x = x.float()
    if mask is None:
        return x.mean()
    if mask.shape != x.shape[:2]:
        raise ValueError(f"mask must be [seq_len, bs] = {tuple(x.shape[:2])}, got {tuple(mask.shape)}")
    n = mask.sum() * x.size(2)
    return (x * mask.unsqueeze(2)).sum() / n.clamp(min=1)


def activation_reg(dropped_output: Tensor, alpha: float = 2.0, mask: Tensor | None = None) -> Tensor:
    """AR: `alpha` times the mean square of the last layer's output after dropout (over `mask`'s real tokens)."""
    return alpha * _masked_mean(dropped_output.pow(2), mask)


def temporal_activation_reg(raw_output: Tensor, beta: float = 1.0, mask: Tensor | None = None) -> Tensor:
    """TAR: `beta` times the mean square change of the last layer's output (before dropout) between real neighbours."""
    if raw_output.size(0) < 2:
        return raw_output.new_zeros((), dtype=torch.float32)
    pairs = None if mask is None else mask[1:] & mask[:-1]
    return beta * _masked_mean((raw_output[1:] - raw_output[:-1]).pow(2), pairs)
