"""The Python API: the run of `ulmfit train` on texts and labels in memory (lists, a DataFrame) or on a CSV folder.

    results = api.train(df, "runs/mine", preset="tiny")  # df: a label column and text columns
    model = api.load("runs/mine")
    model.predict(["a text"]), model.predict_proba(["a text"]), model.classes

Data in memory is written to RUN/data as a standard CSV folder first, so the run is the command's, and resumes and
reruns alike. For experiments on one fine-tuned LM (low-shot curves, ablations of the classifier's recipe):

    run = api.make(data, "runs/exp", preset="cpu", pretrained="runs/wiki")
    api.fine_tune(run)                                            # prepare and lm, once
    idx = stratified_indices(api.train_labels(run), 100, seed=1)  # 100 labelled documents, classes in proportion
    api.train_classifier(run, "n100-s1", idx, recipe="freez+discr+stlr", seed=1)  # -> RUN/classifiers/n100-s1
"""

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from .dataset import Dataset, from_frame, from_lists, stratified_indices, write_dataset
from .errors import StageError
from .files import read_json, write_json
from .pipeline import evaluate_classifier, fit_classifier, load_classifier, run_pipeline
from .predict import Classifier
from .presets import PRESETS, Preset
from .runs import Run, find_pretrained, finished, make_run, preset_threads

__all__ = ["make", "train", "fine_tune", "train_labels", "train_classifier", "load", "from_lists", "from_frame",
           "stratified_indices", "Classifier"]


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
    dataset = data if isinstance(data, Dataset) else from_frame(data, label, text)
    folder, digest = out / "data", fingerprint(dataset)
    made = folder / "dataset.json"
    if made.exists():
        if read_json(made)["sha256"] != digest:
            raise StageError(f"{out} holds a run on other data (its {folder} differs); pass a new out folder")
        return folder
    write_dataset(dataset, folder)
    write_json(made, {"sha256": digest, **dataset.counts()})
    return folder


def make(data, out, preset: str | Preset = "cpu", pretrained=None, pretrained_vocab=None, recipe: str = "ulmfit",
         seed: int = 42, n_workers: int = None, log=print, label: str = "label", text=None) -> Run:
    """The Run of `ulmfit train` on a CSV folder, a Dataset or a DataFrame: its `label` column and `text` columns."""
    out = Path(out)
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    found = find_pretrained(pretrained, pretrained_vocab) if pretrained is not None else None
    return make_run(out, preset, found, seed, n_workers, log, data=_data_folder(data, out, label, text), recipe=recipe)


def train(data, out, preset: str | Preset = "cpu", pretrained=None, pretrained_vocab=None, recipe: str = "ulmfit",
          stages=None, resume: bool = False, seed: int = 42, n_workers: int = None, log=print, label: str = "label",
          text=None) -> dict:
    """Every stage of `ulmfit train` (or `stages`) on `data`, as `make` reads it; returns results.json's figures."""
    run = make(data, out, preset, pretrained, pretrained_vocab, recipe, seed, n_workers, log, label, text)
    return run_pipeline(run, stages, resume)


def fine_tune(run: Run, resume: bool = False) -> dict:
    """The prepare and lm stages of `run`: the fine-tuned LM that train_classifier starts from."""
    return run_pipeline(run, ("prepare", "lm"), resume)


def train_labels(run: Run) -> np.ndarray:
    """The class number of each training document of a prepared run (the rows train_classifier's indices pick)."""
    path = run.prepared / "clas" / "train.labels.npy"
    if not path.exists():
        raise StageError(f"{path} is missing: fine_tune(run) first")
    return np.load(path)


def train_classifier(run: Run, name: str, indices=None, recipe: str = None, seed: int = None,
                     resume: bool = False) -> dict:
    """A classifier on `run`'s fine-tuned LM, trained on documents `indices` by `recipe`, tested: RUN/classifiers/NAME.

    Done once: a rerun with the same arguments returns its result.json.
    """
    folder = run.out / "classifiers" / name
    wanted = {"recipe": recipe or run.recipe, "seed": run.seed if seed is None else seed,
              "indices": None if indices is None else [int(i) for i in indices]}
    if (result := finished(folder)) is not None:
        if {k: result.get(k) for k in wanted} != wanted:
            raise StageError(f"{folder} holds a classifier trained otherwise; pass another name")
        return result
    run = replace(run, seed=wanted["seed"])
    with preset_threads(run.preset):
        result = {**fit_classifier(run, folder, indices, wanted["recipe"], resume),
                  **evaluate_classifier(run, folder, folder), **wanted}
    write_json(folder / "result.json", result)
    return result


def load(out, name: str = None) -> Classifier:
    """The trained classifier of the run in `out` (or its classifier `name` of train_classifier), ready to predict."""
    return load_classifier(out, None if name is None else Path(out) / "classifiers" / name)
