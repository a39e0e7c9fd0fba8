"""Lesson 3, tokenization: `replace_rep`, `replace_wrep`, `replace_all_caps`, a test of replace_all_caps, `mark_fields`,
a prediction of a review's tokens, and `partition_by_cores`.

The rules' outputs are fixed by their contracts (the special tokens are given as data), so they are compared with the
reference; `partition_by_cores` is judged by what every fair split has (consecutive parts that give the items back, at
most one per worker, none longer than its share), not by the 2018 notebook's choice of sizes.
"""

from ..data import REAL_REVIEWS
from ..exercise import Exercise, Judgement
from ..kinds import Version, prediction, test_of
from .lesson_02 import one

LESSON = "03_tokenize"
GIVEN = ()
PRELOAD = ()

_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]
_LINE_BREAKS = "\r\r\r\r \x85\x85\x85\x85 \u2028\u2028\u2028\u2028 \x0b\x0b\x0b\x0b \x0c\x0c\x0c\x0c    "  # not \S


def _rep_count(inp, expected, actual) -> str | None:
    if type(actual) is str and "tk_rep" in expected and "tk_rep" in actual:
        e, a = expected.split("tk_rep ")[1].split(" ")[0], actual.split("tk_rep ")[1].split(" ")[0]
        if e.isdigit() and a.isdigit() and int(e) == int(a) + 1:
            return "n counts the whole run, the first character included"
    return None


def _rep_whitespace(inp, expected, actual) -> str | None:
    if type(actual) is str and "tk_rep" in actual and "tk_rep" not in expected:
        return "a run of whitespace (spaces, line breaks such as '\\r' or '\\x85') is left as it is"
    return None


def _caps_lowered(inp, expected, actual) -> str | None:
    if type(actual) is list and len(actual) == len(expected) and [t.lower() for t in actual] == expected:
        return "every token is lower-cased, the ones after t_up included"
    return None


def _caps_after(inp, expected, actual) -> str | None:
    if type(actual) is list and sorted(map(str, actual)) == sorted(expected) and actual != expected:
        return "t_up goes before the word it marks, not after it"
    return None


# --- partition_by_cores: judged by its properties -------------------------------------------------------------------


def _judge_partition(inp, expected, actual) -> Judgement:
    """A fair split: a list of non-empty lists, consecutive, giving the items back in order, at most one per worker,
    none longer than ceil(len(items) / n_workers)."""
    from .. import wire

    (items, n_workers), _ = inp
    share = max(1, -(-len(items) // n_workers))
    checked = (
        "the parts give the items back in order",
        "no part empty",
        "at most n_workers parts",
        "none longer than its share",
    )
    if isinstance(actual, wire.Raised):
        return Judgement(wire.difference(expected, actual))
    if type(actual) is not list or not all(type(p) is list for p in actual):
        return Judgement(f"the result should be a list of lists; yours is {wire.show(actual, 80)}")
    joined = [x for p in actual for x in p]
    if joined != items:
        return Judgement(
            "your parts, joined one after another, do not give the items back in their order: each part should be "
            "a consecutive stretch of the items, and every item should be in one part"
        )
    if any(not p for p in actual):
        return Judgement("one of your parts is empty; a worker with no work should get no part")
    if len(actual) > n_workers:
        return Judgement(f"you made {len(actual)} parts for {n_workers} workers: at most one part per worker")
    if max(map(len, actual), default=0) > share:
        return Judgement(
            f"one of your parts has {max(map(len, actual))} items; with {len(items)} items over {n_workers} workers, "
            f"no worker should get more than {share} (the items divided by the workers, rounded up)"
        )
    return Judgement(None, checked)


# --- test_replace_all_caps: the bugs the learner's test must catch --------------------------------------------------

_CAPS_BUGS = (
    Version("a replace_all_caps that does not lower-case the words", (("res.append(t.lower())", "res.append(t)"),)),
    Version("a replace_all_caps that marks words of 2 capitals (OK, TV)", (("len(t) > 2", "len(t) > 1"),)),
    Version("a replace_all_caps that misses words of 3 capitals (BAD)", (("len(t) > 2", "len(t) > 3"),)),
    Version(
        "a replace_all_caps that puts t_up after the word",
        (("res.append(TK_UP)", "res.append(t.lower())\n            res.append(TK_UP)\n            continue"),),
    ),
    Version("a replace_all_caps that marks capitalized words (Great)", (("t.isupper()", "t[:1].isupper()"),)),
    Version("a replace_all_caps that marks tokens with no letters (!!!, 10/10)", (("t.isupper()", "t == t.upper()"),)),
    Version(
        "a replace_all_caps that changes the list it is given", (("return res", "tokens[:] = res\n    return res"),)
    ),
    Version(
        "a replace_all_caps written with >= 3",
        (("len(t) > 2 and t.isupper()", "t.isupper() and len(t) >= 3"),),
        right=True,
    ),
)


def _caps_test_hint(inp, expected, missed) -> str | None:
    if any("changes the list" in m for m in missed):
        return "keep a copy of the tokens you pass, and compare it with them after the call"
    return None


def _tokens_of_a_review() -> int:
    """How many tokens the reference tokenizer makes of the lesson's review, xbos and xfld 1 included."""
    import importlib

    text = importlib.import_module("ulmfit_ref.text")
    return len(text.Tokenizer()(text.mark_fields(["NOT funny. Sooooo BORING, no no no no way!!! 1/10"])))


EXERCISES = (
    Exercise(
        "replace_rep",
        "ulmfit_ref.text:replace_rep",
        fixed=tuple(
            one(t)
            for t in (
                "cooool",
                "aaa",
                "zzzz",
                "Sooooo good!!!!!!",
                "hmm... noooo way",
                "tk_rep",
                "ab\n\n\n\ncd",
                _LINE_BREAKS,
            )
            + REAL_REVIEWS
        ),
        inputs=lambda st: (
            st.lists(st.tuples(st.sampled_from("ab .!\n\t\r\x85"), st.integers(1, 7)), max_size=6)
            .map(lambda xs: "".join(c * k for c, k in xs))
            .map(one)
        ),
        hints=(_rep_count, _rep_whitespace),
        sample=20,
    ),
    Exercise(
        "replace_wrep",
        "ulmfit_ref.text:replace_wrep",
        fixed=tuple(
            one(t)
            for t in (
                "no no no no ",
                "no no no",
                "no no no ",
                "Boring, boring, boring, boring. Bad.",
                "why why why why did I watch this?",
                "a b a b a b a b ",
                "so so so so so so",
                "No!No!No!No!No! ",
                "ha\rha\rha\rha\rha\r",
                "ha\x85ha\x85ha\x85ha\x85",
                "no no no no no no no no no no no ",
                "No no no no no way",
            )
            + REAL_REVIEWS
        ),
        inputs=lambda st: (
            st.lists(
                st.tuples(
                    st.sampled_from(("no", "so", "a", "No", "ab")),
                    st.sampled_from((" ", ", ", ",", "!", "-", ". ", "  ", "\n", "", "\r", "\x85")),
                    st.integers(1, 6),
                ),
                max_size=5,
            )
            .map(lambda xs: "".join((w + s) * k for w, s, k in xs))
            .map(one)
        ),
        sample=20,
    ),
    Exercise(
        "replace_all_caps",
        "ulmfit_ref.text:replace_all_caps",
        fixed=(
            one(["I", "LOVED", "it"]),
            one(["OK", "TV", "BBC", "Great"]),
            one(["xbos", "xfld", "1", "THE", "END", "!!!"]),
            one([]),
            one(["\n", "A", "HBO's", "10/10"]),
            one(["BAD", "BAD", "\r", "\x85", "ÉTÉ", "A1B", "Ab", "aBC"]),
        )
        + tuple(one(r.split(" ")) for r in REAL_REVIEWS),
        inputs=lambda st: st.lists(
            st.one_of(
                st.sampled_from(
                    ("I", "OK", "TV", "BBC", "LOVED", "Great", "it", "HBO's", "10/10", "\n", "!!!", "ÉTÉ", "A1B", "\r")
                ),
                st.text(alphabet="aAbB1'", max_size=4),
            ),
            max_size=6,
        ).map(one),
        hints=(_caps_lowered, _caps_after),
        sample=20,
    ),
    test_of("test_replace_all_caps", "ulmfit_ref.text:replace_all_caps", _CAPS_BUGS, hints=(_caps_test_hint,)),
    Exercise(
        "mark_fields",
        "ulmfit_ref.text:mark_fields",
        fixed=(
            one(["A fine film."]),
            one(["Title", "The body of the review."]),
            one([""]),
            one([]),
            one(["a", "b", "c"]),
            one([REAL_REVIEWS[0]]),
            one(["Title", REAL_REVIEWS[1]]),
            one(list(REAL_REVIEWS[2:5])),
            one(["one\rtwo", "three\x85four", "five\u2028six"]),
            one([str(i) for i in range(12)]),
        ),
        inputs=lambda st: st.lists(st.text(alphabet="ab \nx1\r", max_size=5), max_size=4).map(one),
        sample=20,
    ),
    prediction("predicted_tokens", _tokens_of_a_review, atol=0.5),
    Exercise(
        "partition_by_cores",
        "ulmfit_ref.text:partition_by_cores",
        fixed=(
            ((list(range(10)), 3), {}),
            ((list(range(10)), 4), {}),
            ((list(range(4)), 8), {}),
            ((list("abcdef"), 2), {}),
            (([], 2), {}),
            ((["a review"], 3), {}),
            ((list(range(7)), 1), {}),
            ((list(range(11)), 5), {}),
            ((list(range(23)), 6), {}),
            ((_REAL_WORDS, 2), {}),
            (([3, 3, 1, 3, 3], 2), {}),
        ),
        inputs=lambda st: st.tuples(st.lists(st.integers(0, 99), max_size=40), st.integers(1, 12)).map(
            lambda p: (p, {})
        ),
        judge=_judge_partition,
        sample=20,
    ),
)
