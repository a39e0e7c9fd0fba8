"""`ulmfit imdb` SIGKILLed at seeded random points of each stage, then `--resume`: the same results.json as a run
never killed.

The default run (CI) kills at 2 points, one in lm and one in classifier; the whole set, at least 20 points over the
stages, takes minutes: it is marked slow and runs only when asked,
`ULMFIT_FAULTS=all pytest tests/ref/test_fault_injection.py`.
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from support import make_imdb

DRIVER = Path(__file__).with_name("kill_at.py")
STAGES = ("data", "prepare", "lm", "classifier", "evaluate")
PER_STAGE = 5  # points per stage in the whole set
SEED = 12
FIGURES = ("classes", "accuracy", "error", "macro_f1", "per_class", "confusion_matrix", "test_documents", "perplexity",
           "perplexity_tokens", "lm_accuracy", "valid_accuracy", "stages_done", "config")


def ulmfit(data: Path, out: Path, *extra, env=None) -> subprocess.CompletedProcess:
    """`ulmfit imdb --preset tiny` through the driver, in a process of its own."""
    return subprocess.run([sys.executable, str(DRIVER), "imdb", "--data", str(data), "--out", str(out), "--preset",
                           "tiny", "--workers", "1", *extra], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict, list[tuple[int, str]]]:
    """The data, the results.json of a run never killed, and the (event, stage) of each event of that run."""
    root = tmp_path_factory.mktemp("faults")
    data, log = make_imdb(root / "data", 12), root / "events.tsv"
    done = ulmfit(data, root / "clean", env={"EVENT_LOG": str(log)})
    assert done.returncode == 0, done.stderr
    events = [(int(n), stage) for n, stage, _ in (line.split("\t") for line in log.read_text().splitlines())]
    return data, json.loads((root / "clean" / "results.json").read_text()), events


def kill_points(events: list[tuple[int, str]]) -> list[tuple[str, int]]:
    """PER_STAGE seeded random events of each stage (all of a stage's when it has fewer), as (stage, event)."""
    rng = random.Random(SEED)
    points = []
    for stage in STAGES:
        of_stage = [n for n, s in events if s == stage]
        points += [(stage, n) for n in sorted(rng.sample(of_stage, min(PER_STAGE, len(of_stage))))]
    return points


def fast_points(points: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The points of the default run: the first of each stage that trains and resumes from checkpoints."""
    return [next(p for p in points if p[0] == stage) for stage in ("lm", "classifier")]


def assert_resumes_to_the_same_results(clean, tmp_path, points):
    data, straight, _ = clean
    for stage, n in points:
        out = tmp_path / f"{stage}{n}"
        killed = ulmfit(data, out, env={"KILL_AT": str(n)})
        assert killed.returncode == -9, (stage, n, killed.stderr[-2000:])
        assert not (out / "results.json").exists() or json.loads((out / "results.json").read_text())["accuracy"] \
            is None or stage == "evaluate"
        resumed = ulmfit(data, out, "--resume")
        assert resumed.returncode == 0, (stage, n, resumed.stderr[-2000:])
        assert "taking over the lock" in resumed.stdout, (stage, n)  # the killed run's lock was stale
        results = json.loads((out / "results.json").read_text())
        assert {k: results[k] for k in FIGURES} == {k: straight[k] for k in FIGURES}, (stage, n)
        assert not list(out.rglob("*.tmp")), (stage, n)


def test_the_points_cover_every_stage(clean):
    points = kill_points(clean[2])
    assert len(points) >= 20 and {s for s, _ in points} == set(STAGES)
    assert len(fast_points(points)) == 2


def test_a_run_killed_at_a_few_points_resumes_to_the_same_results(clean, tmp_path):
    assert_resumes_to_the_same_results(clean, tmp_path, fast_points(kill_points(clean[2])))


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("ULMFIT_FAULTS") != "all", reason="minutes: run with ULMFIT_FAULTS=all")
def test_a_run_killed_at_every_point_resumes_to_the_same_results(clean, tmp_path):
    points = kill_points(clean[2])
    assert_resumes_to_the_same_results(clean, tmp_path, [p for p in points if p not in fast_points(points)])
