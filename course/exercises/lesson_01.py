"""Lesson 1, the data: `read_imdb`, `make_splits`, `write_csv`."""

import csv
from collections import Counter

from ..data import REAL_REVIEWS, TINY_REVIEWS, tiny_imdb_files
from ..exercise import Exercise, composite, fresh_folder

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


def _observe_imdb(fn, inp, workdir):
    """`fn(folder, **kwargs)` on an aclImdb folder holding `files` (path -> bytes), given as str or Path."""
    files, as_str, kwargs = inp
    root = fresh_folder(workdir, "imdb") / "aclImdb"
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return fn(str(root) if as_str else root, **kwargs)


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


def _observe_splits(fn, inp, workdir):
    """`fn(reviews, *args, **kwargs)` with reviews given as {split: [texts, labels]}."""
    from ulmfit_ref.data import Reviews  # a tool the lesson gives: in the grader's sandbox, that tool alone

    reviews, args, kwargs = inp
    return fn(
        {split: Reviews(list(texts), list(labels)) for split, (texts, labels) in reviews.items()}, *args, **kwargs
    )


def _show_splits(inp) -> str:
    reviews, args, kwargs = inp
    shown = ", ".join(f"{s!r}: Reviews(texts={t!r}, labels={y!r})" for s, (t, y) in reviews.items())
    if len(shown) > 400:
        shown = ", ".join(f"{s!r}: Reviews(<{len(t)} texts>, labels={y!r})" for s, (t, y) in reviews.items())
    extra = "".join(f", {a!r}" for a in args) + "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"make_splits({{{shown}}}{extra})"


def _split_hint(inp, expected, actual) -> str | None:
    e, a = dict(expected.fields), dict(actual.fields)
    for name in ("clas_train", "clas_test"):
        et, el = (dict(e[name].fields)[k] for k in ("texts", "labels"))
        at, al = (dict(a[name].fields)[k] for k in ("texts", "labels"))
        if sorted(zip(et, el)) != sorted(zip(at, al)) and sorted(et) == sorted(at) and sorted(el) == sorted(al):
            return (
                f"in {name}, texts and labels are paired differently: shuffle both with the one permutation "
                "of the split, so that each text keeps its label"
            )
        if Counter(el) != Counter(al):
            unlabelled = inp[2].get("unlabelled", inp[1][2] if len(inp[1]) > 2 else None)
            want, got = (dict(sorted(Counter(labels).items())) for labels in (el, al))
            return (
                f"{name} should hold labels {want}, yours {got}: with unlabelled={unlabelled!r}, drop exactly the "
                "texts with that label (None: drop none)"
            )
    n_e, n_a = (len(dict(x["lm_valid"].fields)["texts"]) for x in (e, a))
    if n_e != n_a:
        return f"lm_valid should hold n_valid = max(1, round(n * lm_valid_frac)) = {n_e} texts, yours holds {n_a}"
    return None


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
    returned = fn(path, labels, *fields)
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


EXERCISES = (
    Exercise(
        "read_imdb",
        "ulmfit_ref.data:read_imdb",
        fixed=(
            (tiny_imdb_files(), False, {}),
            (tiny_imdb_files(), True, {"limit": 2}),
            (tiny_imdb_files(), False, {"limit": 0}),
            (tiny_imdb_files(), False, {"limit": 1}),
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
            (_tiny_reviews(), (0, 0.25, 2), {}),
            (_tiny_reviews(), (), {}),
            (_tiny_reviews(), (), {"lm_valid_frac": 0.15, "unlabelled": 1}),
            (_tiny_reviews(), (), {"seed": 7, "lm_valid_frac": 0.5, "unlabelled": 2}),
            (_tiny_reviews(), (), {"lm_valid_frac": 0}),
            (_tiny_reviews(), (), {"lm_valid_frac": 1.0}),
        ),
        inputs=composite(_reviews),
        observe=_observe_splits,
        show=_show_splits,
        hints=(_split_hint,),
        sample=10,
    ),
    Exercise(
        "write_csv",
        "ulmfit_ref.data:write_csv",
        fixed=(
            ([1, 0, 1, 1, 0], [_CSV_TEXTS]),
            ([0, 2], [["Title one", "Title, two"], list(REAL_REVIEWS[6:8])]),
            ([1, 0, 1], [list(REAL_REVIEWS[:3])]),
            ([0, 1], [["only one text"]]),
            ([1, 0], []),
        ),
        inputs=composite(_csv_rows),
        observe=_observe_csv,
        show=_show_csv,
        hints=(_csv_hint,),
        sample=10,
    ),
)
