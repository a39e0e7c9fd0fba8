"""The paper preset at its real sizes on CPU, 2 batches of each stage on real IMDb reviews (benchmarks/paper_preset.py).

Minutes, not seconds: out of the default run; `.venv/bin/python -m pytest -m paper -s` runs it and prints each
stage's step times and peak memory.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ulmfit_ref.models import get_language_model
from ulmfit_ref.presets import PAPER

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.paper
@pytest.mark.slow
@pytest.mark.realdata
def test_every_stage_of_the_paper_preset_runs_at_its_real_sizes_and_reports_its_peak_memory(shared_imdb, tmp_path):
    out = tmp_path / "paper.json"
    command = [sys.executable, "-m", "benchmarks.paper_preset", "--imdb", str(shared_imdb), "--batches", "2",
               "--per-class", "30", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    print(done.stdout)
    results = json.loads(out.read_text())
    stages = results["stages"]
    assert list(stages) == ["pretrain", "lm", "classifier"] and results["vocab"] == 60_000
    lm_parameters = sum(p.numel() for p in get_language_model(60_000, PAPER.lm).parameters())
    assert stages["pretrain"]["parameters"] == stages["lm"]["parameters"] == lm_parameters > 44_000_000
    for name, bs in (("pretrain", 64), ("lm", 52), ("classifier", 48)):
        s = stages[name]
        assert s["bs"] == bs and s["bptt"] == 70 and len(s["seconds_per_step"]) == len(s["tokens_per_step"]) == 2
        assert all(t > 0 for t in s["seconds_per_step"]) and 0.5 < s["peak_mib"] / 1024 < 24
    assert max(stages["pretrain"]["tokens_per_step"]) == 64 * (70 + 25)  # the first batch, the longest
    for name, e in results["estimate"].items():  # the count behind the README's GPU figures meets the measured peak
        assert e["cpu_peak_gib_counted"] == pytest.approx(e["cpu_peak_gib_measured"], rel=0.25), name
        assert 0 < e["gpu_minutes_per_epoch"]["40_tflops"] < e["gpu_minutes_per_epoch"]["10_tflops"]
