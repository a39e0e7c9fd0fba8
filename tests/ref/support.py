"""What the tests of tests/ref share: data sets made on the spot (CSV, IMDb, WikiText), `ulmfit` run in-process, one
torch thread."""

import contextlib
import csv
import io
import pickle
import random
from pathlib import Path

import pytest
import torch

from ulmfit_ref.cli import main
from ulmfit_ref.models import LMConfig, get_language_model

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


def make_corpus(root: Path, n_articles: int = 25, seed: int = 5) -> Path:
    """A folder of .txt articles (topics World, Sports, Health) and a valid.txt, for `ulmfit pretrain`."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n_articles):
        (root / f"article{i}.txt").write_text(document(rng, rng.choice(["World", "Sports", "Health"]), 60, 120))
    (root / "valid.txt").write_text(document(rng, "Business", 200, 200))
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


def fastai07_checkpoint(tmp_path: Path, itos: list[str], sizes=(10, 20, 2),
                        name: str = "fwd_wt103.h5") -> tuple[Path, Path]:
    """A language model saved under fastai 0.7's key names (as fwd_wt103.h5, or bwd_wt103.h5), and its pickled itos."""
    emb_sz, n_hid, n_layers = sizes
    sd = get_language_model(len(itos), LMConfig(emb_sz=emb_sz, n_hid=n_hid, n_layers=n_layers)).state_dict()
    state = {"0.encoder.weight": sd["0.encoder.weight"], "0.encoder_with_dropout.embed.weight": sd["0.encoder.weight"],
             "1.decoder.weight": sd["1.decoder.weight"]}
    for n in range(n_layers):
        for key in ("weight_ih_l0", "bias_ih_l0", "bias_hh_l0"):
            state[f"0.rnns.{n}.module.{key}"] = sd[f"0.rnns.{n}.module.{key}"]
        state[f"0.rnns.{n}.module.weight_hh_l0_raw"] = sd[f"0.rnns.{n}.weight_hh_l0_raw"]
    weights, vocab = tmp_path / name, tmp_path / "itos_wt103.pkl"
    torch.save({k: v.clone() for k, v in state.items()}, weights, _use_new_zipfile_serialization=False)
    vocab.write_bytes(pickle.dumps(itos, protocol=2))
    return weights, vocab
