"""A bidirectional run: a forward and a backward model on one prepared data set, their class probabilities averaged.

    RUN/run.json        {"bidirectional": {"forward": ..., "backward": ...}}: the options of its two runs
    RUN/prepared/       the prepare stage, once for both directions
    RUN/forward/        a run (run.json, lm/, classifier/, evaluate/, results.json) reading every document forward
    RUN/backward/       the same, every document read from its end (direction.py)
    RUN/evaluate/       the average of the two on the test set: predictions.csv, probabilities.npy, confusion matrix
    RUN/results.json    the ensemble's figures, and the forward, backward and ensemble accuracy, macro-F1 and minutes

The paper's best IMDb error (4.6%, Howard & Ruder 2018, section 5) averages a forward and a backward classifier so.

On a CPU the two directions train side by side, each in its own process on half the threads: small LSTMs use a
second thread poorly, so two processes of one thread do more work than one of two (IMDb at the cpu preset on 2
cores: 29 minutes for both, where one direction alone took 25 on both threads). On a GPU, under torchrun, or with
`side_by_side=False` (`--one-at-a-time`), one after the other.
"""

import contextlib
import multiprocessing
import os
import pickle
import queue
import sys
import types
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import torch

from .distributed import current, on_main
from .errors import StageError
from .files import read_json, write_json
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
from .runs import Pretrained, Run, claim_run, finished, make_run, needs

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


def write_bidirectional_results(runs: tuple[Run, Run], each: list[dict], side_by_side: bool = False) -> dict:
    """RUN/results.json: the ensemble's figures at the top, then forward, backward and ensemble side by side.

    Its minutes are the prepare stage's and the two directions' (the longer one's, when they trained at once).
    """
    out = _parent(runs)
    ensemble = finished(out / "evaluate")
    prepare = each[0]["seconds"].get("prepare", 0.0)
    directions = {name: _direction_figures(r) for name, r in zip(DIRECTIONS, each)}
    figures = {k: None if ensemble is None else ensemble[k] for k in FIGURES + ("per_class", "confusion_matrix",
                                                                                  "test_documents")}
    both = [d["minutes"] for d in directions.values()]
    minutes = prepare / 60 + (max(both) if side_by_side else sum(both))
    results = {"bidirectional": True, "preset": each[0]["preset"], "recipe": each[0]["recipe"],
               "classes": each[0]["classes"], **figures, "perplexity": None, **directions,
               "ensemble": {k: figures[k] for k in FIGURES}, "minutes": minutes, "prepare_minutes": prepare / 60,
               "directions": "side by side" if side_by_side else "one after the other",
               "device": each[0]["device"], "stages_done": each[0]["stages_done"]}
    write_json(out / "results.json", results)
    return results


def can_go_side_by_side(runs: tuple[Run, Run]) -> bool:
    """Whether the two directions can train at once: on a CPU of 2+ threads, not under torchrun, threads not set."""
    return (runs[0].device.type == "cpu" and torch.get_num_threads() >= 2 and current().world_size == 1
            and runs[0].preset.threads is None)


def named(name: str, message: str) -> str:
    """`message` with every line of it begun by the name of its direction."""
    return "\n".join(f"{name}: {line}" for line in message.splitlines() or [""])


def _send(lines, name: str, line: str) -> None:
    """A log line of direction `name`, sent to the parent process."""
    lines.put(("line", name, line))


def _direction(run: Run, stages: list[str], resume: bool, command: str, threads: int, lines) -> None:
    """One direction's stages in a process of its own on `threads` threads; its lines, result or error go to `lines`."""
    torch.set_num_threads(threads)
    os.environ["TQDM_DISABLE"] = "1"  # two bars would write over each other
    name = DIRECTIONS[run.backwards]
    try:
        lines.put(("result", name, run_pipeline(replace(run, log=partial(_send, lines, name)), stages, resume,
                                                command)))
    except BaseException as e:  # noqa: BLE001 - every failure goes to the parent, which raises it
        try:
            error = pickle.dumps(e)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled, in words
            error = pickle.dumps(StageError(f"the {name} direction failed: {type(e).__name__}: {e}"))
        lines.put(("error", name, error))


def _side_by_side(runs: tuple[Run, Run], stages: list[str], resume: bool, command: str) -> list[dict]:
    """The stages of both directions at once, each in a process of half the threads; their lines through the log."""
    log, threads = runs[0].log, max(1, torch.get_num_threads() // 2)
    log(f"training forward and backward side by side, {threads} thread{'s' if threads > 1 else ''} each")
    context = multiprocessing.get_context("spawn")
    lines = context.Queue()
    workers = {DIRECTIONS[r.backwards]: context.Process(target=_direction, args=(replace(r, log=print), stages, resume,
                                                                                  command, threads, lines))
               for r in runs}
    with _caller_script_hidden():
        for worker in workers.values():
            _start(worker)
    results = {}
    try:
        while len(results) < len(workers):
            try:
                kind, name, payload = lines.get(timeout=5)
            except queue.Empty:
                _check_alive(workers, results)
                continue
            if kind == "line":
                log(named(name, payload))
            elif kind == "result":
                results[name] = payload
            else:
                raise pickle.loads(payload)
    finally:
        for worker in workers.values():
            if worker.is_alive() and len(results) < len(workers):
                worker.terminate()  # its checkpoints stay: --resume continues it
            worker.join()
    return [results[name] for name in DIRECTIONS]


@contextlib.contextmanager
def _caller_script_hidden():
    """The caller's script hidden from the processes started meanwhile: `spawn` would run it again in each (a script
    without an `if __name__ == "__main__":` guard would then train again); their work is this module's alone."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _start(worker) -> None:
    """Start a direction's process; a value it cannot take (an object of the caller's script) is a StageError."""
    try:
        worker.start()
    except (pickle.PicklingError, AttributeError, TypeError) as e:
        raise StageError(f"a direction's process cannot take the run's options ({e}); with an object defined in your "
                         f"script, put the call under `if __name__ == \"__main__\":`, or pass side_by_side=False "
                         f"(--one-at-a-time)") from e


def _check_alive(workers: dict, results: dict) -> None:
    """A StageError when a direction's process ended without a result (killed, or out of memory)."""
    for name, worker in workers.items():
        if name not in results and not worker.is_alive():
            raise StageError(f"the {name} direction's process ended with exit code {worker.exitcode} and no result "
                             f"(killed, or out of memory?); rerun with --resume to continue from its checkpoints")


def _claim_pair(out: Path, runs: tuple[Run, Run], command: str) -> None:
    """Each direction's options checked against its own stages' outputs (runs.claim_run), then OUT/run.json."""
    path = out / "run.json"
    if path.exists() and "bidirectional" not in read_json(path):
        raise StageError(f"{out} holds a run of one direction: pass a new --out for `ulmfit {command} --bidirectional`")
    for r in runs:
        claim_run(r, list(STAGES), command)
    write_json(path, {"bidirectional": {name: r.config() for name, r in zip(DIRECTIONS, runs)}})


def run_bidirectional(runs: tuple[Run, Run], stages=None, resume: bool = False, command: str = "train",
                      side_by_side: bool = None) -> dict:
    """Run `stages` (default: all) of both directions, then score their average.

    side_by_side: both directions at once, each in a process on half the threads (default: where
    can_go_side_by_side), else the forward run then the backward one. The shared prepare stage runs first, alone.
    """
    out, stages = _parent(runs), list(STAGES) if stages is None else list(stages)
    side_by_side = can_go_side_by_side(runs) if side_by_side is None else side_by_side
    side_by_side = side_by_side and any(s != "prepare" for s in stages)
    with folder_lock(out, f"ulmfit {command} --bidirectional", runs[0].log):
        on_main(_claim_pair, out, runs, command)
        if finished(runs[0].prepared) is None and "prepare" in stages:
            on_main(remove_made, [r.out for r in runs] + [out / "evaluate"], "prepare", runs[0].log)
        if side_by_side:
            if "prepare" in stages:
                run_pipeline(runs[0], ["prepare"], resume, command)
            each = _side_by_side(runs, [s for s in stages if s != "prepare"], resume, command)
        else:
            each = [run_pipeline(r, stages, resume, command) for r in runs]
        if "evaluate" in stages:
            on_main(evaluate_ensemble, runs, out / "evaluate")
        return on_main(write_bidirectional_results, runs, each, side_by_side)


def run_imdb_bidirectional(runs: tuple[Run, Run], data=None, stages=None, resume: bool = False,
                           side_by_side: bool = None) -> dict:
    """`ulmfit imdb --bidirectional`: the IMDb reviews at `data` to the standard CSV in RUN/data, then both runs."""
    out = _parent(runs)
    with folder_lock(out, "ulmfit imdb --bidirectional", runs[0].log):
        folder = on_main(imdb_data, runs[0], data, out / "data")
        return run_bidirectional(tuple(replace(r, data=folder) for r in runs), stages, resume, "imdb", side_by_side)
