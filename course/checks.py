"""The lessons' check cells: run the learner's function and the ulmfit_ref one on the same inputs, and say what differs.

Each check is named after the exercise it checks (`checks.fixup(fixup)`), prints one line when every input
agrees and otherwise raises `CheckFailed` with one sentence: the call, what it should give, what it gave.
`hidden=True` adds the inputs of the hidden tests (random ones, from a fixed seed).
"""

import copy
import csv
import dataclasses
import json
import random
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

from ulmfit_ref import data as ref_data

from .data import write_tiny_imdb

# ulmfit_ref.text, .vocab and .prepare import spaCy (seconds): they are imported by the checks that need them.

# Frames in these folders are not the learner's: the interpreter's, the installed packages', ulmfit_ref's and ours.
_LIBRARY_DIRS = tuple(
    {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parent), str(Path(ref_data.__file__).resolve().parent)}
)


class CheckFailed(AssertionError):
    """A check that did not pass; a notebook shows its message alone, without a traceback."""

    def _render_traceback_(self):
        """What IPython shows in place of the traceback."""
        return [f"\x1b[31m✗ {line}\x1b[0m" if i == 0 else line for i, line in enumerate(str(self).split("\n"))]


@dataclasses.dataclass
class Case:
    """One call to compare: its arguments and how to show it (default: the arguments' repr)."""

    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    shown: str = None

    def call(self, name: str) -> str:
        if self.shown is not None:
            return f"{name}({self.shown})"
        parts = [_short(a, 60) for a in self.args] + [f"{k}={_short(v, 30)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def _short(x, width: int = 70) -> str:
    """repr(x), cut to `width` characters."""
    r = repr(x)
    return r if len(r) <= width else r[: width - 1] + "…"


def _typename(x) -> str:
    return type(x).__name__


def not_implemented(name: str) -> str:
    """The message for an exercise whose stub is still there."""
    return (
        f"not implemented yet: {name}. Write its body in the exercise cell above "
        "(in place of `raise NotImplementedError()`), run that cell, then run this check again."
    )


def _where(e: BaseException) -> str:
    """' (line N of your code: ...)' for the deepest frame of an exception that is the learner's own code."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith(_LIBRARY_DIRS)]
    if not frames:
        return ""
    f = frames[-1]
    return f" (line {f.lineno} of your code: {f.line.strip()})" if f.line else f" (line {f.lineno} of your code)"


def _stub_name(name: str, e: NotImplementedError) -> str:
    """The method whose stub raised: `Vocab.build` may fail in an unwritten `Vocab.__init__`."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith(_LIBRARY_DIRS)]
    if "." not in name or not frames or name.endswith(f".{frames[-1].name}"):
        return name
    return f"{name.split('.')[0]}.{frames[-1].name}"


def run(name: str, fn, case: Case):
    """The learner's result for one case; its errors become one-sentence `CheckFailed`s."""
    if not callable(fn):
        raise CheckFailed(f"{name} should be a function (or class); yours is a {_typename(fn)}: {_short(fn)}")
    try:
        return fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except NotImplementedError as e:
        raise CheckFailed(not_implemented(_stub_name(name, e))) from None
    except Exception as e:
        raise CheckFailed(f"{case.call(name)} raised {_typename(e)}: {e}{_where(e)}") from None


def _str_difference(expected: str, got: str) -> str:
    """Both strings shown around their first difference."""
    if len(repr(expected)) <= 70 and len(repr(got)) <= 70:
        return f"should be {expected!r}, yours gave {got!r}"
    i = next((j for j, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    lo = max(0, i - 25)

    def around(s):
        return ("…" if lo else "") + repr(s[lo : i + 35])[1:-1] + ("…" if i + 35 < len(s) else "")

    return (
        f"differs from the reference at character {i} (of {len(expected)}): "
        f"it should read '{around(expected)}', yours reads '{around(got)}'"
    )


def difference(expected, got, where: str = ""):
    """None when `got` equals `expected` with the very same types all the way down, else what differs, in words."""
    if type(got) is not type(expected):
        if got is None:
            return f"{where} should be a {_typename(expected)}, yours gave None (a missing `return`?)"
        return f"{where} should be a {_typename(expected)}, yours gave a {_typename(got)}: {_short(got)}"
    if isinstance(expected, np.ndarray):
        if got.dtype != expected.dtype:
            return f"{where} should be an array of {expected.dtype}, yours is of {got.dtype}"
        if got.shape != expected.shape:
            return f"{where} should have shape {expected.shape}, yours has {got.shape}"
        bad = np.flatnonzero(got.ravel() != expected.ravel())
        if len(bad):
            return f"{where}[{bad[0]}] should be {expected.ravel()[bad[0]]}, yours gave {got.ravel()[bad[0]]}"
        return None
    if isinstance(expected, (list, tuple)):
        for i, (e, g) in enumerate(zip(expected, got)):
            if d := difference(e, g, f"{where}[{i}]"):
                return d
        if len(got) != len(expected):
            n = min(len(got), len(expected))
            extra = f"; the first extra one is {_short(got[n])}" if len(got) > n else f"; the first missing one is {_short(expected[n])}"
            return f"{where} should have {len(expected)} items, yours has {len(got)}{extra}"
        return None
    if isinstance(expected, dict):
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing:
            return f"{where} should hold the key {_short(missing[0])}, yours does not ({len(missing)} missing)"
        if extra:
            return f"{where} should not hold the key {_short(extra[0])} ({len(extra)} extra)"
        for k in expected:
            if d := difference(expected[k], got[k], f"{where}[{k!r}]"):
                return d
        return None
    if dataclasses.is_dataclass(expected):
        for f in dataclasses.fields(expected):
            if d := difference(getattr(expected, f.name), getattr(got, f.name), f"{where}.{f.name}"):
                return d
        return None
    if isinstance(expected, str):
        return None if got == expected else f"{where} {_str_difference(expected, got)}"
    if not got == expected:
        return f"{where} should be {_short(expected)}, yours gave {_short(got)}"
    return None


def compare(name: str, fn, reference, cases: list) -> int:
    """Run `fn` and `reference` on every case; `CheckFailed` at the first difference. Returns the cases passed."""
    for case in cases:
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        got = run(name, fn, case)
        if d := difference(expected, got, case.call(name)):
            raise CheckFailed(d)
    return len(cases)


def _expect_value_error(name: str, fn, case: Case):
    """`CheckFailed` unless `fn` raises ValueError on this case."""
    try:
        got = fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except ValueError:
        return
    except NotImplementedError:
        raise CheckFailed(not_implemented(name)) from None
    except Exception as e:
        raise CheckFailed(f"{case.call(name)} should raise ValueError, yours raised {_typename(e)}: {e}{_where(e)}") from None
    raise CheckFailed(f"{case.call(name)} should raise ValueError, yours returned {_short(got)}")


def passed(name: str, n: int):
    print(f"✓ {name}: same as ulmfit_ref on all {n} inputs")


# --- random inputs of the hidden tests -------------------------------------------------------------------------

_PIECES = (
    "a", "o", "x", "!", ".", " ", "  ", "\n", "no ", "NO ", "so ", "BAD", "Ok", "film", "cool", "#", "/", "\\",
    "&amp;", "<br />", "#39;", "quot;", " @-@ ", " @.@ ", "<unk>", "nbsp;", "&lt;", "&#8217;", "é", "10/10",
)


def random_texts(seed: int, n: int = 40, pieces=_PIECES) -> list[str]:
    """`n` random strings glued from debris-like pieces, some of them repeated."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 12)):
            p = rng.choice(pieces)
            parts.append(p * (rng.choice((1, 1, 2, 3, 4, 5, 7)) if rng.random() < 0.4 else 1))
        out.append("".join(parts))
    return out


def _string_cases(texts, hidden: bool, seed: int) -> list:
    return [Case((t,)) for t in list(texts) + (random_texts(seed) if hidden else [])]


# --- lesson 1: the data ----------------------------------------------------------------------------------------


def read_imdb(fn, hidden: bool = False):
    """Check `read_imdb(path, limit=None)` on the tiny aclImdb folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tiny_imdb(tmp)
        cases = [Case((folder,), shown="<tiny aclImdb folder>"), Case((folder,), {"limit": 2}, "<tiny aclImdb folder>, limit=2")]
        if hidden:
            cases += [Case((str(folder),), {"limit": 1}, "'<tiny aclImdb folder>', limit=1"), Case((folder,), {"limit": 0}, "<tiny aclImdb folder>, limit=0")]
        passed("read_imdb", compare("read_imdb", fn, ref_data.read_imdb, cases))


def make_splits(fn, hidden: bool = False):
    """Check `make_splits(reviews, seed=42, lm_valid_frac=0.1)` on the reviews of the tiny aclImdb."""
    with tempfile.TemporaryDirectory() as tmp:
        reviews = ref_data.read_imdb(write_tiny_imdb(tmp))
    shown = "<tiny reviews>"
    cases = [Case((reviews,), shown=shown), Case((reviews, 0, 0.25), shown=f"{shown}, 0, 0.25")]
    if hidden:
        cases += [Case((reviews,), {"seed": s, "lm_valid_frac": f}, f"{shown}, seed={s}, lm_valid_frac={f}") for s, f in ((7, 0.5), (123, 0.01))]
    n = compare("make_splits", fn, ref_data.make_splits, cases)
    _expect_value_error("make_splits", fn, Case((reviews,), {"lm_valid_frac": 0}, f"{shown}, lm_valid_frac=0"))
    passed("make_splits", n + 1)


_CSV_TEXTS = ["A fine film, all in all.", 'She said "wow".', "two\nlines", "", "commas, quotes \" and\r\nbreaks"]


def write_csv(fn, hidden: bool = False):
    """Check `write_csv(path, labels, *fields)`: the rows read back, the count returned, no header."""
    cases = [([1, 0, 1, 1, 0], [_CSV_TEXTS]), ([0, 2], [["Title one", "Title, two"], ["body one", "body\ntwo"]])]
    if hidden:
        texts = random_texts(11, 30)
        cases.append(([i % 3 for i in range(30)], [texts, texts[::-1]]))
    with tempfile.TemporaryDirectory() as tmp:
        for i, (labels, fields) in enumerate(cases):
            path = Path(tmp) / f"new_folder_{i}" / "texts.csv"
            case = Case((path, labels, *fields), shown=f"'{path.parent.name}/texts.csv', {_short(labels, 30)}, " + ", ".join(_short(f, 40) for f in fields))
            n = run("write_csv", fn, case)
            call = case.call("write_csv")
            if type(n) is not int or n != len(labels):
                raise CheckFailed(f"{call} should return {len(labels)} (the rows written), yours gave {_short(n)}")
            if not path.exists():
                raise CheckFailed(f"{call} wrote no file at {path.parent.name}/texts.csv (create the parent folder if it is missing)")
            with open(path, encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            expected = [[str(label), *texts] for label, *texts in zip(labels, *fields)]
            if rows and expected and rows[0] != expected[0] and not (rows[0] and rows[0][0].lstrip("-").isdigit()):
                raise CheckFailed(f"{call}: the first line of the file is {_short(rows[0])}, which looks like a header; the standard CSV has none")
            if d := difference(expected, rows, "the rows read back"):
                raise CheckFailed(f"{call}: {d}")
        _expect_value_error("write_csv", fn, Case((Path(tmp) / "bad.csv", [0, 1], ["only one text"]), shown="'bad.csv', [0, 1], ['only one text']"))
    passed("write_csv", len(cases) + 1)


# --- lesson 2: fixup -------------------------------------------------------------------------------------------

FIXUP_CASES = (
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


def fixup(fn, hidden: bool = False):
    """Check `fixup(x)` on one text per replacement, plus random debris when hidden."""
    from ulmfit_ref import text as ref_text

    passed("fixup", compare("fixup", fn, ref_text.fixup, _string_cases(FIXUP_CASES, hidden, 2)))


# --- lesson 3: tokenization tricks -----------------------------------------------------------------------------


def replace_rep(fn, hidden: bool = False):
    """Check `replace_rep(t)`: 'cooool' -> 'c tk_rep 4 o l'."""
    from ulmfit_ref import text as ref_text

    texts = ("cooool", "aaa", "zzzz", "Sooooo good!!!!!!", "hmm... noooo way", "tk_rep", "ab\n\n\n\ncd", "    ")
    passed("replace_rep", compare("replace_rep", fn, ref_text.replace_rep, _string_cases(texts, hidden, 3)))


def replace_wrep(fn, hidden: bool = False):
    """Check `replace_wrep(t)`: 'no no no no ' -> ' tk_wrep 4 no  '."""
    from ulmfit_ref import text as ref_text

    texts = ("no no no no ", "no no no", "Boring, boring, boring, boring. Bad.", "why why why why did I watch this?", "a b a b a b a b ", "so so so so so so")
    passed("replace_wrep", compare("replace_wrep", fn, ref_text.replace_wrep, _string_cases(texts, hidden, 4)))


def replace_all_caps(fn, hidden: bool = False):
    """Check `replace_all_caps(tokens)`: t_up before words of 3+ capitals, every token lower-cased."""
    from ulmfit_ref import text as ref_text

    lists = (["I", "LOVED", "it"], ["OK", "TV", "BBC", "Great"], ["xbos", "xfld", "1", "THE", "END", "!!!"], [], ["\n", "A", "HBO's", "10/10"])
    cases = [Case((t,)) for t in lists]
    if hidden:
        cases += [Case((t.split(" "),)) for t in random_texts(5)]
    passed("replace_all_caps", compare("replace_all_caps", fn, ref_text.replace_all_caps, cases))


def mark_fields(fn, hidden: bool = False):
    """Check `mark_fields(fields)`: 'xbos xfld 1 <field 1> xfld 2 <field 2> ...'."""
    from ulmfit_ref import text as ref_text

    lists = (["A fine film."], ["Title", "The body of the review."], [""], ["a", "b", "c"])
    cases = [Case((t,)) for t in lists]
    if hidden:
        texts = random_texts(6)
        cases += [Case((texts[i : i + k],)) for i, k in zip(range(0, 40, 4), (1, 2, 3, 4, 1, 2, 3, 4, 1, 2))]
    passed("mark_fields", compare("mark_fields", fn, ref_text.mark_fields, cases))


def partition_by_cores(fn, hidden: bool = False):
    """Check `partition_by_cores(items, n_workers)`: consecutive, near-equal parts."""
    from ulmfit_ref import text as ref_text

    pairs = ((list(range(10)), 3), (list(range(4)), 8), (list("abcdef"), 2), ([], 2), (list(range(7)), 1))
    cases = [Case(p) for p in pairs]
    if hidden:
        rng = random.Random(8)
        cases += [Case((list(range(rng.randint(0, 50))), rng.randint(1, 9))) for _ in range(30)]
    passed("partition_by_cores", compare("partition_by_cores", fn, ref_text.partition_by_cores, cases))


# --- lesson 4: numericalization --------------------------------------------------------------------------------

_DOCS = [
    ["xbos", "xfld", "1", "the", "film", "was", "good", "."],
    ["xbos", "xfld", "1", "the", "acting", "was", "t_up", "bad", "."],
    [],
    ["xbos", "xfld", "1", "good", "good", "good", "\n", "é"],
]


def count_tokens(fn, hidden: bool = False):
    """Check `count_tokens(tok_path)` on token files of a few documents."""
    from ulmfit_ref import prepare as ref_prepare

    doc_sets = [_DOCS, []]
    if hidden:
        doc_sets.append([t.split(" ") for t in random_texts(9)])
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for i, docs in enumerate(doc_sets):
            path = Path(tmp) / f"docs{i}.tok.jsonl"
            path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
            cases.append(Case((path,), shown=f"<token file of {len(docs)} documents>"))
        passed("count_tokens", compare("count_tokens", fn, ref_prepare.count_tokens, cases))


def _vocab_cases(hidden: bool) -> list:
    words = "the a film the good a the bad film the good xbos xbos xbos xbos _unk_ _pad_ great great".split()
    counts = Counter(words)
    cases = [(counts, {}), (counts, {"min_freq": 2}), (counts, {"max_vocab": 2, "min_freq": 1}), (counts, {"max_vocab": 0}), (Counter(), {})]
    if hidden:
        rng = random.Random(10)
        for _ in range(10):
            c = Counter(rng.choice("abcdefghij") for _ in range(rng.randint(0, 60)))
            cases.append((c, {"max_vocab": rng.randint(0, 12), "min_freq": rng.randint(1, 6)}))
    return cases


def Vocab(cls, hidden: bool = False):
    """Check a `Vocab` class: `Vocab.build` (itos, stoi), `numericalize` (int32, 0 for unknown) and `textify`."""
    from ulmfit_ref.vocab import Vocab as RefVocab

    n = 0
    tokens = ["the", "film", "was", "good", "xbos", "never-seen", "_pad_", "GOOD"]
    for counts, kwargs in _vocab_cases(hidden):
        case = Case((counts,), kwargs)
        call = case.call("Vocab.build")
        expected = RefVocab.build(copy.deepcopy(counts), **kwargs)
        build = getattr(cls, "build", None)
        got = run("Vocab.build", build, case)
        for attr in ("itos", "stoi"):
            if not hasattr(got, attr):
                raise CheckFailed(f"{call} should give a Vocab with an attribute `{attr}`; yours has none")
            if d := difference(getattr(expected, attr), getattr(got, attr), f"{call}.{attr}"):
                raise CheckFailed(d)
        for name, args in (("numericalize", (tokens,)), ("textify", (expected.numericalize(tokens),))):
            method = getattr(got, name, None)
            case = Case(args)
            if d := difference(getattr(expected, name)(*args), run(f"Vocab.{name}", method, case), f"{case.call(f'vocab.{name}')}, with vocab = {call},"):
                raise CheckFailed(d)
        if "never-seen" in got.stoi:
            raise CheckFailed(
                f"after vocab.numericalize({_short(tokens)}), your stoi holds 'never-seen': looking a token up must not add it "
                "(a defaultdict does; use stoi.get(token, 0))"
            )
        n += 1
    itos = RefVocab.build(Counter("a b b c c c".split()), min_freq=1).itos
    case = Case((itos,))
    got = run("Vocab", cls, case)
    for attr in ("itos", "stoi"):
        if d := difference(getattr(RefVocab(itos), attr), getattr(got, attr, None), f"{case.call('Vocab')}.{attr}"):
            raise CheckFailed(d)
    passed("Vocab", n + 1)


# --- the grader's hidden checks ------------------------------------------------------------------------------------


def hidden(name: str, obj):
    """Run the grader's hidden checks of exercise `name` (the hidden test cells call this; learners never see it).

    They live in the `grading` package beside this one in the course repository, which the learner's install does not
    hold: there this fails, rather than pass a check it could not run.
    """
    import importlib.util

    folder = Path(__file__).resolve().parents[1] / "grading"
    if "grading" not in sys.modules:
        spec = importlib.util.spec_from_file_location("grading", folder / "__init__.py", submodule_search_locations=[str(folder)])
        if spec is None:
            raise CheckFailed(f"the hidden checks are not installed here (no {folder}): grade from the course repository")
        sys.modules["grading"] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    from grading import hidden as grading_hidden

    grading_hidden.check(name, obj)
