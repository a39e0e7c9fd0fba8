"""ulmfit_ref.progress: a line every few percent, with the step, the loss and the time left, where no one watches."""

from ulmfit_ref import progress


def test_lines_every_few_percent_with_the_step_the_loss_and_the_time_left(monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: False)
    lines = []
    bar = progress.progress(range(40), "fine-tune", 40, write=lines.append, quiet_s=0)
    seen = []
    for i in bar:
        bar.set_postfix(loss=f"{1 / (i + 1):.4f}")
        seen.append(i)
    assert seen == list(range(40)) and len(lines) == 20
    assert lines[0].startswith("fine-tune: step 2/40 (5%), loss 0.5000, ") and "elapsed, about" in lines[0]
    assert lines[-1].startswith("fine-tune: step 40/40 (100%), loss 0.0250") and lines[-1].endswith("about 0 s left")


def test_a_short_loop_says_each_step_a_quick_one_and_a_disabled_one_nothing(monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: False)
    lines = []
    assert list(progress.progress(range(3), "fit", 3, write=lines.append, quiet_s=0)) == [0, 1, 2] and len(lines) == 3
    assert list(progress.progress(range(3), "fit", 3, enabled=False, write=lines.append)) == [0, 1, 2]
    assert list(progress.progress(range(300), "fit", 300, write=lines.append)) == list(range(300))
    assert len(lines) == 3  # none within 10 s of the start: a loop of seconds says nothing


def test_the_clock_reads_as_a_person_would():
    assert [progress.clock(s) for s in (42, 185, 3725)] == ["42 s", "3 min 05 s", "1 h 02 min"]
