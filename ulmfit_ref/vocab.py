"""Numericalization: the `Vocab` (itos, stoi) built from token counts, saved as JSON."""

import io
import json
import pickle
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from .errors import BadFile
from .files import write_text
from .text import PAD, UNK


class Vocab:
    """Token <-> id maps: `itos[i]` is the token of id i; unknown tokens map to `_unk_` = 0, `_pad_` = 1.

    Taught in lesson 4; the 2018 notebook: `itos`, `stoi = collections.defaultdict(lambda: 0, ...)`."""

    def __init__(self, itos: list[str]):
        if list(itos[:2]) != [UNK, PAD]:
            raise ValueError(f"a vocab must start with {UNK!r}, {PAD!r}; got {list(itos[:2])}")
        if len(set(itos)) != len(itos):
            dup = [t for t, c in Counter(itos).items() if c > 1][:5]
            raise ValueError(f"a vocab must not repeat tokens; repeated: {dup}")
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}  # a plain dict: looking up a new word never adds it

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        """The `max_vocab` most common tokens seen at least `min_freq` times (ties by first seen), after the specials.

        `min_freq=3` keeps what the 2018 notebook's `c > 2` kept.
        """
        if max_vocab < 0 or min_freq < 1:
            raise ValueError(f"need max_vocab >= 0 and min_freq >= 1, got {max_vocab} and {min_freq}")
        counts = Counter({t: c for t, c in counts.items() if t not in (UNK, PAD)})
        return cls([UNK, PAD] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list[str]) -> np.ndarray:
        """The ids of `tokens` (int32), 0 for unknown tokens."""
        get = self.stoi.get
        return np.array([get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        """The tokens of `ids` joined by `sep`."""
        return sep.join(self.itos[int(i)] for i in ids)

    def save(self, path):
        """Write the vocab as a JSON list of tokens (loading it runs no code)."""
        write_text(path, json.dumps(self.itos, ensure_ascii=False))

    @classmethod
    def load(cls, path, advice: str = "run again the stage that wrote it (delete its folder first)") -> "Vocab":
        """Read a vocab saved by `save`, or fastai 0.7's pickled itos list (with a warning; only lists of str load).

        A file that is no vocabulary is a BadFile naming it and `advice`."""
        try:
            itos = load_itos(path)
        except ValueError as e:
            raise BadFile(f"{e}; {advice}") from e
        try:
            return cls(itos)
        except ValueError as e:
            raise BadFile(f"{path}: not a vocabulary ({e}); {advice}") from e


class _ItosUnpickler(pickle.Unpickler):
    """An unpickler that builds lists and strings only: any class or function in the file is refused."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: an itos pickle holds only a list of str")


def load_itos(path) -> list[str]:
    """The itos list of a JSON vocab file or of a fastai pickle (`itos.pkl`, `itos_wt103.pkl`)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:1] == b"\x80":  # pickle protocol 2+
        warnings.warn(f"{path}: reading a pickled vocab; save it again with Vocab.save to get the safe JSON format",
                      stacklevel=2)
        try:
            itos = _ItosUnpickler(io.BytesIO(raw)).load()
        except (pickle.UnpicklingError, EOFError, ValueError) as e:
            what = ("holds more than a list of tokens: refusing to unpickle it, which could run code"
                    if "refusing" in str(e) else "not a pickled list of tokens (cut short or damaged)")
            raise ValueError(f"{path}: {what} ({e})") from None
    else:
        try:
            itos = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: not a JSON list of tokens, cut short or damaged ({e})") from None
    if not isinstance(itos, list) or not all(type(t) is str for t in itos):
        raise ValueError(f"{path}: expected a list of str tokens, got {type(itos).__name__}")
    return itos
