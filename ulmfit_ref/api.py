"""The Python API: the run of `ulmfit train` on texts and labels in memory (lists, a DataFrame) or on a CSV folder.

    results = api.train(df, "runs/mine", preset="tiny")  # df: a label column and text columns
    results = api.train(df, "runs/both", preset="tiny", bidirectional=True)  # forward and backward, averaged
    model = api.load("runs/mine")
    model.predict(["a text"]), model.predict_proba(["a text"]), model.classes

Data in memory is written to RUN/data as a standard CSV folder first, so the run is the command's, and resumes and
reruns alike. For experiments on one prepared data set (low-shot curves, ablations of the paper's recipes):

    run = api.make(data, "runs/exp", preset="cpu", pretrained="runs/wiki")
    api.fine_tune(run)                                            # prepare and lm, once
    idx = stratified_indices(api.train_labels(run), 100, seed=1)  # 100 labelled documents, classes in proportion
    api.train_classifier(run, "n100-s1", idx, recipe="freez+discr+stlr", seed=1)  # -> RUN/classifiers/n100-s1
    api.fine_tune_lm(run, "sup-n100", indices=idx)                # an LM of those 100 texts only -> RUN/lms/sup-n100
    api.train_classifier(run, "sup-n100-s1", idx, seed=1, lm="sup-n100")  # or lm=None: random weights
"""

import hashlib
import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from .bidirectional import make_bidirectional, run_bidirectional
from .dataset import Dataset, from_frame, from_lists, stratified_indices, write_dataset
from .errors import DataError, StageError
from .files import read_json, write_json
from .ids import read_ids
from .lock import folder_lock
from .pipeline import evaluate_classifier, fit_classifier, language_model, load_classifier, run_pipeline
from .predict import Classifier, Ensemble
from .presets import PRESETS, ClassifierTraining, LMTraining, Preset, with_lm_recipe
from .runs import Run, as_json, find_pretrained, finished, make_run, needs, preset_threads

__all__ = ["make", "train", "fine_tune", "fine_tune_lm", "train_labels", "train_classifier", "load", "from_lists",
           "from_frame", "stratified_indices", "Classifier", "Ensemble"]


def fingerprint(dataset: Dataset) -> str:
    """sha256 of a data set's classes, documents and labels."""
    h = hashlib.sha256()
    for part in (dataset.classes, dataset.train.texts, dataset.train.labels, dataset.unlabelled,
                 None if dataset.test is None else (dataset.test.texts, dataset.test.labels)):
        h.update(json.dumps(part, ensure_ascii=False).encode())
    return h.hexdigest()


def _data_folder(data, out: Path, label: str, text) -> Path:
    """The standard CSV folder of `data`: itself if it is a path, else RUN/data written from it (once)."""
    if isinstance(data, (str, Path)):
        return Path(data)
    if not isinstance(data, Dataset) and not hasattr(data, "columns"):
        hint = ""
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], tuple) and len(data[0]) == 2:
            hint = ("; for (label, text) pairs: api.from_lists([t for _, t in pairs], [y for y, _ in pairs]) is the "
                    "data set")
        raise DataError(f"data: expected a CSV folder (a path), a Dataset (api.from_lists, api.from_frame) or a pandas "
                        f"DataFrame, got {type(data).__name__}{hint}")
    dataset = data if isinstance(data, Dataset) else from_frame(data, label, text)
    folder, digest = out / "data", fingerprint(dataset)
    made = folder / "dataset.json"
    if made.exists():
        if read_json(made, ("sha256",), f"delete {folder} and run again")["sha256"] != digest:
            raise StageError(f"{out} holds a run on other data (its {folder} differs); pass a new out folder")
        return folder
    write_dataset(dataset, folder)
    write_json(made, {"sha256": digest, **dataset.counts()})
    return folder


def make(data, out, preset: str | Preset = "cpu", pretrained=None, pretrained_vocab=None, recipe: str = "ulmfit",
         seed: int = 42, n_workers: int = None, log=print, label: str = "label", text=None,
         backwards: bool = False) -> Run:
    """The Run of `ulmfit train` on a CSV folder, a Dataset or a DataFrame: its `label` column and `text` columns."""
    out = Path(out)
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    found = find_pretrained(pretrained, pretrained_vocab) if pretrained is not None else None
    return make_run(out, preset, found, seed, n_workers, log, data=_data_folder(data, out, label, text), recipe=recipe,
                    backwards=backwards)


def train(data, out, preset: str | Preset = "cpu", pretrained=None, pretrained_vocab=None, recipe: str = "ulmfit",
          stages=None, resume: bool = False, seed: int = 42, n_workers: int = None, log=print, label: str = "label",
          text=None, backwards: bool = False, bidirectional: bool = False, pretrained_backwards=None,
          pretrained_backwards_vocab=None, side_by_side: bool = None) -> dict:
    """Every stage of `ulmfit train` (or `stages`) on `data`, as `make` reads it; returns results.json's figures.

    backwards: every document read from its end. bidirectional: a forward run (from `pretrained`) and a backward one
    (from `pretrained_backwards`) in OUT/forward and OUT/backward, their probabilities averaged (bidirectional.py);
    side_by_side: both at once, each on half the CPU threads (default: on a CPU of 2+ threads), else one by one.
    """
    if not bidirectional:
        if pretrained_backwards is not None:
            raise StageError("pretrained_backwards goes with bidirectional=True; backwards=True takes `pretrained`")
        run = make(data, out, preset, pretrained, pretrained_vocab, recipe, seed, n_workers, log, label, text,
                   backwards)
        return run_pipeline(run, stages, resume)
    if backwards:
        raise StageError("bidirectional=True trains both directions: drop backwards=True")
    out, preset = Path(out), PRESETS[preset] if isinstance(preset, str) else preset
    forward = find_pretrained(pretrained, pretrained_vocab) if pretrained is not None else None
    backward = None if pretrained_backwards is None else find_pretrained(pretrained_backwards,
                                                                         pretrained_backwards_vocab)
    runs = make_bidirectional(out, preset, forward, backward, seed, n_workers, log,
                              _data_folder(data, out, label, text), recipe)
    return run_bidirectional(runs, stages, resume, side_by_side=side_by_side)


def fine_tune(run: Run, resume: bool = False) -> dict:
    """The prepare and lm stages of `run`: the fine-tuned LM that train_classifier starts from."""
    return run_pipeline(run, ("prepare", "lm"), resume)


def _indices(indices) -> list[int] | None:
    """Document indices as a JSON list (None stays None)."""
    return None if indices is None else [int(i) for i in indices]


def _done_as_wanted(folder: Path, wanted: dict) -> dict | None:
    """The result.json in `folder` if it was made with `wanted`; None if there is none; else a StageError."""
    if (result := finished(folder)) is not None and {k: result.get(k) for k in wanted} != wanted:
        raise StageError(f"{folder} holds a model trained otherwise; pass another name")
    return result


def fine_tune_lm(run: Run, name: str, recipe: str = "ulmfit", indices=None, pretrained="run",
                 resume: bool = False, fit: LMTraining = None) -> dict:
    """Another language model on `run`'s prepared data, in RUN/lms/NAME, for train_classifier(..., lm=NAME).

    recipe: an LM recipe of presets.with_lm_recipe ('none', 'full', 'full+discr', 'ulmfit'). pretrained: 'run', the
    run's pretrained LM (as its lm stage); None, none (the preset's from-scratch training); or another one of the
    same sizes (a folder of `ulmfit pretrain`). indices: the LM reads only these training documents (default: every
    text). fit: the training that `recipe` applies to (default: the preset's fine_tune, or from_scratch without a
    pretrained LM). Done once: a rerun with the same arguments returns its result.json.
    """
    folder = run.out / "lms" / name
    start = run.pretrained if pretrained == "run" else None if pretrained is None else find_pretrained(pretrained)
    if recipe == "none" and start is None:
        raise StageError("LM recipe 'none' keeps a pretrained LM as it is, and there is none: pass pretrained=...")
    if start is not None and (start.emb_sz, start.n_hid, start.n_layers) != (run.lm.emb_sz, run.lm.n_hid,
                                                                             run.lm.n_layers):
        raise StageError(f"{start.weights} is {start.emb_sz}/{start.n_hid}/{start.n_layers} (emb/hidden/layers), "
                         f"the run's LM {run.lm.emb_sz}/{run.lm.n_hid}/{run.lm.n_layers}: pass one of the run's sizes")
    wanted = {"recipe": recipe, "pretrained": None if start is None else str(start.weights),
              "indices": _indices(indices), "seed": run.seed, "fit": None if fit is None else as_json(asdict(fit))}
    if (result := _done_as_wanted(folder, wanted)) is not None:
        return result
    default = run.preset.fine_tune if start is not None else run.preset.from_scratch
    fit = with_lm_recipe(default if fit is None else fit, recipe)
    docs = None
    if indices is not None:
        every = read_ids(needs(run.prepared / "clas", "prepare") / "train")
        docs = [every[i] for i in wanted["indices"]]
    began = time.perf_counter()
    with folder_lock(folder, f"api.fine_tune_lm({name!r})", run.log), preset_threads(run.preset):
        result = {**language_model(run, folder, fit, start, docs, resume), **wanted,
                  "seconds": time.perf_counter() - began}
    write_json(folder / "result.json", result)
    return result


def train_labels(run: Run) -> np.ndarray:
    """The class number of each training document of a prepared run (the rows train_classifier's indices pick)."""
    path = run.prepared / "clas" / "train.labels.npy"
    if not path.exists():
        raise StageError(f"{path} is missing: fine_tune(run) first")
    return np.load(path)


def train_classifier(run: Run, name: str, indices=None, recipe: str = None, seed: int = None, resume: bool = False,
                     lm: str | None = "lm", fit: ClassifierTraining = None, test_indices=None) -> dict:
    """A classifier on documents `indices` by `recipe`, then tested: RUN/classifiers/NAME.

    lm: its encoder's start, the run's lm stage ('lm'), an LM of fine_tune_lm (its name) or None (random weights).
    fit: the training that `recipe` applies to (default: the preset's). test_indices: score on these training
    documents, held out of `indices`, instead of the test set (to choose a recipe without the test set).
    Done once: a rerun with the same arguments returns its result.json.
    """
    folder = run.out / "classifiers" / name
    wanted = {"recipe": recipe or run.recipe, "seed": run.seed if seed is None else seed,
              "indices": _indices(indices), "lm": lm, "fit": None if fit is None else as_json(asdict(fit)),
              "test_indices": _indices(test_indices)}
    if (result := _done_as_wanted(folder, wanted)) is not None:
        return result
    if test_indices is not None:
        trained = set(wanted["indices"]) if indices is not None else set(range(len(train_labels(run))))
        if shared := trained & set(wanted["test_indices"]):
            raise StageError(f"test_indices holds {len(shared)} of the training documents (e.g. {min(shared)}); "
                             f"test on documents held out of `indices`")
    encoder = lm if lm in ("lm", None) else _lm_encoder(run, lm)
    run, began = replace(run, seed=wanted["seed"]), time.perf_counter()
    with folder_lock(folder, f"api.train_classifier({name!r})", run.log), preset_threads(run.preset):
        result = {**fit_classifier(run, folder, indices, wanted["recipe"], resume, encoder, fit),
                  **evaluate_classifier(run, folder, folder, test_indices), **wanted}
    result["seconds"] = time.perf_counter() - began
    write_json(folder / "result.json", result)
    return result


def _lm_encoder(run: Run, name: str) -> Path:
    """The encoder of the LM that fine_tune_lm(run, name) made, or a StageError saying to make it."""
    path = run.out / "lms" / name / "encoder.pt"
    if finished(path.parent) is None:
        raise StageError(f"{path.parent} holds no finished language model: call fine_tune_lm(run, {name!r}) first")
    return path


def load(out, name: str = None) -> Classifier | Ensemble:
    """The trained classifier of the run in `out` (or its classifier `name` of train_classifier), ready to predict;
    of a bidirectional run, the average of its two (predict.Ensemble)."""
    return load_classifier(out, None if name is None else Path(out) / "classifiers" / name)
