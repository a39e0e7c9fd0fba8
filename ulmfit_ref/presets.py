"""The presets of a run (every size and recipe, by name) and the fine-tuning recipes of the paper's Tables 6 and 7.

What the paper (Howard & Ruder 2018, section 4) and the 2018 notebook used, beside each preset:

| setting | paper / 2018 notebook | PAPER | CPU | TINY |
| --- | --- | --- | --- | --- |
| AWD-LSTM emb / hidden / layers | 400 / 1150 / 3 | 400 / 1150 / 3 | 128 / 256 / 2 | 24 / 48 / 2 |
| vocabulary, min count | 60k, 3 (`c > 2`) | 60k, 3 | 10k, 3 | 2k, 2 |
| bptt (LM) | 70 | 70 | 64 | 20 |
| dropouts LM / classifier | notebook's x 0.7 / x 0.5 | 0.7 / 0.5 | 0.5 / 0.5 | 0.3 / 0.3 |
| LM fine-tuning | head 1 epoch, then 15 epochs, STLR (20, 10) | same | head 1, then 1 epoch | head 1, then 1 |
| classifier head, Adam betas | 50, (0.7, 0.99) | 50, (0.7, 0.99) | 50, (0.7, 0.99) | 16, (0.7, 0.99) |
| gradual unfreezing | (1, 1, 14), lr 0.01, discr 2.6, STLR | same | (1, 1, 4), 256 tokens, >= 300 steps | (1, 1, 8) |
| where | a GPU | a GPU | 2 CPU cores, under 45 minutes | CI, seconds |
"""

from dataclasses import dataclass, replace

from .config import ClassifierConfig, CorpusConfig, LearnerConfig, LMConfig, PrepareConfig
from .schedule import STLR, Constant, OneCycle, Schedule


@dataclass(frozen=True)
class LMTraining:
    """How a language model trains: batches, token budgets, an optional head-only fit, then a fit of every layer."""

    bs: int
    bptt: int
    epochs: int
    lr: float
    head_epochs: int = 0  # epochs of the last layer group alone first (new embeddings of a pretrained LM); 0: none
    head_lr: float = 0.0
    schedule: Schedule = STLR()
    learner: LearnerConfig = LearnerConfig()
    train_tokens: int = None  # the first documents of the train split up to this many tokens (None: all)
    valid_tokens: int = None

    def __post_init__(self):
        if self.epochs < 0 or self.head_epochs < 0:
            raise ValueError(f"epochs and head_epochs must be >= 0 (0: no fit), got {self.epochs}, {self.head_epochs}")


# LM fine-tuning as named in the paper's Table 6: 'none' keeps the pretrained LM as it is (its rows moved onto the
# task's vocabulary); 'full' fits every layer at one lr, constant; +discr and +stlr add discriminative lrs and the
# slanted triangular schedule. Every fitting recipe keeps the preset's head-only epoch first (the 2018 notebook's).
LM_RECIPES = ("none", "full", "full+discr", "full+discr+stlr")
LM_RECIPE_ALIASES = {"ulmfit": "full+discr+stlr"}


def with_lm_recipe(fit: LMTraining, name: str) -> LMTraining:
    """`fit` trained by the LM recipe `name`: 'ulmfit' (= 'full+discr+stlr', `fit` itself), 'full+discr', 'none'..."""
    name = LM_RECIPE_ALIASES.get(name, name).lower()
    if name not in LM_RECIPES:
        raise ValueError(f"unknown LM recipe {name!r}: one of {', '.join(LM_RECIPES)} (or 'ulmfit')")
    if name == "none":
        return replace(fit, epochs=0, head_epochs=0)
    schedule = (fit.schedule if isinstance(fit.schedule, STLR) else STLR()) if name.endswith("stlr") else Constant()
    lr_factor = fit.learner.lr_factor if "discr" in name else 1.0
    return replace(fit, schedule=schedule, learner=replace(fit.learner, lr_factor=lr_factor))


UNFREEZING = ("gradual", "full", "last", "chain")


@dataclass(frozen=True)
class ClassifierTraining:
    """How the classifier trains: batches, document length, unfreezing (epochs per stage) and the head's lr."""

    bs: int
    epochs: tuple[int, ...]  # gradual: the head alone, then one more layer group per stage; the last stage trains all
    lr: float  # the head's lr; each group below gets lr / learner.lr_factor
    schedule: Schedule = STLR()
    learner: LearnerConfig = LearnerConfig()
    max_tokens: int = None  # longer documents are clipped (their start and end kept); None: whole documents
    valid_frac: float = 0.05  # of the classifier's training documents held out to report validation accuracy
    unfreeze: str = "gradual"  # or "full" (sum(epochs) of every layer), "last" (of the head alone), "chain"
    flat_lr: float = 1e-3  # every group's lr in a recipe without +discr (the paper's Table 7; chain-thaw: see train.py)
    min_steps: int = 0  # a small data set trains every stage longer, by one factor, until the fit takes this many steps

    def __post_init__(self):
        if self.unfreeze not in UNFREEZING:
            raise ValueError(f"unfreeze must be one of {', '.join(UNFREEZING)}, got {self.unfreeze!r}")
        if not self.epochs or min(self.epochs) < 1:
            raise ValueError(f"epochs must be positive numbers of epochs per stage, got {self.epochs}")
        if not 0 < self.valid_frac < 1:
            raise ValueError(f"valid_frac must be between 0 and 1, got {self.valid_frac}")
        if self.min_steps < 0 or self.flat_lr <= 0:
            raise ValueError(f"need min_steps >= 0 and flat_lr > 0, got {self.min_steps} and {self.flat_lr}")

    def epochs_for(self, steps_per_epoch: int) -> tuple[int, ...]:
        """The epochs of each stage, all multiplied by the least integer that makes the fit `min_steps` steps long."""
        factor = max(1, -(-self.min_steps // (steps_per_epoch * sum(self.epochs))))  # ceil division
        return tuple(n * factor for n in self.epochs)


# Classifier fine-tuning as named in the paper's Table 7: how layers are unfrozen, then optional parts. Without
# +discr every group trains at `flat_lr` (the paper's 0.001); chain-thaw (Felbo et al. 2017) has its own lrs.
RECIPE_UNFREEZING = {"freez": "gradual", "full": "full", "last": "last", "chain": "chain"}
RECIPE_PARTS = ("discr", "stlr", "cos")  # discriminative lrs; slanted triangular or cosine annealing (else constant)
RECIPE_ALIASES = {"ulmfit": "freez+discr+stlr"}


def with_recipe(fit: ClassifierTraining, name: str) -> ClassifierTraining:
    """`fit` trained by the recipe `name`: 'ulmfit' (= 'freez+discr+stlr', `fit` itself), 'full+discr', 'chain'..."""
    parts = RECIPE_ALIASES.get(name, name).lower().split("+")
    unfreeze, options = RECIPE_UNFREEZING.get(parts[0]), parts[1:]
    if unfreeze is None or any(p not in RECIPE_PARTS for p in options) or len(set(options)) < len(options) \
            or {"stlr", "cos"} <= set(options) or (unfreeze == "chain" and "discr" in options):
        raise ValueError(f"unknown recipe {name!r}: name one of {', '.join(RECIPE_UNFREEZING)}, then optionally "
                         f"+discr (not with chain, which sets its own lrs) and one of +stlr or +cos (e.g. "
                         f"freez+discr+stlr, which is also 'ulmfit')")
    if "stlr" in options:
        schedule = fit.schedule if isinstance(fit.schedule, STLR) else STLR()
    elif "cos" in options:
        schedule = OneCycle(pct_start=0.0, div=1.0)  # cosine annealing from the lr down, no warm-up
    else:
        schedule = Constant()
    discr = "discr" in options
    return replace(fit, unfreeze=unfreeze, schedule=schedule, lr=fit.lr if discr else fit.flat_lr,
                   learner=replace(fit.learner, lr_factor=fit.learner.lr_factor if discr else 1.0))


@dataclass(frozen=True)
class Preset:
    """Everything a run's results depend on, by name: data preparation, model sizes and every training recipe."""

    name: str
    prepare: PrepareConfig
    lm: LMConfig
    classifier: ClassifierConfig
    fine_tune: LMTraining  # the LM on the task's text, starting from a pretrained one
    from_scratch: LMTraining  # the LM on the task's text when there is no pretrained one
    classify: ClassifierTraining  # the 'ulmfit' recipe; `with_recipe` gives the others
    corpus: CorpusConfig  # `ulmfit pretrain`: the general corpus...
    pretrain: LMTraining  # ...and the language model trained on it
    threads: int = None  # torch's CPU threads (None: its default); tiny models run fastest on one


_LM_LEARNER = LearnerConfig(betas=(0.8, 0.99), wd=1e-7, clip=0.25)
_SCRATCH_LEARNER = replace(_LM_LEARNER, lr_factor=1.0)  # random weights: no reason to train lower layers slower
_CLAS_LEARNER = LearnerConfig(betas=(0.7, 0.99), wd=0.0, clip=25.0)

# The 2018 notebook and the paper, on a GPU.
PAPER = Preset(
    name="paper",
    prepare=PrepareConfig(max_vocab=60000, min_freq=3),
    lm=LMConfig(emb_sz=400, n_hid=1150, n_layers=3, drop_mult=0.7),
    classifier=ClassifierConfig(emb_sz=400, n_hid=1150, n_layers=3, bptt=70, max_len=1400, head_sz=50, drop_mult=0.5),
    fine_tune=LMTraining(bs=52, bptt=70, head_epochs=1, head_lr=5e-4, epochs=15, lr=1e-3,
                         schedule=STLR.from_clr(20, 10), learner=_LM_LEARNER),
    from_scratch=LMTraining(bs=52, bptt=70, epochs=15, lr=1e-3, schedule=STLR.from_clr(20, 10),
                            learner=_SCRATCH_LEARNER),
    classify=ClassifierTraining(bs=48, epochs=(1, 1, 14), lr=1e-2, schedule=STLR.from_clr(32, 10),
                                learner=_CLAS_LEARNER),
    corpus=CorpusConfig(max_vocab=60000, min_freq=3),
    pretrain=LMTraining(bs=64, bptt=70, epochs=10, lr=5e-3, schedule=OneCycle(div=10, moms=(0.8, 0.7)),
                        learner=replace(_SCRATCH_LEARNER, wd=0.01)),
)

# The whole run on 2 CPU cores in under 45 minutes for IMDb's size: a small LM fine-tuned on part of the task's text
# from `ulmfit pretrain --preset cpu` (or trained there from scratch), documents clipped.
CPU = Preset(
    name="cpu",
    prepare=PrepareConfig(max_vocab=10000, min_freq=3),
    lm=LMConfig(emb_sz=128, n_hid=256, n_layers=2, drop_mult=0.5),
    classifier=ClassifierConfig(emb_sz=128, n_hid=256, n_layers=2, bptt=64, max_len=256, head_sz=50, drop_mult=0.5),
    fine_tune=LMTraining(bs=64, bptt=64, head_epochs=1, head_lr=2e-3, epochs=1, lr=3e-3, learner=_LM_LEARNER,
                         train_tokens=2_000_000, valid_tokens=200_000),
    from_scratch=LMTraining(bs=64, bptt=64, epochs=1, lr=5e-3, learner=_SCRATCH_LEARNER,
                            train_tokens=3_500_000, valid_tokens=200_000),
    classify=ClassifierTraining(bs=64, epochs=(1, 1, 4), lr=1e-2, learner=_CLAS_LEARNER, max_tokens=256,
                                valid_frac=0.04, min_steps=300),  # 300: benchmarks/results/low_shot_selection.md
    corpus=CorpusConfig(max_vocab=10000, min_freq=3, max_words=6_000_000),
    pretrain=LMTraining(bs=64, bptt=64, epochs=1, lr=5e-3, learner=_SCRATCH_LEARNER, valid_tokens=200_000),
)

# For CI and a first try: a few hundred documents, a tiny model, the whole command in well under 2 minutes.
TINY = Preset(
    name="tiny",
    prepare=PrepareConfig(max_vocab=2000, min_freq=2, limit=100),
    lm=LMConfig(emb_sz=24, n_hid=48, n_layers=2, drop_mult=0.3),
    classifier=ClassifierConfig(emb_sz=24, n_hid=48, n_layers=2, bptt=32, max_len=128, head_sz=16, drop_mult=0.3),
    fine_tune=LMTraining(bs=8, bptt=20, head_epochs=1, head_lr=5e-3, epochs=1, lr=5e-3, learner=_LM_LEARNER,
                         train_tokens=60_000, valid_tokens=10_000),
    from_scratch=LMTraining(bs=8, bptt=20, epochs=2, lr=1e-2, learner=_SCRATCH_LEARNER, train_tokens=60_000,
                            valid_tokens=10_000),
    classify=ClassifierTraining(bs=8, epochs=(1, 1, 8), lr=5e-2, learner=_CLAS_LEARNER, max_tokens=128,
                                valid_frac=0.1),
    corpus=CorpusConfig(max_vocab=2000, min_freq=2, max_words=100_000),
    pretrain=LMTraining(bs=8, bptt=20, epochs=1, lr=1e-2, learner=_SCRATCH_LEARNER, valid_tokens=10_000),
    threads=1,
)

PRESETS = {p.name: p for p in (PAPER, CPU, TINY)}


def with_batch_size(preset: Preset, bs: int) -> Preset:
    """`preset` with batches of `bs` in every stage (`--bs`: fewer to fit a GPU's memory, more to fill it)."""
    if bs < 1:
        raise ValueError(f"the batch size must be at least 1, got {bs}")
    return replace(preset, fine_tune=replace(preset.fine_tune, bs=bs), from_scratch=replace(preset.from_scratch, bs=bs),
                   classify=replace(preset.classify, bs=bs), pretrain=replace(preset.pretrain, bs=bs))
