"""course.checks: the reference passes, typical wrong answers fail with one sentence that says what is wrong."""

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from course import checks
from ulmfit_ref import data, prepare, text
from ulmfit_ref.vocab import Vocab


def failure(check, fn) -> str:
    with pytest.raises(checks.CheckFailed) as e:
        check(fn)
    message = str(e.value)
    assert "\n" not in message and len(message) < 400, message  # one sentence, not a wall
    return message


@pytest.mark.parametrize(
    "check, reference",
    [
        (checks.read_imdb, data.read_imdb),
        (checks.make_splits, data.make_splits),
        (checks.write_csv, data.write_csv),
        (checks.fixup, text.fixup),
        (checks.replace_rep, text.replace_rep),
        (checks.replace_wrep, text.replace_wrep),
        (checks.replace_all_caps, text.replace_all_caps),
        (checks.mark_fields, text.mark_fields),
        (checks.partition_by_cores, text.partition_by_cores),
        (checks.count_tokens, prepare.count_tokens),
        (checks.Vocab, Vocab),
    ],
)
def test_the_reference_passes_visible_and_hidden(check, reference, capsys):
    check(reference)
    check(reference, hidden=True)
    assert capsys.readouterr().out.count("✓") == 2


def test_a_stub_is_not_implemented_yet():
    def fixup(x):
        raise NotImplementedError()

    assert failure(checks.fixup, fixup).startswith("not implemented yet: fixup.")

    class Stub:
        @classmethod
        def build(cls, counts, max_vocab=60000, min_freq=3):
            raise NotImplementedError()

    assert failure(checks.Vocab, Stub).startswith("not implemented yet: Vocab.build.")

    class InitStub(Vocab):
        def __init__(self, itos):
            raise NotImplementedError()

    assert failure(checks.Vocab, InitStub).startswith("not implemented yet: Vocab.__init__.")


def test_a_wrong_answer_is_shown_with_the_expected_one():
    message = failure(checks.replace_rep, lambda t: t)
    assert message == "replace_rep('cooool') should be 'c tk_rep 4 o l', yours gave 'cooool'"


def test_a_long_string_is_shown_around_its_first_difference():
    msg = failure(checks.fixup, lambda x: text.fixup(x.replace("<br />", "")) if "BAD" in x else text.fixup(x))
    assert "'A BAD film.\\n\\nReally bad.'" in msg and "yours gave 'A BAD film.Really bad.'" in msg
    long = "x" * 200 + "<br />" + "y" * 200
    msg = checks.difference(text.fixup(long), long.replace("<br />", "<br>"), "fixup(...)")
    assert "at character 200" in msg and len(msg) < 300


def test_exact_types_are_required():
    class Liar(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    assert "should be a str, yours gave a Liar" in failure(checks.fixup, lambda x: Liar(x))
    assert "should be a Counter, yours gave a dict" in failure(checks.count_tokens, lambda p: dict(prepare.count_tokens(p)))
    assert "yours gave None (a missing `return`?)" in failure(checks.replace_all_caps, lambda tokens: None)


def test_an_error_in_the_learner_code_names_its_line():
    def mark_fields(fields):
        return "xbos " + " ".join(f"xfld {i} {f}" for i, f in enumerate(fields, 1)) + 1 / 0

    msg = failure(checks.mark_fields, mark_fields)
    assert msg.startswith("mark_fields(['A fine film.']) raised ZeroDivisionError: division by zero (line")
    assert "1 / 0" in msg


def test_typical_wrong_answers_are_caught():
    # read_imdb sorted by file name as text: 10_*.txt before 9_*.txt
    def read_imdb_text_order(path, limit=None):
        out = {}
        for split in ("train", "test"):
            r = data.Reviews()
            for label, cls in enumerate(data.CLASSES):
                for f in sorted((Path(path) / split / cls).glob("*.txt"))[:limit]:
                    r.texts.append(f.read_bytes().decode("utf-8", errors="replace"))
                    r.labels.append(label)
            out[split] = r
        return out

    assert "['train'].texts[1] should be" in failure(checks.read_imdb, read_imdb_text_order)

    # texts and labels shuffled with two different permutations
    def make_splits_two_shuffles(reviews, seed=42, lm_valid_frac=0.1):
        s = data.make_splits(reviews, seed, lm_valid_frac)
        s.clas_train.labels = s.clas_train.labels[::-1]
        return s

    assert ".clas_train.labels[" in failure(checks.make_splits, make_splits_two_shuffles)

    def make_splits_no_validation(reviews, seed=42, lm_valid_frac=0.1):
        return data.make_splits(reviews, seed, lm_valid_frac or 0.5)

    assert "lm_valid_frac=0) should raise ValueError, yours returned Splits(" in failure(checks.make_splits, make_splits_no_validation)

    # a header line
    def write_csv_with_header(path, labels, *fields):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["label"] + [f"text{i}" for i in range(len(fields))])
            w.writerows(zip(labels, *fields))
        return len(labels)

    assert "looks like a header" in failure(checks.write_csv, write_csv_with_header)

    # lower-casing lost after t_up
    def caps_not_lowered(tokens):
        return [x for t in tokens for x in ((text.TK_UP, t) if len(t) > 2 and t.isupper() else (t.lower(),))]

    assert "should be 'loved', yours gave 'LOVED'" in failure(checks.replace_all_caps, caps_not_lowered)

    # tk_rep counting the repeats only
    def rep_off_by_one(t):
        return re.sub(r"(\S)(\1{3,})", lambda m: f" tk_rep {len(m.group(2))} {m.group(1)} ", t)

    assert "should be 'c tk_rep 4 o l', yours gave 'c tk_rep 3 o l'" in failure(checks.replace_rep, rep_off_by_one)

    # the seed's field numbering (every field after the first is 1)
    assert "xfld 2" in failure(checks.mark_fields, lambda fields: "xbos " + " ".join(f"xfld 1 {f}" for f in fields))

    # parts of n_workers items instead of n_workers parts
    assert "partition_by_cores(" in failure(checks.partition_by_cores, lambda items, n: [items[i : i + n] for i in range(0, len(items), n)])


def test_vocab_mistakes_are_caught():
    class Base(Vocab):
        def __init__(self, itos):
            self.itos = list(itos)
            self.stoi = {t: i for i, t in enumerate(self.itos)}

    class ExclusiveMinFreq(Base):
        @classmethod
        def build(cls, counts, max_vocab=60000, min_freq=3):
            return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c > min_freq and t not in ("_unk_", "_pad_")])

    assert ".itos should have" in failure(checks.Vocab, ExclusiveMinFreq)

    class DefaultDict(Base):
        def __init__(self, itos):
            super().__init__(itos)
            self.stoi = defaultdict(lambda: 0, self.stoi)

        def numericalize(self, tokens):
            return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    assert "should be a dict, yours gave a defaultdict" in failure(checks.Vocab, DefaultDict)

    class ListIds(Base):
        def numericalize(self, tokens):
            return [self.stoi.get(t, 0) for t in tokens]

    assert "should be a ndarray, yours gave a list" in failure(checks.Vocab, ListIds)

    class Int64Ids(Base):
        def numericalize(self, tokens):
            return np.array([self.stoi.get(t, 0) for t in tokens])

    assert "should be an array of int32, yours is of int64" in failure(checks.Vocab, Int64Ids)

    class GrowingStoi(Base):
        def numericalize(self, tokens):
            for t in tokens:
                self.stoi.setdefault(t, 0)
            return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    assert "looking a token up must not add it" in failure(checks.Vocab, GrowingStoi)


def test_checks_do_not_let_the_learner_change_their_inputs():
    def sneaky(tokens):
        out = text.replace_all_caps(tokens)
        tokens.clear()
        return out

    checks.replace_all_caps(sneaky)  # the reference sees its own copy of every input


def test_check_failed_renders_as_its_message_alone():
    lines = checks.CheckFailed("not implemented yet: fixup. Write it.")._render_traceback_()
    assert len(lines) == 1 and "not implemented yet: fixup" in lines[0]
    assert issubclass(checks.CheckFailed, AssertionError)  # a failed check fails a grade cell
