"""Lesson 3, tokenization: `replace_rep`, `replace_wrep`, `replace_all_caps`, `mark_fields`, `partition_by_cores`."""

from ..data import REAL_REVIEWS
from ..exercise import Exercise
from .lesson_02 import one

LESSON = "03_tokenize"
GIVEN = ()
PRELOAD = ()

_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]


def _rep_count(inp, expected, actual) -> str | None:
    if type(actual) is str and "tk_rep" in expected and "tk_rep" in actual:
        e, a = expected.split("tk_rep ")[1].split(" ")[0], actual.split("tk_rep ")[1].split(" ")[0]
        if e.isdigit() and a.isdigit() and int(e) == int(a) + 1:
            return "n counts the whole run, the first character included: len(m.group(2)) + 1"
    return None


def _caps_lowered(inp, expected, actual) -> str | None:
    if type(actual) is list and len(actual) == len(expected) and [t.lower() for t in actual] == expected:
        return "every token is lower-cased, the ones after t_up included"
    return None


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
                "    ",
            )
            + REAL_REVIEWS
        ),
        inputs=lambda st: (
            st.lists(st.tuples(st.sampled_from("ab .!\n\t"), st.integers(1, 7)), max_size=6)
            .map(lambda xs: "".join(c * k for c, k in xs))
            .map(one)
        ),
        hints=(_rep_count,),
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
                "Boring, boring, boring, boring. Bad.",
                "why why why why did I watch this?",
                "a b a b a b a b ",
                "so so so so so so",
                "No!No!No!No!No! ",
            )
            + REAL_REVIEWS
        ),
        inputs=lambda st: (
            st.lists(
                st.tuples(
                    st.sampled_from(("no", "so", "a", "No", "ab")),
                    st.sampled_from((" ", ", ", ",", "!", "-", ". ", "  ", "\n", "")),
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
        )
        + tuple(one(r.split(" ")) for r in REAL_REVIEWS),
        inputs=lambda st: st.lists(
            st.one_of(
                st.sampled_from(
                    ("I", "OK", "TV", "BBC", "LOVED", "Great", "it", "HBO's", "10/10", "\n", "!!!", "ÉTÉ", "A1B")
                ),
                st.text(alphabet="aAbB1'", max_size=4),
            ),
            max_size=6,
        ).map(one),
        hints=(_caps_lowered,),
        sample=20,
    ),
    Exercise(
        "mark_fields",
        "ulmfit_ref.text:mark_fields",
        fixed=(
            one(["A fine film."]),
            one(["Title", "The body of the review."]),
            one([""]),
            one(["a", "b", "c"]),
            one([REAL_REVIEWS[0]]),
            one(["Title", REAL_REVIEWS[1]]),
            one(list(REAL_REVIEWS[2:5])),
        ),
        inputs=lambda st: st.lists(st.text(alphabet="ab \nx1", max_size=5), max_size=4).map(one),
        sample=20,
    ),
    Exercise(
        "partition_by_cores",
        "ulmfit_ref.text:partition_by_cores",
        fixed=(
            ((list(range(10)), 3), {}),
            ((list(range(4)), 8), {}),
            ((list("abcdef"), 2), {}),
            (([], 2), {}),
            ((list(range(7)), 1), {}),
            ((_REAL_WORDS, 2), {}),
        ),
        inputs=lambda st: st.tuples(st.lists(st.integers(0, 99), max_size=40), st.integers(1, 12)).map(
            lambda p: (p, {})
        ),
        sample=20,
    ),
)
