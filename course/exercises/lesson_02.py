"""Lesson 2, `fixup`: the debris of web text repaired."""

from ..data import REAL_REVIEWS
from ..exercise import Exercise

LESSON = "02_fixup"
GIVEN = ()
PRELOAD = ()

# One text per replacement of the lesson's table, in its order, then html.unescape and the spaces.
EXAMPLES = (
    "It#39;s a classic.",
    "Tom amp; Jerry",
    "Don#146;t go.",
    "a nbsp; b",
    "only #36;5",
    "one\\ntwo",
    "she said quot;hi quot;",
    "A BAD film.<br /><br />Really bad.",
    'an \\"escaped\\" quote',
    "the <unk> word",
    "1 @.@ 5 million",
    "well @-@ known",
    "a\\b",
    "&lt;3 &amp; &#8217;",
    "too    many     spaces",
)
_DEBRIS = (
    "#39;",
    "amp;",
    "#146;",
    "nbsp;",
    "#36;",
    "\\n",
    "quot;",
    "<br />",
    '\\"',
    "<unk>",
    " @.@ ",
    " @-@ ",
    "\\",
    "&lt;",
    "&amp;",
    "&#8217;",
    "&#305;",
    "  ",
    " ",
    "\n",
    "a",
    "B",
    "&",
    "#",
    ";",
    "@",
    ".",
    "-",
)


def pieces(st, alphabet, max_size: int = 8):
    """Strings glued from `alphabet`'s pieces (shrinking drops pieces and moves towards the first ones)."""
    return st.lists(st.sampled_from(alphabet), max_size=max_size).map("".join)


def one(x) -> tuple:
    """The input of a call with the single argument `x`."""
    return ((x,), {})


def _lost_line_breaks(inp, expected, actual) -> str | None:
    if type(actual) is str and "\n" in expected and actual == expected.replace("\n", " ").replace("  ", " "):
        return "only runs of the space character are collapsed: line breaks are tokens, keep them (' {2,}', not '\\s+')"
    return None


EXERCISES = (
    Exercise(
        "fixup",
        "ulmfit_ref.text:fixup",
        fixed=tuple(one(t) for t in EXAMPLES + REAL_REVIEWS),
        inputs=lambda st: st.one_of(pieces(st, _DEBRIS), st.text(alphabet=' a&#;\\n<>@.-"', max_size=10)).map(one),
        hints=(_lost_line_breaks,),
        sample=20,
    ),
)
