"""The paper's claims as this project measured them: the committed results of benchmarks/low_shot.py and
benchmarks/ablations.py, which lesson 10 shows without training anything."""

import json
from pathlib import Path

from .data import ROOT

RESULTS = ("low_shot.json", "low_shot.png", "low_shot_lm.json", "ablations.json")


def results_dir() -> Path:
    """The committed benchmark results: shipped in the package, or in the clone's benchmarks/results/."""
    for folder in (Path(__file__).resolve().parent / "results", ROOT / "benchmarks" / "results"):
        if all((folder / name).exists() for name in RESULTS):
            return folder
    raise FileNotFoundError(f"no benchmark results ({', '.join(RESULTS)}) in the package nor in benchmarks/results/: "
                            "reinstall ulmfit-course, or run benchmarks/low_shot.py and benchmarks/ablations.py")


def result(name: str) -> dict:
    """The committed JSON of one benchmark: 'low_shot', 'low_shot_lm' (its --lm-tokens study) or 'ablations'."""
    return json.loads((results_dir() / f"{name}.json").read_text(encoding="utf-8"))
