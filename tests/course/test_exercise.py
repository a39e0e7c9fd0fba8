"""course.exercise and course.exercises: one check per exercise, its messages, its random inputs and its seed, as a
notebook's check cell sees them."""

import math

import numpy as np
import pytest
import torch

from course.exercise import CheckFailed, InProcess, run
from course.exercises import EXERCISES
from ulmfit_ref import data, regularize, text


def verdict(name: str, answer, examples: int = 0, seed: int = 0, **namespace):
    return run(EXERCISES[name], InProcess({name: answer}, namespace), examples, seed)


def message(name: str, answer, examples: int = 0, **namespace) -> str:
    v = verdict(name, answer, examples, **namespace)
    assert not v.passed
    return v.message


def test_a_pass_names_the_inputs_it_counted():
    v = verdict("clip_document", __import__("ulmfit_ref.predict", fromlist=["x"]).clip_document)
    assert v.passed and v.message == "✓ clip_document: same as ulmfit_ref.predict.clip_document on 8 fixed inputs"
    v = verdict("fixup", text.fixup, examples=3)
    assert v.message.endswith(f"on {len(EXERCISES['fixup'].fixed)} fixed inputs and 3 random inputs")
    assert "all" not in v.message


def test_a_pass_of_a_dropout_names_only_what_was_checked():
    v = verdict("dropout_mask", regularize.dropout_mask)
    assert v.passed and "about p of them 0" in v.message and "a new random mask at each call" in v.message
    small = EXERCISES["dropout_mask"]
    import dataclasses

    only_small = dataclasses.replace(small, fixed=(((2, 4), 0.5, "float32", 0),))
    v = run(only_small, InProcess({"dropout_mask": regularize.dropout_mask}), 0)
    assert v.passed and "about p" not in v.message and "every value 0 or 1/(1-p)" in v.message


def test_the_learners_float_order_passes_on_150_inputs():
    # discriminative_lrs written as lr * factor ** -k lost the point on 45 of 150 inputs: "should have 6 items, yours
    # has 6"
    def discriminative_lrs(lr, n_groups, factor=2.6):
        return [lr * factor ** -(n_groups - 1 - i) for i in range(n_groups)]

    assert verdict("discriminative_lrs", discriminative_lrs, examples=150).passed


def test_a_failure_shows_the_call_the_two_results_and_where_they_differ():
    def batchify(ids, bs):
        return ids[: len(ids) // bs * bs].view(-1, bs)

    lines = message("batchify", batchify).split("\n")
    assert lines[0] == "batchify differs from the reference (ulmfit_ref.loaders.batchify) on one of its fixed inputs:"
    assert lines[1].startswith("  call:     batchify(torch.tensor([0, 1, 2")
    assert lines[2].startswith("  expected: tensor([[0, 5, 10, 15]") and lines[3].startswith(
        "  yours:    tensor([[0, 1, 2, 3]"
    )
    assert lines[4] == "  the result[0, 1] should be 5, yours is 1"
    assert "view(bs, -1).t()" in lines[5] and lines[5].startswith("  hint: ")


def test_a_missing_exception_is_said_in_plain_words():
    def make_splits(reviews, seed=42, lm_valid_frac=0.1, unlabelled=None):
        return data.make_splits(reviews, seed, lm_valid_frac if 0 < lm_valid_frac < 1 else 0.5, unlabelled)

    assert "  the call should raise ValueError, yours returned Splits(" in message("make_splits", make_splits)


def test_no_temporary_path_in_a_message():
    def write_csv(path, labels, *fields):
        return data.write_csv(path, labels, *fields) if fields else 0

    msg = message("write_csv", write_csv)
    assert "expected: raised ValueError: new_folder/texts.csv: need at least one text column" in msg
    assert "/tmp" not in msg and "csv" not in msg.split("ValueError:")[1].split("new_folder")[0]


def test_a_label_in_the_last_column_is_not_called_a_header():
    def write_csv(path, labels, *fields):
        return data.write_csv(path, labels, *fields[::-1]) if len(fields) > 1 else _label_last(path, labels, *fields)

    def _label_last(path, labels, *fields):
        import csv
        from pathlib import Path

        if not fields or any(len(f) != len(labels) for f in fields):
            raise ValueError("bad columns")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(zip(*fields, labels))
        return len(labels)

    msg = message("write_csv", write_csv, _label_last=_label_last)
    assert "header" not in msg and "the label comes first" in msg


def test_a_wrong_read_order_is_shown_by_file_names():
    def read_imdb(path, limit=None):
        from pathlib import Path

        out = {}
        for split in ("train", "test"):
            r = data.Reviews()
            for label, cls in enumerate(data.CLASSES):
                for f in sorted((Path(path) / split / cls).glob("*.txt"))[:limit]:
                    r.texts.append(f.read_bytes().decode("utf-8", errors="replace"))
                    r.labels.append(label)
            out[split] = r
        return out

    msg = message("read_imdb", read_imdb)
    assert "train/neg/0_2.txt, train/neg/10_3.txt" in msg and "by review id as a number" in msg


def test_a_failure_through_an_earlier_exercise_says_so():
    namespace = {"torch": torch}
    exec(
        "def dropout_mask(x, size, p):\n    return x.new_empty(size).bernoulli_(1 - p)  # not scaled\n"
        "class LockedDropout(torch.nn.Module):\n"
        "    def __init__(self, p):\n        super().__init__()\n        self.p = p\n"
        "    def forward(self, x):\n"
        "        return x * dropout_mask(x, (1, *x.shape[1:]), self.p) if self.training and self.p else x\n",
        namespace,
    )
    msg = message("LockedDropout", namespace["LockedDropout"], **namespace)
    assert (
        "note: your LockedDropout calls your dropout_mask, which fails its own check: make dropout_mask pass first"
        in msg
    )


def test_an_error_names_the_line_of_the_learners_cell():
    namespace = {}
    code = "def mark_fields(fields):\n    return 'xbos ' + 1 / 0\n"
    exec(compile(code, "<exercise mark_fields>", "exec"), namespace)
    __import__("linecache").cache["<exercise mark_fields>"] = (
        len(code),
        None,
        code.splitlines(True),
        "<exercise mark_fields>",
    )
    msg = message("mark_fields", namespace["mark_fields"])
    assert (
        "the call raised ZeroDivisionError: division by zero (line 2 of your mark_fields cell: return 'xbos ' + 1 / 0)"
        in msg
    )


def test_a_stub_is_not_implemented_yet_and_names_the_method():
    def fixup(x):
        raise NotImplementedError()

    assert message("fixup", fixup).startswith("not implemented yet: fixup. Write its body")

    class Vocab:
        def __init__(self, itos):
            raise NotImplementedError()

        @classmethod
        def build(cls, counts, max_vocab=60000, min_freq=3):
            return cls([])

    assert message("Vocab", Vocab).startswith("not implemented yet: Vocab.__init__.")


def test_random_inputs_come_from_a_fresh_seed_that_draws_them_again():
    def replace_wrep(t):  # right on every fixed input, wrong on one random input in many
        return text.replace_wrep(t) if "a-a-a-a-" not in t else t

    first = verdict("replace_wrep", replace_wrep, examples=300, seed=7)
    assert not first.passed and "drawn from seed 7" in first.message
    assert verdict("replace_wrep", replace_wrep, examples=300, seed=7).message == first.message
    fixed = {args[0] for args, _ in EXERCISES["replace_wrep"].fixed}

    def wrong_off_the_fixed(t):  # right on every fixed input, wrong on every other: each run fails, naming its seed
        return text.replace_wrep(t) if t in fixed else t + "!"

    messages = [run(EXERCISES["replace_wrep"], InProcess({"replace_wrep": wrong_off_the_fixed}), 300).message
                for _ in range(3)]
    seeds = {__import__("re").search(r"drawn from seed (\d+)", m).group(1) for m in messages}
    assert len(seeds) > 1, "a run without a seed draws from a fresh one"


def cell(code: str, namespace: dict) -> None:
    exec(compile(code, "<a check cell>", "exec"), namespace)


def test_the_check_cell_prints_a_pass_and_raises_a_failure(capsys):
    namespace = {}
    cell("from course.exercises import check\nfrom ulmfit_ref.text import fixup\nimport html, re", namespace)
    with pytest.raises(CheckFailed, match="your fixup is ulmfit_ref.text's own, imported"):
        cell('check("fixup", fixup)', namespace)
    cell("def fixup(x):\n    return x", namespace)
    with pytest.raises(CheckFailed) as e:
        cell('check("fixup", fixup)', namespace)
    assert e.value._render_traceback_()[0].startswith("✗ fixup differs from the reference")
    cell("from ulmfit_ref.text import replace_rep\ndef fixup(x):\n    return replace_rep(x)", namespace)
    with pytest.raises(CheckFailed, match="your fixup uses replace_rep, which the lesson imports from ulmfit_ref.text"):
        cell('check("fixup", fixup)', namespace)
    cell(
        "def replace_rep(t):\n"
        "    return re.sub(r'(\\S)(\\1{3,})', lambda m: f' tk_rep {len(m.group(0))} {m.group(1)} ', t)",
        namespace,
    )
    cell('check("replace_rep", replace_rep)', namespace)
    assert capsys.readouterr().out.startswith(
        "✓ replace_rep: same as ulmfit_ref.text.replace_rep on 21 fixed inputs and 20 random"
    )


def test_a_tool_the_lesson_keeps_for_its_demos_is_refused_in_the_kernel_too():
    namespace = {}
    cell(
        "from course.exercises import check\nfrom ulmfit_ref.loaders import LanguageModelLoader\n"
        "def batchify(ids, bs):\n    return LanguageModelLoader(ids, bs, 1).data",
        namespace,
    )
    with pytest.raises(CheckFailed, match="uses LanguageModelLoader, which the lesson imports from ulmfit_ref.loaders"):
        cell('check("batchify", batchify)', namespace)


def test_an_answer_that_changes_its_input_in_place_fails_saying_so():
    def replace_all_caps(tokens):
        out = text.replace_all_caps(tokens)
        tokens.clear()
        return out

    assert "changed its argument `tokens` in place" in message("replace_all_caps", replace_all_caps, examples=5)


def test_a_nan_and_an_infinity_are_compared_as_values():
    def stlr(step, total, cut_frac=0.1, ratio=32.0):
        return math.nan

    assert "should be 0.03125, yours is nan" in message("stlr", stlr)
    assert (
        verdict("clip_document", lambda ids, max_tokens=None: np.asarray(ids) if max_tokens is None else ids[:0]).passed
        is False
    )


def test_the_course_imports_neither_the_grader_nor_the_reference():
    import subprocess
    import sys

    code = ("import sys, course.exercises\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'grading', 'ulmfit_ref'}))")
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    )


def test_a_check_leaves_the_learners_random_draws_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    answer = EXERCISES["encoder_forward"].reference_object()
    assert verdict("encoder_forward", answer).passed  # the check seeds torch to rebuild the dropouts
    assert torch.equal(torch.rand(3), expected)


def test_a_library_s_not_implemented_error_is_a_wrong_answer_not_a_stub():
    def batchify(ids, bs):
        raise NotImplementedError("Cannot copy out of meta tensor; no data!")

    said = message("batchify", batchify)
    assert not said.startswith("not implemented yet") and "Cannot copy out of meta tensor" in said

    def stub(ids, bs):
        raise NotImplementedError()

    assert message("batchify", stub).startswith("not implemented yet: batchify")
