"""Classify documents with a trained classifier: clipped as in training, batched by length, returned in input order."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .loaders import SortSampler, pad_collate, restore_order
from .text import mark_fields, partition, proc_all_mp
from .train import amp_dtype
from .vocab import Vocab


def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    """A document of at most `max_tokens` ids: a longer one keeps its first quarter and its end, where verdicts are.

    Taught in lesson 10."""
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])


def predict_docs(model: nn.Module, docs: Sequence[np.ndarray], bs: int, device: torch.device,
                 progress: bool = False) -> torch.Tensor:
    """Class probabilities [len(docs), n_classes] of id documents, in the order of `docs` (fastai #975)."""
    if len(docs) == 0:
        raise ValueError("no documents to classify")
    order = list(SortSampler([len(d) for d in docs]))
    dtype = amp_dtype(device)
    model.to(device).eval()
    probs = []
    batches = list(partition(order, bs))
    with torch.no_grad():
        for batch in tqdm(batches, desc="predict", unit="batch", leave=False, disable=not progress):
            x, lengths, _ = pad_collate([(docs[i], 0) for i in batch])  # x [seq, bs], lengths [bs]
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                logits = model(x.to(device), lengths.to(device))[0]  # [bs, n_classes]
            probs.append(logits.float().softmax(-1).cpu())
    return restore_order(torch.cat(probs), order)


def as_documents(texts) -> list[tuple[str, ...]]:
    """Documents as tuples of text fields: a str is a document of one field."""
    return [(t,) if isinstance(t, str) else tuple(t) for t in texts]


@dataclass
class Classifier:
    """A trained classifier with what it needs to read raw text: vocabulary, class names, clipping, device."""

    model: nn.Module
    vocab: Vocab
    classes: tuple[str, ...]
    max_tokens: int | None = None
    n_fields: int = 1
    bs: int = 64
    device: torch.device = torch.device("cpu")

    def numericalize(self, texts, n_workers: int = None, progress: bool = False) -> list[np.ndarray]:
        """Token ids of raw documents (str, or tuples of fields), tokenized as `ulmfit prepare` does, clipped."""
        docs = [mark_fields(list(d)) for d in as_documents(texts)]
        n_workers = n_workers or (1 if len(docs) < 2000 else None)  # processes pay off for long inputs only
        ids = []
        with tqdm(total=len(docs), desc="tokenize", unit="doc", leave=False, disable=not progress) as bar:
            for tokens in proc_all_mp(partition(docs, 500), n_workers):
                ids += [clip_document(self.vocab.numericalize(t), self.max_tokens) for t in tokens]
                bar.update(len(tokens))
        return ids

    def predict_proba(self, texts, n_workers: int = None, progress: bool = False) -> np.ndarray:
        """[len(texts), n_classes] class probabilities, in input order."""
        ids = self.numericalize(texts, n_workers, progress)
        return predict_docs(self.model, ids, self.bs, self.device, progress).numpy()

    def predict(self, texts, n_workers: int = None, progress: bool = False) -> list[str]:
        """The most probable class name of each text, in input order."""
        return [self.classes[i] for i in self.predict_proba(texts, n_workers, progress).argmax(1)]
