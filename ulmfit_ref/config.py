"""Every configuration of a run as a frozen dataclass, validated here once: data, models and the learner.

This module imports no torch, so that `ulmfit --help` and the presets load at once; the modules that use a
config import it from here (`models.LMConfig` is this `LMConfig`).
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PrepareConfig:
    """How a data set becomes token ids: vocabulary, shuffling seed, hold-outs and an optional per-class limit."""

    max_vocab: int = 60000
    min_freq: int = 3
    seed: int = 42
    lm_valid_frac: float = 0.1  # of every text (train, unlabelled and test) held out to validate the LM
    test_frac: float = 0.1  # of train.csv held out (per class) as the test set when there is no test.csv
    limit: int = None  # at most this many documents per class of train and test, and of unlabelled (None: all)
    chunksize: int = 1000  # documents per chunk sent to a tokenizer process

    def __post_init__(self):
        if self.max_vocab < 0 or self.min_freq < 1:
            raise ValueError(f"need max_vocab >= 0 and min_freq >= 1, got {self.max_vocab} and {self.min_freq}")
        for name in ("lm_valid_frac", "test_frac"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1 (or None for all), got {self.limit}")
        if self.chunksize < 1:
            raise ValueError(f"chunksize must be at least 1, got {self.chunksize}")


@dataclass(frozen=True)
class CorpusConfig:
    """How a corpus becomes token ids: vocabulary size, validation hold-out and an optional size limit."""

    max_vocab: int = 60000
    min_freq: int = 3
    holdout_every: int = 20  # without a `valid` file, every 20th article is held out
    max_words: int = None  # stop reading training text after this many whitespace words (None: all)
    chunksize: int = 100  # articles per chunk sent to a tokenizer process

    def __post_init__(self):
        if self.holdout_every < 2:
            raise ValueError(f"holdout_every must be at least 2, got {self.holdout_every}")
        if self.max_words is not None and self.max_words < 1:
            raise ValueError(f"max_words must be positive (or None for all), got {self.max_words}")


def _check_model(config) -> None:
    """Raise ValueError for a size or dropout of `config` that cannot build a model."""
    for name in ("emb_sz", "n_hid", "n_layers"):
        if getattr(config, name) < 1:
            raise ValueError(f"{name} must be at least 1, got {getattr(config, name)}")
    if config.drop_mult < 0:
        raise ValueError(f"drop_mult must be >= 0, got {config.drop_mult}")
    for name in ("input_p", "output_p", "weight_p", "embed_p", "hidden_p"):
        p = getattr(config, name)
        if not 0.0 <= p * config.drop_mult < 1.0:
            raise ValueError(f"{name} * drop_mult must be in [0, 1), got {p} * {config.drop_mult}")


@dataclass(frozen=True)
class LMConfig:
    """Sizes and dropouts of the AWD-LSTM language model; every *_p is multiplied by `drop_mult`.

    The 2018 notebook's `drops = [0.25, 0.1, 0.2, 0.02, 0.15] * 0.7` were passed as
    (dropouti, dropout, wdrop, dropoute, dropouth) = (input_p, output_p, weight_p, embed_p, hidden_p).
    """

    emb_sz: int = 400
    n_hid: int = 1150
    n_layers: int = 3
    pad_idx: int = 1
    tie_weights: bool = True
    out_bias: bool = False
    input_p: float = 0.25
    output_p: float = 0.1
    weight_p: float = 0.2
    embed_p: float = 0.02
    hidden_p: float = 0.15
    drop_mult: float = 0.7

    def __post_init__(self):
        _check_model(self)


@dataclass(frozen=True)
class ClassifierConfig:
    """Sizes and dropouts of the classifier; every *_p except `head_p` is multiplied by `drop_mult`.

    The 2018 notebook's `dps = [0.4, 0.5, 0.05, 0.3, 0.4] * 0.5` were passed as
    (dropouti, wdrop, dropoute, dropouth, drops[0]) = (input_p, weight_p, embed_p, hidden_p, output_p),
    with the head's dropouts `drops = [output_p, 0.1]`: `head_p` is that unscaled 0.1.
    """

    emb_sz: int = 400
    n_hid: int = 1150
    n_layers: int = 3
    pad_idx: int = 1
    bptt: int = 70
    max_len: int = 1400
    head_sz: int = 50
    input_p: float = 0.4
    weight_p: float = 0.5
    embed_p: float = 0.05
    hidden_p: float = 0.3
    output_p: float = 0.4
    head_p: float = 0.1
    drop_mult: float = 0.5

    def __post_init__(self):
        _check_model(self)
        if self.bptt < 1 or self.max_len < 1 or self.head_sz < 1:
            raise ValueError(f"bptt, max_len and head_sz must be at least 1, got {self.bptt}, {self.max_len}, "
                             f"{self.head_sz}")
        if not 0.0 <= self.head_p < 1.0:
            raise ValueError(f"head_p must be in [0, 1), got {self.head_p}")


@dataclass(frozen=True)
class LearnerConfig:
    """How a Learner trains: Adam(W), clipping, discriminative lr factor, precision, batch layout, files."""

    betas: tuple[float, float] = (0.8, 0.99)
    wd: float = 0.01
    clip: float | None = 0.25
    lr_factor: float = 2.6
    mixed_precision: bool = True
    batch_dim: int = 1
    path: Path | None = None
    progress: bool = True

    def __post_init__(self):
        if not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"Adam betas must lie in [0, 1), got {self.betas}")
        if self.wd < 0:
            raise ValueError(f"weight decay must be >= 0, got {self.wd}")
        if self.clip is not None and self.clip <= 0:
            raise ValueError(f"clip is a max gradient norm > 0 (None turns clipping off), got {self.clip}")
        if self.lr_factor < 1:
            raise ValueError(f"lr_factor divides the lr from one group to the one below, >= 1; got {self.lr_factor}")
        if self.batch_dim not in (0, 1):
            raise ValueError(f"batch_dim is the dimension of x holding the batch: 1 for [seq, bs], 0 for [bs, seq]; "
                             f"got {self.batch_dim}")
