"""Lesson 4, numericalization: `count_tokens` and the `Vocab` class."""

import copy
import json
from collections import Counter

from ..data import REAL_REVIEWS
from ..exercise import Exercise, attempt, composite, fresh_folder

LESSON = "04_numericalize"
GIVEN = ()
PRELOAD = ("numpy",)

_WORDS = ("the", "a", "film", "xbos", "xfld", "1", "t_up", "The", "\n", " ", "é", "_unk_", "_pad_", "good", "GOOD")


def _token(st):
    """A token: a word of the lessons, or one or two characters."""
    return st.one_of(st.sampled_from(_WORDS), st.text(alphabet="ab \n", min_size=1, max_size=2))


_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]
_DOCS = [
    ["xbos", "xfld", "1", "the", "film", "was", "good", "."],
    ["xbos", "xfld", "1", "the", "acting", "was", "t_up", "bad", "."],
    [],
    ["xbos", "xfld", "1", "good", "good", "good", "\n", "é"],
]


def _observe_counts(fn, docs, workdir):
    """`fn(path)` on a token file (one JSON list per line) of the documents `docs`."""
    path = fresh_folder(workdir, "tok") / "docs.tok.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return fn(path)


def _vocab(draw, st):
    """(counts as (token, count) pairs in first-seen order, build kwargs, tokens to numericalize, an itos)."""
    pairs = draw(st.lists(st.tuples(_token(st), st.integers(1, 7)), max_size=10, unique_by=lambda p: p[0]))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["max_vocab"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        kwargs["min_freq"] = draw(st.integers(1, 6))
    tokens = draw(st.lists(st.one_of(_token(st), st.just("never-seen")), max_size=6))
    itos = ["_unk_", "_pad_"] + draw(
        st.lists(st.sampled_from(("the", "a", "film", "é", "\n")), unique=True, max_size=4)
    )
    return pairs, kwargs, tokens, itos


def _observe_vocab(cls, inp, workdir):
    """`cls.build(counts, **kwargs)`: its itos and stoi, `numericalize`, stoi after it, `textify`; `cls(itos).stoi`."""
    pairs, kwargs, tokens, itos = inp
    v = cls.build(Counter(dict(pairs)), **kwargs)
    seen = {"itos": copy.copy(getattr(v, "itos", None)), "stoi": copy.copy(getattr(v, "stoi", None))}
    ids = attempt(lambda: v.numericalize(list(tokens)))
    seen["numericalize"] = ids
    seen["stoi after numericalize"] = attempt(lambda: copy.copy(v.stoi))
    seen["textify of those ids"] = attempt(lambda: v.textify(ids))
    seen["textify with sep='|'"] = attempt(lambda: v.textify(list(range(len(v.itos)))[::-1], sep="|"))
    seen["Vocab(itos).stoi"] = attempt(lambda: cls(list(itos)).stoi)
    return seen


def _show_vocab(inp) -> str:
    pairs, kwargs, tokens, itos = inp
    build = f"Vocab.build(Counter({dict(pairs)!r}){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    return f"vocab = {build}; vocab.numericalize({tokens!r}); vocab.textify(...); Vocab({itos!r})"


def _stoi_grows(inp, expected, actual) -> str | None:
    after = actual.get("stoi after numericalize")
    if isinstance(after, dict) and len(after) > len(expected["stoi after numericalize"]):
        return "looking a token up must not add it to stoi (a defaultdict does): use stoi.get(token, 0)"
    return None


def _ids_dtype(inp, expected, actual) -> str | None:
    ids = actual.get("numericalize")
    if type(ids) is list or str(getattr(ids, "dtype", "")) == "int64":
        return "numericalize returns a numpy array of int32: np.array([...], dtype=np.int32)"
    return None


_VOCAB_COUNTS = list(
    Counter("the a film the good a the bad film the good xbos xbos xbos xbos _unk_ _pad_ great great".split()).items()
)
_TOKENS = ["the", "film", "was", "good", "xbos", "never-seen", "_pad_", "GOOD"]

EXERCISES = (
    Exercise(
        "count_tokens",
        "ulmfit_ref.prepare:count_tokens",
        fixed=(_DOCS, [], [r.split(" ") for r in REAL_REVIEWS], [["xbos", "xfld", "1", "good", "good", "\n", "é"], []]),
        inputs=lambda st: st.lists(st.lists(_token(st), max_size=6), max_size=5),
        observe=_observe_counts,
        show=lambda docs: f"count_tokens(<a token file of the documents {docs!r}>)",
        sample=20,
    ),
    Exercise(
        "Vocab",
        "ulmfit_ref.vocab:Vocab",
        fixed=(
            (_VOCAB_COUNTS, {}, _TOKENS, ["_unk_", "_pad_", "a", "b"]),
            (_VOCAB_COUNTS, {"min_freq": 2}, _TOKENS, ["_unk_", "_pad_"]),
            (_VOCAB_COUNTS, {"max_vocab": 2, "min_freq": 1}, _TOKENS, ["_unk_", "_pad_", "the"]),
            (_VOCAB_COUNTS, {"max_vocab": 0}, _TOKENS, ["_unk_", "_pad_"]),
            ([], {}, _TOKENS, ["_unk_", "_pad_"]),
            (
                list(Counter(_REAL_WORDS).items()),
                {"min_freq": 2},
                REAL_REVIEWS[0].split(" "),
                ["_unk_", "_pad_", "the"],
            ),
            ([("the", 4), ("a", 2), ("_unk_", 5), ("film", 3)], {}, ["the", "never-seen", "_pad_"], ["_unk_", "_pad_"]),
        ),
        inputs=composite(_vocab),
        observe=_observe_vocab,
        show=_show_vocab,
        hints=(_stoi_grows, _ids_dtype),
        sample=15,
    ),
)
