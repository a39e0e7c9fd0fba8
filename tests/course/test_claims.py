"""The benchmark results lesson 10 shows: committed, read by course.claims, and shipped in the package."""

import shutil
import subprocess
import sys
import zipfile

import pytest

import course.claims as claims
from course.data import ROOT


def test_the_committed_results_hold_what_lesson_10_reads():
    low_shot, ablations = claims.result("low_shot"), claims.result("ablations")
    assert {"semi", "tfidf"} <= set(low_shot["errors"]) and low_shot["sizes"] and "claims" in low_shot
    for by_n in low_shot["errors"].values():
        assert all(0 <= s["mean"] <= 1 and s["n"] >= 1 for s in by_n.values())
    rows = {r["row"]: r for r in ablations["tables"]["Table 7: classifier fine-tuning"]}
    assert rows["From scratch"]["paper"][0] == 9.93 and rows["Freez + discr + stlr"]["paper"][0] == 5.00
    assert rows["From scratch"]["ours"] and rows["Freez + discr + stlr"]["ours"]
    assert (claims.results_dir() / "low_shot.png").stat().st_size > 10_000
    study = claims.result("low_shot_lm")
    assert study["lms"]["0"]["lm"] is None and len(study["lms"]) >= 3  # the no-LM anchor and two LMs at least
    assert set(study["probe_errors"]) == set(study["lms"]) == set(study["errors"]) | {"0"}  # no classifier of no LM
    spreads = [s for kind in ("errors", "probe_errors") for by_n in study[kind].values() for s in by_n.values()]
    assert all(s["n"] == 3 for s in spreads)


def test_missing_results_say_how_to_make_them(tmp_path, monkeypatch):
    monkeypatch.setattr(claims, "ROOT", tmp_path)
    monkeypatch.setattr(claims, "RESULTS", ("nothing.json",))
    with pytest.raises(FileNotFoundError, match="run benchmarks/low_shot.py and benchmarks/ablations.py"):
        claims.results_dir()


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the clone")
def test_a_wheel_ships_the_lessons_and_the_results(tmp_path):
    clone = tmp_path / "clone"  # a copy, so that the build leaves nothing in the working tree
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "runs"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path), str(clone)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("ulmfit_course-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"course/results/{name}" for name in claims.RESULTS} <= names
    assert sum(n.startswith("course/lessons/") and n.endswith(".ipynb") for n in names) == 10
