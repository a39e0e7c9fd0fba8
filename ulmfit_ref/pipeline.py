"""The stages of a ULMFiT run on any data set in the standard CSV folder, and `ulmfit pretrain`.

    prepare     the data set to token ids (prepare.py)                                          RUN/prepared
    lm          the language model on every text, fine-tuned from a pretrained one or from scratch   RUN/lm
    classifier  the classifier on the fine-tuned encoder, by the run's recipe (gradual unfreezing)   RUN/classifier
    evaluate    accuracy, macro-F1, per-class figures and the confusion matrix on the test set      RUN/evaluate

`STAGES` names the body of each, `(run, folder, resume) -> result`; `run_pipeline` runs them in order, skips a
finished one, clears the later ones when it reruns one, and writes each result.json. `run_imdb` puts IMDb in the
standard CSV first and runs the same stages.
"""

import csv
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from .corpus import prepare_corpus
from .data import permutation
from .dataset import dataset_identity
from .direction import PRETRAINED_ADVICE, check_direction, direction, oriented
from .distributed import current, on_main
from .errors import StageError
from .files import atomic_write, identity, read_json, write_json
from .ids import read_ids
from .loaders import LanguageModelLoader, SortishSampler, SortSampler, pad_collate
from .lock import folder_lock
from .metrics import classification_report
from .models import ClassifierConfig, get_classifier, get_language_model
from .plots import confusion_figure, save_figure
from .predict import Classifier, Ensemble, clip_document, predict_docs
from .prepare import imdb_csv, prepare_dataset
from .presets import PRESETS, TINY, ClassifierTraining, LMTraining, Preset, with_recipe
from .provenance import made_with
from .runs import (
    Pretrained,
    Run,
    as_json,
    claim_folder,
    claim_run,
    device_name,
    find_pretrained,
    finished,
    make_run,
    needs,
    prepared_folder,
    preset_threads,
    reading,
    save_state,
)
from .train import ARTAR, Learner, LearnerConfig, Stage, default_device, fine_tune_lm, run_stages, set_seed
from .train import train_classifier as fit_stages
from .transfer import load_encoder, load_pretrained_lm, read_state
from .vocab import Vocab, load_itos

# Also the names that the lessons and older code import from here.
__all__ = ["STAGES", "run_pipeline", "run_imdb", "run_pretrain", "fit_classifier", "evaluate_classifier",
           "load_classifier", "Run", "make_run", "find_pretrained", "StageError", "PRESETS", "TINY"]


def _learner_config(base: LearnerConfig, path: Path) -> LearnerConfig:
    """`base` writing checkpoints and plots to `path`, with progress: bars (and live curves) where someone watches (a
    terminal, a notebook), else a line every few percent of a long loop (`ulmfit_ref.progress`)."""
    return replace(base, path=path, progress=True)


def _note_checkpoints(folder: Path, prefix: str, resume: bool, log) -> None:
    """Say so when an interrupted fit left checkpoints that this run will overwrite."""
    if not resume and list(folder.glob(f"{prefix}[0-9]*.pt")):
        log(f"{folder} holds checkpoints of an interrupted run: starting afresh (pass --resume to continue from them)")


def _lm_tokens(docs, limit: int = None, backwards: bool = False) -> np.ndarray:
    """The ids of the first documents, up to `limit` tokens, as one array (each document reversed if `backwards`)."""
    n, taken = 0, []
    for d in docs:
        if limit is not None and n >= limit:
            break
        taken.append(oriented(d, backwards))
        n += len(d)
    flat = np.concatenate(taken) if taken else np.zeros(0, dtype=np.int32)
    return flat[:limit]


def train_language_model(model, train, valid, fit: LMTraining, folder: Path, seed: int, device: torch.device,
                         resume: bool, log, backwards: bool = False, stamp: dict = None) -> dict:
    """Train an LM on the id documents `train` (head-only fit first if fit.head_epochs) and return its results.

    With fit.epochs == 0 nothing trains: the LM is only scored on `valid`. `backwards`: every document reversed.
    `stamp` (provenance.made_with) marks its checkpoints.
    """
    train_ids = _lm_tokens(train, fit.train_tokens, backwards)
    valid_ids = _lm_tokens(valid, fit.valid_tokens, backwards)
    for name, ids, docs, key in (("training", train_ids, train, "train_tokens"), ("validation", valid_ids, valid,
                                                                                   "valid_tokens")):
        if len(ids) < (total := sum(len(d) for d in docs)):
            log(f"language model: reads the first {len(ids):,} of {total:,} {name} tokens (the preset's {key})")
    world = current().world_size
    if fit.bs % world:
        raise StageError(f"batches of {fit.bs} do not split over {world} processes: pass a --bs that {world} divides")
    valid_bs = min(fit.bs, len(valid_ids) // 2)  # a small validation text is read in fewer columns...
    valid_bs -= valid_bs % world  # ...as many on each process
    if len(train_ids) < 2 * fit.bs or valid_bs < 1:
        raise StageError(f"too little text for the language model ({len(train_ids)} training and {len(valid_ids)} "
                         f"validation tokens, batches of {fit.bs}); use more data or a smaller preset")
    if valid_bs < fit.bs:
        log(f"language model: {len(valid_ids)} validation tokens, read in {valid_bs} columns instead of {fit.bs}")
    shard = (current().rank, world)  # this process's columns of the stream (all of them when alone)
    train_dl = LanguageModelLoader(train_ids, fit.bs, fit.bptt, seed=seed, shard=shard)
    valid_dl = LanguageModelLoader(valid_ids, valid_bs, fit.bptt, seed=seed + 1, shard=shard)
    learner = Learner(model, train_dl, valid_dl, reg_fn=ARTAR(), config=_learner_config(fit.learner, folder),
                      device=device, made_with=stamp, log=log)
    _note_checkpoints(folder, "lm", resume, log)
    log(f"{direction(backwards)} language model: {len(train_ids):,} training and {len(valid_ids):,} validation "
        f"tokens, {sum(p.numel() for p in model.parameters()):,} parameters")
    if fit.epochs == 0:
        valid_loss, accuracy = learner.validate()
        records, last = [], {"valid_loss": valid_loss, "accuracy": accuracy, "perplexity": float(np.exp(valid_loss))}
    else:
        if fit.head_epochs:
            records = fine_tune_lm(learner, fit.head_epochs, fit.head_lr, fit.epochs, fit.lr, fit.schedule, resume)
        else:
            records = run_stages(learner, [Stage(0, fit.epochs, fit.lr, fit.schedule)], "lm", resume)
        last = asdict(records[-1])
    return {"perplexity": last["perplexity"], "accuracy": last["accuracy"], "valid_loss": last["valid_loss"],
            "train_tokens": len(train_ids), "valid_tokens": len(valid_ids), "epochs": [asdict(r) for r in records]}


# --- the stages -------------------------------------------------------------------------------------------------


def _prepare(run: Run, folder: Path, resume: bool) -> dict:
    """The data set to token ids in RUN/prepared."""
    if run.data is None:
        raise StageError("the prepare stage needs the data set: give DATA, a folder holding train.csv (and optionally "
                         "test.csv, classes.txt, unlabelled.csv)")
    summary = prepare_dataset(run.data, folder, run.preset.prepare, n_workers=run.n_workers, log=run.log)
    return {"source": summary["source"], "input": summary["input"], "classes": summary["classes"],
            "label_format": summary["label_format"],
            "test_from": summary["test_from"], "vocab_size": summary["vocab_size"],
            "documents": {name: s["documents"] for name, s in summary["datasets"].items()}}


def language_model(run: Run, folder: Path, fit: LMTraining, pretrained: Pretrained | None, docs=None,
                   resume: bool = False) -> dict:
    """A language model fine-tuned from `pretrained` (None: trained from scratch) by `fit`, saved in `folder`.

    It reads the prepared lm/train and lm/valid (every text of the data set), or the id documents `docs`, of which
    the preset's lm_valid_frac is held out to validate it.
    """
    vocab = Vocab.load(needs(run.prepared / "vocab.json", "prepare"))
    if docs is None:
        prefix = run.prepared / "lm"
        train, valid = read_ids(prefix / "train"), read_ids(prefix / "valid")
    else:
        order = permutation(len(docs), run.seed)
        n_valid = max(1, round(len(docs) * run.preset.prepare.lm_valid_frac))
        train, valid = [docs[i] for i in order[n_valid:]], [docs[i] for i in order[:n_valid]]
    set_seed(run.seed)
    model = get_language_model(len(vocab), run.lm)
    pretraining = None
    if pretrained is not None:
        p = pretrained
        if p is not run.pretrained:  # another LM than the run's (api.fine_tune_lm): make_run checked the run's own
            check_direction(p.weights, p.backwards, run.backwards, PRETRAINED_ADVICE[run.backwards], run.log)
        with reading(p.vocab, "the pretrained vocabulary", "pass the vocabulary file the model was saved with"):
            old_itos = load_itos(p.vocab)
        with reading(p.weights, "the pretrained weights",
                     "pass the --pretrained-vocab that the model was trained with, or another --pretrained"):
            load_pretrained_lm(model, p.state if p.state is not None else p.weights, old_itos, vocab.itos)
        coverage = len(set(vocab.itos) & set(old_itos)) / len(vocab)
        pretraining = {"weights": str(p.weights), "vocab": str(p.vocab), "vocab_size": len(old_itos),
                       "sizes": f"{p.emb_sz}/{p.n_hid}/{p.n_layers}", "vocab_coverage": coverage,
                       "direction": direction(run.backwards)}
        run.log(f"loaded the pretrained LM {p.weights}: {coverage:.1%} of the task's vocabulary is in its vocabulary")
    stamp = made_with(vocab.itos, asdict(run.preset))
    result = train_language_model(model, train, valid, fit, folder, run.seed, run.device, resume, run.log,
                                  run.backwards, stamp)
    save_state(model.state_dict(), folder / "model.pt", vocab.itos, run.preset, run.backwards)
    save_state(model[0].state_dict(), folder / "encoder.pt", vocab.itos, run.preset, run.backwards)
    return {**result, "pretraining": pretraining, "direction": direction(run.backwards)}


def _language_model(run: Run, folder: Path, resume: bool) -> dict:
    """The language model on the task's text, fine-tuned from the pretrained one or trained from scratch."""
    fit = run.preset.fine_tune if run.pretrained is not None else run.preset.from_scratch
    return language_model(run, folder, fit, run.pretrained, resume=resume)


def prepared_summary(run: Run) -> dict:
    """What the prepare stage read: classes, text fields, documents (prepared/summary.json)."""
    return read_json(needs(run.prepared / "summary.json", "prepare"), ("classes", "n_fields"),
                     f"prepare the run again (delete {run.prepared} and the stages after it)")


def classifier_data(run: Run, split: str) -> tuple[list[np.ndarray], np.ndarray]:
    """The clipped documents (in the run's reading direction) and the class numbers of clas/train or clas/test."""
    prefix = run.prepared / "clas" / split
    needs(prefix.with_name(f"{split}.ids.npy"), "prepare")
    docs = read_ids(prefix, mmap=False)
    labels = np.load(prefix.with_name(f"{split}.labels.npy"))
    return [oriented(clip_document(d, run.preset.classify.max_tokens), run.backwards) for d in docs], labels


def _classifier_split(n: int, fit: ClassifierTraining) -> tuple[int, int]:
    """(training, validation) documents of `n`, fit.valid_frac held out; under torchrun both multiples of the number
    of processes (the last n % processes left out), so that every batch splits evenly."""
    world = current().world_size
    if fit.bs % world or fit.bs < 2 * world:
        raise StageError(f"classifier batches of {fit.bs} documents: each of {world} process(es) needs an equal share "
                         f"of at least 2 (BatchNorm); pass a --bs of at least {2 * world} that {world} divides")
    usable = n - n % world
    n_valid = max(world, -(-round(usable * fit.valid_frac) // world) * world)
    while (usable - n_valid) % fit.bs == world:  # a last batch of one document per process cannot train BatchNorm
        n_valid += world
    if usable - n_valid < 2 * world:
        raise StageError(f"{n} training documents are too few for the classifier; use more data")
    return usable - n_valid, n_valid


def fit_classifier(run: Run, folder: Path, indices=None, recipe: str = None, resume: bool = False,
                   encoder: Path | None | str = "lm", fit: ClassifierTraining = None) -> dict:
    """A classifier trained on clas/train[indices] (None: all) by `recipe` applied to `fit` (default: the preset's).

    Its encoder starts from the `encoder.pt` at `encoder` ('lm': the run's lm stage), or from random weights (None).
    """
    folder = Path(folder)
    vocab_file = needs(run.prepared / "vocab.json", "prepare")
    vocab = Vocab.load(vocab_file)
    classes = prepared_summary(run)["classes"]
    if encoder == "lm":
        encoder = needs(run.out / "lm" / "encoder.pt", "lm")
    recipe = recipe or run.recipe
    fit = with_recipe(fit or run.preset.classify, recipe)
    docs, labels = classifier_data(run, "train")
    if indices is not None:
        indices = np.asarray(indices, dtype=np.int64)
        docs, labels = [docs[i] for i in indices], labels[indices]
    n_train, n_valid = _classifier_split(len(docs), fit)
    end = n_train + n_valid
    train, valid = list(zip(docs[:n_train], labels[:n_train])), list(zip(docs[n_train:end], labels[n_train:end]))
    if end < len(docs):
        run.log(f"classifier: {len(docs) - end} document(s) left out so that every batch splits evenly over "
                f"{current().world_size} processes")
    train_dl = DataLoader(train, batch_sampler=SortishSampler([len(d) for d, _ in train], fit.bs, seed=run.seed),
                          collate_fn=pad_collate)
    valid_dl = DataLoader(valid, batch_size=fit.bs, sampler=SortSampler([len(d) for d, _ in valid]),
                          collate_fn=pad_collate)
    set_seed(run.seed)
    model = get_classifier(len(vocab), len(classes), run.classifier)
    if encoder is not None:
        advice = f"train its language model again (delete {Path(encoder).parent} first)"
        with reading(encoder, "the fine-tuned encoder", advice):
            saved = load_encoder(model, encoder, made_with(vocab.itos), vocab_file, run.log, advice)
        check_direction(encoder, saved, run.backwards, "give the encoder of a language model that reads the same way",
                        run.log)
    learner = Learner(model, train_dl, valid_dl, reg_fn=ARTAR(), config=_learner_config(fit.learner, folder),
                      device=run.device, made_with=made_with(vocab.itos, asdict(run.preset)), log=run.log)
    _note_checkpoints(folder, "clas", resume, run.log)
    epochs = fit.epochs_for(len(train_dl))
    run.log(f"{direction(run.backwards)} classifier ({recipe}, "
            f"{'from ' + str(encoder) if encoder is not None else 'random weights'}): "
            f"{len(train):,} training and {len(valid):,} validation documents, {len(classes)} classes, epochs {epochs}")
    records = fit_stages(learner, epochs, [fit.lr] * len(epochs), fit.schedule, resume, fit.unfreeze)
    save_state(model.state_dict(), folder / "model.pt", vocab.itos, run.preset, run.backwards)
    last = records[-1]
    return {"valid_accuracy": last.accuracy, "valid_loss": last.valid_loss, "n_classes": len(classes),
            "classes": classes, "recipe": recipe, "train_documents": len(train), "valid_documents": len(valid),
            "left_out_documents": len(docs) - end,
            "stage_epochs": list(epochs), "epochs": [asdict(r) for r in records]}


def _classifier(run: Run, folder: Path, resume: bool) -> dict:
    """The classifier on every training document, by the run's recipe."""
    return fit_classifier(run, folder, resume=resume)


def load_classifier(out, folder=None, log=None) -> Classifier | Ensemble:
    """The trained classifier of the run in `out` (from `folder`, default out/classifier), ready to predict.

    Of a bidirectional run: its forward and backward classifiers, averaged (an Ensemble).
    """
    out = Path(out)
    if not out.is_dir():
        raise StageError(f"{out}: no such folder; pass the folder of a run of `ulmfit train` or `ulmfit imdb`")
    if not (out / "run.json").is_file():
        raise StageError(f"{out} is not the folder of a run (it has no run.json); pass the --out of a run of "
                         f"`ulmfit train` or `ulmfit imdb`")
    config = read_json(out / "run.json", advice="pass the --out of a run of this version, or train it again")
    if "corpus" in config and "classifier" not in config:
        raise StageError(f"{out} is the folder of `ulmfit pretrain`, a language model with no classifier: train one "
                         f"with `ulmfit train DATA --pretrained {out} --out RUN`, then predict with --model RUN")
    if "bidirectional" in config and folder is None:
        return Ensemble(tuple(load_classifier(out / name, log=log) for name in config["bidirectional"]))
    read_json(out / "run.json", ("classifier", "preset.classify.max_tokens", "preset.classify.bs"),
              "train it again with this version in a new --out")
    folder = Path(folder) if folder is not None else out / "classifier"
    weights = needs(folder / "model.pt", "classifier")
    prepared = prepared_folder(out)
    vocab_file = needs(prepared / "vocab.json", "prepare")
    redo = f"prepare the run again (delete {prepared} and the stages after it, or train in a new --out)"
    vocab = Vocab.load(vocab_file, redo)
    summary = read_json(needs(prepared / "summary.json", "prepare"), ("classes", "n_fields"), redo)
    model = get_classifier(len(vocab), len(summary["classes"]), ClassifierConfig(**config["classifier"]))
    advice = f"run the classifier stage again (delete {folder} first)"
    with reading(weights, "the classifier", advice):
        state, saved = read_state(weights, made_with(vocab.itos, config["preset"]), vocab_file, log, advice)
        model.load_state_dict(state)
    backwards = config.get("backwards", False)
    check_direction(weights, saved, backwards, advice)
    classify = config["preset"]["classify"]
    return Classifier(model, vocab, tuple(summary["classes"]), classify["max_tokens"], summary["n_fields"],
                      classify["bs"], default_device(), backwards)


def write_evaluation(folder: Path, labels: np.ndarray, probs: np.ndarray, names, what: str, log,
                     name: str = "test") -> dict:
    """The figures of class probabilities `probs` [n, classes] against `labels`, with predictions.csv,
    probabilities.npy and confusion_matrix.png written to `folder`; `what` names the documents in the picture,
    `name` the accuracy in the log."""
    folder, predicted = Path(folder), probs.argmax(1)
    with atomic_write(folder / "predictions.csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["label", "predicted"] + [f"p_{c}" for c in names])
        for y, p, row in zip(labels, predicted, probs):
            w.writerow([names[y], names[p]] + [f"{v:.6f}" for v in row])
    with atomic_write(folder / "probabilities.npy") as tmp, open(tmp, "wb") as f:
        np.save(f, probs.astype(np.float32), allow_pickle=False)
    report = classification_report(labels, predicted, names)
    title = f"{what} ({len(labels):,})\naccuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f}"
    save_figure(confusion_figure(report["confusion_matrix"], names, title), folder / "confusion_matrix.png")
    log(f"{name} accuracy {report['accuracy']:.4f} (error {1 - report['accuracy']:.2%}), macro-F1 "
        f"{report['macro_f1']:.4f} on {len(labels):,} documents")
    return {**report, "error": 1 - report["accuracy"], "classes": list(names), "test_documents": len(labels)}


def evaluate_classifier(run: Run, model_folder: Path, folder: Path, train_indices=None) -> dict:
    """The figures of the classifier in `model_folder` on the test set (or on the training documents `train_indices`,
    held out of its training); predictions and confusion matrix in `folder`."""
    clf = load_classifier(run.out, model_folder, run.log)
    if train_indices is None:
        docs, labels = classifier_data(run, "test")
    else:
        docs, labels = classifier_data(run, "train")
        docs, labels = [docs[i] for i in train_indices], labels[np.asarray(train_indices, dtype=np.int64)]
    probs = predict_docs(clf.model, docs, clf.bs, run.device).numpy()
    if train_indices is None:
        return write_evaluation(folder, labels, probs, clf.classes, "test set", run.log)
    return write_evaluation(folder, labels, probs, clf.classes, "held-out training documents", run.log, "held-out")


def _evaluate(run: Run, folder: Path, resume: bool) -> dict:
    """The run's classifier on the test set."""
    return evaluate_classifier(run, run.folder("classifier"), folder)


STAGES = {"prepare": _prepare, "lm": _language_model, "classifier": _classifier, "evaluate": _evaluate}
PARALLEL = ("lm", "classifier")  # the stages that every process of a torchrun job runs; rank 0 alone runs the others


# --- running them -----------------------------------------------------------------------------------------------


def write_results(run: Run) -> dict:
    """Gather the results of the finished stages into run.out/results.json."""
    stages = {s: r for s in STAGES if (r := finished(run.folder(s))) is not None}
    prepared, lm = stages.get("prepare", {}), stages.get("lm", {})
    evaluation, classifier = stages.get("evaluate", {}), stages.get("classifier", {})
    seconds = {s: r["seconds"] for s, r in stages.items()}
    figures = ("accuracy", "error", "macro_f1", "per_class", "confusion_matrix", "test_documents")
    results = {"preset": run.preset.name, "recipe": run.recipe, "direction": direction(run.backwards),
               "classes": prepared.get("classes"),
               **{k: evaluation.get(k) for k in figures},
               "perplexity": lm.get("perplexity"), "perplexity_tokens": lm.get("valid_tokens"),
               "lm_accuracy": lm.get("accuracy"), "valid_accuracy": classifier.get("valid_accuracy"),
               "seconds": seconds, "minutes": sum(seconds.values()) / 60, "device": device_name(run.device),
               "pretraining": lm.get("pretraining"), "stages_done": list(stages), "config": run.config()}
    write_json(run.out / "results.json", results)
    return results


def _check_source(run: Run) -> None:
    """Refuse data other than the data set the run's prepare stage read, or the same files changed since."""
    done = finished(run.prepared)
    if run.data is None or done is None:
        return
    if done["source"] != str(run.data.resolve()):
        raise StageError(f"{run.out} was prepared from {done['source']}, not {run.data.resolve()}: pass a new --out "
                         f"(or delete {run.prepared} to prepare it again)")
    if "input" in done and done["input"] != dataset_identity(run.data):
        raise StageError(f"{run.data} changed since {run.out} was prepared from it (its files differ in size or "
                         f"modification time): pass a new --out (or delete {run.prepared} to prepare it again)")


def _check_imdb_source(data, folder: Path, prepared: Path) -> None:
    """Refuse IMDb reviews other than those the data folder `folder` was written from, or the same ones changed."""
    made = folder / "imdb.json"
    if not made.exists():
        return
    before = read_json(made)
    if "input" in before and before["input"] != identity(data):
        raise StageError(f"{folder.parent} was prepared from {before['source']} as it was then, not from {data} as it "
                         f"is now (they differ in size or modification time): pass a new --out (or delete {folder} "
                         f"and {prepared} to prepare it again)")


def remove_made(folders: list[Path], stage: str, log) -> None:
    """Delete the folders of `folders` that exist, made from an earlier run of `stage`, saying so."""
    for folder in [f for f in folders if f.exists()]:
        log(f"removing {folder}, made from an earlier {stage} stage")
        shutil.rmtree(folder)


def run_pipeline(run: Run, stages=None, resume: bool = False, command: str = "train") -> dict:
    """Run `stages` (default: all) in order, skipping those done; returns results.json's contents."""
    stages = list(STAGES) if stages is None else list(stages)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise StageError(f"unknown stage {unknown[0]!r}; the stages are {', '.join(STAGES)}")
    with folder_lock(run.out, f"ulmfit {command}", run.log):
        on_main(claim_run, run, list(STAGES), command)
        _check_source(run)
        return _run_stages(run, stages, resume, command)


def _run_stages(run: Run, stages: list[str], resume: bool, command: str) -> dict:
    """The body of run_pipeline, once the folder is locked and claimed."""
    with preset_threads(run.preset):
        run.log(f"ulmfit {command}: preset {run.preset.name} on {device_name(run.device)}, writing to {run.out}")
        order = list(STAGES)
        for name in stages:
            folder = run.folder(name)
            if finished(folder) is not None:
                run.log(f"{name}: {folder / 'result.json'} exists, skipping (delete {folder} to run it again)")
                continue
            later = [run.folder(s) for s in order[order.index(name) + 1:]]
            if run.folder("classifier") in later:  # the classifiers of api.train_classifier read the same encoder
                later.append(run.out / "classifiers")
            if run.folder("lm") in later:  # and the LMs of api.fine_tune_lm the same prepared ids
                later.append(run.out / "lms")
            on_main(remove_made, later, name, run.log)
            began = time.perf_counter()
            if name in PARALLEL:
                result = STAGES[name](run, folder, resume)
            else:
                result = on_main(STAGES[name], run, folder, resume)
            on_main(write_json, folder / "result.json", {**result, "seconds": time.perf_counter() - began})
        return on_main(write_results, run)


def imdb_data(run: Run, data, folder: Path) -> Path | None:
    """The standard CSV folder of the IMDb reviews at `data`, written to `folder` while the run is not prepared.

    Once it is prepared: None, after checking that the reviews given are those it was prepared from.
    """
    if finished(run.prepared) is not None:
        if data is not None:
            _check_imdb_source(data, folder, run.prepared)
        return None
    return run.data if data is None else imdb_csv(data, folder, "sentiment", run.preset.prepare.limit, run.log)


def run_imdb(run: Run, data=None, stages=None, resume: bool = False) -> dict:
    """`ulmfit imdb`: the IMDb reviews at `data` to the standard CSV in RUN/data, then `run_pipeline`.

    Taught in lesson 10."""
    with folder_lock(run.out, "ulmfit imdb", run.log):
        folder = on_main(imdb_data, run, data, run.out / "data")
        return run_pipeline(replace(run, data=folder), stages, resume, "imdb")


def run_pretrain(corpus, out, preset: Preset, resume: bool = False, seed: int = 42, n_workers: int = None,
                 log=print, backwards: bool = False) -> dict:
    """`ulmfit pretrain`: a general LM from plain text, saved as out/model.pt and out/vocab.json for --pretrained;
    `backwards`: every article read from its end (for a backward run's --pretrained)."""
    out, device = Path(out), default_device()
    corpus_input = identity(corpus) if Path(corpus).exists() else None  # a corpus changed since is another run
    config = as_json({"corpus": str(Path(corpus).resolve()), "corpus_input": corpus_input, "preset_name": preset.name,
                      "corpus_config": asdict(preset.corpus), "lm": asdict(preset.lm),
                      "pretrain": asdict(preset.pretrain), "seed": seed, **({"backwards": True} if backwards else {})})
    with folder_lock(out, "ulmfit pretrain", log):
        on_main(claim_folder, out, config, "pretrain")
        if (result := finished(out)) is not None:
            log(f"pretrain: {out / 'result.json'} exists, skipping (delete {out} to run it again)")
            return result
        return _pretrain(corpus, out, preset, resume, seed, n_workers, log, device, backwards)


def _pretrain(corpus, out: Path, preset: Preset, resume: bool, seed: int, n_workers: int, log,
              device: torch.device, backwards: bool) -> dict:
    """The body of run_pretrain, once the folder is locked and claimed."""
    with preset_threads(preset):
        log(f"ulmfit pretrain: preset {preset.name} on {device_name(device)}, writing to {out}")
        began = time.perf_counter()
        summary = on_main(prepare_corpus, corpus, out / "prepared", preset.corpus, n_workers, log)
        vocab = Vocab.load(out / "prepared" / "vocab.json")
        set_seed(seed)
        model = get_language_model(len(vocab), preset.lm)
        result = train_language_model(model, read_ids(out / "prepared" / "train"), read_ids(out / "prepared" / "valid"),
                                      preset.pretrain, out / "checkpoints", seed, device, resume, log, backwards,
                                      made_with(vocab.itos, asdict(preset)))
        save_state(model.state_dict(), out / "model.pt", vocab.itos, preset, backwards)
        on_main(vocab.save, out / "vocab.json")
        result.update(corpus=summary["corpus"], vocab_size=len(vocab), device=device_name(device),
                      direction=direction(backwards), seconds=time.perf_counter() - began)
        on_main(write_json, out / "result.json", result)
    log(f"validation perplexity {result['perplexity']:.2f}; use it with `ulmfit train DATA --pretrained {out}`")
    return result

