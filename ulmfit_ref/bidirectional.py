"""A bidirectional run: a forward and a backward model on one prepared data set, their class probabilities averaged.

    RUN/run.json        {"bidirectional": {"forward": ..., "backward": ...}}: the options of its two runs
    RUN/prepared/       the prepare stage, once for both directions
    RUN/forward/        a run (run.json, lm/, classifier/, evaluate/, results.json) reading every document forward
    RUN/backward/       the same, every document read from its end (direction.py)
    RUN/evaluate/       the average of the two on the test set: predictions.csv, probabilities.npy, confusion matrix
    RUN/results.json    the ensemble's figures, and the forward, backward and ensemble accuracy, macro-F1 and minutes

The paper's best IMDb error (4.6%, Howard & Ruder 2018, section 5) averages a forward and a backward classifier so.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np

from .distributed import on_main
from .files import write_json
from .lock import folder_lock
from .pipeline import (
    STAGES,
    classifier_data,
    imdb_data,
    prepared_summary,
    remove_made,
    run_pipeline,
    write_evaluation,
)
from .presets import Preset
from .runs import Pretrained, Run, claim_folder, finished, make_run, needs

DIRECTIONS = ("forward", "backward")
FIGURES = ("accuracy", "error", "macro_f1")


def make_bidirectional(out, preset: Preset, pretrained: Pretrained = None, pretrained_backwards: Pretrained = None,
                       seed: int = 42, n_workers: int = None, log=print, data=None,
                       recipe: str = "ulmfit") -> tuple[Run, Run]:
    """The forward and backward runs of a bidirectional run in `out`, each from its own pretrained LM (or none)."""
    out = Path(out)
    return tuple(replace(make_run(out / name, preset, start, seed, n_workers, log, data, recipe, name == "backward"),
                         shared_prepared=out / "prepared")
                 for name, start in zip(DIRECTIONS, (pretrained, pretrained_backwards)))


def _parent(runs: tuple[Run, Run]) -> Path:
    """The folder of the bidirectional run that holds `runs`."""
    return runs[0].out.parent


def evaluate_ensemble(runs: tuple[Run, Run], folder: Path) -> dict:
    """The mean of the two directions' test probabilities, scored; its predictions and picture in `folder`."""
    probs = [np.load(needs(r.folder("evaluate") / "probabilities.npy", "evaluate")) for r in runs]
    _, labels = classifier_data(runs[0], "test")
    result = write_evaluation(folder, labels, np.mean(probs, axis=0), prepared_summary(runs[0])["classes"],
                              "test set, forward and backward averaged", runs[0].log, "averaged test")
    write_json(folder / "result.json", result)
    return result


def _direction_figures(results: dict) -> dict:
    """One direction's figures: accuracy, error, macro-F1, LM perplexity, minutes of its own stages (not prepare)."""
    seconds = sum(t for stage, t in results["seconds"].items() if stage != "prepare")
    return {**{k: results[k] for k in FIGURES}, "perplexity": results["perplexity"], "minutes": seconds / 60,
            "pretraining": results["pretraining"]}


def write_bidirectional_results(runs: tuple[Run, Run], each: list[dict]) -> dict:
    """RUN/results.json: the ensemble's figures at the top, then forward, backward and ensemble side by side."""
    out = _parent(runs)
    ensemble = finished(out / "evaluate")
    prepare = each[0]["seconds"].get("prepare", 0.0)
    directions = {name: _direction_figures(r) for name, r in zip(DIRECTIONS, each)}
    figures = {k: None if ensemble is None else ensemble[k] for k in FIGURES + ("per_class", "confusion_matrix",
                                                                                  "test_documents")}
    minutes = (prepare + sum(d["minutes"] * 60 for d in directions.values())) / 60
    results = {"bidirectional": True, "preset": each[0]["preset"], "recipe": each[0]["recipe"],
               "classes": each[0]["classes"], **figures, "perplexity": None, **directions,
               "ensemble": {k: figures[k] for k in FIGURES}, "minutes": minutes, "prepare_minutes": prepare / 60,
               "device": each[0]["device"], "stages_done": each[0]["stages_done"]}
    write_json(out / "results.json", results)
    return results


def run_bidirectional(runs: tuple[Run, Run], stages=None, resume: bool = False, command: str = "train") -> dict:
    """Run `stages` (default: all) of the forward run, then of the backward one, then score their average."""
    out, stages = _parent(runs), list(STAGES) if stages is None else list(stages)
    with folder_lock(out, f"ulmfit {command} --bidirectional", runs[0].log):
        on_main(claim_folder, out, {"bidirectional": {name: r.config() for name, r in zip(DIRECTIONS, runs)}},
                command)
        if finished(runs[0].prepared) is None and "prepare" in stages:
            on_main(remove_made, [r.out for r in runs] + [out / "evaluate"], "prepare", runs[0].log)
        each = [run_pipeline(r, stages, resume, command) for r in runs]
        if "evaluate" in stages:
            on_main(evaluate_ensemble, runs, out / "evaluate")
        return on_main(write_bidirectional_results, runs, each)


def run_imdb_bidirectional(runs: tuple[Run, Run], data=None, stages=None, resume: bool = False) -> dict:
    """`ulmfit imdb --bidirectional`: the IMDb reviews at `data` to the standard CSV in RUN/data, then both runs."""
    out = _parent(runs)
    with folder_lock(out, "ulmfit imdb --bidirectional", runs[0].log):
        folder = on_main(imdb_data, runs[0], data, out / "data")
        return run_bidirectional(tuple(replace(r, data=folder) for r in runs), stages, resume, "imdb")
