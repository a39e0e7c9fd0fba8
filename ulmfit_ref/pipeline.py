"""The stages of a ULMFiT run on IMDb (prepare, lm, classifier, evaluate), `ulmfit pretrain`, and the presets.

Each stage writes into its own folder of the run and ends by writing `result.json` atomically: a stage whose
`result.json` exists is done and skipped. `run.json` records what the outputs depend on (preset, model sizes,
pretrained LM, seed); a run folder made with other options is refused rather than mixed.
"""

import contextlib
import csv
import json
import os
import pickle
import shutil
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from .corpus import CorpusConfig, prepare_corpus
from .data import CLASSES
from .ids import read_ids
from .loaders import LanguageModelLoader, SortishSampler, SortSampler, pad_collate
from .models import ClassifierConfig, LMConfig, get_classifier, get_language_model
from .predict import clip_document, predict_docs
from .prepare import PrepareConfig, prepare_imdb
from .schedule import STLR, OneCycle, Schedule
from .train import (ARTAR, Learner, LearnerConfig, Stage, default_device, fine_tune_lm, run_stages, set_seed,
                    train_classifier)
from .transfer import load_encoder, load_pretrained_lm, read_lm_weights
from .vocab import Vocab, load_itos

STAGES = ("prepare", "lm", "classifier", "evaluate")


class StageError(Exception):
    """A stage that cannot run as asked; the message says what to do."""


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


@dataclass(frozen=True)
class ClassifierTraining:
    """How the classifier trains: batches, review length, gradual unfreezing (epochs per stage) and the head's lr."""

    bs: int
    epochs: tuple[int, ...]  # the head alone, then one more layer group per stage; the last stage trains all
    lr: float  # the head's lr; each group below gets lr / learner.lr_factor
    schedule: Schedule = STLR()
    learner: LearnerConfig = LearnerConfig()
    max_tokens: int = None  # longer reviews are clipped (their start and end kept); None: whole reviews
    valid_frac: float = 0.05  # of clas/train held out to report validation accuracy while training


@dataclass(frozen=True)
class Preset:
    """Everything a run's results depend on, by name: data preparation, model sizes and every training recipe."""

    name: str
    prepare: PrepareConfig
    lm: LMConfig
    classifier: ClassifierConfig
    fine_tune: LMTraining  # the LM on IMDb, starting from a pretrained one
    from_scratch: LMTraining  # the LM on IMDb when there is no pretrained one
    classify: ClassifierTraining
    corpus: CorpusConfig  # `ulmfit pretrain`: the general corpus...
    pretrain: LMTraining  # ...and the language model trained on it
    threads: int = None  # torch's CPU threads (None: its default); tiny models run fastest on one


_LM_LEARNER = LearnerConfig(betas=(0.8, 0.99), wd=1e-7, clip=0.25)
_SCRATCH_LEARNER = replace(_LM_LEARNER, lr_factor=1.0)  # random weights: no reason to train lower layers slower
_CLAS_LEARNER = LearnerConfig(betas=(0.7, 0.99), wd=0.0, clip=25.0)

# The seed's lesson-10 notebook and the paper (Howard & Ruder 2018), on a GPU.
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

# The whole run on 2 CPU cores in under 45 minutes (42 measured): a small LM fine-tuned on part of the IMDb text
# from `ulmfit pretrain --preset cpu` (or trained there from scratch), reviews clipped.
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
                                valid_frac=0.04),
    corpus=CorpusConfig(max_vocab=10000, min_freq=3, max_words=6_000_000),
    pretrain=LMTraining(bs=64, bptt=64, epochs=1, lr=5e-3, learner=_SCRATCH_LEARNER, valid_tokens=200_000),
)

# For CI and a first try: a few hundred reviews, a tiny model, the whole command in well under 2 minutes.
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


@dataclass(frozen=True)
class Pretrained:
    """A pretrained language model to start from: weights, vocabulary, and the sizes read from the weights."""

    weights: Path
    vocab: Path
    emb_sz: int
    n_hid: int
    n_layers: int
    out_bias: bool


def find_pretrained(weights, vocab=None) -> Pretrained:
    """The pretrained LM at `weights` (a file, or a folder made by `ulmfit pretrain`) and its vocabulary file."""
    weights = Path(weights)
    if weights.is_dir():
        vocab = vocab or weights / "vocab.json"
        weights = weights / "model.pt"
    if vocab is None:
        raise StageError(f"--pretrained {weights} needs its vocabulary: give --pretrained-vocab "
                         f"(itos_wt103.pkl for fastai's wt103, vocab.json for `ulmfit pretrain`)")
    vocab = Path(vocab)
    for path, what in ((weights, "pretrained weights"), (vocab, "pretrained vocabulary")):
        if not path.is_file():
            raise StageError(f"{path}: no such file ({what})")
    with _reading(weights, "the pretrained weights", "download it again or pass another --pretrained"):
        state = read_lm_weights(weights)
    rnns = sorted(int(k.split(".")[2]) for k in state if k.endswith("weight_hh_l0_raw"))
    if "0.encoder.weight" not in state or rnns != list(range(len(rnns))) or not rnns:
        raise StageError(f"{weights}: not an AWD-LSTM language model (no 0.encoder.weight or 0.rnns.N weights); "
                         f"pass a fastai wt103 model or one made by `ulmfit pretrain`")
    emb_sz = state["0.encoder.weight"].shape[1]
    n_hid = state["0.rnns.0.weight_hh_l0_raw"].shape[1] if len(rnns) > 1 else emb_sz
    return Pretrained(weights.resolve(), vocab.resolve(), emb_sz, n_hid, len(rnns), "1.decoder.bias" in state)


@contextlib.contextmanager
def _reading(path: Path, what: str, advice: str):
    """Turn the errors of reading a checkpoint into a StageError naming the file and what to do."""
    try:
        yield
    except FileNotFoundError:
        raise StageError(f"{path}: missing ({what}); {advice}") from None
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StageError(f"{path}: cannot read {what}, the file is truncated or corrupt ({reason}); {advice}") from None
    except ValueError as e:
        raise StageError(f"{' '.join(str(e).split())}; {advice}") from None


@dataclass(frozen=True)
class Run:
    """One IMDb run: its folder, preset, model sizes (the pretrained LM's, if any), seed, device and log."""

    out: Path
    preset: Preset
    lm: LMConfig
    classifier: ClassifierConfig
    pretrained: Pretrained | None
    seed: int
    device: torch.device
    n_workers: int = None
    log: Callable[[str], None] = print

    @property
    def prepared(self) -> Path:
        """The folder of `ulmfit prepare`'s output."""
        return self.out / "prepared"

    def config(self) -> dict:
        """What the run's outputs depend on, as JSON values."""
        pretrained = None if self.pretrained is None else {"weights": str(self.pretrained.weights),
                                                           "vocab": str(self.pretrained.vocab)}
        return _as_json({"preset": asdict(self.preset), "lm": asdict(self.lm), "classifier": asdict(self.classifier),
                         "pretrained": pretrained, "seed": self.seed})


def make_run(out, preset: Preset, pretrained: Pretrained = None, seed: int = 42, n_workers: int = None,
             log=print) -> Run:
    """A run of `preset` in `out`; a pretrained LM sets the sizes of the language model and of the classifier."""
    lm, classifier = preset.lm, preset.classifier
    if pretrained is not None:
        sizes = {"emb_sz": pretrained.emb_sz, "n_hid": pretrained.n_hid, "n_layers": pretrained.n_layers}
        lm, classifier = replace(lm, out_bias=pretrained.out_bias, **sizes), replace(classifier, **sizes)
        if (lm.emb_sz, lm.n_hid, lm.n_layers) != (preset.lm.emb_sz, preset.lm.n_hid, preset.lm.n_layers):
            log(f"the pretrained LM is {lm.emb_sz}/{lm.n_hid}/{lm.n_layers} (emb/hidden/layers): it replaces "
                f"the preset's {preset.lm.emb_sz}/{preset.lm.n_hid}/{preset.lm.n_layers}")
    return Run(Path(out), preset, lm, classifier, pretrained, seed, default_device(), n_workers, log)


def _as_json(obj):
    """`obj` as it reads back from JSON (tuples become lists, paths strings)."""
    return json.loads(json.dumps(obj, default=str))


def _differences(a, b, prefix: str = "") -> list[str]:
    """The dotted keys where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{prefix}{k}.")]
    return [] if a == b else [prefix.rstrip(".")]


def claim_folder(out: Path, config: dict, command: str) -> None:
    """Record `config` in out/run.json, or check that it is the one already there."""
    path = out / "run.json"
    if path.exists():
        before = json.loads(path.read_text())
        diff = _differences(before, config)
        if diff:
            raise StageError(f"{out} holds a run made with other options (they differ in {', '.join(diff[:4])}); "
                             f"pass the same options as before or a new --out for `ulmfit {command}`")
        return
    out.mkdir(parents=True, exist_ok=True)
    write_json(path, config)


def write_json(path: Path, obj) -> None:
    """Write JSON to a temporary file, then move it into place: a reader sees all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str))
    os.replace(tmp, path)


def save_state(state: dict, path: Path) -> None:
    """torch.save to a temporary file, then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _done(folder: Path, stage: str, log) -> dict | None:
    """The result of a finished stage (and a line saying it is skipped), or None."""
    path = folder / "result.json"
    if not path.exists():
        return None
    log(f"{stage}: {path} exists, skipping (delete {folder} to run it again)")
    return json.loads(path.read_text())


def _stage_folder(out: Path, stage: str) -> Path:
    """Where a stage of the run in `out` writes."""
    return out / ("prepared" if stage == "prepare" else stage)


def _start(run: Run, stage: str) -> None:
    """Before a stage runs: remove the outputs of the later stages, which were made from its old output."""
    for later in STAGES[STAGES.index(stage) + 1:]:
        folder = _stage_folder(run.out, later)
        if folder.exists():
            run.log(f"{later}: removing {folder}, made from an earlier {stage} stage")
            shutil.rmtree(folder)


def _note_checkpoints(folder: Path, prefix: str, resume: bool, log) -> None:
    """Say so when an interrupted fit left checkpoints that this run will overwrite."""
    if not resume and list(folder.glob(f"{prefix}[0-9]*.pt")):
        log(f"{folder} holds checkpoints of an interrupted run: starting afresh (pass --resume to continue from them)")


def _needs(path: Path, stage: str) -> Path:
    """`path`, or a StageError naming the stage that makes it."""
    if not path.exists():
        raise StageError(f"{path} is missing: run the {stage} stage first (`ulmfit imdb --stage {stage} ...`)")
    return path


def _learner_config(base: LearnerConfig, path: Path) -> LearnerConfig:
    """`base` writing checkpoints and plots to `path`, with progress bars only on a terminal."""
    return replace(base, path=path, progress=sys.stderr.isatty())


def _lm_tokens(prefix: Path, limit: int = None) -> np.ndarray:
    """The ids of the first documents of a split, up to `limit` tokens, as one array."""
    docs, n, taken = read_ids(prefix), 0, []
    for d in docs:
        if limit is not None and n >= limit:
            break
        taken.append(d)
        n += len(d)
    flat = np.concatenate(taken) if taken else np.zeros(0, dtype=np.int32)
    return flat[:limit]


def train_language_model(model, train: Path, valid: Path, fit: LMTraining, folder: Path, seed: int,
                         device: torch.device, resume: bool, log) -> dict:
    """Train an LM on the ids at `train` (head-only fit first if fit.head_epochs) and return its results."""
    train_ids, valid_ids = _lm_tokens(train, fit.train_tokens), _lm_tokens(valid, fit.valid_tokens)
    try:
        train_dl = LanguageModelLoader(train_ids, fit.bs, fit.bptt, seed=seed)
        valid_dl = LanguageModelLoader(valid_ids, fit.bs, fit.bptt, seed=seed + 1)
    except ValueError as e:
        raise StageError(f"too little text for the language model ({e}); use more data or a smaller preset") from None
    learner = Learner(model, train_dl, valid_dl, reg_fn=ARTAR(), config=_learner_config(fit.learner, folder),
                      device=device)
    _note_checkpoints(folder, "lm", resume, log)
    log(f"language model: {len(train_ids):,} training and {len(valid_ids):,} validation tokens, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters")
    if fit.head_epochs:
        records = fine_tune_lm(learner, fit.head_epochs, fit.head_lr, fit.epochs, fit.lr, fit.schedule, resume)
    else:
        records = run_stages(learner, [Stage(0, fit.epochs, fit.lr, fit.schedule)], "lm", resume)
    last = records[-1]
    return {"perplexity": last.perplexity, "accuracy": last.accuracy, "valid_loss": last.valid_loss,
            "train_tokens": len(train_ids), "valid_tokens": len(valid_ids), "epochs": [asdict(r) for r in records]}


def stage_prepare(run: Run, data) -> dict:
    """Stage 1: IMDb reviews to token ids in run.out/prepared (`ulmfit prepare`)."""
    folder = run.prepared
    if (result := _done(folder, "prepare", run.log)) is not None:
        return result
    _start(run, "prepare")
    if data is None:
        raise StageError("the prepare stage needs the reviews: give --data PATH (an aclImdb folder or "
                         "aclImdb_v1.tar.gz) or --download")
    began = time.perf_counter()
    summary = prepare_imdb(data, folder, run.preset.prepare, n_workers=run.n_workers, log=run.log)
    result = {"seconds": time.perf_counter() - began, "vocab_size": summary["vocab_size"],
              "documents": {name: s["documents"] for name, s in summary["datasets"].items()}}
    write_json(folder / "result.json", result)
    return result


def stage_lm(run: Run, resume: bool = False) -> dict:
    """Stage 2: the language model on IMDb text, fine-tuned from the pretrained one or trained from scratch."""
    folder = run.out / "lm"
    if (result := _done(folder, "lm", run.log)) is not None:
        return result
    vocab = Vocab.load(_needs(run.prepared / "vocab.json", "prepare"))
    _start(run, "lm")
    began = time.perf_counter()
    set_seed(run.seed)
    model = get_language_model(len(vocab), run.lm)
    pretraining = None
    if run.pretrained is not None:
        p = run.pretrained
        with _reading(p.vocab, "the pretrained vocabulary", "pass the vocabulary file the model was saved with"):
            old_itos = load_itos(p.vocab)
        with _reading(p.weights, "the pretrained weights",
                      "pass the --pretrained-vocab that the model was trained with, or another --pretrained"):
            load_pretrained_lm(model, p.weights, old_itos, vocab.itos)
        coverage = len(set(vocab.itos) & set(old_itos)) / len(vocab)
        pretraining = {"weights": str(p.weights), "vocab": str(p.vocab), "vocab_size": len(old_itos),
                       "sizes": f"{p.emb_sz}/{p.n_hid}/{p.n_layers}", "vocab_coverage": coverage}
        run.log(f"loaded the pretrained LM {p.weights}: {coverage:.1%} of the IMDb vocabulary is in its vocabulary")
    fit = run.preset.fine_tune if run.pretrained is not None else run.preset.from_scratch
    prefix = run.prepared / "lm"
    result = train_language_model(model, prefix / "train", prefix / "valid", fit, folder, run.seed, run.device,
                                  resume, run.log)
    save_state(model.state_dict(), folder / "model.pt")
    save_state(model[0].state_dict(), folder / "encoder.pt")
    result.update(pretraining=pretraining, seconds=time.perf_counter() - began)
    write_json(folder / "result.json", result)
    return result


def _classifier_data(run: Run, split: str) -> tuple[list[np.ndarray], np.ndarray]:
    """The clipped documents and labels of clas/train or clas/test."""
    prefix = run.prepared / "clas" / split
    _needs(prefix.with_name(f"{split}.ids.npy"), "prepare")
    docs = read_ids(prefix, mmap=False)
    labels = np.load(prefix.with_name(f"{split}.labels.npy"))
    return [clip_document(d, run.preset.classify.max_tokens) for d in docs], labels


def _n_classes(labels: np.ndarray) -> int:
    """How many classes the labels use (neg and pos: 2)."""
    return max(2, int(labels.max()) + 1)


def stage_classifier(run: Run, resume: bool = False) -> dict:
    """Stage 3: the classifier on the fine-tuned encoder, trained with gradual unfreezing."""
    folder = run.out / "classifier"
    if (result := _done(folder, "classifier", run.log)) is not None:
        return result
    vocab = Vocab.load(_needs(run.prepared / "vocab.json", "prepare"))
    encoder = _needs(run.out / "lm" / "encoder.pt", "lm")
    _start(run, "classifier")
    fit = run.preset.classify
    docs, labels = _classifier_data(run, "train")
    n_valid = max(1, round(len(docs) * fit.valid_frac))
    if (len(docs) - n_valid) % fit.bs == 1:  # a last batch of one review cannot train BatchNorm: validate on it
        n_valid += 1
    if len(docs) - n_valid < 2:
        raise StageError(f"{len(docs)} training reviews are too few for the classifier; use more data")
    began = time.perf_counter()
    train, valid = list(zip(docs[:-n_valid], labels[:-n_valid])), list(zip(docs[-n_valid:], labels[-n_valid:]))
    train_dl = DataLoader(train, batch_sampler=SortishSampler([len(d) for d, _ in train], fit.bs, seed=run.seed),
                          collate_fn=pad_collate)
    valid_dl = DataLoader(valid, batch_size=fit.bs, sampler=SortSampler([len(d) for d, _ in valid]),
                          collate_fn=pad_collate)
    set_seed(run.seed)
    n_classes = _n_classes(labels)
    model = get_classifier(len(vocab), n_classes, run.classifier)
    with _reading(encoder, "the fine-tuned encoder", "run the lm stage again (delete its folder first)"):
        load_encoder(model, encoder)
    learner = Learner(model, train_dl, valid_dl, reg_fn=ARTAR(), config=_learner_config(fit.learner, folder),
                      device=run.device)
    _note_checkpoints(folder, "clas", resume, run.log)
    run.log(f"classifier: {len(train):,} training and {len(valid):,} validation reviews")
    records = train_classifier(learner, fit.epochs, [fit.lr] * len(fit.epochs), fit.schedule, resume)
    save_state(model.state_dict(), folder / "model.pt")
    last = records[-1]
    result = {"valid_accuracy": last.accuracy, "valid_loss": last.valid_loss, "n_classes": n_classes,
              "train_reviews": len(train), "valid_reviews": len(valid), "epochs": [asdict(r) for r in records],
              "seconds": time.perf_counter() - began}
    write_json(folder / "result.json", result)
    return result


def load_classifier(out, run_config: dict = None) -> tuple[torch.nn.Module, Vocab, int]:
    """The trained classifier of the run in `out`, its vocabulary and the review length it reads (max_tokens)."""
    out = Path(out)
    run_config = run_config or json.loads(_needs(out / "run.json", "prepare").read_text())
    vocab = Vocab.load(_needs(out / "prepared" / "vocab.json", "prepare"))
    weights = _needs(out / "classifier" / "model.pt", "classifier")
    n_classes = json.loads(_needs(out / "classifier" / "result.json", "classifier").read_text())["n_classes"]
    model = get_classifier(len(vocab), n_classes, ClassifierConfig(**run_config["classifier"]))
    with _reading(weights, "the classifier", "run the classifier stage again (delete its folder first)"):
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return model, vocab, run_config["preset"]["classify"]["max_tokens"]


def stage_evaluate(run: Run) -> dict:
    """Stage 4: accuracy on every test review; predictions written in the order of clas/test."""
    folder = run.out / "evaluate"
    if (result := _done(folder, "evaluate", run.log)) is not None:
        return result
    model, _, _ = load_classifier(run.out, run.config())
    docs, labels = _classifier_data(run, "test")
    began = time.perf_counter()
    probs = predict_docs(model, docs, run.preset.classify.bs, run.device).numpy()
    predicted = probs.argmax(1)
    accuracy = float((predicted == labels).mean())
    names = CLASSES[:probs.shape[1]]
    tmp = folder / "predictions.csv.tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "predicted"] + [f"p_{c}" for c in names])
        for y, p, row in zip(labels, predicted, probs):
            w.writerow([names[y], names[p]] + [f"{v:.6f}" for v in row])
    os.replace(tmp, folder / "predictions.csv")
    result = {"accuracy": accuracy, "error": 1 - accuracy, "test_reviews": len(docs),
              "seconds": time.perf_counter() - began}
    write_json(folder / "result.json", result)
    run.log(f"test accuracy {accuracy:.4f} (error {1 - accuracy:.2%}) on {len(docs):,} reviews")
    return result


def _device_name(device: torch.device) -> str:
    """The device in words: 'cpu (2 threads)' or the GPU's name."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    n = torch.get_num_threads()
    return f"cpu ({n} thread{'s' if n > 1 else ''})"


def write_results(run: Run) -> dict:
    """Gather the results of the finished stages into run.out/results.json."""
    stages = {s: json.loads(p.read_text()) for s in STAGES if (p := _stage_folder(run.out, s) / "result.json").exists()}
    lm, evaluation = stages.get("lm", {}), stages.get("evaluate", {})
    seconds = {s: r["seconds"] for s, r in stages.items()}
    results = {"preset": run.preset.name, "accuracy": evaluation.get("accuracy"), "error": evaluation.get("error"),
               "perplexity": lm.get("perplexity"), "perplexity_tokens": lm.get("valid_tokens"),
               "lm_accuracy": lm.get("accuracy"), "valid_accuracy": stages.get("classifier", {}).get("valid_accuracy"),
               "seconds": seconds, "minutes": sum(seconds.values()) / 60, "device": _device_name(run.device),
               "pretraining": lm.get("pretraining"), "stages_done": list(stages), "config": run.config()}
    write_json(run.out / "results.json", results)
    return results


def run_imdb(run: Run, data=None, stages=STAGES, resume: bool = False) -> dict:
    """Run `stages` of the IMDb run in order, skipping those already done; returns results.json's contents."""
    claim_folder(run.out, run.config(), "imdb")
    run.log(f"ulmfit imdb: preset {run.preset.name} on {_device_name(run.device)}, writing to {run.out}")
    for stage in stages:
        if stage == "prepare":
            stage_prepare(run, data)
        elif stage == "lm":
            stage_lm(run, resume)
        elif stage == "classifier":
            stage_classifier(run, resume)
        elif stage == "evaluate":
            stage_evaluate(run)
        else:
            raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    return write_results(run)


def run_pretrain(corpus, out, preset: Preset, resume: bool = False, seed: int = 42, n_workers: int = None,
                 log=print) -> dict:
    """`ulmfit pretrain`: a general LM from plain text, saved as out/model.pt and out/vocab.json for --pretrained."""
    out, device = Path(out), default_device()
    config = _as_json({"corpus": str(Path(corpus).resolve()), "preset_name": preset.name, "corpus_config":
                       asdict(preset.corpus), "lm": asdict(preset.lm), "pretrain": asdict(preset.pretrain),
                       "seed": seed})
    claim_folder(out, config, "pretrain")
    if (result := _done(out, "pretrain", log)) is not None:
        return result
    log(f"ulmfit pretrain: preset {preset.name} on {_device_name(device)}, writing to {out}")
    began = time.perf_counter()
    summary = prepare_corpus(corpus, out / "prepared", preset.corpus, n_workers, log)
    vocab = Vocab.load(out / "prepared" / "vocab.json")
    set_seed(seed)
    model = get_language_model(len(vocab), preset.lm)
    result = train_language_model(model, out / "prepared" / "train", out / "prepared" / "valid", preset.pretrain,
                                  out / "checkpoints", seed, device, resume, log)
    save_state(model.state_dict(), out / "model.pt")
    vocab.save(out / "vocab.json")
    result.update(corpus=summary["corpus"], vocab_size=len(vocab), device=_device_name(device),
                  seconds=time.perf_counter() - began)
    write_json(out / "result.json", result)
    log(f"validation perplexity {result['perplexity']:.2f}; use it with "
        f"`ulmfit imdb --pretrained {out / 'model.pt'} --pretrained-vocab {out / 'vocab.json'}`")
    return result

