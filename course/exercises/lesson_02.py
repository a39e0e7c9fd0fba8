"""Lesson 2, `fixup`: the debris of web text repaired; `one_line` (find and fix); `fix_cp1252` (a rule to design).

`fixup` applies a table its exercise cell gives (`FIXUP_REPLACEMENTS`): its output is fully determined, so it is
compared with the reference, on inputs that hold every kind of line break `str.splitlines` honours. `one_line` is
judged against its contract (each line break one space, nothing else changed). `fix_cp1252` has no one right answer:
it is judged on real review excerpts the lesson does not show, by what every good rule does (no C1 character left, the
rest of the text kept, each run of them replaced by a short stand-in that is neither nothing, nor spaces, nor a line
break).
"""

import re

from ..data import REAL_REVIEWS
from ..exercise import Exercise, Judgement

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
# Every line break str.splitlines honours, tabs, spaces at the ends, the empty text: fixup keeps them all.
LINE_BREAKS = ("\r\n", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
EDGES = (
    "",
    " ",
    "  leading and trailing  ",
    "one\r\ntwo  three\rfour",
    "the stripper \x85.OMG\x85\x85\x85 she  make",
    "a\u2028b\u2029c\v d\f e\x1c\x1d\x1e f",
    "tab\t\tand  tab \t ",
    "  \n  \n\n  ",
    "It#39;s  a<br /><br />classic.\r\nA  must\x85 see",
    "x" * 3 + "  \\n  " + "<br />" * 2,
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
    "\r\n",
    "\r",
    "\x85",
    "\u2028",
    "\t",
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
    if type(actual) is not str or type(expected) is not str:
        return None
    if len(actual.splitlines()) < len(expected.splitlines()) or actual.count("\r") < expected.count("\r"):
        return (
            "a line break is gone: only runs of the space character are collapsed (' {2,}', not '\\s+' or split()); "
            "line breaks of every kind, '\\r' and U+0085 included, stay as they are"
        )
    if actual.count("\t") < expected.count("\t"):
        return "a tab is gone: only runs of the space character ' ' are collapsed"
    if actual == expected.strip(" ") != expected:
        return "the spaces at the ends are kept (one of each run): strip nothing"
    return None


# --- one_line -------------------------------------------------------------------------------------------------------

_re_break = re.compile("\r\n|[" + "".join(LINE_BREAKS[1:]) + "]")


def _judge_one_line(inp, expected, actual) -> Judgement:
    """Each line break one space ('\\r\\n' one break), nothing else changed."""
    (x,), _ = inp
    if type(actual) is not str:
        return Judgement(f"one_line should return a str; yours returned {type(actual).__name__}")
    want = _re_break.sub(" ", x)
    if actual == want:
        return Judgement(None, ("no line break left", "each one a space", "nothing else changed"))
    left = [c for c in actual if _re_break.fullmatch(c)]
    if left:
        return Judgement(
            f"your line still holds the line break {left[0]!r}: read back with splitlines, it is "
            f"{len(actual.splitlines())} lines; every break str.splitlines honours should become a space",
            show_values=True,
        )
    return Judgement(f"your line should be {want!r}: each line break one space, and nothing else changed")


def _one_line_hint(inp, expected, actual) -> str | None:
    (x,), _ = inp
    if type(actual) is not str:
        return None
    if "\r\n" in x and actual == x.replace("\r\n", "  ").replace("\r", " ").replace("\n", " "):
        return "'\\r\\n' is one line break: it becomes one space, not two"
    if actual == " ".join(x.splitlines()) != _re_break.sub(" ", x):
        return "splitlines drops a line break at the very end of the text; it should become a space too"
    if actual == _re_break.sub("", x):
        return "a line break becomes a space, not nothing: deleting it glues the words on either side together"
    return None


# --- fix_cp1252 -----------------------------------------------------------------------------------------------------

# Real review excerpts holding C1 characters, which the lesson does not show: the rule is judged on them.
HELD_OUT = (
    'Commentary tracks from the Criterion "Special Edition"\x85but, regrettably, I could not switch off the Spanish',
    "Fiona, proving to be one of Bond's toughest adversaries\x85 She is a victim of her vanity\x85 She's good at what",
    "out plot holes in such a film? Well, maybe. Let's see\x85the grad student throwing herself at the middle aged",
    "to keep his American accent in tact (it didn't work \x96 the audience I saw this with was in stitches). This",
    "style. The big part of the story is told in flash back \x96 in two episodes, each in first and second half. As",
    "fragged their own officers. Lance bears the onus of all\x97except the few who know about the circumstances that",
    "something good could have been created. Unfortunately \x91Candyman: Day of the Dead' is a rather ghastly entry",
    'killed one by one. The last surviving member of the \x84involontary expedition" fuses with the murderous',
    'and "But first Ted i\'ll shoot you, you little b@#!\x80£" both directed at a teddy bear make this a very',
    "film: \x95 The comedy of the situation; \x95 The horror; and \x95 The novelty",
    'first: "From Hell it Came" is a compost classic!! :\x8d',
    "ways: by providing exemplary film clips and putting \x8ei\x9eek on real (or reconstructed) locations from the",
    "Yeah... This one is most definitely Wonder Bread\x99 style of \"we're number one, we're number one\" USA",
    "but great to watch! 7/10.<br /><br />\x86\x86\x86 SPOILERS \x86\x86\x86 PS: I hope Leslie will rise",
    'by Jacques Audiard ("De Battre mon c\x9cur s\'est arrêté", still showing in Paris as it opens',
    "The best Czech movies I have seen are: 1) Peli\x9aky and 2) Tmavomodrý Svet (Dark Blue World). If you",
)
# Texts a rule must leave alone, and C1 characters next to what a careless rule damages.
KEEP = (
    "",
    "Nothing to repair here \u2013 an en dash and an ellipsis\u2026 written right, and \u201cquotes\u201d.",
    "a\r\nb\nc\u2028d\te",
    "all 32: " + "".join(chr(c) for c in range(0x80, 0xA0)),
    "\x85",
    "\x81\x8f\x90\x9d",
    "end\x97",
    "  two  spaces \x96 and ends  ",
    "caf\xe9 \xa0 \xff \x85",
)
_C1 = "\x80-\x9f"
_LINE_BREAK_CHARS = "".join(LINE_BREAKS[1:])
_re_c1 = re.compile(f"[{_C1}]")
_re_c1_runs = re.compile(f"[{_C1}]+")
MAX_STAND_IN = 8


def _stand_in_problem(stand_in: str, run: str) -> str | None:
    if any(c in _LINE_BREAK_CHARS for c in stand_in):
        return "holds a line break"
    if not stand_in.strip():
        return "is only spaces" if stand_in else "is nothing (the run was deleted)"
    if len(stand_in) > MAX_STAND_IN * len(run):
        return f"is longer than {MAX_STAND_IN} characters for each of the run's {len(run)}"
    return None


def _kept_around(x: str, out: str) -> tuple | None:
    """How `out` is `x` with each run of C1 characters replaced by a stand-in: (stand-ins), or None if it is not."""
    parts, runs = _re_c1_runs.split(x), _re_c1_runs.findall(x)
    if not (out.startswith(parts[0]) and out.endswith(parts[-1])):
        return None
    reach = {len(parts[0]): ()}  # position in `out` after parts[:i+1] -> the stand-ins that got there
    for run, part in zip(runs, parts[1:]):
        nxt = {}
        for pos, stand_ins in reach.items():
            for size in range(1, MAX_STAND_IN * len(run) + 1):
                start = pos + size
                end = start + len(part)
                if end <= len(out) and out.startswith(part, start):
                    stand_in = out[pos:start]
                    if end not in nxt or _stand_in_problem(nxt[end][-1], run) and not _stand_in_problem(stand_in, run):
                        nxt[end] = (*stand_ins, stand_in)
        reach = nxt
    return reach.get(len(out))


def _judge_cp1252(inp, expected, actual) -> Judgement:
    (x,), _ = inp
    if type(actual) is not str:
        return Judgement(f"fix_cp1252 should return a str; yours returned {type(actual).__name__}")
    left = _re_c1.search(actual)
    if left:
        return Judgement(
            f"U+{ord(left.group()):04X} is still in your text (at {left.start()}); every C1 character goes"
        )
    stand_ins = _kept_around(x, actual)
    if stand_ins is None:
        return Judgement(
            "the text around the C1 characters changed (or a run of them became more than "
            f"{MAX_STAND_IN} characters for each of its characters): only they may change"
        )
    for run, stand_in in zip(_re_c1_runs.findall(x), stand_ins):
        problem = _stand_in_problem(stand_in, run)
        if problem:
            return Judgement(f"the stand-in of {run!r} in your text, {stand_in!r}, {problem}")
    return Judgement(None, ("every C1 character repaired", "the rest of the text kept"))


def _cp1252_hint(inp, expected, actual) -> str | None:
    (x,), _ = inp
    if type(actual) is not str:
        return None
    if actual == _re_c1.sub("", x) != x:
        return "deleting the debris glues words together ('dwarf\\x97two'): each becomes the punctuation it stood for"
    if "\x85" in x and "\n" in actual and "\n" not in x:
        return "U+0085 is a line break to Python, but in these reviews it was an ellipsis (Windows-1252's 0x85)"
    return None


def _cp1252_text(draw, st):
    alphabet = ("a", "b", " ", ".", "\n", "é", "\u2026", "\x85", "\x96", "\x97", "\x91", "\x80", "\x84", "\x8d", "\x9e")
    return one(draw(pieces(st, alphabet, 12)))


EXERCISES = (
    Exercise(
        "fixup",
        "ulmfit_ref.text:fixup",
        fixed=tuple(one(t) for t in EXAMPLES + EDGES + REAL_REVIEWS),
        inputs=lambda st: st.one_of(pieces(st, _DEBRIS), st.text(alphabet=' a&#;\\n<>@.-"\r\x85', max_size=10)).map(
            one
        ),
        hints=(_lost_line_breaks,),
        sample=20,
    ),
    Exercise(
        "one_line",
        None,
        fixed=tuple(
            one(t)
            for t in (
                "Bad.\r\nReally\x85bad.\n",
                "no break at all",
                "",
                "one\ntwo",
                "a\r\nb",
                "a\rb",
                "a\x85b",
                "end\n",
                "end\r",
                "\r\n\r\n",
                "\n\r",
                "a\vb\fc\x1cd\x1de\x1ef\u2028g\u2029h",
                "keep  two spaces\tand a tab",
                "the stripper \x85.OMG\x85\x85\x85 she make",
                *REAL_REVIEWS[:3],
            )
        ),
        inputs=lambda st: pieces(st, ("a", " ", "  ", "\t", *LINE_BREAKS, "\n\r", "b.")).map(one),
        judge=_judge_one_line,
        hints=(_one_line_hint,),
        kind="fix",
        sample=20,
    ),
    Exercise(
        "fix_cp1252",
        None,
        fixed=tuple(one(t) for t in HELD_OUT + KEEP + REAL_REVIEWS),
        inputs=lambda st: st.composite(lambda draw: _cp1252_text(draw, st))(),
        judge=_judge_cp1252,
        hints=(_cp1252_hint,),
        kind="make",
        sample=20,
    ),
)
