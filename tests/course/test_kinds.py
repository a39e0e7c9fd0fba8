"""course.kinds: predictions judged within their tolerance, tests judged on the correct code and hidden bugs, and the
code under test built from the reference's source, patched; grading.likeness: the reference's own code, renamed."""

import dataclasses

import pytest
import torch

from course import kinds
from course.exercise import InProcess, run
from course.exercises import EXERCISES
from course.kinds import PatchError, Version, build_code, code_under_test, prediction
from grading.likeness import same_as_reference
from ulmfit_ref import loaders

TESTS = [e for e in EXERCISES.values() if e.kind == "test"]


def verdict(exercise, answer):
    return run(exercise, InProcess({exercise.name: answer}), 0, 0)


# the predictions below take the name of one of the course's, as the notebook's check knows its answer is a value


def test_a_prediction_passes_within_its_tolerance_and_says_only_too_high_or_too_low():
    guess = prediction("predicted_batches", lambda: 42.0, rtol=0.1)
    assert verdict(guess, 40).passed and verdict(guess, 46.1).passed
    high, low = verdict(guess, 50.0), verdict(guess, 30)
    assert not high.passed and "too high" in high.message and "42" not in high.message
    assert not low.passed and "too low" in low.message


def test_a_prediction_that_is_no_number_is_said_so_and_dots_are_not_yet_one():
    guess = prediction("predicted_batches", lambda: 1.0, atol=0.5)
    for wrong in ("1.0", True, float("nan"), [1.0]):
        v = verdict(guess, wrong)
        assert not v.passed and "should be a finite number" in v.message, v.message
    assert verdict(guess, ...).message.startswith("not implemented yet: predicted_batches. Write your prediction")


def test_the_code_under_test_is_the_reference_s_source_run_alone_and_patched():
    data = torch.arange(30).view(3, 10).t()
    built = build_code(code_under_test(loaders.get_batch))
    assert built.__module__ == "code_under_test" and built is not loaders.get_batch
    for got, want in zip(built(data, 7, 5), loaders.get_batch(data, 7, 5)):
        assert torch.equal(got, want)
    broken = build_code(code_under_test(loaders.get_batch, (("len(data) - 1 - i", "len(data) - i"),)))
    assert broken(data, 7, 5)[0].shape != broken(data, 7, 5)[1].shape
    with pytest.raises(PatchError, match="found 0 times"):
        code_under_test(loaders.get_batch, (("no such text", "x"),))


@pytest.mark.parametrize("exercise", TESTS, ids=[e.name for e in TESTS])
def test_every_version_of_every_test_exercise_applies_and_builds(exercise):
    subject = exercise.reference_object()
    for version in exercise.bugs:
        built = build_code(code_under_test(subject, version.patches))
        assert callable(built), version.what


def test_a_test_is_scored_by_the_share_of_bugs_it_catches():
    bugs = (
        Version("y is x", (("data[i + 1:i + 1 + seq_len]", "data[i:i + seq_len]"),)),
        Version("no cut at the end", (("seq_len = min(seq_len, len(data) - 1 - i)", "pass"),)),
    )
    exercise = kinds.test_of("test_get_batch", "ulmfit_ref.loaders:get_batch", bugs)

    def shifted_only(get_batch):
        x, y = get_batch(torch.arange(30).view(3, 10).t(), 0, 4)
        assert torch.equal(y - x, torch.ones_like(x))

    half = verdict(exercise, shifted_only)
    assert not half.passed and half.score == 0.5 and "catches 1 of the 2 hidden bugs" in half.message
    assert "no cut at the end" in half.message

    def fails_the_right_code(get_batch):
        raise AssertionError("never right")

    wrong = verdict(exercise, fails_the_right_code)
    assert not wrong.passed and wrong.score == 0.0 and "which is right" in wrong.message
    with pytest.raises(ValueError, match="a buggy version"):
        kinds.test_of("test_x", "ulmfit_ref.loaders:get_batch", (dataclasses.replace(bugs[0], right=True),))


def test_the_reference_s_own_code_renamed_and_reformatted_is_noticed():
    own = (
        "def batchify(stream, n):\n"
        "    '''Mine.'''\n"
        "    rows = len(stream) // n  # renamed\n"
        "    return stream[: rows * n].view(n, rows).t().contiguous()\n"
    )
    written = "def batchify(ids, bs):\n    return ids[: len(ids) // bs * bs].view(bs, -1).t()\n"
    assert same_as_reference(own, EXERCISES["batchify"])
    assert not same_as_reference(written, EXERCISES["batchify"])
    assert not same_as_reference("batchify = 3", EXERCISES["batchify"])


def test_an_error_of_the_reference_s_own_observation_is_the_grader_s_never_a_match():
    def full_disk(fn, inp, workdir):
        raise OSError(28, "No space left on device")

    exercise = dataclasses.replace(EXERCISES["batchify"], observe=full_disk, fixed=(((), {}),))
    v = run(exercise, InProcess({"batchify": loaders.batchify}), 0, 0)
    assert not v.passed and v.grader_problem and "No space left" in v.message
