"""Lesson 4, numericalization: `count_tokens`, the `Vocab` class, fastai 0.7's vocabulary to fix (`Vocab2018`), and the
smallest vocabulary that keeps unknown tokens under a share of held-out text (`smallest_vocab`).

`smallest_vocab` is a design task with no reference: its answer is judged by building the vocabulary it asks for with
the reference `Vocab`, in the checker's process, and measuring its size and its share of unknown tokens.
"""

import bisect
import copy
import json
from collections import Counter

from ..data import REAL_REVIEWS
from ..exercise import Exercise, Judgement, attempt, composite, fresh_folder, unchanged

LESSON = "04_numericalize"
GIVEN = ()
PRELOAD = ("numpy",)

_WORDS = (
    "the",
    "a",
    "film",
    "xbos",
    "xfld",
    "1",
    "t_up",
    "The",
    "\n",
    " ",
    "é",
    "_unk_",
    "_pad_",
    "good",
    "GOOD",
    "\r",
    "\x85",
    "\u2028",
)


def _token(st):
    """A token: a word of the lessons, or one or two characters."""
    return st.one_of(st.sampled_from(_WORDS), st.text(alphabet="ab \n", min_size=1, max_size=2))


_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]
_DOCS = [
    ["xbos", "xfld", "1", "the", "film", "was", "good", "."],
    ["xbos", "xfld", "1", "the", "acting", "was", "t_up", "bad", "."],
    [],
    ["xbos", "xfld", "1", "good", "good", "good", "\n", "é"],
    ["a\x85b", "\u2028", "\r", "\r\n", "line\u2029break", "\x0b", "\x1c", "good"],
]


def _observe_counts(fn, docs, workdir):
    """`fn(path)` on a token file (one JSON list per line, as `ulmfit prepare` writes it) of the documents `docs`."""
    path = fresh_folder(workdir, "tok") / "docs.tok.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return unchanged(fn, path)


def _split_lines(inp, expected, actual) -> str | None:
    from .. import wire

    if isinstance(actual, wire.Raised) and "JSON" in actual.type + actual.message:
        return (
            "a token may hold a character that str.splitlines() takes for a line break ('\\x85', '\\u2028'): read "
            "the file's lines as a file object gives them"
        )
    return None


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
    v = unchanged(cls.build, Counter(dict(pairs)), **kwargs)
    seen = {"itos": copy.copy(getattr(v, "itos", None)), "stoi": copy.copy(getattr(v, "stoi", None))}
    ids = attempt(lambda: unchanged(v.numericalize, list(tokens)))
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


# --- Vocab2018: fastai 0.7's vocabulary, to fix ---------------------------------------------------------------------


def _observe_vocab2018(cls, inp, workdir):
    """`cls(itos)`: its size and stoi before and after numericalizing two lists of tokens, the ids, what it saves."""
    itos, tokens, more = inp
    v = cls(list(itos))
    seen = {"len before": attempt(lambda: len(v)), "stoi before": attempt(lambda: dict(v.stoi))}
    seen["numericalize"] = attempt(lambda: unchanged(v.numericalize, list(tokens)))
    seen["numericalize again, other tokens"] = attempt(lambda: unchanged(v.numericalize, list(more)))
    seen["len after"] = attempt(lambda: len(v))
    seen["stoi after"] = attempt(lambda: dict(v.stoi))
    path = fresh_folder(workdir, "vocab") / "itos.json"
    seen["the saved tokens"] = attempt(lambda: (v.save(path), json.loads(path.read_text(encoding="utf-8")))[1])
    return seen


def _vocab2018(draw, st):
    """(an itos, tokens to numericalize, more tokens)."""
    itos = ["_unk_", "_pad_"] + draw(
        st.lists(_token(st).filter(lambda t: t not in ("_unk_", "_pad_")), unique=True, max_size=6)
    )
    words = st.one_of(_token(st), st.sampled_from(("never-seen", "zyzzyva", "qwertyuiop")))
    return itos, draw(st.lists(words, max_size=8)), draw(st.lists(words, max_size=4))


def _show_vocab2018(inp) -> str:
    itos, tokens, more = inp
    return f"v = Vocab2018({itos!r}); v.numericalize({tokens!r}); v.numericalize({more!r}); len(v); v.save(...)"


def _stoi_grew(inp, expected, actual) -> str | None:
    after, before = actual.get("len after"), actual.get("len before")
    if type(after) is int and type(before) is int and after > before:
        return (
            f"len(v) went from {before} to {after}: numericalizing added the unknown tokens to stoi. Which line can "
            "add a key to a dict when it only looks one up?"
        )
    return None


# --- smallest_vocab: a design task judged by its measured outcome -----------------------------------------------------


def _reference_vocab():
    import importlib

    return importlib.import_module("ulmfit_ref.vocab").Vocab


def _unknown_share(vocab, held_out: list) -> float:
    n = sum(map(len, held_out))
    return sum(int((vocab.numericalize(d) == 0).sum()) for d in held_out) / n if n else 0.0


def _smallest_size(counts: Counter, held_out: list, max_unknown: float) -> int:
    """The size of the smallest vocabulary `Vocab.build` can make (any max_vocab, min_freq) under `max_unknown`; that of
    the largest when none is under it. Each is the specials and a prefix of the ranked tokens: the ranks say it."""
    full = _reference_vocab().build(counts, min_freq=1)
    ranks = sorted(full.numericalize([t for d in held_out for t in d]).tolist())  # 0: unknown even to the full one
    n, never = len(ranks), bisect.bisect_right(ranks, 0)
    for size in range(2, len(full.itos) + 1):  # the specials and the size - 2 most common tokens
        unknown = never + n - bisect.bisect_left(ranks, size)
        if (unknown / n if n else 0.0) < max_unknown:
            return size
    return len(full.itos)


def _judge_smallest_vocab(inp, expected, actual) -> Judgement:
    from .. import wire

    pairs, held_out, max_unknown = inp
    if isinstance(actual, wire.Raised):
        return Judgement(f"the call raised {actual.type}: {actual.message}{actual.where}", show_values=False)
    if (
        type(actual) is not dict
        or not set(actual) <= {"max_vocab", "min_freq"}
        or not all(type(v) is int for v in actual.values())
    ):
        return Judgement(
            f"the result should be a dict of Vocab.build's keyword arguments (max_vocab and/or min_freq, ints); yours "
            f"is {wire.show(actual, 80)}"
        )
    counts = Counter(dict(pairs))
    try:
        vocab = _reference_vocab().build(counts, **actual)
    except ValueError as e:
        return Judgement(f"Vocab.build(counts, **{actual!r}) refuses your arguments: {e}")
    share, best = _unknown_share(vocab, held_out), _smallest_size(counts, held_out, max_unknown)
    shown = f"Vocab.build(counts, **{actual!r}) has {len(vocab.itos)} tokens and leaves {share:.2%} of held_out unknown"
    if len(vocab.itos) < best:
        return Judgement(f"{shown}: that is not under max_unknown = {max_unknown:.0%}", show_values=False)
    if len(vocab.itos) > best:
        return Judgement(f"{shown}; {best} tokens are enough: make the vocabulary smaller", show_values=False)
    return Judgement(None, ("unknown tokens under max_unknown", "the smallest such vocabulary"), show_values=False)


def _observe_smallest_vocab(fn, inp, workdir):
    """`fn(counts, held_out, max_unknown)`: the keyword arguments it chose."""
    pairs, held_out, max_unknown = inp
    return unchanged(fn, Counter(dict(pairs)), [list(d) for d in held_out], max_unknown)


def _zipf_corpus(seed: int, n_types: int, n_train: int, n_held: int) -> tuple:
    """(counts as pairs, held-out documents): tokens drawn by Zipf's law, as words are; the held-out part has rarer
    words that the counts never saw."""
    import random

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(n_types)]
    weights = [1 / (i + 1) for i in range(n_types)]
    train = rng.choices(words, weights, k=n_train)
    held = rng.choices(words, weights, k=n_held)
    return list(Counter(train).items()), [held[i : i + 50] for i in range(0, n_held, 50)]


def _smallest_vocab_inputs(draw, st):
    pairs = draw(st.lists(st.tuples(_token(st), st.integers(1, 9)), max_size=12, unique_by=lambda p: p[0]))
    held = draw(st.lists(st.lists(st.one_of(_token(st), st.just("never-seen")), max_size=8), max_size=4))
    return pairs, held, draw(st.sampled_from((0.05, 0.1, 0.25, 0.5)))


def _show_smallest_vocab(inp) -> str:
    pairs, held_out, max_unknown = inp
    return f"smallest_vocab(Counter({dict(pairs)!r}), {held_out!r}, {max_unknown!r})"


def _min_freq_only(inp, expected, actual) -> str | None:
    if type(actual) is dict and "max_vocab" not in actual:
        return (
            "min_freq moves in big steps (every token seen that often goes in or out at once); max_vocab can stop "
            "between two tokens of the same count"
        )
    return None


_ZIPF = _zipf_corpus(0, 3000, 20_000, 2_000)
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
        hints=(_split_lines,),
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
            (
                [("the", 4), ("a", 2), ("_unk_", 5), ("film", 3), ("_pad_", 4)],
                {"max_vocab": 2, "min_freq": 1},
                ["the", "film", "\r", "\x85", "_unk_"],
                ["_unk_", "_pad_", "\u2028"],
            ),
        ),
        inputs=composite(_vocab),
        observe=_observe_vocab,
        show=_show_vocab,
        hints=(_stoi_grows, _ids_dtype),
        sample=15,
    ),
    Exercise(
        "Vocab2018",
        "ulmfit_ref.vocab:Vocab",
        fixed=(
            (["_unk_", "_pad_", "the", "film"], ["the", "zyzzyva", "qwertyuiop"], ["film", "zyzzyva", "good"]),
            (["_unk_", "_pad_", "the", "a", "é", "\n"], _TOKENS, ["\r", "\x85", "é"]),
            (["_unk_", "_pad_"], [], ["never-seen"]),
            (["_unk_", "_pad_", "good"], ["good", "good", "_pad_", "_unk_"], []),
            (["_unk_", "_pad_", "the"] + sorted(set(_REAL_WORDS) - {"the"})[:40], _REAL_WORDS, REAL_REVIEWS[0].split()),
        ),
        inputs=composite(_vocab2018),
        observe=_observe_vocab2018,
        show=_show_vocab2018,
        hints=(_stoi_grew,),
        sample=10,
        kind="fix",
    ),
    Exercise(
        "smallest_vocab",
        None,
        fixed=(
            (_VOCAB_COUNTS, [_TOKENS], 0.5),
            ([("a", 5), ("b", 5), ("c", 5), ("d", 1)], [["a", "b", "c", "a", "b", "c", "a", "b", "c", "d"]], 0.05),
            ([("the", 9), ("film", 3)], [["never-seen", "never-seen", "the"]], 0.05),
            ([("the", 9)], [], 0.05),
            ([("a", 5), ("b", 3), ("c", 1)], [["a"] * 10 + ["b"] * 9 + ["c"]], 0.05),
            ([("a", 5), ("_pad_", 9), ("b", 3)], [["_pad_", "b", "_unk_", "a", "a", "_pad_"]], 0.2),
            ([], [["the"]], 0.05),
            (list(Counter(_REAL_WORDS).items()), [r.split(" ") for r in REAL_REVIEWS], 0.05),
            (list(Counter(_REAL_WORDS).items()), [r.split(" ") for r in REAL_REVIEWS[:3]], 0.25),
            (_ZIPF[0], _ZIPF[1], 0.05),
            (_ZIPF[0], _ZIPF[1], 0.2),
        ),
        inputs=composite(_smallest_vocab_inputs),
        observe=_observe_smallest_vocab,
        judge=_judge_smallest_vocab,
        show=_show_smallest_vocab,
        hints=(_min_freq_only,),
        uses=("Vocab",),
        sample=10,
        examples=60,
        kind="make",
    ),
)
