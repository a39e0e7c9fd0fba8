"""What each exercise is checked on: its reference, random inputs (hypothesis strategies) and fixed ones.

An exercise is named by the grade_id of its cell. Fixed inputs are the lesson's own examples and excerpts of real
IMDb reviews (file names from `aclImdb/`); random inputs are small, and built from the pieces that matter (debris,
repeated characters, capitals...), so that a difference shrinks to a few characters. A lesson added to solutions/
needs an entry here for each of its exercises: `tests/exercises` fails, naming it, until it has one.
"""

import dataclasses
import importlib
from collections import Counter
from collections.abc import Callable

from hypothesis import strategies as st

from course.checks import FIXUP_CASES
from course.data import TINY_REVIEWS

REAL_REVIEWS = (  # excerpts of real reviews: debris, repeats, capitals, slashes and hashes as IMDb has them
    "lve to wait until the next morning to look for the culprit (!!!!!!!!!!)<br /><br />However, I suppose",  # test/neg/10013_4
    "Darcy will do her impersonation of Sandra Oh on Arliss blah blah blah blah blah. The only positive",  # test/neg/10303_3
    "Needless to say he didn't come quietly HA HA HA HA HA HA HA HA",  # test/neg/11230_4
    "im still laughing ha ha ha ha ha ha ha",  # test/neg/11715_3
    "GREAT job on the dubbing too guys(!) Best moment: when our hero",  # test/neg/10014_2
    "I recently found The Prey in its original VHS 'big box' form and was very excited. I just LOVE finding",  # test/neg/10021_3
    "Eye Candy: Nina Richardson shows some T&A; Mary Kapper goes topless <br /><br />My Grade: D <br /><br />",  # test/neg/9180_3
    'I saw the "Gegen die Wand" ("Head-On") ("Duvara Kars&#305;") and I admired his work',  # test/pos/12105_10
    "it's becoming not a horror\\adventure but a comedy driven movie",  # test/neg/3613_3
    "enjoy following their lives.\\<br /><br />I can understand why",  # test/neg/7761_1
    "most viewers will have had enough. *1/2 from ****",  # test/neg/10008_4
    "is miscast as a rural vamp; she's too round of face for treachery.",  # test/neg/1647_1
    "Dibakar Banerjee!!!!! Later u find out this scene has nothing to do with it. 10/10 #best",  # test/neg/10016_3
)
_DEBRIS = (
    "#39;", "amp;", "#146;", "nbsp;", "#36;", "\\n", "quot;", "<br />", '\\"', "<unk>", " @.@ ", " @-@ ", "\\", "&lt;",
    "&amp;", "&#8217;", "&#305;", "  ", " ", "\n", "a", "B", "&", "#", ";", "@", ".", "-",
)
_WORDS = ("the", "a", "film", "xbos", "xfld", "1", "t_up", "The", "\n", " ", "é", "_unk_", "_pad_", "good", "GOOD")


@dataclasses.dataclass(frozen=True)
class Exercise:
    """The check of one exercise: the reference object (`module:name`), random inputs, fixed inputs, and how to show one."""

    name: str
    reference: str
    inputs: st.SearchStrategy
    fixed: tuple
    show: Callable = None

    def reference_object(self):
        module, attr = self.reference.split(":")
        return getattr(importlib.import_module(module), attr)

    def shown(self, inp) -> str:
        return self.show(inp) if self.show else _call(self.name, inp)


def _call(name: str, inp) -> str:
    args, kwargs = inp
    return f"{name}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in kwargs.items()])})"


def _one(x) -> tuple:
    """The input of a call with the single argument `x`."""
    return ((x,), {})


def _pieces(pieces, max_size: int = 8) -> st.SearchStrategy:
    """Strings glued from `pieces` (shrinking drops pieces and moves towards the first ones)."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- lesson 1 ----------------------------------------------------------------------------------------------------

_FOLDERS = (("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos"))
_RATING = {"neg": (1, 4), "pos": (7, 10), "unsup": (0, 0)}


@st.composite
def _imdb(draw):
    """(files, as_str, kwargs): a small aclImdb (every folder but test/unsup holds a review), read as str or Path, a limit."""
    files = []
    folders = _FOLDERS + ((("test", "unsup"),) if draw(st.booleans()) else ())
    for split, cls in folders:
        for review_id in draw(st.lists(st.integers(0, 30), min_size=int((split, cls) != ("test", "unsup")), max_size=4, unique=True)):
            rating = draw(st.integers(*_RATING[cls]))
            data = draw(st.text(alphabet="ab é\n", max_size=6)).encode() + (b"\xff" if draw(st.booleans()) else b"")
            files.append((f"{split}/{cls}/{review_id}_{rating}.txt", data))
    limit = draw(st.one_of(st.none(), st.integers(0, 4)))
    return files, draw(st.booleans()), ({} if limit is None and draw(st.booleans()) else {"limit": limit})


def _tiny_imdb_files() -> list:
    """The files of course.data's tiny aclImdb (ids 10, 9, 0, 3: 10 sorts before 9 as text), with one not UTF-8."""
    files = [(f"{split}/{cls}/{i}_{7 if cls == 'pos' else 0 if cls == 'unsup' else 2}.txt", text.encode()) for (split, cls), texts in TINY_REVIEWS.items() for i, text in zip((10, 9, 0, 3), texts)]
    return files + [("train/unsup/12_0.txt", b"caf\xe9 latte, \xff good film")]


def _show_imdb(inp) -> str:
    files, as_str, kwargs = inp
    listing = ", ".join(f"{name}: {data!r}" for name, data in files)
    return f"read_imdb({'str' if as_str else 'Path'}(<aclImdb folder holding {listing}>){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


_TEXTS = st.text(alphabet="ab é", max_size=4)


@st.composite
def _reviews(draw):
    """(reviews as {split: [texts, labels]}, args, kwargs) for make_splits, lm_valid_frac sometimes out of (0, 1)."""
    reviews = {}
    for split, labels in (("train", (0, 1, 2)), ("test", (0, 1))):
        n = draw(st.integers(0, 8))
        reviews[split] = [[draw(_TEXTS) for _ in range(n)], [draw(st.sampled_from(labels)) for _ in range(n)]]
    kwargs = {}
    if draw(st.booleans()):
        kwargs["seed"] = draw(st.integers(0, 1000))
    if draw(st.booleans()):
        kwargs["lm_valid_frac"] = draw(st.one_of(st.floats(0.01, 0.99), st.sampled_from((0.0, 1.0, -0.5, 1.5, 0.5, 0.25))))
    return reviews, (), kwargs


def _tiny_reviews() -> dict:
    train = [t for key in (("train", "neg"), ("train", "pos"), ("train", "unsup")) for t in TINY_REVIEWS[key]]
    test = [t for key in (("test", "neg"), ("test", "pos")) for t in TINY_REVIEWS[key]]
    return {"train": [train, [0] * 4 + [1] * 4 + [2] * 4], "test": [test, [0] * 4 + [1] * 4]}


def _show_splits(inp) -> str:
    reviews, args, kwargs = inp
    shown = ", ".join(f"{s!r}: Reviews(texts={t!r}, labels={y!r})" for s, (t, y) in reviews.items())
    return f"make_splits({{{shown}}}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


_CSV_TEXT = st.text(alphabet='a ,"\n\r\'é', max_size=5)


@st.composite
def _csv_rows(draw):
    """(labels, fields): one to three text columns, sometimes none or one of the wrong length (a ValueError)."""
    n = draw(st.integers(0, 4))
    labels = [draw(st.integers(0, 2)) for _ in range(n)]
    fields = [[draw(_CSV_TEXT) for _ in range(n)] for _ in range(draw(st.integers(0, 3)))]
    if fields and draw(st.integers(0, 5)) == 0:
        fields[-1] = fields[-1] + ["extra"]
    return labels, fields


def _show_csv(inp) -> str:
    labels, fields = inp
    return f"write_csv('new_folder/texts.csv', {labels!r}{''.join(f', {f!r}' for f in fields)})"


# --- lesson 4 ----------------------------------------------------------------------------------------------------

_TOKEN = st.one_of(st.sampled_from(_WORDS), st.text(alphabet="ab \n", min_size=1, max_size=2))


@st.composite
def _vocab(draw):
    """(counts as (token, count) pairs in first-seen order, build kwargs, tokens to numericalize, an itos for Vocab(itos))."""
    pairs = draw(st.lists(st.tuples(_TOKEN, st.integers(1, 7)), max_size=10, unique_by=lambda p: p[0]))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["max_vocab"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        kwargs["min_freq"] = draw(st.integers(1, 6))
    tokens = draw(st.lists(st.one_of(_TOKEN, st.just("never-seen")), max_size=6))
    itos = ["_unk_", "_pad_"] + draw(st.lists(st.sampled_from(("the", "a", "film", "é", "\n")), unique=True, max_size=4))
    return pairs, kwargs, tokens, itos


def _show_vocab(inp) -> str:
    pairs, kwargs, tokens, itos = inp
    build = f"Vocab.build(Counter({dict(pairs)!r}){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    return f"vocab = {build}; vocab.numericalize({tokens!r}); vocab.textify(...); Vocab({itos!r})"


_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]
EXERCISES = {
    e.name: e
    for e in (
        Exercise(
            "read_imdb", "ulmfit_ref.data:read_imdb", _imdb(),
            ((_tiny_imdb_files(), False, {}), (_tiny_imdb_files(), True, {"limit": 2}), (_tiny_imdb_files(), False, {"limit": 0})),
            _show_imdb,
        ),
        Exercise(
            "make_splits", "ulmfit_ref.data:make_splits", _reviews(),
            ((_tiny_reviews(), (), {}), (_tiny_reviews(), (0, 0.25), {}), (_tiny_reviews(), (), {"lm_valid_frac": 0})),
            _show_splits,
        ),
        Exercise(
            "write_csv", "ulmfit_ref.data:write_csv", _csv_rows(),
            (([1, 0, 1], [list(REAL_REVIEWS[:3])]), ([0, 2], [["Title one", "Title, two"], list(REAL_REVIEWS[6:8])]), ([0, 1], [["only one text"]])),
            _show_csv,
        ),
        Exercise(
            "fixup", "ulmfit_ref.text:fixup", st.one_of(_pieces(_DEBRIS), st.text(alphabet=' a&#;\\n<>@.-"', max_size=10)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + FIXUP_CASES),  # the lesson's visible cases too
        ),
        Exercise(
            "replace_rep", "ulmfit_ref.text:replace_rep",
            st.lists(st.tuples(st.sampled_from("ab .!\n\t"), st.integers(1, 7)), max_size=6).map(lambda xs: "".join(c * k for c, k in xs)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + ("cooool", "aaa", "zzzz", "    ")),
        ),
        Exercise(
            "replace_wrep", "ulmfit_ref.text:replace_wrep",
            st.lists(st.tuples(st.sampled_from(("no", "so", "a", "No", "ab")), st.sampled_from((" ", ", ", ",", "!", "-", ". ", "  ", "\n", "")), st.integers(1, 6)), max_size=5)
            .map(lambda xs: "".join((w + s) * k for w, s, k in xs)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + ("no no no no ", "no no no", "Boring, boring, boring, boring. Bad.", "No!No!No!No!No! ")),
        ),
        Exercise(
            "replace_all_caps", "ulmfit_ref.text:replace_all_caps",
            st.lists(st.one_of(st.sampled_from(("I", "OK", "TV", "BBC", "LOVED", "Great", "it", "HBO's", "10/10", "\n", "!!!", "ÉTÉ", "A1B")), st.text(alphabet="aAbB1'", max_size=4)), max_size=6).map(_one),
            tuple(_one(r.split(" ")) for r in REAL_REVIEWS) + (_one(["I", "LOVED", "it"]), _one([])),
        ),
        Exercise(
            "mark_fields", "ulmfit_ref.text:mark_fields", st.lists(st.text(alphabet="ab \nx1", max_size=5), max_size=4).map(_one),
            (_one([REAL_REVIEWS[0]]), _one(["Title", REAL_REVIEWS[1]]), _one(list(REAL_REVIEWS[2:5])), _one([""])),
        ),
        Exercise(
            "partition_by_cores", "ulmfit_ref.text:partition_by_cores",
            st.tuples(st.lists(st.integers(0, 99), max_size=40), st.integers(1, 12)).map(lambda p: (p, {})),
            (((list(range(10)), 3), {}), ((list(range(4)), 8), {}), ((_REAL_WORDS, 2), {}), (([], 2), {}), ((list(range(7)), 1), {})),
        ),
        Exercise(
            "count_tokens", "ulmfit_ref.prepare:count_tokens", st.lists(st.lists(_TOKEN, max_size=6), max_size=5),
            ([r.split(" ") for r in REAL_REVIEWS], [], [["xbos", "xfld", "1", "good", "good", "\n", "é"], []]),
            lambda docs: f"count_tokens(<token file of the documents {docs!r}>)",
        ),
        Exercise(
            "Vocab", "ulmfit_ref.vocab:Vocab", _vocab(),
            (
                (list(Counter(_REAL_WORDS).items()), {"min_freq": 2}, REAL_REVIEWS[0].split(" "), ["_unk_", "_pad_", "the"]),
                ([("the", 4), ("a", 2), ("_unk_", 5), ("film", 3)], {}, ["the", "never-seen", "_pad_"], ["_unk_", "_pad_"]),
            ),
            _show_vocab,
        ),
    )
}
