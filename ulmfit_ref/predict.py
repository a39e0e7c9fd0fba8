"""Classify reviews with a trained classifier: clipped as in training, batched by length, returned in input order."""

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .loaders import SortSampler, pad_collate, restore_order
from .text import Tokenizer, mark_fields, partition
from .train import amp_dtype
from .vocab import Vocab


def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    """A document of at most `max_tokens` ids: a longer one keeps its first quarter and its end, where verdicts are."""
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])


def predict_docs(model: nn.Module, docs: Sequence[np.ndarray], bs: int, device: torch.device) -> torch.Tensor:
    """Class probabilities [len(docs), n_classes] of id documents, in the order of `docs` (fastai #975)."""
    if len(docs) == 0:
        raise ValueError("no documents to classify")
    order = list(SortSampler([len(d) for d in docs]))
    dtype = amp_dtype(device)
    model.to(device).eval()
    probs = []
    with torch.no_grad():
        for batch in partition(order, bs):
            x, lengths, _ = pad_collate([(docs[i], 0) for i in batch])
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                logits = model(x.to(device), lengths.to(device))[0]
            probs.append(logits.float().softmax(-1).cpu())
    return restore_order(torch.cat(probs), order)


def predict_texts(model: nn.Module, vocab: Vocab, texts: Sequence[str], max_tokens: int = None, bs: int = 64,
                  device: torch.device = torch.device("cpu")) -> torch.Tensor:
    """Class probabilities of raw review texts, tokenized and numericalized as `ulmfit prepare` does."""
    tok = Tokenizer()
    docs = [clip_document(vocab.numericalize(tok(mark_fields([t]))), max_tokens) for t in texts]
    return predict_docs(model, docs, bs, device)
