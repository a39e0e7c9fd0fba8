"""Lesson 1, the data: `read_imdb`, `make_splits`, a test of make_splits, a prediction, `write_csv`.

`read_imdb` and `write_csv` have one right output, so they are compared with the reference. `make_splits` is random:
it is judged by what every right answer has (a partition of the texts, each text with its own label, the sizes asked
for, one seed one split, the input left as it was, and on a large input, shuffles that mix the classes and the splits,
judged with 5-sigma bounds), not by the reference's order of draws.
"""

import csv
import math
from collections import Counter

from .. import wire
from ..data import REAL_REVIEWS, TINY_REVIEWS, tiny_imdb_files
from ..exercise import Exercise, Judgement, attempt, composite, fresh_folder, unchanged
from ..kinds import Version, prediction, test_of

LESSON = "01_data"
GIVEN = ("ulmfit_ref.data:CLASSES", "ulmfit_ref.data:Reviews", "ulmfit_ref.data:Splits", "ulmfit_ref.data:permutation")
PRELOAD = ("numpy",)

# --- read_imdb ------------------------------------------------------------------------------------------------------

_FOLDERS = (("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos"))
_RATING = {"neg": (1, 4), "pos": (7, 10), "unsup": (0, 0)}


def _imdb(draw, st):
    """(files, as_str, kwargs): a small aclImdb (a review in each folder but test/unsup), str or Path, a limit."""
    files = []
    folders = _FOLDERS + ((("test", "unsup"),) if draw(st.booleans()) else ())
    for split, cls in folders:
        ids = draw(
            st.lists(st.integers(0, 30), min_size=int((split, cls) != ("test", "unsup")), max_size=4, unique=True)
        )
        for review_id in ids:
            rating = draw(st.integers(*_RATING[cls]))
            data = draw(st.text(alphabet="ab é\n", max_size=6)).encode() + (b"\xff" if draw(st.booleans()) else b"")
            files.append((f"{split}/{cls}/{review_id}_{rating}.txt", data))
    limit = draw(st.one_of(st.none(), st.integers(0, 4)))
    return files, draw(st.booleans()), ({} if limit is None and draw(st.booleans()) else {"limit": limit})


# Reviews with line breaks of every kind, and an empty one: read as bytes, each is kept as it is ("\r\n" too).
_LINE_BREAK_FILES = [
    ("train/neg/3_1.txt", b"Bad.\r\nReally bad."),
    ("train/neg/20_2.txt", b""),
    ("train/pos/5_9.txt", b"Good\rvery good"),
    ("train/pos/11_8.txt", "what a movie\x85. Loved it\u2028too".encode()),
    ("train/unsup/7_0.txt", b"plain\n"),
    ("test/neg/2_3.txt", b"end\r\n\r\n"),
    ("test/pos/4_10.txt", "caf\xe9 \x85".encode() + b"\xff"),
]


def _observe_imdb(fn, inp, workdir):
    """`fn(folder, **kwargs)` on an aclImdb folder holding `files` (path -> bytes), given as str or Path."""
    files, as_str, kwargs = inp
    root = fresh_folder(workdir, "imdb") / "aclImdb"
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return unchanged(fn, str(root) if as_str else root, **kwargs)


def _show_imdb(inp) -> str:
    files, as_str, kwargs = inp
    listing = ", ".join(f"{name}: {data!r}" for name, data in files)
    listing = listing if len(listing) < 300 else listing[:299] + "…"
    path = "'aclImdb'" if as_str else "Path('aclImdb')"
    return (
        f"read_imdb({path}{''.join(f', {k}={v!r}' for k, v in kwargs.items())}) on an aclImdb folder holding {listing}"
    )


def _read_order(inp, expected, actual) -> str | None:
    """When a split holds the right texts in another order: the files in the order read, by name."""
    files = inp[0]
    for split in ("train", "test"):
        want = dict(expected[split].fields)["texts"]
        got = dict(actual[split].fields)["texts"]
        if want != got and sorted(want) == sorted(got):
            by_text = {}
            for name, data in files:
                if name.startswith(f"{split}/"):
                    by_text.setdefault(data.decode("utf-8", errors="replace"), name)
            n = next(i for i, (a, b) in enumerate(zip(want, got)) if a != b)
            names = [", ".join(by_text.get(t, "?") for t in texts[max(0, n - 1) : n + 4]) for texts in (want, got)]
            return (
                f"the files of {split} are read in another order: from file {n}, the reference reads {names[0]}; "
                f"yours reads {names[1]}. Read each class in the order of CLASSES, its files by review id as a number"
            )
    return None


# --- make_splits ----------------------------------------------------------------------------------------------------


def _reviews(draw, st):
    """(reviews as {split: [texts, labels]}, args, kwargs), lm_valid_frac sometimes outside (0, 1)."""
    reviews = {}
    for split, labels in (("train", (0, 1, 2)), ("test", (0, 1))):
        n = draw(st.integers(split == "train", 8))  # one text at least: with none, the reference's lm_valid has 1 label
        reviews[split] = [
            [draw(st.text(alphabet="ab é", max_size=4)) for _ in range(n)],
            [draw(st.sampled_from(labels)) for _ in range(n)],
        ]
    kwargs = {}
    if draw(st.booleans()):
        kwargs["unlabelled"] = draw(st.one_of(st.none(), st.integers(0, 2)))
    if draw(st.booleans()):
        kwargs["seed"] = draw(st.integers(0, 1000))
    if draw(st.booleans()):
        kwargs["lm_valid_frac"] = draw(
            st.one_of(st.floats(0.01, 0.99), st.sampled_from((0.0, 1.0, -0.5, 1.5, 0.5, 0.15)))
        )
    return reviews, (), kwargs


def _tiny_reviews() -> dict:
    """The tiny made-up reviews as read_imdb gives them (without the review that is not valid UTF-8)."""
    out = {}
    for split, classes in (("train", ("neg", "pos", "unsup")), ("test", ("neg", "pos"))):
        texts = [t for cls in classes for t in TINY_REVIEWS[split, cls]]
        out[split] = [texts, [label for label, cls in enumerate(classes) for _ in TINY_REVIEWS[split, cls]]]
    return out


def _big_reviews() -> dict:
    """300 train texts (100 of each class, in class order) and 200 test texts (100 neg, 100 pos): shuffles show."""
    return {
        "train": [[f"train review {i}" for i in range(300)], [i // 100 for i in range(300)]],
        "test": [[f"test review {i}" for i in range(200)], [i // 100 for i in range(200)]],
    }


def _seed_of(args, kwargs) -> int:
    return kwargs.get("seed", args[0] if args else 42)


def _with_seed(args, kwargs, seed: int) -> tuple:
    """The arguments of a call with another seed."""
    if args:
        return (seed, *args[1:]), kwargs
    return args, {**kwargs, "seed": seed}


def _observe_splits(fn, inp, workdir):
    """`fn(reviews, *args, **kwargs)` (reviews given as {split: [texts, labels]}); again with numpy's and Python's
    global generators moved; and with another seed."""
    import random

    import numpy as np

    from ulmfit_ref.data import Reviews  # a tool the lesson gives: in the grader's sandbox, that tool alone

    reviews, args, kwargs = inp

    def given():
        return {split: Reviews(list(texts), list(labels)) for split, (texts, labels) in reviews.items()}

    np.random.seed(1)
    random.seed(1)
    first = attempt(lambda: unchanged(fn, given(), *args, **kwargs))
    np.random.seed(2)
    random.seed(2)
    other_args, other_kwargs = _with_seed(args, kwargs, _seed_of(args, kwargs) + 1000)
    return {
        "splits": first,
        "the same seed again": attempt(lambda: fn(given(), *args, **kwargs)),
        "another seed": attempt(lambda: fn(given(), *other_args, **other_kwargs)),
    }


def _reviews_of(record, name: str):
    """(texts, labels) of field `name` of a decoded Splits, or a problem."""
    fields = dict(record.fields)
    if name not in fields or not isinstance(fields[name], wire.Record):
        return f"its {name} should be a Reviews; it is {wire.show(fields.get(name), 60)}"
    r = dict(fields[name].fields)
    texts, labels = r.get("texts"), r.get("labels")
    if type(texts) is not list or type(labels) is not list or len(texts) != len(labels):
        return f"{name} should hold two lists of the same length, texts and labels"
    if not all(type(y) is int for y in labels):
        bad = next(y for y in labels if type(y) is not int)
        return f"the labels of {name} should be Python ints; one is {wire.show(bad, 40)}"
    return texts, labels


def _share(values: list, want) -> float:
    return sum(1 for y in values if y == want) / max(1, len(values))


def _mixed(name: str, values: list, want, share: float) -> str | None:
    """Whether the share of `want` in `values` is within 5 standard deviations of `share`; drawn without replacement
    the deviation is smaller still, so that a right answer fails less than once in a million checks."""
    k = len(values)
    if k and abs(_share(values, want) - share) > 5 * math.sqrt(share * (1 - share) / k):
        return (
            f"{name} is not shuffled: {_share(values, want):.0%} of its {k} texts are {want!r}, against "
            f"{share:.0%} of them all; a random order mixes them"
        )
    return None


def _splits_problem(inp, splits, n_valid: int) -> tuple:
    """(problem or None, what was checked) of one Splits, judged from the input alone."""
    reviews, args, kwargs = inp
    unlabelled = kwargs.get("unlabelled", args[2] if len(args) > 2 else None)
    if isinstance(splits, wire.Raised):
        return f"the call raised {splits.type}: {splits.message}{splits.where}", ()
    if not isinstance(splits, wire.Record) or not splits.type.endswith("Splits"):
        return f"make_splits should return a Splits; yours returned {wire.show(splits, 80)}", ()
    got = {}
    for name in ("clas_train", "clas_test", "lm_train", "lm_valid"):
        got[name] = _reviews_of(splits, name)
        if isinstance(got[name], str):
            return got[name], ()
    for name, split in (("clas_train", "train"), ("clas_test", "test")):
        texts, labels = reviews[split]
        want = Counter((t, y) for t, y in zip(texts, labels) if unlabelled is None or y != unlabelled)
        have = Counter(zip(*got[name]))
        if have != want:
            same_texts = Counter(got[name][0]) == Counter(t for t, _ in want.elements())
            if same_texts and Counter(got[name][1]) == Counter(y for _, y in want.elements()):
                return f"in {name}, texts and labels are paired differently: each text should keep its own label", ()
            drop = "none" if unlabelled is None else f"those labelled {unlabelled}"
            return (
                f"{name} should hold each {split} review with its label, once, less the unlabelled ones ({drop}): "
                f"{sum((want - have).values())} missing, {sum((have - want).values())} that should not be there"
            ), ()
    all_texts = Counter(reviews["train"][0] + reviews["test"][0])
    lm_train, lm_valid = Counter(got["lm_train"][0]), Counter(got["lm_valid"][0])
    if lm_train + lm_valid != all_texts:
        if lm_train & lm_valid and lm_train <= all_texts and lm_valid <= all_texts:
            return "a text is both in lm_train and in lm_valid: the two should share none", ()
        return (
            "lm_train and lm_valid together should hold every text of train and test once (the unlabelled ones too): "
            f"{sum((all_texts - lm_train - lm_valid).values())} missing, "
            f"{sum((lm_train + lm_valid - all_texts).values())} extra"
        ), ()
    if any(y != 0 for name in ("lm_train", "lm_valid") for y in got[name][1]):
        return "every language-model label should be 0", ()
    if len(got["lm_valid"][0]) != n_valid:
        n = sum(all_texts.values())
        return (
            f"lm_valid should hold max(1, round({n} * lm_valid_frac)) = {n_valid} texts; yours holds "
            f"{len(got['lm_valid'][0])}"
        ), ()
    checked = ["each text with its own label", "every text in one language-model set", "the sizes asked for"]
    if sum(all_texts.values()) >= 400:  # the large fixed input: the shuffles must mix the classes and the splits
        for name in ("clas_train", "clas_test"):
            labels = got[name][1]
            problem = _mixed(f"{name}'s first half", labels[: len(labels) // 2], 0, _share(labels, 0))
            if problem:
                return problem, ()
        test_texts = set(reviews["test"][0])
        flags = ["test" if t in test_texts else "train" for t in got["lm_valid"][0]]
        problem = _mixed("lm_valid", flags, "test", len(reviews["test"][0]) / sum(all_texts.values()))
        if problem:
            return problem + " (the train and test texts are shuffled together)", ()
        checked.append("classes and splits mixed")
    return None, tuple(checked)


def _judge_splits(inp, expected, actual) -> Judgement:
    reviews, args, kwargs = inp
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return Judgement(wire.difference(expected, actual))
    want, splits = expected["splits"], actual["splits"]
    if isinstance(want, wire.Raised):
        if isinstance(splits, wire.Raised) and splits.type == want.type:
            return Judgement(None, ("ValueError for lm_valid_frac outside (0, 1)",))
        return Judgement(wire.difference(want, splits))  # says: the call should raise ValueError
    n_valid = len(dict(dict(want.fields)["lm_valid"].fields)["texts"])
    problem, checked = _splits_problem(inp, splits, n_valid)
    if problem:
        return Judgement(problem, show_values=False)
    if wire.difference(splits, actual["the same seed again"]) is not None:
        return Judgement(
            "the same seed gave other splits: draw every shuffle from `seed` (not from numpy's or Python's global "
            "generator)",
            show_values=False,
        )
    if len(set(reviews["train"][0] + reviews["test"][0])) >= 10:  # two seeds give one order once in 10! at most
        other = actual["another seed"]
        if wire.difference(splits, other) is None:
            return Judgement(
                "another seed gave the same splits: the shuffles should depend on `seed`", show_values=False
            )
        problem, _ = _splits_problem(inp, other, n_valid)
        if problem:
            return Judgement(f"with another seed: {problem}", show_values=False)
    return Judgement(None, (*checked, "one seed one split", "the input left as it was"), show_values=False)


def _show_splits(inp) -> str:
    reviews, args, kwargs = inp
    shown = ", ".join(f"{s!r}: Reviews(texts={t!r}, labels={y!r})" for s, (t, y) in reviews.items())
    if len(shown) > 400:
        shown = ", ".join(f"{s!r}: Reviews(<{len(t)} texts>, labels={y!r})" for s, (t, y) in reviews.items())
    extra = "".join(f", {a!r}" for a in args) + "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"make_splits({{{shown}}}{extra})"


# --- write_csv ------------------------------------------------------------------------------------------------------

_CSV_TEXTS = ["A fine film, all in all.", 'She said "wow".', "two\nlines", "", 'commas, quotes " and\r\nbreaks']


def _csv_rows(draw, st):
    """(labels, fields): one to three text columns, sometimes none or one of the wrong length (a ValueError)."""
    n = draw(st.integers(0, 4))
    labels = [draw(st.integers(0, 2)) for _ in range(n)]
    text = st.text(alphabet="a ,\"\n\r'é", max_size=5)
    fields = [[draw(text) for _ in range(n)] for _ in range(draw(st.integers(0, 3)))]
    if fields and draw(st.integers(0, 5)) == 0:
        fields[-1] = fields[-1] + ["extra"]
    return labels, fields


def _observe_csv(fn, inp, workdir):
    """What `fn(path, labels, *fields)` returns, and the rows of the file it wrote (at a path whose folder is new)."""
    labels, fields = inp
    path = fresh_folder(workdir, "csv") / "new_folder" / "texts.csv"
    returned = unchanged(fn, path, labels, *fields)
    rows = None
    if path.exists():
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    return {"what it returns": returned, "the rows of the file, read back": rows}


def _show_csv(inp) -> str:
    labels, fields = inp
    return f"write_csv('new_folder/texts.csv', {labels!r}{''.join(f', {f!r}' for f in fields)})"


def _csv_hint(inp, expected, actual) -> str | None:
    want, got = (x.get("the rows of the file, read back") for x in (expected, actual))
    if got is None:
        return "no file was written at new_folder/texts.csv: create the parent folder when it is missing"
    if len(got) == len(want) + 1 and got[1:] == want:
        return f"the first line of your file, {got[0]!r}, looks like a header: the standard CSV has none"
    if want and got and len(got[0]) == len(want[0]) and got[0][-1:] == want[0][:1] and got[0] != want[0]:
        return "each row starts with its label, then the text columns: the label comes first"
    if len(got) != len(want):
        return "texts hold commas, quotes and line breaks: let the csv module (csv.writer) quote them"
    return None


# --- test_make_splits, and a prediction -----------------------------------------------------------------------------

_SPLITS_BUGS = (
    Version(
        "a make_splits whose lm_train keeps the lm_valid texts too (they overlap)",
        (("lm_train=Reviews(lm[n_valid:], [0] * (len(lm) - n_valid))", "lm_train=Reviews(lm, [0] * len(lm))"),),
    ),
    Version(
        "a make_splits that loses the last test text from the language model",
        (
            (
                'all_texts = shuffled["train"][0] + shuffled["test"][0]',
                'all_texts = shuffled["train"][0] + shuffled["test"][0][:-1]',
            ),
        ),
    ),
    Version(
        "a make_splits that shuffles the labels apart from the texts",
        (("[r.labels[j] for j in idx]", "[r.labels[j] for j in idx[::-1]]"),),
    ),
    Version(
        "a make_splits that ignores its seed",
        (
            ("idx = permutation(len(r), seed + i)", "idx = permutation(len(r), 42 + i)"),
            ("idx = permutation(len(all_texts), seed + len(SPLITS))", "idx = permutation(len(all_texts), 44)"),
        ),
    ),
    Version(
        "a make_splits whose classifier keeps the unlabelled reviews",
        (("if unlabelled is None or y != unlabelled", "if True"),),
    ),
    Version(
        "a make_splits whose language model never reads the test texts",
        (('all_texts = shuffled["train"][0] + shuffled["test"][0]', 'all_texts = shuffled["train"][0]'),),
    ),
    Version(
        "a make_splits that does not shuffle the classifier's reviews",
        (("idx = permutation(len(r), seed + i)", "idx = range(len(r))"),),
    ),
    Version(
        "a make_splits that accepts lm_valid_frac = 0",
        (("if not 0 < lm_valid_frac < 1:", "if not 0 <= lm_valid_frac < 1:"),),
    ),
    Version(
        "a make_splits that reverses the reviews it is given, in place",
        (("r = reviews[split]", "r = reviews[split]\n        r.texts.reverse()\n        r.labels.reverse()"),),
    ),
    Version(
        "a make_splits that draws other permutations from its seed",
        (
            ("idx = permutation(len(r), seed + i)", "idx = permutation(len(r), 7 * seed + 3 * i + 1)"),
            (
                "idx = permutation(len(all_texts), seed + len(SPLITS))",
                "idx = permutation(len(all_texts), 7 * seed + 11)",
            ),
        ),
        right=True,
    ),
    Version(
        "a make_splits that holds out the last texts of the language model, not the first",
        (
            ("lm_train=Reviews(lm[n_valid:], ", "lm_train=Reviews(lm[: len(lm) - n_valid], "),
            ("lm_valid=Reviews(lm[:n_valid], ", "lm_valid=Reviews(lm[len(lm) - n_valid :], "),
        ),
        right=True,
    ),
)


def _test_hint(inp, expected, missed) -> str | None:
    if any("seed" in m for m in missed):
        return "call make_splits twice with one seed and once with another: what must hold of the three results?"
    if any("in place" in m for m in missed):
        return "keep a copy of the reviews you pass (copy.deepcopy) and compare it with them after the call"
    return "build reviews whose every text you can tell apart and whose labels you know, and assert on every split"


# IMDb's train split: 12,500 neg, 12,500 pos and 50,000 unsup reviews.
IMDB_TRAIN_COUNTS = (12_500, 12_500, 50_000)


def _kept_share() -> float:
    """The share of IMDb's train texts that keep their own label when texts and labels are shuffled apart."""
    import importlib

    permutation = importlib.import_module("ulmfit_ref.data").permutation
    labels = [label for label, n in enumerate(IMDB_TRAIN_COUNTS) for _ in range(n)]
    texts_order, labels_order = permutation(len(labels), 0), permutation(len(labels), 1)
    return sum(labels[i] == labels[j] for i, j in zip(texts_order, labels_order)) / len(labels)


EXERCISES = (
    Exercise(
        "read_imdb",
        "ulmfit_ref.data:read_imdb",
        fixed=(
            (tiny_imdb_files(), False, {}),
            (tiny_imdb_files(), True, {"limit": 2}),
            (tiny_imdb_files(), False, {"limit": 0}),
            (tiny_imdb_files(), False, {"limit": 1}),
            (_LINE_BREAK_FILES, False, {}),
        ),
        inputs=composite(_imdb),
        observe=_observe_imdb,
        show=_show_imdb,
        hints=(_read_order,),
        sample=10,
    ),
    Exercise(
        "make_splits",
        "ulmfit_ref.data:make_splits",
        fixed=(
            (_tiny_reviews(), (), {"unlabelled": 2}),
            (_big_reviews(), (), {"unlabelled": 2, "lm_valid_frac": 0.2}),
            (_tiny_reviews(), (0, 0.25, 2), {}),
            (_tiny_reviews(), (), {}),
            (_tiny_reviews(), (), {"lm_valid_frac": 0.15, "unlabelled": 1}),
            (_tiny_reviews(), (), {"lm_valid_frac": 0.19}),
            (_tiny_reviews(), (), {"seed": 7, "lm_valid_frac": 0.5, "unlabelled": 2}),
            (_tiny_reviews(), (), {"lm_valid_frac": 0}),
            (_tiny_reviews(), (), {"lm_valid_frac": 1.0}),
            (_tiny_reviews(), (), {"lm_valid_frac": -0.5}),
            ({"train": [["the only one"], [1]], "test": [[], []]}, (), {"unlabelled": 2}),
            ({"train": [["same", "same", "other"], [0, 2, 1]], "test": [["same"], [1]]}, (3,), {"unlabelled": 2}),
            (_big_reviews(), (5, 0.1), {}),
        ),
        inputs=composite(_reviews),
        observe=_observe_splits,
        judge=_judge_splits,
        show=_show_splits,
        sample=10,
    ),
    test_of("test_make_splits", "ulmfit_ref.data:make_splits", _SPLITS_BUGS, hints=(_test_hint,)),
    prediction("kept_share", _kept_share, atol=0.02),
    Exercise(
        "write_csv",
        "ulmfit_ref.data:write_csv",
        fixed=(
            ([1, 0, 1, 1, 0], [_CSV_TEXTS]),
            ([0, 2], [["Title one", "Title, two"], list(REAL_REVIEWS[6:8])]),
            ([1, 0, 1], [list(REAL_REVIEWS[:3])]),
            ([0, 1, 1, 0], [["a\rb", "c\x85d", "  spaces at the ends  ", "e\u2028f"]]),
            ([0, 1], [["only one text"]]),
            ([1, 0], []),
            ([], [[]]),
        ),
        inputs=composite(_csv_rows),
        observe=_observe_csv,
        show=_show_csv,
        hints=(_csv_hint,),
        sample=10,
    ),
)
