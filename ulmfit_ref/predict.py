"""Classify documents with a trained classifier: clipped as in training, batched by length, returned in input order;
a forward and a backward classifier averaged (`Ensemble`)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .direction import oriented
from .errors import DataError
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


def most_probable(classes: Sequence[str], probs: np.ndarray) -> list[str]:
    """The name of the most probable class of each row of `probs` [n, n_classes]."""
    return [classes[i] for i in probs.argmax(1)]


def as_documents(texts, n_fields: int = None) -> list[tuple[str, ...]]:
    """Documents as tuples of text fields (a str is a document of one field), checked: a DataError names what is not
    a list of str (or of tuples of `n_fields` str), such as None, a number, bytes or one str alone."""
    kind = type(texts).__name__
    if isinstance(texts, (str, bytes, bytearray)) or texts is None or not isinstance(texts, Iterable) or \
            isinstance(texts, dict):
        hint = f": give a list of one, [{texts[:20]!r}...]" if isinstance(texts, str) else ""
        raise DataError(f"texts: expected a list of str (or of tuples of str fields), got {kind}{hint}")
    docs = []
    for i, t in enumerate(texts):
        doc = (t,) if isinstance(t, str) else tuple(t) if isinstance(t, (list, tuple)) else None
        if doc is None or not doc or not all(isinstance(f, str) for f in doc):
            what = "bytes: decode them first (b.decode('utf-8'))" if isinstance(t, (bytes, bytearray)) else \
                f"{type(t).__name__} {t!r:.40}"
            raise DataError(f"texts[{i}]: a document is a str or a tuple of str fields, got {what}")
        if n_fields is not None and len(doc) > n_fields:
            raise DataError(f"texts[{i}]: {len(doc)} text fields, but the classifier reads {n_fields}")
        docs.append(doc + ("",) * (0 if n_fields is None else n_fields - len(doc)))
    if not docs:
        raise DataError("texts: no documents to classify")
    return docs


@dataclass
class Classifier:
    """A trained classifier and what it needs to read raw text: vocabulary, class names, clipping, device, direction."""

    model: nn.Module
    vocab: Vocab
    classes: tuple[str, ...]
    max_tokens: int | None = None
    n_fields: int = 1
    bs: int = 64
    device: torch.device = torch.device("cpu")
    backwards: bool = False  # it reads every document from its end

    def numericalize(self, texts, n_workers: int = None, progress: bool = False) -> list[np.ndarray]:
        """Token ids of raw documents (str, or tuples of fields), tokenized as `ulmfit prepare` does, clipped."""
        docs = [mark_fields(list(d)) for d in as_documents(texts, self.n_fields)]
        n_workers = n_workers or (1 if len(docs) < 2000 else None)  # processes pay off for long inputs only
        ids = []
        with tqdm(total=len(docs), desc="tokenize", unit="doc", leave=False, disable=not progress) as bar:
            for tokens in proc_all_mp(partition(docs, 500), n_workers):
                ids += [clip_document(self.vocab.numericalize(t), self.max_tokens) for t in tokens]
                bar.update(len(tokens))
        return ids

    def predict_ids(self, ids: Sequence[np.ndarray], progress: bool = False) -> np.ndarray:
        """[len(ids), n_classes] class probabilities of documents that `numericalize` made, in their order."""
        docs = [oriented(d, self.backwards) for d in ids]
        return predict_docs(self.model, docs, self.bs, self.device, progress).numpy()

    def predict_proba(self, texts, n_workers: int = None, progress: bool = False) -> np.ndarray:
        """[len(texts), n_classes] class probabilities, in input order."""
        return self.predict_ids(self.numericalize(texts, n_workers, progress), progress)

    def predict(self, texts, n_workers: int = None, progress: bool = False) -> list[str]:
        """The most probable class name of each text, in input order."""
        return most_probable(self.classes, self.predict_proba(texts, n_workers, progress))


@dataclass
class Ensemble:
    """Classifiers of one vocabulary and one set of classes whose probabilities are averaged (a bidirectional run's
    forward and backward ones, as the paper's best IMDb result); the texts are tokenized once."""

    members: tuple[Classifier, ...]

    def __post_init__(self):
        first = self.members[0]
        for m in self.members[1:]:
            if (m.vocab.itos, m.classes, m.max_tokens, m.n_fields) != (first.vocab.itos, first.classes,
                                                                       first.max_tokens, first.n_fields):
                raise ValueError("an ensemble needs classifiers of one vocabulary, classes, clipping and fields")

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names, the members' own."""
        return self.members[0].classes

    @property
    def n_fields(self) -> int:
        """The text fields of a document, the members' own."""
        return self.members[0].n_fields

    def predict_proba(self, texts, n_workers: int = None, progress: bool = False) -> np.ndarray:
        """[len(texts), n_classes] the mean of the members' class probabilities, in input order."""
        ids = self.members[0].numericalize(texts, n_workers, progress)
        return np.mean([m.predict_ids(ids, progress) for m in self.members], axis=0)

    def predict(self, texts, n_workers: int = None, progress: bool = False) -> list[str]:
        """The most probable class name of each text by the averaged probabilities, in input order."""
        return most_probable(self.classes, self.predict_proba(texts, n_workers, progress))
