"""What the tests of tests/ref share: data sets made on the spot (CSV, IMDb, WikiText), `ulmfit` run in-process, one
torch thread."""

import contextlib
import csv
import io
import random
from pathlib import Path

import pytest
import torch

from ulmfit_ref.cli import main

COMMON = "the a of and to in it was is new very some this that with for on".split()
TOPICS = {  # each class's own words; a document mixes them with common words
    "World": "war election minister treaty border summit embassy refugees".split(),
    "Sports": "goal match team coach league season referee striker".split(),
    "Business": "market shares profit bank merger investors stocks revenue".split(),
    "Sci/Tech": "software chip internet robot space research laptop network".split(),
    "Health": "doctor vaccine hospital patients virus therapy clinic nurse".split(),
}


def document(rng: random.Random, topic: str, lo: int = 3, hi: int = 40) -> str:
    """A text of lo..hi words: common words and the topic's own."""
    return " ".join(rng.choice(COMMON + TOPICS[topic] * 2) for _ in range(rng.randint(lo, hi)))


def make_dataset(root: Path, classes=("World", "Sports", "Business", "Sci/Tech"), n_train=(60, 40, 25, 15),
                 n_test=12, labels: str = "from 1", fields: int = 2, unlabelled: int = 30, seed: int = 0,
                 classes_txt: bool = True) -> Path:
    """A standard CSV folder: imbalanced classes, `fields` text fields (a short title, then a body), labels written
    as `labels` says ('from 0', 'from 1' or 'names'), unlabelled.csv with `unlabelled` rows, classes.txt."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)

    def label(c: int) -> str:
        return {"from 0": str(c), "from 1": str(c + 1), "names": classes[c]}[labels]

    def row(c: int) -> list[str]:
        title = [document(rng, classes[c], 1, 5)] if fields == 2 else []
        return [label(c)] + title + [document(rng, classes[c])]

    for name, counts in (("train", n_train), ("test", [n_test] * len(classes))):
        rows = [row(c) for c, n in enumerate(counts) for _ in range(n)]
        rng.shuffle(rows)
        with open(root / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    if unlabelled:
        with open(root / "unlabelled.csv", "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(row(rng.randrange(len(classes)))[1:] for _ in range(unlabelled))
    if classes_txt:
        (root / "classes.txt").write_text("".join(f"{c}\n" for c in classes), encoding="utf-8")
    return root


POS = "great wonderful superb moving brilliant delightful charming masterpiece loved enjoyable".split()
NEG = "awful boring terrible dull waste horrible clumsy tedious hated painful".split()
FILM = "the film movie plot actor scene story it was and a of to director music camera ending script cast".split()


def review(rng: random.Random, words: list[str]) -> str:
    """A review of film words with a few sentiment words mixed in."""
    return " ".join(rng.choice(FILM * 2 + words) for _ in range(rng.randint(15, 50))).capitalize() + "."


def make_imdb(root: Path, n: int = 50) -> Path:
    """An aclImdb folder of `n` generated reviews per split and class, plus `n` unsup reviews."""
    rng = random.Random(0)
    groups = [(s, c, w) for s in ("train", "test") for c, w in (("neg", NEG), ("pos", POS))]
    for split, cls, words in groups + [("train", "unsup", POS + NEG)]:
        folder = root / "aclImdb" / split / cls
        folder.mkdir(parents=True)
        for i in range(n):
            (folder / f"{i}_{8 if cls == 'pos' else 2 if cls == 'neg' else 0}.txt").write_text(review(rng, words))
    return root / "aclImdb"


def make_wikitext(root: Path, n_articles: int = 40) -> Path:
    """A WikiText-format corpus folder: wiki.train.tokens and wiki.valid.tokens."""
    rng = random.Random(1)

    def articles(first, n):
        return "".join(f" = Article {i} = \n\n {review(rng, POS + NEG)} \n = = Reception = = \n "
                       f"{review(rng, POS + NEG)} \n\n" for i in range(first, first + n))

    root.mkdir(parents=True)
    (root / "wiki.train.tokens").write_text(articles(0, n_articles))
    (root / "wiki.valid.tokens").write_text(articles(1000, 4))
    return root


def ulmfit(*args) -> tuple[int, str, str]:
    """Run the `ulmfit` command in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, *phrases: str):
    """Exit code 2 and one line on stderr that holds every phrase: no traceback."""
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("ulmfit "), err
    for phrase in phrases:
        assert phrase in err, err


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models run faster on one thread, above all on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
